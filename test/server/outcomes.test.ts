/**
 * Outcomes, thread events and session resources through the MCP protocol (sessions toolset):
 * define_outcome follows the graded turn; list_thread_events pages one thread; files are mounted
 * in and removed from a running session.
 */
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, agentAndSession, errText, harness, ok, type Harness } from '../helpers.js';

let h: Harness;
let sdk: Anthropic;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'sessions', 'memory'] });
  sdk = new Anthropic({ apiKey: TEST_KEY, baseURL: h.url, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
});

const FENCE = /^----- (end of )?grader explanation \[fence [0-9a-f]{12}\]/m;

describe('define_outcome', () => {
  it('fails once, then passes: two evaluation steps and the final outcome', async () => {
    const { session_id } = await agentAndSession(h);
    const r = await h.call('define_outcome', { session_id, description: 'A haiku about rain', rubric: 'Three lines.\n/revise 1' });
    const d = ok(r);
    expect(d).toMatchObject({ status: 'idle', stop_reason: 'end_turn', timed_out: false });
    const grades = d.steps.filter((s: string) => s.startsWith('span.outcome_evaluation_end'));
    expect(grades).toHaveLength(2);
    expect(grades[0]).toMatch(/^span\.outcome_evaluation_end needs_revision \(iteration 0\): /);
    expect(grades[1]).toMatch(/^span\.outcome_evaluation_end satisfied \(iteration 1\): /);
    expect(d.outcome).toEqual({
      outcome_id: expect.stringMatching(/^outc_/),
      result: 'satisfied',
      evaluations: 2,
      explanation: 'All criteria are met at iteration 1.',
    });
    expect(d.reply).toContain('Working on the outcome: A haiku about rain');
    const text = r.content[0].text as string;
    expect(text).toContain(`Outcome ${d.outcome.outcome_id}: satisfied after 2 evaluation(s).`);
    // The grader's words are data: inside a fence that opens and closes with the same nonce.
    const open = text.match(/----- grader explanation \[fence ([0-9a-f]{12})\]/);
    expect(open).not.toBeNull();
    expect(text).toContain(`----- end of grader explanation [fence ${open![1]}] -----`);
    expect(text).toMatch(FENCE);
    // wait_for_turn on the idle session replays that turn: an outcome starts a turn like a message.
    const replay = ok(await h.call('wait_for_turn', { session_id }));
    expect(replay.outcome).toEqual(d.outcome);
    expect(replay.steps.filter((s: string) => s.startsWith('span.outcome_evaluation_end'))).toHaveLength(2);
  });

  it('wait:false returns at once; wait_for_turn then follows the graded turn to its verdict', async () => {
    const { session_id } = await agentAndSession(h);
    const sent = ok(await h.call('define_outcome', { session_id, description: 'A poem', rubric: '/revise 1\n/grade-sleep 300', wait: false }));
    expect(sent.status).toBe('running');
    expect(sent.outcome).toBeUndefined();
    const d = ok(await h.call('wait_for_turn', { session_id, after_event_id: sent.last_event_id }));
    expect(d).toMatchObject({ stop_reason: 'end_turn', outcome: { result: 'satisfied', evaluations: 2 } });
  });

  it('max_iterations reached: the outcome says so, and the hint names the next step', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('define_outcome', { session_id, description: 'A sonnet', rubric: '/revise 9', max_iterations: 2 }));
    expect(d.outcome).toMatchObject({ result: 'max_iterations_reached', evaluations: 2 });
    expect(d.steps.filter((s: string) => s.startsWith('span.outcome_evaluation_end'))).toHaveLength(2);
    expect(d.reply).toContain('I could not meet the rubric within 2 iteration(s).');
    expect(d.hint).toContain('define_outcome again');
  });

  it('a failed verdict ends the outcome at once, with a hint to revise the rubric', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('define_outcome', { session_id, description: 'A poem', rubric: '/fail' }));
    expect(d.outcome).toMatchObject({ result: 'failed', evaluations: 1 });
    expect(d.hint).toContain('revise the rubric');
  });

  it('takes a rubric file, and refuses both or neither rubric before any request', async () => {
    const { session_id } = await agentAndSession(h);
    const file = await sdk.beta.files.upload({ file: await toFile(Buffer.from('Must rhyme.'), 'rubric.md') });
    const d = ok(await h.call('define_outcome', { session_id, description: 'A limerick', rubric_file_id: file.id }));
    expect(d.outcome).toMatchObject({ result: 'satisfied', evaluations: 1 });
    expect(errText(await h.call('define_outcome', { session_id, description: 'x' }))).toContain('exactly one of rubric or rubric_file_id');
    expect(errText(await h.call('define_outcome', { session_id, description: 'x', rubric: 'r', rubric_file_id: file.id }))).toContain('exactly one');
  });
});

