/**
 * Waiting on several sessions in one call (wait_for_turn with session_ids; docs/turn-engine.md,
 * "Several sessions"), through the MCP protocol against the emulator running the sessions' turns
 * concurrently, each scripted to take its own time.
 */
import { ElicitRequestSchema, type ElicitRequest } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASK_BASH_TOOLS, errText, harness, history, ok, type Harness } from '../helpers.js';

let h: Harness;
let agentId: string;
beforeAll(async () => {
  h = await harness();
  agentId = ok(await h.call('create_agent', { name: 'team-member', model: 'claude-sonnet-4-6', tools: ASK_BASH_TOOLS })).agent_id;
});
afterAll(async () => {
  await h?.close();
});

/** Starts one session per script without waiting, as a lead hands out tasks; returns the results. */
async function startAll(x: Harness, agent: string, scripts: string[]): Promise<any[]> {
  return Promise.all(scripts.map((message) => x.call('start_session', { agent_id: agent, message, wait: false }).then(ok)));
}

/** The emulator's open streams of these sessions, once the closes have reached it (a socket closes asynchronously). */
async function openStreams(x: Harness, ids: string[]): Promise<Record<string, number>> {
  let open: Record<string, number> = {};
  for (let i = 0; i < 40; i++) {
    const all = (await x.admin('GET', '/_emulator/health')).open_streams as Record<string, number>;
    open = Object.fromEntries(Object.entries(all).filter(([id]) => ids.includes(id)));
    if (!Object.keys(open).length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return open;
}

/** Waits (bounded) until the session's history ends on an idle, read from the API directly. */
async function untilIdle(x: Harness, id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await history(x, id)).at(-1)?.type === 'session.status_idle') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${id} did not go idle`);
}

const wait = (x: Harness, args: Record<string, unknown>) => x.call('wait_for_turn', args).then(ok);

describe('wait_for_turn with session_ids', () => {
  it('returns the first of four to finish, with a status line for each of the others; the results of wait:false say how to collect them', async () => {
    const started = await startAll(h, agentId, ['/sleep 2400\n/reply two', '/sleep 1200\n/reply one', '/sleep 3600\n/reply three', '/sleep 4800\n/reply four']);
    for (const s of started) expect(s.hint).toContain('"session_ids":["' + s.session_id);
    const ids = started.map((s) => s.session_id);
    const before = (await h.admin('GET', '/_emulator/requests')).next_index;
    const r = await wait(h, { session_ids: ids });
    expect(r.turns).toHaveLength(1);
    expect(r.turns[0]).toMatchObject({ session_id: ids[1], stop_reason: 'end_turn', reply: 'one' });
    // One stream per session, all opened by this call, and none left open once it returned.
    const streams = (await h.admin('GET', `/_emulator/requests?since=${before}`)).data.filter((q: any) => q.path.endsWith('/events/stream'));
    expect(streams.map((q: any) => q.path.split('/')[3]).sort()).toEqual([...ids].sort());
    expect(await openStreams(h, ids)).toEqual({});
    expect(r.others).toHaveLength(3);
    // How long each has run, once its follower has read where the turn began (a loaded machine may not have yet).
    for (const [i, id] of [ids[0], ids[2], ids[3]].entries()) expect(r.others[i]).toMatch(new RegExp(`^${id}: running( for \\d+ s)?$`));
    expect(r.others.some((l: string) => / running for \d+ s$/.test(l))).toBe(true);
    expect(r.timed_out).toBe(false);
    // The hint names the call that collects the rest: the three still running.
    expect(r.hint).toContain(JSON.stringify({ session_ids: [ids[0], ids[2], ids[3]] }));
  });

  it('reports each turn once across consecutive calls with the same ids, in the order they finish', async () => {
    const started = await startAll(h, agentId, ['/sleep 1800\n/reply b', '/sleep 300\n/reply a', '/sleep 3300\n/reply c']);
    const ids = started.map((s) => s.session_id);
    const reported: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await wait(h, { session_ids: ids });
      expect(r.turns).toHaveLength(1);
      reported.push(r.turns[0].reply);
      // Sessions already reported are a status line now, not a second report.
      expect(r.others.filter((l: string) => l.includes('nothing new since its last reported turn'))).toHaveLength(i);
    }
    expect(reported).toEqual(['a', 'b', 'c']);
    const last = await wait(h, { session_ids: ids });
    expect(last.turns ?? []).toEqual([]);
    expect(last.others).toHaveLength(3);
    expect(last.timed_out).toBe(false);
    // A new message to one of them: the next wait reports that turn, and only it.
    ok(await h.call('send_message', { session_id: ids[0], text: '/reply again', wait: false }));
    const again = await wait(h, { session_ids: ids });
    expect(again.turns.map((d: any) => [d.session_id, d.reply])).toEqual([[ids[0], 'again']]);
  });

  it('reports a session blocked on a confirmation before a slower running one, with its answer_with', async () => {
    const started = await startAll(h, agentId, ['/sleep 4000\n/reply slow', '/sleep 300\n/tool bash {"command":"ls"}\n/reply after']);
    const ids = started.map((s) => s.session_id);
    const r = await wait(h, { session_ids: ids });
    expect(r.turns).toHaveLength(1);
    const blocked = r.turns[0];
    expect(blocked).toMatchObject({ session_id: ids[1], stop_reason: 'requires_action' });
    expect(blocked.pending_actions[0].answer_with).toMatchObject({ tool: 'confirm_tool_use', arguments: { session_id: ids[1] } });
    expect(r.others[0]).toMatch(new RegExp(`^${ids[0]}: running`));
    expect(r.hint).toMatch(/answer_with/);
    // Answered without waiting, the session joins the next wait, which reports it first (it ends sooner).
    ok(await h.call('confirm_tool_use', { session_id: ids[1], tool_use_id: blocked.pending_actions[0].id, result: 'allow', wait: false }));
    const next = await wait(h, { session_ids: ids });
    expect(next.turns.map((d: any) => [d.session_id, d.stop_reason])).toEqual([[ids[1], 'end_turn']]);
    expect(next.turns[0].reply).toContain('after');
    expect(next.turns[0].reply).not.toContain('slow');
  });

  it('reports every turn already over when the call begins, blocked first, not as running', async () => {
    const started = await startAll(h, agentId, ['/reply done early', '/sleep 5000\n/reply later', '/tool bash {"command":"ls"}']);
    const ids = started.map((s) => s.session_id);
    for (const id of [ids[0], ids[2]]) await untilIdle(h, id);
    const r = await wait(h, { session_ids: ids });
    expect(r.turns.map((d: any) => [d.session_id, d.stop_reason])).toEqual([
      [ids[2], 'requires_action'],
      [ids[0], 'end_turn'],
    ]);
    expect(r.others).toEqual([expect.stringMatching(new RegExp(`^${ids[1]}: running`))]);
  });

  it('until "all" returns when every turn is over, blocked ones first', async () => {
    const started = await startAll(h, agentId, ['/sleep 200\n/reply quick', '/sleep 1200\n/tool bash {"command":"ls"}', '/sleep 800\n/reply middle']);
    const ids = started.map((s) => s.session_id);
    const r = await wait(h, { session_ids: ids, until: 'all' });
    expect(r.turns.map((d: any) => d.session_id)).toEqual([ids[1], ids[0], ids[2]]);
    expect(r.turns.map((d: any) => d.stop_reason)).toEqual(['requires_action', 'end_turn', 'end_turn']);
    expect(r.others ?? []).toEqual([]);
    expect(r.hint).toMatch(/answer_with/);
  });

  it('reports a terminated session, then lists it as terminated', async () => {
    const started = await startAll(h, agentId, ['/sleep 200\n/error unknown_error terminal', '/sleep 3000\n/reply late']);
    const ids = started.map((s) => s.session_id);
    const r = await wait(h, { session_ids: ids });
    expect(r.turns).toHaveLength(1);
    expect(r.turns[0]).toMatchObject({ session_id: ids[0], status: 'terminated' });
    const next = await wait(h, { session_ids: ids });
    expect(next.turns[0]).toMatchObject({ session_id: ids[1], reply: 'late' });
    expect(next.others).toEqual([`${ids[0]}: terminated`]);
  });

  it('a stream dropped in one of several is reopened and caught up: nothing lost, nothing twice', async () => {
    const script = '/events 30\n/sleep 600\n/events 30\n/reply done';
    const started = await startAll(h, agentId, [script, script, '/sleep 300\n/reply other']);
    const ids = started.map((s) => s.session_id);
    await h.admin('POST', '/_emulator/faults', {
      rules: [{ match: { method: 'GET', path: `/v1/sessions/${ids[0]}/events/stream` }, times: 1, drop_stream_after_events: 5 }],
    });
    try {
      const r = await wait(h, { session_ids: ids, until: 'all' });
      const faults = await h.admin('GET', '/_emulator/faults');
      expect(faults.rules[0].hits).toBe(1);
      const [dropped, clean] = [ids[0], ids[1]].map((id) => r.turns.find((d: any) => d.session_id === id));
      expect(dropped.reply).toContain('done');
      // The same script with and without the drop: the same events, each once.
      expect(dropped.events_seen).toBe(clean.events_seen);
      const events = await history(h, ids[0]);
      expect(dropped.last_event_id).toBe(events.at(-1).id);
    } finally {
      await h.admin('DELETE', '/_emulator/faults');
    }
  });

  it('refuses more than 16 sessions with what to do, and after_event_id or until in the wrong place', async () => {
    const ids = Array.from({ length: 17 }, (_, i) => `sesn_${String(i).padStart(4, '0')}`);
    const r = await h.call('wait_for_turn', { session_ids: ids });
    expect(r.isError).toBe(true);
    // The schema's own bound, worded like every other one (test/server/input-limits.test.ts), before any request.
    expect(errText(r)).toMatch(/session_ids: Too big: expected array to have <=16 items/);
    const both = await h.call('wait_for_turn', { session_id: 'sesn_extra', session_ids: ids.slice(0, 16) });
    expect(errText(both)).toMatch(/at most 16 sessions per call \(got 17\)/);
    expect(errText(await h.call('wait_for_turn', { session_ids: ids.slice(0, 2), after_event_id: 'sevt_1' }))).toMatch(
      /after_event_id goes with one session_id/,
    );
    expect(errText(await h.call('wait_for_turn', { session_id: 'sesn_1', until: 'all' }))).toMatch(/until goes with session_ids/);
  });

  it('says which session an id that does not exist belongs to, and still reports the others', async () => {
    const [s] = await startAll(h, agentId, ['/sleep 300\n/reply fine']);
    const r = await wait(h, { session_ids: [s.session_id, 'sesn_does_not_exist'], until: 'all' });
    expect(r.turns.map((d: any) => d.reply)).toEqual(['fine']);
    expect(r.others[0]).toMatch(/^sesn_does_not_exist: error: /);
  });

  it('times out with a line per session and no report when none ends in time', async () => {
    const started = await startAll(h, agentId, ['/sleep 5000\n/reply x', '/sleep 5000\n/reply y']);
    const ids = started.map((s) => s.session_id);
    const r = await wait(h, { session_ids: ids, timeout_s: 1 });
    expect(r.timed_out).toBe(true);
    expect(r.turns ?? []).toEqual([]);
    expect(r.others).toHaveLength(2);
    // Nothing of them was reported: the next wait reports each whole turn.
    const all = await wait(h, { session_ids: ids, until: 'all' });
    expect(all.turns.map((d: any) => d.reply).sort()).toEqual(['x', 'y']);
  });
});

describe('wait_for_turn with session_ids under --approval human', () => {
  let hh: Harness;
  const asked: ElicitRequest['params'][] = [];
  beforeAll(async () => {
    hh = await harness(
      { approval: 'human' },
      {},
      {
        capabilities: { elicitation: { form: {} } },
        setup: (client) =>
          client.setRequestHandler(ElicitRequestSchema, async (req) => {
            asked.push(req.params);
            return { action: 'accept', content: { decision: 'allow' } };
          }),
      },
    );
  });
  afterAll(() => hh?.close());

  it('asks the person once per session, each form naming the session and its agent, then collects the rest', async () => {
    const agents = await Promise.all(
      ['alpha-agent', 'beta-agent'].map(
        async (name) => ok(await hh.call('create_agent', { name, model: 'claude-sonnet-4-6', tools: ASK_BASH_TOOLS })).agent_id,
      ),
    );
    const started = await Promise.all(
      agents.map((agent_id) =>
        hh.call('start_session', { agent_id, message: '/sleep 200\n/tool bash {"command":"ls"}\n/reply finished', wait: false }).then(ok),
      ),
    );
    const ids = started.map((s) => s.session_id);
    const r = await wait(hh, { session_ids: ids, until: 'all' });
    expect(asked).toHaveLength(2);
    const byForm = ids.map((id) => asked.find((q) => q.message.includes(`session ${id}`)));
    expect(byForm[0]!.message).toContain('alpha-agent');
    expect(byForm[1]!.message).toContain('beta-agent');
    // Answered and sent; the turns go on, and the next wait collects them.
    for (const d of r.turns) expect(d.steps.some((s: string) => /approval: the person answered allow/.test(s))).toBe(true);
    expect(r.hint).toContain('"session_ids"');
    const rest = await wait(hh, { session_ids: ids, until: 'all' });
    expect(rest.turns.map((d: any) => d.stop_reason)).toEqual(['end_turn', 'end_turn']);
    for (const d of rest.turns) expect(d.reply).toContain('finished');
  });
});
