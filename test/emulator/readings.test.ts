/** The emulator's readings of open behaviour (docs/emulator.md "Readings"), through the SDK. */
import { describe, expect, it } from 'vitest';
import { allowFlatCacheUsage } from '../setup/conformance.js';
import { EMU_ONLY, REAL, makeSession, reportTarget, turn, useTarget } from './target.js';

const t = useTarget();
reportTarget();

describe.skipIf(REAL)(`readings (${EMU_ONLY})`, () => {
  it('the settings route shows, changes (partially) and validates the readings', async () => {
    const before = await t.admin('GET', '/_emulator/settings');
    expect(Object.keys(before.readings).sort()).toEqual(['cacheUsage', 'idleInterrupt', 'pings', 'queuedEcho', 'sendWhilePending']);
    const after = await t.admin('POST', '/_emulator/settings', { readings: { cacheUsage: 'flat' } });
    expect(after.readings).toEqual({ ...before.readings, cacheUsage: 'flat' });
    const bad = await t.admin('POST', '/_emulator/settings', { readings: { cacheUsage: 'sideways' } });
    expect(bad.error.type).toBe('invalid_request_error');
    await t.admin('POST', '/_emulator/settings', { readings: before.readings });
  });

  it('flat-cache-usage: cache writes as a flat cache_creation_input_tokens; nested by default', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    await turn(c, session.id, '/tokens 100 10 700');
    expect((await c.beta.sessions.retrieve(session.id)).usage).toMatchObject({ cache_creation: { ephemeral_5m_input_tokens: 700 } });
    const before = (await t.admin('GET', '/_emulator/settings')).readings;
    // The one reading that plays the documentation over the SDK type (test/setup/conformance.ts).
    allowFlatCacheUsage();
    await t.admin('POST', '/_emulator/settings', { readings: { cacheUsage: 'flat' } });
    try {
      const u = (await c.beta.sessions.retrieve(session.id)).usage as Record<string, unknown>;
      expect(u.cache_creation_input_tokens).toBe(700);
      expect(u.cache_creation).toBeUndefined();
    } finally {
      await t.admin('POST', '/_emulator/settings', { readings: before });
    }
  });

  it('refuse-while-pending: a user.message while a confirmation is pending is a 409 naming it', async () => {
    const c = t.client();
    const { session } = await makeSession(c, {
      tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }],
    });
    const before = (await t.admin('GET', '/_emulator/settings')).readings;
    await t.admin('POST', '/_emulator/settings', { readings: { sendWhilePending: 'refuse' } });
    try {
      let err: any;
      await turn(c, session.id, '/tool bash {"command":"ls"}', async (ev, send) => {
        if (ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action') {
          err = await send([{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }]).catch((e) => e);
          await send([{ type: 'user.tool_confirmation', tool_use_id: ev.stop_reason.event_ids[0], result: 'allow' }]);
        }
      });
      expect(err.status).toBe(409);
      expect(String(err.message)).toMatch(/pending action/);
    } finally {
      await t.admin('POST', '/_emulator/settings', { readings: before });
    }
  });

  it('interrupt-idle-noop: interrupting an idle session emits only the echo', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const before = (await t.admin('GET', '/_emulator/settings')).readings;
    await t.admin('POST', '/_emulator/settings', { readings: { idleInterrupt: 'no-op' } });
    try {
      await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
      const h = await c.beta.sessions.events.list(session.id);
      expect(h.data.map((e) => e.type)).toEqual(['user.interrupt']);
    } finally {
      await t.admin('POST', '/_emulator/settings', { readings: before });
    }
  });
});
