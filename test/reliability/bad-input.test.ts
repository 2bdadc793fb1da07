/**
 * Hostile input through MCP, for every tool: wrong types, missing and extra fields, empty and huge
 * strings, control characters, lone surrogates, ids built to escape their URL path segment.
 * Every call must settle with a result (success, or isError with a non-empty text that names the
 * problem when the arguments do not fit the schema), the server must stay up, and no request the
 * emulator received may have a path segment outside `[A-Za-z0-9_-]`.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { TOOLSETS } from '../../src/config.js';
import { inputSchemaOf, type AnyTool } from '../../src/tools/support/define.js';
import { agentAndSession, ASK_BASH_TOOLS, harness, history, ok, type Harness } from '../helpers.js';
import { eventually, requests, within, type LogEntry } from './util.js';

const SEED = 20_260_401;
const RUNS_PER_TOOL = 150;
const MIN_CASES = ALL_TOOLS.length * RUNS_PER_TOOL;
const CALL_BOUND_MS = 20_000;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

let h: Harness;
let ids: {
  agent: string;
  session: string;
  env: string;
  event: string;
  // Resources the destructive tools may destroy, so the fixtures above survive.
  spareAgent: string;
  spareSession: string;
  spareEnv: string;
  deployment: string;
  spareDeployment: string;
  memoryStore: string;
  dream: string;
};

beforeAll(async () => {
  h = await harness({ toolsets: [...TOOLSETS], turnTimeoutS: 3 });
  const { agent_id, session_id } = await agentAndSession(h);
  const d = ok(await h.call('send_message', { session_id, text: '/reply fixture' }));
  const spare = await agentAndSession(h);
  const env = ok(await h.call('get_session', { session_id })).environment_id;
  const spareEnv = ok(await h.call('create_environment', { name: 'spare' })).environment_id;
  const deploy = async () => ok(await h.call('create_deployment', { name: 'fixture', agent_id, environment_id: env, message: '/reply ok' })).deployment_id;
  ids = {
    agent: agent_id,
    session: session_id,
    env,
    event: d.last_event_id,
    spareAgent: spare.agent_id,
    spareSession: spare.session_id,
    spareEnv,
    deployment: await deploy(),
    spareDeployment: await deploy(),
    memoryStore: '',
    dream: '',
  };
  ids.memoryStore = ok(await h.call('create_memory_store', { name: 'fixture' })).memory_store_id;
  ids.dream = ok(await h.call('create_dream', { memory_store_id: ids.memoryStore, model: 'claude-sonnet-4-6' })).dream_id;
});
afterAll(async () => {
  await h?.close();
});

// ---- arbitraries ---------------------------------------------------------------------------

const HUGE = ['A'.repeat(200_000), '💥\u0000\u202e'.repeat(50_000), `sesn_${'x'.repeat(200_000)}`];
const LONE_SURROGATES = ['\ud800', '\udfff', 'a\ud83d', '\udc00b', 'sesn_\ud800x'];
const ESCAPES = [
  '/',
  '/..',
  '/../..',
  '/../../v1/agents',
  '..',
  '.',
  '%2e',
  '%2e%2e',
  '%2F',
  '%2f..',
  '?',
  '?limit=1',
  '#',
  '#frag',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u0000',
  '\\',
  '%00',
  '%',
  '&x=1',
  ';',
  '\u2028',
  '\u202e',
  '／',
  '．．',
];

const controlString = fc.string({ unit: fc.integer({ min: 0, max: 31 }).map((c) => String.fromCharCode(c)), maxLength: 20 });
const anyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  controlString,
  fc.constantFrom('', ' ', ...LONE_SURROGATES),
  { arbitrary: fc.constantFrom(...HUGE), weight: 1 },
);

/** An id that tries to leave its path segment: a real-looking id with an escape inside it. */
function hostileId(real: string[]) {
  return fc.oneof(
    fc.tuple(fc.constantFrom('', ...real), fc.constantFrom(...ESCAPES), fc.constantFrom('', ...real, 'v1', 'agents')).map(([a, b, c]) => a + b + c),
    fc.constantFrom(...ESCAPES, ...LONE_SURROGATES, '', '-leading-dash', 'a'.repeat(129)),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
  );
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  anyString,
  fc.array(fc.oneof(fc.integer(), anyString, fc.constant(null)), { maxLength: 4 }),
  fc.object({ maxDepth: 3, maxKeys: 4 }),
  fc.constantFrom({ __proto__: { polluted: true } }, { constructor: { prototype: { x: 1 } } }, [[[[[]]]]], { a: { b: { c: { d: {} } } } }),
);

