/**
 * Errors through the MCP protocol: the tool's kind decides retries and retry advice, the resource
 * that failed decides which list tool a hint names, and no hint depends on the API's wording.
 *
 * The wording check runs every hinted failure twice: against the emulator as it is, and through a
 * proxy that replaces every error message with an opaque one. The hints must be the same; and the
 * emulator's own messages must match none of the regexes the server ever matched wording with
 * (so a server that went back to reading wording would fail here).
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLSETS } from '../../src/config.js';
import Anthropic from '@anthropic-ai/sdk';
import { ASK_BASH_TOOLS, TEST_KEY, errText, harness, ok, type Harness } from '../helpers.js';
import { clearFaults, mark, requests, setFaults } from '../reliability/util.js';

/** Every regex src/api/errors.ts and src/tools ever applied to an error message (git log -p). */
const HISTORICAL_WORDING = [
  /archived/i,
  /environment/i,
  /environment_archived|archived environment/i,
  /tool_use|custom_tool_use|tool confirmation|unknown.*id/i,
  /archived|terminated/i,
  /version/i,
  /running/i,
  /precondition/i,
  /path_conflict|conflicts? with/i,
];

const OPAQUE = 'request refused (wording withheld)';

/** A pass-through proxy that replaces the `message` of every JSON error body. */
async function opaqueProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const status = upRes.statusCode ?? 502;
      if (status < 400 || !String(upRes.headers['content-type']).includes('json')) {
        res.writeHead(status, upRes.headers);
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on('data', (c: Buffer) => chunks.push(c));
      upRes.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (body?.error) body.error.message = OPAQUE;
        const text = JSON.stringify(body);
        res.writeHead(status, { ...upRes.headers, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let h: Harness;
let opaque: Harness;
let proxy: Awaited<ReturnType<typeof opaqueProxy>>;

beforeAll(async () => {
  h = await harness({ toolsets: [...TOOLSETS] });
  proxy = await opaqueProxy(h.url);
  // Its own emulator stays idle: every request goes through the proxy to h's emulator.
  opaque = await harness({ toolsets: [...TOOLSETS], baseURL: proxy.url });
});
afterAll(async () => {
  await Promise.all([h?.close(), opaque?.close()]);
  await proxy?.close();
});

const hits = async (since: number, method: string, path: string) =>
  (await requests(h, since)).data.filter((e) => e.method === method && e.path === path).map((e) => e.status);

describe('kind decides the retry policy', () => {
  it('archive_session and archive_agent (both delete kind) are retried alike after a 500', async () => {
    const agent = ok(await h.call('create_agent', { name: 'to-archive', model: 'claude-sonnet-4-6' })).agent_id;
    const session = ok(await h.call('start_session', { agent_id: agent })).session_id;
    const paths = { archive_session: `/v1/sessions/${session}/archive`, archive_agent: `/v1/agents/${agent}/archive` };
    await setFaults(
      h,
      Object.values(paths).map((path) => ({ match: { method: 'POST', path }, times: 1, status: 500 })),
    );
    const m = await mark(h);
    ok(await h.call('archive_session', { session_id: session }));
    ok(await h.call('archive_agent', { agent_id: agent }));
    expect(await hits(m, 'POST', paths.archive_session)).toEqual([500, 200]);
    expect(await hits(m, 'POST', paths.archive_agent)).toEqual([500, 200]);
    await clearFaults(h);
  });

  it('write_memory (kind update: repeating it cannot double its effect) is retried after a 500, and its error says what was done', async () => {
    const store = ok(await h.call('create_memory_store', { name: 'flaky' })).memory_store_id;
    const path = `/v1/memory_stores/${store}/memories`;
    // One 500: the retry writes it, and exactly one memory exists at the path.
    await setFaults(h, [{ match: { method: 'POST', path }, times: 1, status: 500 }]);
    let m = await mark(h);
    ok(await h.call('write_memory', { memory_store_id: store, path: '/n.md', content: 'x' }));
    await clearFaults(h);
    expect(await hits(m, 'POST', path)).toEqual([500, 200]);
    expect(ok(await h.call('list_memories', { memory_store_id: store })).memories.filter((line: string) => line.includes(' /n.md'))).toHaveLength(1);
    // A 500 that persists: the error never claims a retry is still to be tried blindly.
    await setFaults(h, [{ match: { method: 'POST', path }, status: 500 }]);
    m = await mark(h);
    const t = errText(await h.call('write_memory', { memory_store_id: store, path: '/m.md', content: 'y' }));
    await clearFaults(h);
    expect(t).toMatch(/^write_memory failed: HTTP 500 api_error/);
    expect(t).toContain(`This server already retried ${h.config.maxRetries} time(s)`);
    expect(await hits(m, 'POST', path)).toEqual(Array(h.config.maxRetries + 1).fill(500));
  });

  it('a create whose response drops mid-body is not sent again (the SDK would resend it: maxRetries stays 0)', async () => {
    const sdk = new Anthropic({ apiKey: TEST_KEY, baseURL: h.url });
    const rule = (times: number) => [{ match: { method: 'POST', path: '/v1/agents' }, times, drop_body_after_bytes: 20 }];
    const named = async (name: string) => (await sdk.beta.agents.list({ limit: 100 })).data.filter((a) => a.name === name).length;
    // The SDK on its own (its default maxRetries) resends such a POST: two agents from one call.
    await setFaults(h, rule(1));
    let m = await mark(h);
    await sdk.beta.agents.create({ name: 'resent-by-sdk', model: { id: 'claude-sonnet-4-6' } });
    expect(await hits(m, 'POST', '/v1/agents')).toHaveLength(2);
    expect(await named('resent-by-sdk')).toBe(2);
    // Through the server: one request, one agent, and an error that says to check before resending.
    await setFaults(h, rule(1));
    m = await mark(h);
    const t = errText(await h.call('create_agent', { name: 'dropped-once', model: 'claude-sonnet-4-6' }));
    await clearFaults(h);
    expect(await hits(m, 'POST', '/v1/agents')).toHaveLength(1);
    expect(await named('dropped-once')).toBe(1);
    expect(t).toMatch(/may or may not have reached the API\. Before retrying, check whether it took effect/);
  });

  it('a read that failed after retries says how many were made', async () => {
    const { session_id } = await agentSession(h);
    await setFaults(h, [{ match: { method: 'GET', path: `/v1/sessions/${session_id}` }, status: 503 }]);
    const t = errText(await h.call('get_session', { session_id }));
    await clearFaults(h);
    expect(t).toContain(`Retry helps: yes. This server already retried ${h.config.maxRetries} time(s)`);
  });
});

async function agentSession(x: Harness) {
  const agent = ok(await x.call('create_agent', { name: 'err-agent', model: 'claude-sonnet-4-6', tools: ASK_BASH_TOOLS })).agent_id;
  const session_id = ok(await x.call('start_session', { agent_id: agent })).session_id;
  return { agent, session_id };
}

/** Each hinted failure, produced through `x`; returns the error texts by scenario. */
async function hinted(x: Harness): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const { agent, session_id } = await agentSession(x);
  const env = ok(await x.call('create_environment', { name: 'err-env' })).environment_id;
  out.agent404 = errText(await x.call('start_session', { agent_id: 'agent_doesnotexist0' }));
  out.env404 = errText(await x.call('start_session', { agent_id: agent, environment_id: 'env_doesnotexist0' }));
  ok(await x.call('archive_environment', { environment_id: env }));
  out.envArchived = errText(await x.call('start_session', { agent_id: agent, environment_id: env }));
  out.unknownToolUse = errText(await x.call('confirm_tool_use', { session_id, tool_use_id: 'sevt_doesnotexist', result: 'allow' }));
  out.staleVersion = errText(await x.call('update_agent', { agent_id: agent, version: 99, description: 'x' }));
  out.session404 = errText(await x.call('get_session', { session_id: 'sesn_doesnotexist0' }));
  const vault404 = { vault_id: 'vlt_doesnotexist0', auth: { type: 'static_bearer', token: 't0k3n-value-xyz', mcp_server_url: 'https://mcp.example.com/sse' } };
  out.vault404 = errText(await x.call('create_credential', vault404));
  const store = ok(await x.call('create_memory_store', { name: 'err-store' })).memory_store_id;
  const mem = ok(await x.call('write_memory', { memory_store_id: store, path: '/a.md', content: '1' }));
  out.pathConflict = errText(await x.call('write_memory', { memory_store_id: store, path: '/a.md', content: '2' }));
  out.precondition = errText(
    await x.call('write_memory', { memory_store_id: store, memory_id: mem.memory_id, path: '/a.md', content: '3', expected_sha256: '0'.repeat(64) }),
  );
  ok(await x.call('delete_memory', { memory_store_id: store, memory_id: mem.memory_id }));
  out.memory404 = errText(await x.call('get_memory', { memory_store_id: store, memory_id: mem.memory_id }));
  const busy = (await agentSession(x)).session_id;
  ok(await x.call('send_message', { session_id: busy, text: '/sleep 3000', wait: false }));
  out.deleteRunning = errText(await x.call('delete_session', { session_id: busy }));
  ok(await x.call('interrupt_session', { session_id: busy }));
  const ended = (await agentSession(x)).session_id;
  ok(await x.call('send_message', { session_id: ended, text: '/error unknown_error terminal' }));
  out.terminated = errText(await x.call('send_message', { session_id: ended, text: 'hello?' }));
  return out;
}

/** What each hint must say, whatever the API's wording. */
const EXPECTED: Record<string, RegExp[]> = {
  agent404: [/HTTP 404/, /Next: No such resource: list_agents shows valid ids/],
  env404: [/HTTP 404/, /Next: No such resource: list_environments shows valid ids/],
  envArchived: [/HTTP 400/, /The environment is archived: pass another environment_id/],
  unknownToolUse: [/HTTP 400/, /pending_actions/],
  staleVersion: [/HTTP 409/, /get_agent shows its current version/],
  session404: [/HTTP 404/, /list_sessions shows valid ids/],
  vault404: [/HTTP 404/, /list_vaults shows valid ids/],
  pathConflict: [/HTTP 409 memory_path_conflict_error/, /Next: .*list_memories.*memory_id/],
  precondition: [/HTTP 409 memory_precondition_failed_error/, /Next: .*get_memory.*expected_sha256/],
  memory404: [/HTTP 404/, /list_memories \(or list_memory_stores for the ids it sits under\) shows valid ids/],
  deleteRunning: [/HTTP 409/, /interrupt_session/],
  terminated: [/HTTP 409/, /start_session to begin a new one/],
};

/**
 * Each error code the SDK documents beyond its status (src/api/error-codes.ts), on a read and on a
 * write, with the status of the SDK's error class of that code (resources/shared.d.ts, files.d.ts).
 */
const CODES: Array<[code: string, status: number, retry: 'yes' | 'no']> = [
  ['storage_not_ready', 503, 'yes'],
  ['cmek_context_unavailable', 503, 'yes'],
  ['cmek_key_unreachable', 503, 'yes'],
  ['ramp_limit_exceeded', 429, 'yes'],
  ['contract_spend_limit_reached', 429, 'no'],
  ['enforced_spend_limit_reached', 429, 'no'],
  ['organization_url_fetch_disabled', 400, 'no'],
  ['workspace_human_review_disabled', 400, 'no'],
  ['organization_on_hold', 400, 'no'],
  ['organization_type_not_supported', 400, 'no'],
  ['parent_organization_required', 400, 'no'],
  ['sandbox_egress_restricted', 403, 'no'],
  ['cmek_key_disabled', 400, 'no'],
  ['cmek_key_network_blocked', 400, 'no'],
  ['linked_organization_billing_unavailable', 402, 'no'],
  ['linked_organization_spend_limit_reached', 402, 'no'],
  ['storage_quota_exceeded', 400, 'no'],
];

describe('error codes say more than their status', () => {
  for (const [code, status, retry] of CODES) {
    it(`${code} (${status}) on a read and on a write`, async () => {
      const rules = (method: string) => [{ match: { method, path: '/v1/agents' }, status, error_code: code }];
      await setFaults(h, rules('GET'));
      let m = await mark(h);
      const read = errText(await h.call('list_agents', {}));
      const readHits = await hits(m, 'GET', '/v1/agents');
      await setFaults(h, rules('POST'));
      m = await mark(h);
      const write = errText(await h.call('create_agent', { name: `coded-${code}`, model: 'claude-sonnet-4-6' }));
      const writeHits = await hits(m, 'POST', '/v1/agents');
      await clearFaults(h);
      for (const t of [read, write]) {
        expect(t).toContain(`HTTP ${status} `);
        expect(t).toContain(`(${code})`);
        // The code, not the status, decides: no "may have taken effect" when the API says it did not act.
        expect(t).not.toMatch(/may have taken effect|may or may not/);
        expect(t).toMatch(retry === 'yes' ? /Retry helps: yes, later: the API did not act/ : /Retry helps: no/);
        expect(t).toMatch(/\nNext: \S/);
      }
      // A code that fails until something else changes, or asks for minutes, is not retried in the call.
      if (code !== 'cmek_key_unreachable' && code !== 'ramp_limit_exceeded') {
        expect(readHits).toEqual([status]);
        expect(writeHits).toEqual([status]);
      }
    });
  }

  it('storage_not_ready on a write says a resend later is safe; a plain 503 on a write says to check first', async () => {
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/agents' }, times: 1, status: 503, error_code: 'storage_not_ready' }]);
    const coded = errText(await h.call('create_agent', { name: 'not-ready', model: 'claude-sonnet-4-6' }));
    expect(coded).toMatch(/retry it in a minute \(safe even for a create or a send\)/);
    await setFaults(h, [{ match: { method: 'POST', path: '/v1/agents' }, times: 1, status: 503 }]);
    const plain = errText(await h.call('create_agent', { name: 'plain-503', model: 'claude-sonnet-4-6' }));
    await clearFaults(h);
    expect(plain).toMatch(/may have taken effect/);
  });

  it('an error code the SDK does not document gets the advice of its bare status', async () => {
    await setFaults(h, [
      { match: { method: 'GET', path: '/v1/agents' }, times: 1, status: 400, error_type: 'invalid_request_error', error_code: 'some_future_code' },
    ]);
    const t = errText(await h.call('list_agents', {}));
    await clearFaults(h);
    expect(t).toContain('HTTP 400 invalid_request_error (some_future_code)');
    expect(t).toMatch(/Retry helps: no\.\nNext: Fix the request/);
  });
});

describe('hints come from status, type, code and resource — never wording', () => {
  let direct: Record<string, string>;
  let withheld: Record<string, string>;
  beforeAll(async () => {
    [direct, withheld] = await Promise.all([hinted(h), hinted(opaque)]);
  }, 60_000);

  it('each hint names the right next step, against the emulator as it is', () => {
    expect(Object.keys(direct)).toEqual(Object.keys(EXPECTED));
    for (const [name, patterns] of Object.entries(EXPECTED)) for (const p of patterns) expect(direct[name], name).toMatch(p);
  });

  it('and the same hints when every error message is withheld', () => {
    for (const [name, text] of Object.entries(withheld)) {
      expect(text, name).toContain(OPAQUE);
      const hint = (t: string) => t.split('\n').slice(1).join('\n');
      expect(hint(text), name).toBe(hint(direct[name]!));
    }
  });

  it("the emulator's messages match no regex the server ever read wording with", () => {
    for (const [name, text] of Object.entries(direct)) {
      const message = /— (.*) \(request_id/.exec(text)?.[1];
      expect(message, name).toBeTruthy();
      for (const re of HISTORICAL_WORDING) expect(message, `${name}: ${re}`).not.toMatch(re);
    }
  });
});

describe('the stale default environment', () => {
  for (const how of ['archive_environment', 'delete_environment'] as const) {
    it(`is replaced when it was removed with ${how} (with every message withheld)`, async () => {
      const agent = ok(await opaque.call('create_agent', { name: `stale-${how}`, model: 'claude-sonnet-4-6' })).agent_id;
      const first = ok(await opaque.call('start_session', { agent_id: agent }));
      expect(['created', 'reused']).toContain(first.environment_source);
      ok(await opaque.call(how, { environment_id: first.environment_id }));
      const second = ok(await opaque.call('start_session', { agent_id: agent }));
      expect(second.environment_id).not.toBe(first.environment_id);
      expect(second.environment_source).toBe('created');
    });
  }
});
