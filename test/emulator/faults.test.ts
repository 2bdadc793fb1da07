/** Fault injection and admin routes (emulator only), with the SDK's own retries observed in the request log. */
import Anthropic from '@anthropic-ai/sdk';
import { beforeEach, describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, makeAgent, makeSession, reportTarget, useTarget, type Ev } from './target.js';

const t = useTarget();
reportTarget();

const log = async (since = 0) =>
  (await t.admin('GET', `/_emulator/requests?since=${since}`)).data as Array<{ method: string; path: string; status: number; query: any }>;

describe.skipIf(REAL)(`faults (${EMU_ONLY})`, () => {
  beforeEach(async () => {
    await t.admin('DELETE', '/_emulator/faults');
    await t.admin('DELETE', '/_emulator/requests');
  });

  it('429 with retry-after: the SDK retries once and succeeds', async () => {
    await t.admin('POST', '/_emulator/faults', { rules: [{ match: { method: 'GET', path: '/v1/agents' }, times: 1, status: 429, retry_after_s: 0.01 }] });
    const page = await t.client({ maxRetries: 2 }).beta.agents.list();
    expect(page.data).toBeDefined();
    const hits = (await log()).filter((r) => r.path === '/v1/agents');
    expect(hits.map((r) => r.status)).toEqual([429, 200]);
  });

  it('429 without retries surfaces as RateLimitError with retry-after', async () => {
    await t.admin('POST', '/_emulator/faults', { rules: [{ times: 1, status: 429, retry_after_s: 7 }] });
    const err = await t
      .client()
      .beta.agents.list()
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.headers.get('retry-after')).toBe('7');
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('500 twice: two SDK retries, the third attempt succeeds', async () => {
    const agent = await makeAgent(t.client());
    await t.admin('DELETE', '/_emulator/requests');
    await t.admin('POST', '/_emulator/faults', { rules: [{ match: { path: '/v1/agents/*' }, times: 2, status: 500, retry_after_s: 0.01 }] });
    const got = await t.client({ maxRetries: 2 }).beta.agents.retrieve(agent.id);
    expect(got.id).toBe(agent.id);
    expect((await log()).map((r) => r.status)).toEqual([500, 500, 200]);
  });

  it('each status maps to its SDK error class', async () => {
    const cases: Array<[number, any, string]> = [
      [500, Anthropic.InternalServerError, 'api_error'],
      [529, Anthropic.OverloadedError, 'overloaded_error'],
      [503, Anthropic.ServiceUnavailableError, 'api_error'],
      [403, Anthropic.PermissionDeniedError, 'permission_error'],
    ];
    for (const [status, cls, type] of cases) {
      await t.admin('POST', '/_emulator/faults', { rules: [{ times: 1, status }] });
      const err = await t
        .client()
        .beta.agents.list()
        .catch((e) => e);
      expect(err, String(status)).toBeInstanceOf(cls);
      expect(err.status).toBe(status);
      expect(err.error.error.type).toBe(type);
    }
  });

  it('rules match by method and * path segments, and run out after `times`', async () => {
    await t.admin('POST', '/_emulator/faults', { rules: [{ match: { method: 'POST', path: '/v1/sessions/*/events' }, times: 1, status: 500 }] });
    const c = t.client();
    const { session } = await makeSession(c);
    const send = () => c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'x' }] }] });
    expect(await send().catch((e) => e)).toBeInstanceOf(Anthropic.InternalServerError);
    expect((await send()).data).toHaveLength(1);
    const rules = (await t.admin('GET', '/_emulator/faults')).rules;
    expect(rules[0]).toMatchObject({ remaining: 0, hits: 1 });
  });

  it('latency_ms delays, then the request is handled normally', async () => {
    await t.admin('POST', '/_emulator/faults', { rules: [{ times: 1, latency_ms: 30 }] });
    const a = await makeAgent(t.client());
    expect(a.id).toMatch(/^agent_/);
  });

  it('drop_stream_after_events cuts the stream after n events', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    await t.admin('POST', '/_emulator/faults', { rules: [{ match: { path: '/v1/sessions/*/events/stream' }, times: 1, drop_stream_after_events: 2 }] });
    const stream = await c.beta.sessions.events.stream(session.id);
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/events 5' }] }] });
    const seen: Ev[] = [];
    let failure: unknown;
    try {
      for await (const ev of stream) seen.push(ev);
    } catch (e) {
      failure = e;
    }
    expect(seen.map((e) => e.type)).toEqual(['user.message', 'session.status_running']);
    expect(failure ?? 'ended').toBeTruthy();
    // The turn itself completed; history has everything.
    while ((await c.beta.sessions.retrieve(session.id)).status !== 'idle') await new Promise((r) => setTimeout(r, 10));
    expect((await c.beta.sessions.events.list(session.id)).data.filter((e) => e.type === 'agent.message')).toHaveLength(6);
  });

  it('stall_stream_ms holds events back, then delivers all of them in order', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    await t.admin('POST', '/_emulator/faults', {
      rules: [{ times: 1, match: { path: '/v1/sessions/*/events/stream' }, stall_stream_ms: 100, after_events: 1 }],
    });
    const stream = await c.beta.sessions.events.stream(session.id);
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/reply a\n/reply b' }] }] });
    const seen: Ev[] = [];
    for await (const ev of stream) {
      seen.push(ev);
      if (ev.type === 'session.status_idle') break;
    }
    const history = (await c.beta.sessions.events.list(session.id)).data.map((e) => e.id);
    expect(seen.map((e) => (e as { id: string }).id)).toEqual(history);
  });
});

describe.skipIf(REAL)(`admin routes (${EMU_ONLY})`, () => {
  it('GET /_emulator/requests logs method, raw path, query and status; since= and DELETE work', async () => {
    await t.admin('DELETE', '/_emulator/requests');
    await t.client().beta.agents.list({ limit: 3 });
    await t
      .client()
      .beta.agents.retrieve('agent_missing')
      .catch(() => undefined);
    const entries = await log();
    expect(entries[0]).toMatchObject({ method: 'GET', path: '/v1/agents', query: { limit: '3' }, status: 200 });
    expect(entries[1]).toMatchObject({ path: '/v1/agents/agent_missing', status: 404 });
    expect(await log(1)).toHaveLength(1);
  });

  it('POST /_emulator/reset drops all state, faults and the log, and ends open streams', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const stream = await c.beta.sessions.events.stream(session.id);
    await t.admin('POST', '/_emulator/faults', { rules: [{ status: 500, match: { path: '/v1/nothing' } }] });
    await t.admin('POST', '/_emulator/reset');
    const ended: Ev[] = [];
    for await (const ev of stream) ended.push(ev); // returns because the server closed it
    expect(ended).toEqual([]);
    expect((await c.beta.agents.list()).data).toEqual([]);
    expect((await t.admin('GET', '/_emulator/faults')).rules).toEqual([]);
    expect(await c.beta.sessions.retrieve(session.id).catch((e) => e)).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('rejects malformed fault rules with a 400 naming the field', async () => {
    const res = await fetch(`${t.baseURL}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ status: 'x' }] }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toContain('status');
  });
});