const realIdsFor = (key: string): string[] => {
  if (key.startsWith('session')) return [ids.session, 'sesn_doesnotexist0000'];
  if (key.startsWith('agent')) return [ids.agent, 'agent_doesnotexist000'];
  if (key.startsWith('environment')) return [ids.env, 'env_doesnotexist00000'];
  if (key.startsWith('vault')) return ['vlt_doesnotexist00000'];
  if (key.startsWith('deployment')) return [ids.deployment, 'depl_doesnotexist0000'];
  if (key.startsWith('memory_store')) return [ids.memoryStore, 'memstore_doesnotexist'];
  if (key.startsWith('dream')) return [ids.dream, 'drm_doesnotexist00000'];
  return [ids.event, 'sevt_doesnotexist0000'];
};

/** Values the schema accepts (mostly), by field name. */
function validFor(tool: AnyTool, key: string): fc.Arbitrary<unknown> {
  const destructive = /^(archive|delete)_/.test(tool.name);
  if (destructive && key === 'session_id') return fc.constantFrom(ids.spareSession, 'sesn_doesnotexist0000');
  if (destructive && key === 'agent_id') return fc.constantFrom(ids.spareAgent, 'agent_doesnotexist000');
  if (destructive && key === 'environment_id') return fc.constantFrom(ids.spareEnv, 'env_doesnotexist00000');
  if (destructive && key === 'deployment_id') return fc.constantFrom(ids.spareDeployment, 'depl_doesnotexist0000');
  if (key.endsWith('_ids')) return fc.array(fc.constantFrom(...realIdsFor(key)), { minLength: 1, maxLength: 3 });
  if (key.endsWith('_id')) return fc.constantFrom(...realIdsFor(key));
  const text = fc.oneof(
    fc.constantFrom('hello', '/reply ok', '/think\n/reply thought', 'x'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  );
  switch (key) {
    case 'text':
    case 'message':
    case 'content':
    case 'name':
    case 'system':
    case 'description':
    case 'title':
    case 'deny_message':
      return text;
    case 'model':
      return fc.constantFrom('claude-sonnet-4-6', 'claude-haiku-4-5', { id: 'claude-opus-4-6', effort: 'low' }, 'not-a-model');
    case 'tools':
      return fc.constantFrom([], ASK_BASH_TOOLS, [{ type: 'agent_toolset_20260401' }], [{ type: 'bogus' }]);
    case 'mcp_servers':
      return fc.constantFrom([], [{ type: 'url', name: 'docs', url: 'https://example.com/mcp' }]);
    case 'skills':
      return fc.constantFrom([], [{ type: 'anthropic', skill_id: 'xlsx' }]);
    case 'resources':
      return fc.constantFrom([], [{ type: 'file', file_id: 'file_doesnotexist' }]);
    case 'metadata':
      return fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 });
    case 'limit':
      return fc.integer({ min: 1, max: 100 });
    case 'page':
      return fc.string({ maxLength: 24 });
    case 'include_archived':
    case 'wait':
    case 'is_error':
    case 'failed':
    case 'clear_schedule':
      return fc.boolean();
    case 'cron':
      return fc.constantFrom('0 9 * * 1-5', '*/15 * * * *', '0 0 1 jan *', '0 9 * *');
    case 'timezone':
      return fc.constantFrom('UTC', 'Europe/Paris', 'America/New_York', 'Nowhere/Else');
    case 'trigger':
      return fc.constantFrom('manual', 'schedule');
    case 'status':
      return fc.constantFrom('active', 'paused');
    case 'statuses':
      return fc.subarray(['idle', 'running', 'rescheduling', 'terminated']);
    case 'types':
      return fc.subarray(['user.message', 'agent.message', 'agent.tool_use', 'session.status_idle'], { minLength: 1 });
    case 'created_after':
    case 'created_before':
      return fc.constantFrom('2024-01-01T00:00:00Z', '2999-12-31T23:59:59.999+02:00');
    case 'version':
    case 'agent_version':
      return fc.integer({ min: 1, max: 4 });
    case 'budget':
      return fc.constantFrom(0.5, 1, 100);
    case 'timeout_s':
      return fc.constantFrom(0.3, 1, 2);
    case 'view':
      return fc.constantFrom('compact', 'full');
    case 'result':
      return fc.constantFrom('allow', 'deny');
    case 'networking':
      return fc.constantFrom({ type: 'unrestricted' }, { type: 'limited', allowed_hosts: ['example.com'] });
    case 'packages':
      return fc.constantFrom({ pip: ['pandas'] }, {});
    default:
      return text;
  }
}

const MISSING = Symbol('missing');