describe('threads', () => {
  it('list_threads shows status and agent; list_thread_events pages one thread', async () => {
    const helper = ok(await h.call('create_agent', { name: 'helper', model: 'claude-sonnet-4-6' }));
    const lead = ok(await h.call('create_agent', { name: 'lead', model: 'claude-sonnet-4-6', multiagent: { type: 'coordinator', agents: [helper.agent_id] } }));
    const s = ok(await h.call('start_session', { agent_id: lead.agent_id, message: '/delegate helper /events 7' }));
    expect(s.turn.stop_reason).toBe('end_turn');
    const threads = ok(await h.call('list_threads', { session_id: s.session_id })).threads;
    expect(threads).toHaveLength(2);
    expect(threads[0]).toMatchObject({ agent: 'lead', status: 'idle' });
    expect(threads[0].parent_thread_id).toBeUndefined();
    const sub = threads.find((t: any) => t.agent === 'helper');
    expect(sub).toMatchObject({ parent_thread_id: threads[0].thread_id });
    expect(['idle', 'terminated']).toContain(sub.status);

    const seen: string[] = [];
    let page: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = ok(await h.call('list_thread_events', { session_id: s.session_id, thread_id: sub.thread_id, limit: 4, ...(page ? { page } : {}) }));
      expect(r.count).toBeLessThanOrEqual(4);
      seen.push(...r.events);
      page = r.next_page;
      if (!page) break;
    }
    const truth = (await sdk.beta.sessions.threads.events.list(sub.thread_id, { session_id: s.session_id, limit: 1000 })).data;
    expect(seen).toHaveLength(truth.length);
    expect(seen.map((l) => l.match(/\((sevt_[^)]+)\)$/)?.[1])).toEqual(truth.map((e) => e.id));
    expect(seen.filter((l) => / agent\.message event \d of 7 /.test(l))).toHaveLength(7);

    const missing = errText(await h.call('list_thread_events', { session_id: s.session_id, thread_id: 'sthr_missing' }));
    expect(missing).toContain('404');
  });

  it('a page the output cap cuts short resumes where it stopped, nothing lost', async () => {
    const small = await harness({ toolsets: ['core', 'sessions'], maxOutputChars: 4000 });
    try {
      const { session_id } = await agentAndSession(small);
      ok(await small.call('send_message', { session_id, text: '/events 60' }));
      const [primary] = ok(await small.call('list_threads', { session_id })).threads;
      const ids: string[] = [];
      let page: string | undefined;
      let cut = false;
      for (let i = 0; i < 50; i++) {
        const r = ok(await small.call('list_thread_events', { session_id, thread_id: primary.thread_id, limit: 200, view: 'full', ...(page ? { page } : {}) }));
        ids.push(...r.events.map((e: any) => e.id));
        if (r.next_page?.includes('#')) cut = true;
        page = r.next_page;
        if (!page) break;
      }
      expect(cut).toBe(true);
      const truth = (await new Anthropic({ apiKey: TEST_KEY, baseURL: small.url, maxRetries: 0 }).beta.sessions.events.list(session_id, { limit: 1000 })).data;
      expect(ids).toEqual(truth.map((e) => e.id));
    } finally {
      await small.close();
    }
  });
});

describe('session resources mid-session', () => {
  it('mounts a file in a running session next to a memory store, lists both, removes the file, refuses a second removal', async () => {
    const storeId = ok(await h.call('create_memory_store', { name: 'Notes' })).memory_store_id;
    const a = ok(await h.call('create_agent', { name: 'res', model: 'claude-sonnet-4-6' }));
    const s = ok(
      await h.call('start_session', {
        agent_id: a.agent_id,
        resources: [{ type: 'memory_store', memory_store_id: storeId }],
        message: '/sleep 3000',
        wait: false,
      }),
    );
    expect(s.status).toBe('running');
    const file = await sdk.beta.files.upload({ file: await toFile(Buffer.from('a,b'), 'data.csv') });
    const added = ok(await h.call('add_session_resource', { session_id: s.session_id, file_id: file.id, mount_path: '/mnt/session/uploads/data.csv' }));
    expect(added).toMatchObject({ type: 'file', file_id: file.id, mount_path: '/mnt/session/uploads/data.csv' });
    expect(added.resource_id).toMatch(/^sesrsc_/);
    expect((await sdk.beta.sessions.retrieve(s.session_id)).status).toBe('running');

    const listed = ok(await h.call('list_session_resources', { session_id: s.session_id })).resources;
    expect(listed).toEqual([
      expect.objectContaining({ type: 'memory_store', memory_store_id: storeId, access: 'read_write' }),
      expect.objectContaining({ type: 'file', resource_id: added.resource_id }),
    ]);
    expect(listed[0].resource_id).toBeUndefined();

    const dup = errText(await h.call('add_session_resource', { session_id: s.session_id, file_id: file.id, mount_path: '/mnt/session/uploads/data.csv' }));
    expect(dup).toContain('409');

    expect(ok(await h.call('remove_session_resource', { session_id: s.session_id, resource_id: added.resource_id }))).toEqual({
      resource_id: added.resource_id,
      removed: true,
    });
    const again = errText(await h.call('remove_session_resource', { session_id: s.session_id, resource_id: added.resource_id }));
    expect(again).toContain('404');
    expect(again).toContain('list_session_resources');
    expect(ok(await h.call('list_session_resources', { session_id: s.session_id })).resources.map((r: any) => r.type)).toEqual(['memory_store']);
  });
});
