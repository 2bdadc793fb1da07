/**
 * The retry policy of src/api/client.ts, seen through the MCP client against emulator faults:
 * reads retry on 429 / 5xx with bounded backoff that honours retry-after; writes retry only when
 * the API provably did not act (429, 529); retries end in a clear, prompt error; a retry-after
 * beyond what we sleep through is reported, not slept; creates are never duplicated.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentAndSession, ASK_BASH_TOOLS, errText, harness, history, ok, TEST_KEY, type Harness } from '../helpers.js';
import { clearFaults, gaps, mark, requests, setFaults, within, type LogEntry } from './util.js';

let h: Harness;
let agentId: string;

beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'environments', 'sessions'] });
  // One session up front so the default environment exists: later start_session calls make one POST each.
  ({ agent_id: agentId } = await agentAndSession(h));
});
afterEach(async () => {
  await clearFaults(h);
});
afterAll(async () => {
  await h?.close();
});

/** Requests since `since` with this method and exact raw path. */
async function hits(since: number, method: string, path: string): Promise<LogEntry[]> {
  return (await requests(h, since)).data.filter((e) => e.method === method && e.path === path);
}

async function newSession(): Promise<string> {
  return ok(await h.call('start_session', { agent_id: agentId })).session_id;
}

const userMessages = (events: any[]) => events.filter((e) => e.type === 'user.message').map((e) => e.content[0].text);

/** The three transient statuses; 429 carries a fractional retry-after the client must honour. */
const TRANSIENT = [{ status: 429, retry_after_s: 0.2 }, { status: 500 }, { status: 529 }] as const;

function faultOf(t: (typeof TRANSIENT)[number]) {
  return { status: t.status, ...('retry_after_s' in t ? { retry_after_s: t.retry_after_s } : {}) };
}

/**
 * Two failures then success: the gaps between attempts are at least the retry-after when one was
 * sent, else at least the minimum of the backoff schedule (0.5 s · 2^n minus ≤ 25 % jitter).
 * The log's times have millisecond resolution, hence the 5 ms slack.
 */
function expectBackoff(entries: LogEntry[], t: (typeof TRANSIENT)[number]) {
  const g = gaps(entries);
  expect(g).toHaveLength(2);
  if ('retry_after_s' in t) {
    for (const ms of g) expect(ms).toBeGreaterThanOrEqual(t.retry_after_s * 1000 - 5);
  } else {
    expect(g[0]).toBeGreaterThanOrEqual(375 - 5);
    expect(g[1]).toBeGreaterThanOrEqual(750 - 5);
  }
}

describe('reads are retried with bounded backoff honouring retry-after', () => {
  it.each(TRANSIENT)('get_session through two $status responses', async (t) => {
    const sid = await newSession();
    const path = `/v1/sessions/${sid}`;
    await setFaults(h, [{ match: { method: 'GET', path }, times: 2, ...faultOf(t) }]);
    const m = await mark(h);
    const s = ok(await within(15_000, h.call('get_session', { session_id: sid }), 'get_session'));
    expect(s.session_id).toBe(sid);
    expect(s.status).toBe('idle');
    const tries = await hits(m, 'GET', path);
    expect(tries.map((e) => e.status)).toEqual([t.status, t.status, 200]);
    expectBackoff(tries, t);
  });

  it.each(TRANSIENT)('list_sessions through two $status responses', async (t) => {
    const sid = await newSession();
    await setFaults(h, [{ match: { method: 'GET', path: '/v1/sessions' }, times: 2, ...faultOf(t) }]);
    const m = await mark(h);
    const r = ok(await within(15_000, h.call('list_sessions', { agent_id: agentId, limit: 100 }), 'list_sessions'));
    expect(r.sessions.map((s: any) => s.session_id)).toContain(sid);
    const tries = await hits(m, 'GET', '/v1/sessions');
    expect(tries.map((e) => e.status)).toEqual([t.status, t.status, 200]);
    expectBackoff(tries, t);
  });
});

