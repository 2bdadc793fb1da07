/** Wire contract (docs/api-behaviour.md, "Wire", "Errors", "Retries"): auth, betas, envelope, request ids, query encoding, errors. */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, makeAgent, reportTarget, useTarget } from './target.js';

const t = useTarget();
reportTarget();

describe('auth', () => {
  it('accepts Authorization: Bearer (the SDK default)', async () => {
    const { data: agent, response } = await t.client().beta.agents.create({ name: 'bearer', model: 'claude-sonnet-4-6' }).withResponse();
    expect(agent.id).toMatch(/^agent_/);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
  });

  it('accepts x-api-key', async () => {
    const res = await t.raw('/v1/agents?limit=1', { headers: { 'x-api-key': t.apiKey } });
    expect(res.status).toBe(200);
  });

  it('rejects a missing key with 401 authentication_error and the envelope', async () => {
    const res = await fetch(`${t.baseURL}/v1/agents`, { headers: { 'anthropic-beta': 'managed-agents-2026-04-01' } });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(body.request_id).toBe(res.headers.get('request-id'));
  });

  it.skipIf(REAL)('maps 401 to AuthenticationError when the emulator has a fixed key', async () => {
    const { startEmulator } = await import('../../src/emulator/index.js');
    const emu = await startEmulator({ port: 0, apiKey: 'only-this-key' });
    try {
      const bad = new Anthropic({ apiKey: 'wrong', baseURL: emu.url, maxRetries: 0 });
      const err = await bad.beta.agents.list().catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(err.requestID).toMatch(/^req_/);
      const good = new Anthropic({ apiKey: 'only-this-key', baseURL: emu.url, maxRetries: 0 });
      expect((await good.beta.agents.list()).data).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});

describe('beta header', () => {
  it('is required and named in the 400', async () => {
    const res = await t.raw('/v1/agents', { beta: null });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('anthropic-beta');
    expect(body.error.message).toContain('managed-agents-2026-04-01');
  });

  it('accepts extra betas in the same header, in any position', async () => {
    const res = await t.raw('/v1/agents?limit=1', { beta: 'some-other-beta-2025-01-01, managed-agents-2026-04-01' });
    expect(res.status).toBe(200);
  });

  it('memory stores accept either beta; files need none', async () => {
    expect((await t.raw('/v1/memory_stores', { beta: 'agent-memory-2026-07-22' })).status).toBe(200);
    expect((await t.raw('/v1/memory_stores', { beta: 'managed-agents-2026-04-01' })).status).toBe(200);
    expect((await t.raw('/v1/files', { beta: null })).status).toBe(200);
  });
});

describe('errors and envelope', () => {
  it('unknown routes are 404 not_found_error with a request-id header', async () => {
    const res = await t.raw('/v1/no_such_thing');
    expect(res.status).toBe(404);
    expect(res.headers.get('request-id')).toBeTruthy();
    expect((await res.json()).error.type).toBe('not_found_error');
  });

  it('unknown ids map to NotFoundError with requestID', async () => {
    const err = await t
      .client()
      .beta.agents.retrieve('agent_does_not_exist')
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.requestID).toBeTruthy();
    expect(err.error?.type).toBe('error');
  });

  it('rejects unknown body fields naming the field', async () => {
    const err = await t
      .client()
      .beta.agents.create({ name: 'x', model: 'claude-sonnet-4-6', foo: 1 } as never)
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain("'foo'");
  });

  it('rejects ill-typed fields naming the field', async () => {
    const err = await t
      .client()
      .beta.agents.create({ name: 42, model: 'claude-sonnet-4-6' } as never)
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toMatch(/name: expected string/);
  });

  it('rejects nested ill-typed fields with their path', async () => {
    const err = await t
      .client()
      .beta.agents.create({
        name: 'x',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'custom', name: 'ok', description: 'd', input_schema: { type: 'array' } }],
      } as never)
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain('tools[0].input_schema.type');
  });

  it('a version precondition failure is a 409 ConflictError with x-should-retry: false (not retried)', async () => {
    const c = t.client({ maxRetries: 2 });
    const agent = await makeAgent(c);
    await c.beta.agents.update(agent.id, { version: 1, description: 'v2' });
    const before = REAL ? 0 : (await t.admin('GET', '/_emulator/requests')).next_index;
    const err = await c.beta.agents.update(agent.id, { version: 1, description: 'stale' }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.ConflictError);
    expect(err.headers.get('x-should-retry')).toBe('false');
    if (!REAL) {
      const log = (await t.admin('GET', `/_emulator/requests?since=${before}`)).data;
      expect(log.filter((r: any) => r.method === 'POST' && r.path === `/v1/agents/${agent.id}`)).toHaveLength(1);
    }
  });

  it.skipIf(REAL)('bodies over the size limit are 413', async () => {
    const res = await t.raw('/v1/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(9 * 1024 * 1024) });
    expect(res.status).toBe(413);
  });

  it.skipIf(REAL)('invalid JSON is a 400, and the server keeps serving', async () => {
    const res = await t.raw('/v1/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(res.status).toBe(400);
    expect((await t.raw('/v1/agents?limit=1')).status).toBe(200);
  });
});

describe.skipIf(REAL)(`query encoding (${EMU_ONLY})`, () => {
  it('accepts bracket arrays and repeated params and records the raw path', async () => {
    const c = t.client();
    const agent = await makeAgent(c);
    await c.beta.sessions.list({ statuses: ['idle', 'running'], agent_id: agent.id });
    const a = await t.raw(`/v1/sessions?statuses=idle&statuses=terminated&agent_id=${agent.id}`);
    expect(a.status).toBe(200);
    const bad = await t.raw('/v1/sessions?statuses[]=sleeping');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain('statuses');
    const log = (await t.admin('GET', '/_emulator/requests')).data;
    const sdkList = log.find((r: any) => r.path === '/v1/sessions' && Array.isArray(r.query.statuses) && r.query.statuses.includes('running'));
    expect(sdkList.query.statuses).toEqual(['idle', 'running']);
  });

  it('keeps an encoded slash inside its path segment', async () => {
    const err = await t
      .client()
      .beta.agents.retrieve('agent_a/b')
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.message).toContain('agent_a/b');
    const log = (await t.admin('GET', '/_emulator/requests')).data;
    expect(log.some((r: any) => r.path === '/v1/agents/agent_a%2Fb')).toBe(true);
  });
});