/** Arguments for `tool`: each field valid, hostile, wrong-typed or missing; plus extra fields. */
function argsFor(tool: AnyTool): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.entries(tool.input).map(([key, schema]) => {
    const optional = (schema as z.ZodType).isOptional();
    const hostile = key.endsWith('_id') || key.endsWith('_ids') ? hostileId(realIdsFor(key)) : anyString;
    const value = fc.oneof(
      { arbitrary: validFor(tool, key), weight: 8 },
      { arbitrary: hostile, weight: 2 },
      { arbitrary: key.endsWith('_ids') ? fc.array(hostileId(realIdsFor(key)), { maxLength: 3 }) : junk, weight: 1 },
      { arbitrary: fc.constant(MISSING), weight: optional ? 4 : 1 },
    );
    return fc.tuple(fc.constant(key), value);
  });
  const extra = fc.oneof(
    { arbitrary: fc.constant({}), weight: 6 },
    { arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), junk, { maxKeys: 3 }), weight: 1 },
    { arbitrary: fc.constantFrom({ __proto__: null }, { constructor: 'x' }, { toString: 1 }), weight: 1 },
  );
  return fc.tuple(fc.tuple(...fields), extra).map(([pairs, more]) => {
    const out: Record<string, unknown> = { ...(more as object) };
    for (const [k, v] of pairs) if (v !== MISSING) out[k] = v;
    // What a client can actually send: JSON (NaN → null, -0 → 0, undefined dropped).
    return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
  });
}

// ---- the property --------------------------------------------------------------------------

interface Tally {
  cases: number;
  invalid: number;
  succeeded: number;
  apiErrors: number;
  requestsChecked: number;
}
const tally: Tally = { cases: 0, invalid: 0, succeeded: 0, apiErrors: 0, requestsChecked: 0 };

function badPaths(entries: LogEntry[]): LogEntry[] {
  return entries.filter((e) => {
    const segs = e.path.split('/');
    return segs[0] !== '' || segs[1] !== 'v1' || !segs.slice(1).every((s) => SEGMENT.test(s));
  });
}

async function checkCase(tool: AnyTool, args: Record<string, unknown>): Promise<void> {
  tally.cases++;
  // The schema the server parses with (strict: unknown argument names are refused).
  const schemaOk = inputSchemaOf(tool).safeParse(args).success;
  const before = (await requests(h)).next;
  const r: any = await within(CALL_BOUND_MS, h.call(tool.name, args, { timeout: CALL_BOUND_MS }), tool.name);
  const seen = (await requests(h, before)).data;
  tally.requestsChecked += seen.length;
  expect(badPaths(seen)).toEqual([]);
  if (r.isError) {
    const text = r.content?.[0]?.text;
    expect(typeof text).toBe('string');
    expect(text.trim().length).toBeGreaterThan(0);
    if (!schemaOk) {
      tally.invalid++;
      expect(text).toContain(`Invalid arguments for tool ${tool.name}`);
      // Rejected before any request was made.
      expect(seen).toEqual([]);
    } else {
      tally.apiErrors++;
      // A schema-valid call must not trip the SDK's own input or output validation.
      expect(text).not.toMatch(/Input validation error|Output validation error/);
      expect(text.startsWith(`${tool.name} failed:`) || text.startsWith(`${tool.name} was cancelled`) || text.includes('Invalid arguments for tool')).toBe(
        true,
      );
    }
  } else {
    expect(schemaOk).toBe(true);
    expect(r.structuredContent).toBeTypeOf('object');
    tally.succeeded++;
  }
}

// Destructive tools last, on their own spare resources; the rest in tools/list order.
const ORDERED = [...ALL_TOOLS].sort((a, b) => Number(/^(archive|delete)_/.test(a.name)) - Number(/^(archive|delete)_/.test(b.name)));

describe('every tool survives hostile arguments', () => {
  it('covers every tool of ALL_TOOLS', async () => {
    const listed = (await h.client.listTools()).tools.map((t) => t.name).sort();
    expect(listed).toEqual(ALL_TOOLS.map((t) => t.name).sort());
  });

  ORDERED.forEach((tool, i) => {
    it(tool.name, async () => {
      await fc.assert(
        fc.asyncProperty(argsFor(tool), (args) => checkCase(tool, args)),
        { seed: SEED + i, numRuns: RUNS_PER_TOOL },
      );
      // Still up after the batch.
      expect((await h.client.listTools()).tools).toHaveLength(ALL_TOOLS.length);
    });
  });

  it(`ran at least ${MIN_CASES} cases, with both accepted and rejected input`, async () => {
    console.log(
      `bad-input: ${tally.cases.toLocaleString('en')} cases across ${ALL_TOOLS.length} tools ` +
        `(${tally.invalid} rejected by schema, ${tally.succeeded} succeeded, ${tally.apiErrors} API/tool errors; ` +
        `${tally.requestsChecked} emulator requests path-checked)`,
    );
    expect(tally.cases).toBeGreaterThanOrEqual(MIN_CASES);
    // The generators reach both sides, or the property above proves little.
    expect(tally.invalid).toBeGreaterThan(tally.cases / 10);
    expect(tally.succeeded).toBeGreaterThan(tally.cases / 10);
    expect(tally.requestsChecked).toBeGreaterThan(tally.cases / 3);
    // And a plain valid call still works at the end.
    const a = ok(await h.call('create_agent', { name: 'after-the-storm', model: 'claude-sonnet-4-6' }));
    expect(a.agent_id).toMatch(/^agent_/);
  });
});