describe('event stream opens are retried like reads', () => {
  it.each(TRANSIENT)('send_message opens its stream through two $status responses, then sends once', async (t) => {
    const sid = await newSession();
    const stream = `/v1/sessions/${sid}/events/stream`;
    await setFaults(h, [{ match: { method: 'GET', path: stream }, times: 2, ...faultOf(t) }]);
    const m = await mark(h);
    const d = ok(await within(15_000, h.call('send_message', { session_id: sid, text: `/reply stream-${t.status}` }), 'send_message'));
    expect(d.reply).toBe(`stream-${t.status}`);
    expect(d.stop_reason).toBe('end_turn');
    const log = (await requests(h, m)).data;
    const opens = log.filter((e) => e.method === 'GET' && e.path === stream);
    expect(opens.map((e) => e.status)).toEqual([t.status, t.status, 200]);
    expectBackoff(opens, t);
    // Stream first: the one send comes after the stream that finally opened.
    const sends = log.flatMap((e, i) => (e.method === 'POST' && e.path === `/v1/sessions/${sid}/events` ? [i] : []));
    expect(sends).toHaveLength(1);
    expect(sends[0]).toBeGreaterThan(log.lastIndexOf(opens[2]!));
    expect(userMessages(await history(h, sid))).toEqual([`/reply stream-${t.status}`]);
  });
});

describe('sends are retried only when the API cannot have acted', () => {
  it.each([TRANSIENT[0], TRANSIENT[2]])('send_message through two $status responses: one message delivered', async (t) => {
    const sid = await newSession();
    const path = `/v1/sessions/${sid}/events`;
    await setFaults(h, [{ match: { method: 'POST', path }, times: 2, ...faultOf(t) }]);
    const m = await mark(h);
    const d = ok(await within(15_000, h.call('send_message', { session_id: sid, text: `/reply sent-${t.status}` }), 'send_message'));
    expect(d.reply).toBe(`sent-${t.status}`);
    const tries = await hits(m, 'POST', path);
    expect(tries.map((e) => e.status)).toEqual([t.status, t.status, 200]);
    expectBackoff(tries, t);
    expect(userMessages(await history(h, sid))).toEqual([`/reply sent-${t.status}`]);
  });

  it('send_message after a 500 is not retried: exactly one POST', async () => {
    const sid = await newSession();
    const path = `/v1/sessions/${sid}/events`;
    await setFaults(h, [{ match: { method: 'POST', path }, times: 1, status: 500 }]);
    const m = await mark(h);
    const t = errText(await within(10_000, h.call('send_message', { session_id: sid, text: 'maybe delivered' }), 'send_message'));
    expect(t).toMatch(/^send_message failed: HTTP 500 api_error/);
    expect(t).toMatch(/request_id req_\w+/);
    // It may have been delivered: check, do not blindly resend.
    expect(t).toMatch(/may have taken effect/);
    expect(t).toMatch(/list_events/);
    expect(t).not.toMatch(/Retry helps: yes/);
    expect((await hits(m, 'POST', path)).map((e) => e.status)).toEqual([500]);
  });

  it('confirm_tool_use after a 500 is not retried either', async () => {
    const a = ok(await h.call('create_agent', { name: 'ask-500', model: 'claude-sonnet-4-6', tools: ASK_BASH_TOOLS }));
    const sid = ok(await h.call('start_session', { agent_id: a.agent_id })).session_id;
    const d = ok(await h.call('send_message', { session_id: sid, text: '/tool bash {"command":"ls"}' }));
    const id = d.pending_actions[0].id;
    const path = `/v1/sessions/${sid}/events`;
    await setFaults(h, [{ match: { method: 'POST', path }, times: 1, status: 500 }]);
    const m = await mark(h);
    const t = errText(await within(10_000, h.call('confirm_tool_use', { session_id: sid, tool_use_id: id, result: 'allow' }), 'confirm_tool_use'));
    expect(t).toMatch(/may have taken effect/);
    expect(t).not.toMatch(/Retry helps: yes/);
    expect((await hits(m, 'POST', path)).map((e) => e.status)).toEqual([500]);
    await clearFaults(h);
    // Nothing was lost: the same confirmation still works.
    const r = ok(await h.call('confirm_tool_use', { session_id: sid, tool_use_id: id, result: 'allow' }));
    expect(r.stop_reason).toBe('end_turn');
  });
});

