/**
 * Input limits through the protocol: every string and array of every tool's input has a maximum
 * (in the schema the server checks each call against; tools/list leaves the caps out, see
 * `listedTools` in src/mcp/server.ts) and it is enforced, a 200,000-entry array is refused by the schema before
 * any request, unknown argument names are refused with the valid ones, and a budget under one
 * cent is refused with a clear message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { inputSchemaOf } from '../../src/tools/support/define.js';
import { TOOLSETS } from '../../src/config.js';
import { agentAndSession, errText, harness, ok, type Harness } from '../helpers.js';
import { requests } from '../reliability/util.js';

let h: Harness;
beforeAll(async () => {
  // Every toolset, so a new one is covered without editing this line.
  h = await harness({ toolsets: [...TOOLSETS] });
});
afterAll(async () => {
  await h?.close();
});

type Schema = { type?: string; maxLength?: number; maxItems?: number; enum?: unknown[]; const?: unknown; [k: string]: any };

/** Every string and array anywhere in a JSON Schema that has no maximum. */
function unbounded(s: Schema, path: string, out: string[] = []): string[] {
  if (!s || typeof s !== 'object') return out;
  if (s.type === 'string' && s.maxLength === undefined && s.enum === undefined && s.const === undefined) out.push(path);
  if (s.type === 'array' && s.maxItems === undefined) out.push(path);
  for (const [k, v] of Object.entries(s.properties ?? {})) unbounded(v as Schema, `${path}.${k}`, out);
  if (s.items) unbounded(s.items, `${path}[]`, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') unbounded(s.additionalProperties, `${path}.*`, out);
  // A free-form object (additionalProperties: true) is checked in its handler, by a strict schema
  // with limits (agent tools, model, networking, auth) or a size cap (resources): not advertised.
  if (s.propertyNames && s.additionalProperties !== true) unbounded(s.propertyNames, `${path}.<key>`, out);
  for (const v of s.anyOf ?? []) unbounded(v, path, out);
  return out;
}

async function noRequestsDuring<T>(fn: () => Promise<T>): Promise<T> {
  const before = (await requests(h)).next;
  const r = await fn();
  expect((await requests(h, before)).data).toEqual([]);
  return r;
}

/** Every tool listed, with the input schema the server checks its calls against (caps included). */
async function enforced() {
  const { tools } = await h.client.listTools();
  expect(tools).toHaveLength(ALL_TOOLS.length);
  return tools.map((t) => ({
    name: t.name,
    inputSchema: z.toJSONSchema(inputSchemaOf(ALL_TOOLS.find((d) => d.name === t.name)!), { target: 'draft-7', io: 'input' }),
  }));
}

describe('input limits', () => {
  it('every string and array of every tool input has a maximum', async () => {
    const tools = await enforced();
    const missing = tools.flatMap((t) => unbounded(t.inputSchema as Schema, t.name));
    expect(missing).toEqual([]);
  });

  it('one past the maximum is refused by the schema, for every top-level string and array, before any request', async () => {
    const tools = await enforced();
    let checked = 0;
    for (const t of tools) {
      for (const [key, prop] of Object.entries((t.inputSchema as Schema).properties ?? {})) {
        const variants: Schema[] = (prop as Schema).anyOf ?? [prop as Schema];
        for (const v of variants) {
          let value: unknown;
          if (v.type === 'string' && v.maxLength !== undefined) value = 'a'.repeat(v.maxLength + 1);
          else if (v.type === 'array' && v.maxItems !== undefined) value = Array.from({ length: v.maxItems + 1 }, () => 'x');
          else continue;
          const text = errText(await noRequestsDuring(() => h.call(t.name, { [key]: value })));
          expect(text, `${t.name}.${key}`).toContain(`Invalid arguments for tool ${t.name}`);
          // The v2 MCP SDK words it `<field>: Too big: …` (the v1 SDK put `at <field>` after it).
          expect(text, `${t.name}.${key}`).toMatch(new RegExp(`${key}: Too big: expected (string|array) to have <=\\d+ (characters|items)`));
          checked++;
        }
      }
    }
    console.log(`input limits: ${checked} string/array fields refused one past their maximum`);
    expect(checked).toBeGreaterThan(60);
  });

  it('a 200,000-entry array is refused by the schema, quickly and without a request', async () => {
    const huge = Array.from({ length: 200_000 }, () => ({ type: 'file', file_id: 'file_x' }));
    for (const [tool, args] of [
      ['start_session', { agent_id: 'agent_x', resources: huge }],
      ['create_agent', { name: 'n', model: 'claude-sonnet-4-6', tools: huge }],
      ['confirm_tool_use', { session_id: 'sesn_x', result: 'allow', tool_use_ids: huge.map((_, i) => `sevt_${i}`) }],
      ['list_events', { session_id: 'sesn_x', types: huge.map(() => 'agent.message') }],
    ] as const) {
      const t0 = Date.now();
      const text = errText(await noRequestsDuring(() => h.call(tool, args)));
      expect(text).toMatch(/Too big: expected array to have <=\d+ items/);
      console.log(`input limits: ${tool} with a 200,000-entry array refused in ${Date.now() - t0} ms`);
    }
  });
});

describe('unknown argument names', () => {
  it('are refused with the valid names, before any request', async () => {
    const text = errText(await noRequestsDuring(() => h.call('wait_for_turn', { session_id: 'sesn_x', timeout: 1 })));
    expect(text).toContain(
      "Invalid arguments for tool wait_for_turn: Unknown argument 'timeout'. Valid: session_id, session_ids, until, after_event_id, timeout_s",
    );
    const two = errText(await noRequestsDuring(() => h.call('get_session', { session_id: 'sesn_x', verbose: true, id: 'x' })));
    expect(two).toContain("Unknown arguments 'verbose', 'id'. Valid: session_id");
  });

  it('every tool refuses them', async () => {
    for (const t of ALL_TOOLS) {
      const text = errText(await h.call(t.name, { no_such_argument: 1 }));
      expect(text, t.name).toContain(`Unknown argument 'no_such_argument'. Valid: ${Object.keys(t.input).join(', ')}`);
    }
  });
});

describe('budgets', () => {
  it('under one cent is refused with a clear message; one cent works', async () => {
    const { agent_id } = await agentAndSession(h);
    for (const budget of [0.004, 0.009, 0.0001]) {
      const text = errText(await noRequestsDuring(() => h.call('start_session', { agent_id, budget })));
      expect(text).toContain('budget: at least 0.01 (USD; the API counts whole cents)');
    }
    const s = ok(await h.call('start_session', { agent_id, budget: 0.01 }));
    expect(s.budget_usd).toBe(0.01);
  });
});