describe('the path check itself', () => {
  it('flags every way an id can leave its segment, and passes plain ids', () => {
    const entry = (path: string): LogEntry => ({ method: 'GET', path, query: {}, status: 200, time: '' });
    const escaped = [
      '/v1/sessions/a%2Fb',
      '/v1/sessions/..',
      '/v1/sessions/%2e%2e/x',
      '/v1/sessions/a b',
      '/v1/sessions//events',
      '/v1/sessions/a%00',
      '/v1/sessions/',
      '/x/v1/sessions',
      '/v1/sessions/a.b',
    ].map(entry);
    expect(badPaths(escaped)).toEqual(escaped);
    const fine = ['/v1/sessions/sesn_01abc/events/stream', '/v1/agents', '/v1/agents/agent_x-Y_1/archive'].map(entry);
    expect(badPaths(fine)).toEqual([]);
  });
});

describe('protocol-level misuse', () => {
  it('an unknown tool name is a JSON-RPC error naming it (-32602, as MCP says), and the server stays up', async () => {
    for (const name of ['no_such_tool', '', '../create_agent', 'create_agent\u0000', 'CREATE_AGENT']) {
      const r = await within(
        5_000,
        h.call(name, {}).catch((e: Error) => e),
        `tool ${JSON.stringify(name)}`,
      );
      expect(r).toBeInstanceOf(Error);
      expect((r as Error).message).toMatch(/-32602.*not found/);
    }
    expect((await h.client.listTools()).tools).toHaveLength(ALL_TOOLS.length);
  });

  it('arguments that are not an object are refused, and the server stays up', async () => {
    for (const args of [[1, 2], 'session_id', 42, null]) {
      const settled = await within(
        5_000,
        h.client.request({ method: 'tools/call', params: { name: 'get_session', arguments: args as any } }, CallToolResultSchema).then(
          (r: any) => ({ r }),
          (e: unknown) => ({ e }),
        ),
        'tools/call with non-object arguments',
      );
      if ('r' in settled) expect(settled.r.isError).toBe(true);
      else expect(String((settled.e as Error).message)).toMatch(/-32602|Invalid/);
    }
    expect(ok(await h.call('get_session', { session_id: ids.session })).session_id).toBe(ids.session);
  });

  it('a client that cancels mid-turn leaves the server healthy and the stream closed', async () => {
    const { session_id } = await agentAndSession(h);
    const streams = async () => ((await h.admin('GET', '/_emulator/health')).open_streams[session_id] ?? 0) as number;
    const ac = new AbortController();
    const call = h.call('send_message', { session_id, text: '/sleep 2000\n/reply late' }, { signal: ac.signal });
    const settled = call.then(
      () => 'resolved',
      () => 'rejected',
    );
    // Wait until the turn is under way: our stream open and the message accepted.
    const sent = await eventually(async () => {
      const log = (await requests(h)).data;
      return log.some((e) => e.method === 'POST' && e.path === `/v1/sessions/${session_id}/events` && e.status === 200);
    }, 5_000);
    expect(sent).toBe(true);
    expect(await streams()).toBe(1);
    ac.abort();
    expect(await within(5_000, settled, 'cancelled call')).toBe('rejected');
    // The server aborts its handler: the stream it held is closed on the emulator's side.
    expect(await eventually(async () => (await streams()) === 0, 5_000)).toBe(true);
    // Healthy: the next calls work, and the turn itself was not lost.
    expect(ok(await h.call('get_session', { session_id })).session_id).toBe(session_id);
    const w = ok(await h.call('wait_for_turn', { session_id, timeout_s: 10 }));
    expect(w.reply).toBe('late');
    expect(await eventually(async () => (await streams()) === 0, 5_000)).toBe(true);
    expect((await history(h, session_id)).filter((e) => e.type === 'user.message')).toHaveLength(1);
  });
});