describe('when retries are spent', () => {
  it('get_session: a clear error after 1 + maxRetries attempts, never a hang', async () => {
    const sid = await newSession();
    const path = `/v1/sessions/${sid}`;
    await setFaults(h, [{ match: { method: 'GET', path }, status: 500 }]);
    const m = await mark(h);
    const t = errText(await within(10_000, h.call('get_session', { session_id: sid }), 'get_session'));
    expect(t).toMatch(/^get_session failed: HTTP 500 api_error/);
    expect(t).toMatch(/request_id req_\w+/);
    expect(t).toContain('Retry helps: yes.');
    expect(t).toMatch(/Next: /);
    expect((await hits(m, 'GET', path)).length).toBe(1 + h.config.maxRetries);
  });

  it('send_message with a 529 that never clears: bounded attempts, nothing delivered', async () => {
    const sid = await newSession();
    const path = `/v1/sessions/${sid}/events`;
    await setFaults(h, [{ match: { method: 'POST', path }, status: 529 }]);
    const m = await mark(h);
    const t = errText(await within(10_000, h.call('send_message', { session_id: sid, text: 'never arrives' }), 'send_message'));
    expect(t).toMatch(/HTTP 529 overloaded_error/);
    expect(t).toMatch(/request_id req_\w+/);
    expect(t).toContain('Retry helps: yes.');
    expect((await hits(m, 'POST', path)).map((e) => e.status)).toEqual(Array(1 + h.config.maxRetries).fill(529));
    expect(userMessages(await history(h, sid))).toEqual([]);
  });

  it('send_message whose stream never opens: the message is not sent at all', async () => {
    const sid = await newSession();
    const stream = `/v1/sessions/${sid}/events/stream`;
    await setFaults(h, [{ match: { method: 'GET', path: stream }, status: 429, retry_after_s: 0.1 }]);
    const m = await mark(h);
    const t = errText(await within(10_000, h.call('send_message', { session_id: sid, text: 'held back' }), 'send_message'));
    expect(t).toMatch(/HTTP 429 rate_limit_error/);
    expect(t).toContain('Retry helps: yes.');
    expect((await hits(m, 'GET', stream)).length).toBe(1 + h.config.maxRetries);
    expect(await hits(m, 'POST', `/v1/sessions/${sid}/events`)).toEqual([]);
  });
});

describe('a retry-after beyond maxRetryAfterS is reported, not slept through', () => {
  it('get_session with retry-after 120 s', async () => {
    const sid = await newSession();
    const path = `/v1/sessions/${sid}`;
    await setFaults(h, [{ match: { method: 'GET', path }, status: 429, retry_after_s: 120 }]);
    const m = await mark(h);
    const t = errText(await within(5_000, h.call('get_session', { session_id: sid }), 'get_session'));
    expect(t).toMatch(/HTTP 429 rate_limit_error/);
    expect(t).toMatch(/wait 120 s/);
    expect(t).toMatch(/Retry after that/);
    expect((await hits(m, 'GET', path)).length).toBe(1);
  });

  it('send_message with retry-after 31 s (just over the 30 s limit)', async () => {
    expect(h.config.maxRetryAfterS).toBe(30);
    const sid = await newSession();
    const path = `/v1/sessions/${sid}/events`;
    await setFaults(h, [{ match: { method: 'POST', path }, status: 429, retry_after_s: 31 }]);
    const m = await mark(h);
    const t = errText(await within(5_000, h.call('send_message', { session_id: sid, text: 'later' }), 'send_message'));
    expect(t).toMatch(/wait 31 s/);
    expect((await hits(m, 'POST', path)).length).toBe(1);
    expect(userMessages(await history(h, sid))).toEqual([]);
  });
});

