import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOOLS, DISCOVERY_TOOLS, selectTools } from '../../src/tools/index.js';
import { defaultConfig, TOOLSETS, type Config } from '../../src/config.js';
import { annotationsFor } from '../../src/tools/support/define.js';
import { kindTable, toolTable } from '../../src/tools/support/table.js';
import { listTokens } from '../../src/mcp/server.js';
import { costTable, toolsetCosts } from '../../src/mcp/toolset-costs.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { harness, type Harness } from '../helpers.js';

let h: Harness;
let all: Harness;
let readOnly: Harness;
let readOnlyAll: Harness;
let dynamic: Harness;
beforeAll(async () => {
  // The lists of a server started without --timeout (the turn tools' schemas state it), as the
  // snapshots, the token budget and docs/tools.md's cost table show them.
  const { turnTimeoutS, maxTurnTimeoutS } = defaultConfig();
  const as = (o: Partial<Config> = {}) => harness({ turnTimeoutS, maxTurnTimeoutS, ...o });
  [h, all, readOnly, readOnlyAll, dynamic] = await Promise.all([
    as(),
    as({ toolsets: [...TOOLSETS] }),
    as({ readOnly: true }),
    as({ readOnly: true, toolsets: [...TOOLSETS] }),
    as({ dynamicToolsets: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([h?.close(), all?.close(), readOnly?.close(), readOnlyAll?.close(), dynamic?.close()]);
});

/** Every tool the server can list: all toolsets, and the discovery pair of --dynamic-toolsets. */
async function everyTool() {
  const { tools } = await all.client.listTools();
  const pair = (await dynamic.client.listTools()).tools.filter((t) => DISCOVERY_TOOLS.some((d) => d.name === t.name));
  expect(pair).toHaveLength(DISCOVERY_TOOLS.length);
  return [...tools, ...pair];
}

const tokens = (v: unknown) => Math.ceil(JSON.stringify(v).length / 4);

/** Keys sorted at every depth (arrays keep their order), so a snapshot diff shows only what changed. */
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sortKeys((v as any)[k])]),
    );
  return v;
}

const SNAPSHOTS = new URL('../__snapshots__/tools/', import.meta.url);

/**
 * Input-schema constructs that clients render badly — `anyOf`/`oneOf` (many show only the first
 * branch, or a raw JSON editor) and `type` arrays — each allowed only where listed here, with why.
 */
const SCHEMA_EXCEPTIONS: Record<string, string> = {
  'create_agent.model anyOf': 'the API takes a model id or a {id, effort, speed} object; a string alone would hide effort and speed',
  'update_agent.model anyOf': 'as create_agent.model',
  'update_agent.system anyOf':
    'a string (with its length limit) or null: null clears the system prompt (the API\'s patch semantics); there is no other way to say "clear"',
  'update_agent.description anyOf': 'null clears the description, as for system',
  'update_agent.metadata{} anyOf': "a null value deletes a metadata key (the API's patch semantics)",
  'update_session.metadata{} anyOf': "a null value deletes a metadata key (the API's patch semantics)",
  'update_agent.multiagent anyOf': "null clears the roster (the API's patch semantics), as for system",
};

