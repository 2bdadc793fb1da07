/**
 * Each open reading of the API's behaviour (docs/emulator.md "Readings"), checked through the MCP
 * protocol under BOTH of its readings: the server must give the same answer either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAndSession, harness, history, ok, type Harness } from '../helpers.js';
import { DEFAULT_READINGS, type Readings } from '../../src/emulator/index.js';
import { allowFlatCacheUsage } from '../setup/conformance.js';

const cases: Array<[string, Partial<Readings>]> = [
  ['default readings', {}],
  ['queued-echo', { queuedEcho: 'at-once' }],
  ['refuse-while-pending', { sendWhilePending: 'refuse' }],
  ['interrupt-idle-noop', { idleInterrupt: 'no-op' }],
  ['flat-cache-usage', { cacheUsage: 'flat' }],
  ['no-pings', { pings: 'off' }],
];

describe.each(cases)('under %s', (_name, readings) => {
  let h: Harness;
  beforeAll(async () => {
    // The one reading that plays the documentation over the SDK type (test/setup/conformance.ts).
    if ((readings as Partial<Readings>).cacheUsage === 'flat') allowFlatCacheUsage();
    h = await harness({ streamStallS: 1 }, { readings: { ...DEFAULT_READINGS, ...readings } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("send_message during a running turn returns the reply to ITS message, never the previous turn's", async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/sleep 300\n/reply first', wait: false }));
    const d = ok(await h.call('send_message', { session_id, text: '/reply second' }));
    expect(d.reply).toBe('second');
    expect(d.stop_reason).toBe('end_turn');
    const events = await history(h, session_id);
    expect(events.filter((e) => e.type === 'user.message')).toHaveLength(2);
  });

  it('interrupting an idle session settles at once, with or without an idle event', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: 'hi' }));
    const d = ok(await h.call('interrupt_session', { session_id }));
    expect(d.timed_out).toBe(false);
    expect(d.status).toBe('idle');
  });

  it('session_usage counts cache writes whether nested or flat', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/tokens 1000 50 4000\n/reply cached' }));
    const u = ok(await h.call('session_usage', { session_id }));
    expect(u.tokens).toMatchObject({ input: 1000, output: 50, cache_creation_5m: 4000 });
    // A 5-minute cache write costs 1.25x input: the estimate includes it either way.
    expect(u.estimate.tokens_usd).toBeCloseTo((1000 * 3 + 50 * 15 + 4000 * 3 * 1.25) / 1e6, 3); // rounded to 4 places
  });

  it('a long tool run with or without pings ends with its reply', async () => {
    const { session_id } = await agentAndSession(h, [{ type: 'agent_toolset_20260401' }]);
    const d = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"make"}\n/sleep 1500\n/reply built' }));
    expect(d.timed_out).toBe(false);
    expect(d.reply).toMatch(/built$/);
  });
});