describe('creates are never duplicated', () => {
  it('why: the raw SDK (default maxRetries 2) retries agents.create on a 500 — three POSTs for one create', async () => {
    const sdk = new Anthropic({ apiKey: TEST_KEY, baseURL: h.url });
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/agents' }, status: 500 }]);
    const m = await mark(h);
    await expect(sdk.beta.agents.create({ name: 'raw-sdk', model: 'claude-sonnet-4-6' })).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    // Against the real API each of these may have created an agent.
    expect((await hits(m, 'POST', '/v1/agents')).length).toBe(3);
  });

  async function agentNames(): Promise<string[]> {
    return ok(await h.call('list_agents', { limit: 100 })).agents.map((a: any) => a.name);
  }

  it('create_agent after a 500: not retried, says to check list_agents first, no agent made', async () => {
    const before = await agentNames();
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/agents' }, times: 1, status: 500 }]);
    const m = await mark(h);
    const t = errText(await h.call('create_agent', { name: 'dup-500', model: 'claude-sonnet-4-6' }));
    expect(t).toMatch(/HTTP 500 api_error/);
    expect(t).toMatch(/may have taken effect/);
    expect(t).toMatch(/list_agents shows whether it exists/);
    expect(t).not.toMatch(/Retry helps: yes/);
    expect((await hits(m, 'POST', '/v1/agents')).length).toBe(1);
    await clearFaults(h);
    const after = await agentNames();
    expect(after).toEqual(before);
  });

  it('create_agent after a 529: retried once, exactly one agent', async () => {
    const before = await agentNames();
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/agents' }, times: 1, status: 529 }]);
    const m = await mark(h);
    const a = ok(await h.call('create_agent', { name: 'once-529', model: 'claude-sonnet-4-6' }));
    expect(a.agent_id).toMatch(/^agent_/);
    expect((await hits(m, 'POST', '/v1/agents')).map((e) => e.status)).toEqual([529, 200]);
    const after = await agentNames();
    expect(after.length).toBe(before.length + 1);
    expect(after.filter((n) => n === 'once-529')).toHaveLength(1);
  });

  async function sessionIds(agent: string): Promise<string[]> {
    return ok(await h.call('list_sessions', { agent_id: agent, limit: 100 })).sessions.map((s: any) => s.session_id);
  }

  it('start_session after a 500: not retried, says to check list_sessions first, no session made', async () => {
    const agent = ok(await h.call('create_agent', { name: 'sessions-500', model: 'claude-sonnet-4-6' })).agent_id;
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/sessions' }, times: 1, status: 500 }]);
    const m = await mark(h);
    const t = errText(await h.call('start_session', { agent_id: agent }));
    expect(t).toMatch(/HTTP 500 api_error/);
    expect(t).toMatch(/may have taken effect/);
    expect(t).toMatch(/list_sessions shows whether it exists/);
    expect(t).not.toMatch(/Retry helps: yes/);
    expect((await hits(m, 'POST', '/v1/sessions')).length).toBe(1);
    await clearFaults(h);
    expect(await sessionIds(agent)).toEqual([]);
  });

  it('start_session after a 529: retried once, exactly one session', async () => {
    const agent = ok(await h.call('create_agent', { name: 'sessions-529', model: 'claude-sonnet-4-6' })).agent_id;
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/sessions' }, times: 1, status: 529 }]);
    const m = await mark(h);
    const s = ok(await h.call('start_session', { agent_id: agent }));
    expect((await hits(m, 'POST', '/v1/sessions')).map((e) => e.status)).toEqual([529, 200]);
    expect(await sessionIds(agent)).toEqual([s.session_id]);
  });
});