/** The constructs of SCHEMA_EXCEPTIONS found in a schema, as `path construct`. */
function awkward(s: any, path: string, out: string[] = []): string[] {
  if (!s || typeof s !== 'object') return out;
  if (Array.isArray(s.type)) out.push(`${path} type[]`);
  for (const k of ['anyOf', 'oneOf'] as const) {
    if (!s[k]) continue;
    out.push(`${path} ${k}`);
    s[k].forEach((b: unknown, i: number) => awkward(b, `${path}|${i}`, out));
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) awkward(v, `${path}.${k}`, out);
  if (s.items) awkward(s.items, `${path}[]`, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') awkward(s.additionalProperties, `${path}{}`, out);
  return out;
}

describe('tool surface', () => {
  it('matches the committed snapshot of each tool (names, schemas, annotations), one file per tool', async () => {
    const tools = await everyTool();
    for (const t of tools) {
      await expect(JSON.stringify(sortKeys(t), null, 2) + '\n').toMatchFileSnapshot(new URL(`${t.name}.json`, SNAPSHOTS).pathname);
    }
    // No snapshot is left behind by a removed or renamed tool.
    expect(readdirSync(SNAPSHOTS).sort()).toEqual(tools.map((t) => `${t.name}.json`).sort());
  });

  it('matches the committed set of tool names of each configuration', async () => {
    const names = async (x: Harness) => (await x.client.listTools()).tools.map((t) => t.name);
    const sets = {
      default: await names(h),
      '--read-only': await names(readOnly),
      '--toolsets all': await names(all),
      '--read-only --toolsets all': await names(readOnlyAll),
      '--dynamic-toolsets': await names(dynamic),
    };
    await expect(JSON.stringify(sets, null, 2) + '\n').toMatchFileSnapshot('../__snapshots__/tool-names.json');
  });

  it('input schemas avoid constructs clients render badly, except where listed with a reason', async () => {
    const tools = await everyTool();
    const found: string[] = [];
    for (const t of tools) {
      const root = t.inputSchema as any;
      // The root is always a plain object: never a union, never a type array.
      expect(root.type, t.name).toBe('object');
      for (const k of ['anyOf', 'oneOf', 'allOf']) expect(root[k], `${t.name} ${k}`).toBeUndefined();
      found.push(...awkward(root, t.name));
    }
    expect(
      found.filter((f) => !(f in SCHEMA_EXCEPTIONS)),
      'unlisted constructs',
    ).toEqual([]);
    // Every exception still exists, so the list stays the truth.
    expect(
      Object.keys(SCHEMA_EXCEPTIONS).filter((e) => !found.includes(e)),
      'stale exceptions',
    ).toEqual([]);
  });

  it('the default set holds the five named tools and stays under 4,000 tokens as sent', async () => {
    const { tools } = await h.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['create_agent', 'start_session', 'send_message', 'list_events', 'session_usage']) expect(names).toContain(n);
    expect(tokens(tools)).toBeLessThanOrEqual(4000);
  });

  it('the model-visible part of the default set (names, descriptions, input schemas, as Claude Code shows them) stays under 2,400 tokens', async () => {
    const { tools } = await h.client.listTools();
    const visible = tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }));
    expect(tokens(visible)).toBeLessThanOrEqual(2400);
    // The server's own figure (list_toolsets, the README's toolset table) is the same measure.
    expect(listTokens(tools as Tool[]).model).toBe(tokens(visible));
  });

  it('names are verb_noun snake_case and every input property is described', async () => {
    const tools = await everyTool();
    expect(tools.length).toBe(ALL_TOOLS.length + DISCOVERY_TOOLS.length);
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      for (const [k, v] of Object.entries(t.inputSchema.properties ?? {})) {
        expect((v as any).description, `${t.name}.${k}`).toBeTruthy();
      }
    }
  });

  it('annotations follow kind', async () => {
    const tools = await everyTool();
    for (const listed of tools) {
      const def = [...ALL_TOOLS, ...DISCOVERY_TOOLS].find((t) => t.name === listed.name)!;
      expect(listed.annotations).toEqual(annotationsFor(def));
      if (def.kind === 'delete') expect(listed.annotations?.destructiveHint).toBe(true);
      if (def.kind === 'read') expect(listed.annotations?.readOnlyHint).toBe(true);
    }
    expect(ALL_TOOLS.find((t) => t.name === 'archive_session')?.kind).toBe('delete');
  });

  it('--read-only exposes only tools that change nothing', async () => {
    const { tools } = await readOnly.client.listTools();
    expect(tools.length).toBeGreaterThan(0);
    for (const t of tools) expect(t.annotations?.readOnlyHint).toBe(true);
    expect(tools.map((t) => t.name)).not.toContain('send_message');
    expect(selectTools({ toolsets: ['core'], readOnly: true }).every((t) => t.kind === 'read')).toBe(true);
  });

  const doc = (f: string) => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');

  it("the generated tool tables are current: the README's core list, docs/tools.md's whole list, docs/approval.md's kinds", () => {
    expect(doc('README.md')).toContain(toolTable(ALL_TOOLS.filter((t) => t.toolset === 'core')));
    expect(doc('docs/tools.md')).toContain(toolTable(ALL_TOOLS));
    expect(doc('docs/approval.md')).toContain(kindTable(ALL_TOOLS));
  });

  it('the toolset cost table in docs/tools.md is current, and its figures are those of tools/list', async () => {
    expect(doc('docs/tools.md')).toContain(costTable());
    const rows = toolsetCosts();
    const listed = (await all.client.listTools()).tools;
    for (const [i, s] of TOOLSETS.entries()) {
      const own = listed.filter((t) => ALL_TOOLS.find((d) => d.name === t.name)!.toolset === s);
      expect(rows[i]).toMatchObject({ tools: own.length, wire: tokens(own), model: listTokens(own as Tool[]).model });
    }
    expect(rows.at(-2)!.wire).toBe(tokens((await dynamic.client.listTools()).tools));
    expect(rows.at(-1)!.wire).toBe(tokens(listed));
  });
});

describe('prompts', () => {
  it('delegate_task renders the create → run → audit workflow with the task', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['delegate_task', 'debug_stuck_session', 'cost_report']);
    expect(prompts[0]!.arguments?.find((a) => a.name === 'task')?.required).toBe(true);
    const r = await h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'Summarise the repo', budget_usd: '2' } });
    const text = (r.messages[0]!.content as { text: string }).text;
    expect(text).toMatch(/list_agents/);
    expect(text).toMatch(/start_session with that agent_id with budget 2/);
    expect(text).toMatch(/answer_with/);
    expect(text).toMatch(/wait_for_turn/);
    expect(text).toMatch(/session_usage/);
    // Several parts: split, start without waiting, collect as they finish, answer what blocks, the total cost.
    expect(text).toMatch(/wait:false/);
    expect(text).toMatch(/wait_for_turn \{"session_ids"/);
    expect(text).toMatch(/answer what blocks/i);
    expect(text).toMatch(/the total/);
    expect(text.endsWith('Summarise the repo')).toBe(true);
    const pinned = await h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'x', agent_id: 'agent_123' } });
    expect((pinned.messages[0]!.content as { text: string }).text).toMatch(/Use agent agent_123\./);
  });
});

describe('every tool is findable by its name', () => {
  it("each tool's name is written out in its source file: no names built from templates", () => {
    const dir = new URL('../../src/tools/', import.meta.url);
    const sources = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(new URL(f, dir), 'utf8'))
      .join('\n');
    const missing = [...ALL_TOOLS, ...DISCOVERY_TOOLS].map((t) => t.name).filter((n) => !sources.includes(`'${n}'`));
    expect(missing).toEqual([]);
  });
});
