/**
 * The turn engine under a hostile stream: 120 turns (seeded, reproducible) with the event stream
 * dropped or stalled at random points, some turns blocking on requires_action. Each digest must
 * equal the ground truth read back from events.list: zero events lost, zero reported twice,
 * every requires_action surfaced with exactly the blocking ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, history, ok, type Harness } from '../helpers.js';
import { mulberry32 } from '../../src/emulator/routes/seed.js';

const SEED = 20261122;
// The readings projects (vitest.config.ts) run a reduced chaos run under each reading.
const TURNS = Number(process.env.CHAOS_TURNS ?? 120);

let h: Harness;
beforeAll(async () => {
  // A short stall threshold so a stalled stream is detected within the test's time budget.
  h = await harness({ streamStallS: 0.25, turnTimeoutS: 15 }, { pingIntervalMs: 100 });
});
afterAll(async () => {
  await h?.close();
});

/** The events a digest should cover: from the echo of `startId` through `lastId`, from history. */
function slice(events: any[], startId: string, lastId: string): any[] {
  const from = events.findIndex((e) => e.id === startId);
  const to = events.findIndex((e) => e.id === lastId);
  expect(from, `echo ${startId} in history`).toBeGreaterThanOrEqual(0);
  expect(to, `last event ${lastId} in history`).toBeGreaterThanOrEqual(from);
  return events.slice(from, to + 1);
}

function expectDigestMatches(d: any, turn: any[]) {
  const texts = turn.filter((e) => e.type === 'agent.message').map((e) => e.content.map((b: any) => b.text).join(''));
  expect(d.reply).toBe(texts.join('\n\n'));
  // Every event of the turn counted exactly once: none lost, none twice.
  expect(d.events_seen).toBe(turn.length);
  const idle = turn.at(-1);
  expect(idle.type).toBe('session.status_idle');
  expect(d.stop_reason).toBe(idle.stop_reason.type);
  const blocking = idle.stop_reason.type === 'requires_action' ? idle.stop_reason.event_ids : [];
  expect(d.pending_actions.map((p: any) => p.id)).toEqual(blocking);
  const toolSteps = d.steps.filter((s: string) => /^agent\.(tool_use|tool_result) /.test(s)).length;
  expect(toolSteps).toBe(turn.filter((e) => e.type === 'agent.tool_use' || e.type === 'agent.tool_result').length);
}

describe('stream chaos', () => {
  it(`${TURNS} turns with random drops and stalls: every digest equals the history`, async () => {
    const rand = mulberry32(SEED);
    const pick = (n: number) => Math.floor(rand() * n);
    const agent = ok(
      await h.call('create_agent', {
        name: 'chaos',
        model: 'claude-haiku-4-5',
        tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'read', permission_policy: { type: 'always_ask' } }] }],
      }),
    );
    let session = ok(await h.call('start_session', { agent_id: agent.agent_id })).session_id;
    let faulted = 0;
    let reconnects = 0;
    let pendingSurfaced = 0;

    for (let i = 0; i < TURNS; i++) {
      if (i % 30 === 0 && i > 0) session = ok(await h.call('start_session', { agent_id: agent.agent_id })).session_id;
      const lines = [`/reply turn ${i} begins`];
      for (let k = pick(4); k > 0; k--) {
        const r = pick(5);
        if (r === 0) lines.push(`/events ${1 + pick(12)}`);
        else if (r === 1) lines.push(`/tool bash {"command":"echo ${i}-${k}"}`);
        else if (r === 2) lines.push(`/sleep ${pick(40)}`);
        else if (r === 3) lines.push('/think');
        else lines.push(`/reply part ${k} of ${i}`);
      }
      const asks = pick(4) === 0 ? 1 + pick(2) : 0;
      for (let a = 0; a < asks; a++) lines.push(`/tool read {"file_path":"/f${i}-${a}"}`);
      lines.push(`/reply turn ${i} ends`);
      const text = lines.join('\n');

      const stream = `/v1/sessions/${session}/events/stream`;
      const kind = pick(3);
      if (kind < 2) {
        faulted++;
        const rule =
          kind === 0
            ? { match: { method: 'GET', path: stream }, times: 1 + pick(2), drop_stream_after_events: 1 + pick(10) }
            : { match: { method: 'GET', path: stream }, times: 1, stall_stream_ms: 400, after_events: 1 + pick(8) };
        await h.admin('POST', '/_emulator/faults', { rules: [rule] });
      } else {
        await h.admin('DELETE', '/_emulator/faults');
      }
      const before = (await h.admin('GET', '/_emulator/requests')).next_index;

      const d = ok(await h.call('send_message', { session_id: session, text }));
      expect(d.timed_out).toBe(false);
      let events = await history(h, session);
      const echo = [...events].reverse().find((e) => e.type === 'user.message' && e.content[0].text === text);
      expectDigestMatches(d, slice(events, echo.id, d.last_event_id));

      if (d.stop_reason === 'requires_action') {
        pendingSurfaced++;
        const r = ok(await h.call('confirm_tool_use', { session_id: session, tool_use_ids: d.pending_actions.map((p: any) => p.id), result: 'allow' }));
        events = await history(h, session);
        const confirmations = events.filter((e) => e.type === 'user.tool_confirmation');
        expectDigestMatches(r, slice(events, confirmations.at(-1).id, r.last_event_id));
        expect(r.stop_reason).toBe('end_turn');
      }
      const log = (await h.admin('GET', `/_emulator/requests?since=${before}`)).data;
      reconnects += Math.max(0, log.filter((e: any) => e.path === stream).length - 1 - (d.stop_reason === 'requires_action' ? 1 : 0));
    }
    await h.admin('DELETE', '/_emulator/faults');
    console.log(`chaos: ${TURNS} turns (seed ${SEED}), ${faulted} with stream faults, ${reconnects} reconnects, ${pendingSurfaced} requires_action surfaced`);
    // The faults really happened and were recovered from.
    expect(faulted).toBeGreaterThan(TURNS / 2);
    expect(reconnects).toBeGreaterThan(TURNS / 3);
    expect(pendingSurfaced).toBeGreaterThan(Math.min(10, TURNS / 12));
  }, 120_000);
});
