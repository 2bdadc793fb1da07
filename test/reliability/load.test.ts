/**
 * Many calls at once through one MCP connection: every result is the right one for its own
 * arguments (no cross-talk between concurrent calls or turns), and turns do not queue behind each
 * other. Memory and throughput figures belong to bench/, not here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAndSession, harness, history, ok, type Harness } from '../helpers.js';
import { within } from './util.js';

let h: Harness;
let agentId: string;

beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'environments', 'sessions'] });
  ({ agent_id: agentId } = await agentAndSession(h));
});
afterAll(async () => {
  await h?.close();
});

describe('concurrency', () => {
  it('100 tool calls in flight at once all return their own correct result', async () => {
    // Four sessions whose histories differ in length, so a mixed-up list_events shows.
    const sessions: { id: string; events: number; reply: string }[] = [];
    for (let k = 0; k < 4; k++) {
      const id = ok(await h.call('start_session', { agent_id: agentId, title: `load-${k}` })).session_id;
      for (let j = 0; j <= k; j++) ok(await h.call('send_message', { session_id: id, text: `/reply s${k} t${j}` }));
      sessions.push({ id, events: (await history(h, id)).length, reply: `s${k} t${k}` });
    }
    expect(new Set(sessions.map((s) => s.events)).size).toBe(4);

    const calls = Array.from({ length: 100 }, (_, i) => {
      const s = sessions[i % 4]!;
      switch (i % 3) {
        case 0:
          return h.call('get_session', { session_id: s.id }).then((r) => {
            const g = ok(r);
            expect(g.session_id).toBe(s.id);
            expect(g.title).toBe(`load-${i % 4}`);
            return 'get_session';
          });
        case 1:
          return h.call('list_events', { session_id: s.id, limit: 200, view: 'full' }).then((r) => {
            const l = ok(r);
            expect(l.count).toBe(s.events);
            const replies = l.events.filter((e: any) => e.type === 'agent.message').map((e: any) => e.content[0].text);
            expect(replies.at(-1)).toBe(s.reply);
            return 'list_events';
          });
        default:
          return h.call('list_agents', { limit: 100 }).then((r) => {
            expect(ok(r).agents.map((a: any) => a.agent_id)).toContain(agentId);
            return 'list_agents';
          });
      }
    });
    const done = await within(30_000, Promise.all(calls), '100 concurrent calls');
    expect(done).toHaveLength(100);
    expect(done.filter((d) => d === 'get_session')).toHaveLength(34);
    expect(done.filter((d) => d === 'list_events')).toHaveLength(33);
    expect(done.filter((d) => d === 'list_agents')).toHaveLength(33);
  });

  it('50 concurrent turns on 50 sessions each get their own reply, and none blocks another', async () => {
    const N = 50;
    const SLEEP_MS = 300;
    const ids = await Promise.all(
      Array.from({ length: N }, async (_, i) => ok(await h.call('start_session', { agent_id: agentId, title: `turn-${i}` })).session_id as string),
    );
    expect(new Set(ids).size).toBe(N);

    const t0 = Date.now();
    const digests = await within(
      30_000,
      Promise.all(ids.map((session_id, i) => h.call('send_message', { session_id, text: `/sleep ${SLEEP_MS}\n/reply s${i}` }).then(ok))),
      '50 concurrent turns',
    );
    const wall = Date.now() - t0;

    digests.forEach((d, i) => {
      expect(d.session_id).toBe(ids[i]);
      expect(d.reply).toBe(`s${i}`);
      expect(d.stop_reason).toBe('end_turn');
      expect(d.timed_out).toBe(false);
    });
    // Ground truth: each session holds exactly its own message and its own reply.
    const histories = await Promise.all(ids.map((id) => history(h, id)));
    histories.forEach((events, i) => {
      expect(events.filter((e) => e.type === 'user.message').map((e) => e.content[0].text)).toEqual([`/sleep ${SLEEP_MS}\n/reply s${i}`]);
      expect(events.filter((e) => e.type === 'agent.message').map((e) => e.content[0].text)).toEqual([`s${i}`]);
    });
    // Serialised turns would take N × 300 ms; half of that already rules out any queueing.
    expect(wall).toBeLessThan((N / 2) * SLEEP_MS);
  });
});
