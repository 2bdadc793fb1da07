import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TOOLS, selectTools } from '../../src/tools/index.js';
import { TOOLSETS } from '../../src/config.js';
import { annotationsFor } from '../../src/tools/define.js';
import { toolTable } from '../../src/tools/table.js';
import { harness, type Harness } from '../helpers.js';

let h: Harness;
let all: Harness;
let readOnly: Harness;
beforeAll(async () => {
  [h, all, readOnly] = await Promise.all([harness(), harness({ toolsets: [...TOOLSETS] }), harness({ readOnly: true })]);
});
afterAll(async () => {
  await Promise.all([h?.close(), all?.close(), readOnly?.close()]);
});

const tokens = (v: unknown) => Math.ceil(JSON.stringify(v).length / 4);

describe('tool surface', () => {
  it('matches the committed snapshot (names, schemas, annotations)', async () => {
    const { tools } = await all.client.listTools();
    await expect(JSON.stringify(tools, null, 2) + '\n').toMatchFileSnapshot('../__snapshots__/tools-list.json');
  });

  it('the default set holds the five named tools and stays under 6,000 tokens', async () => {
    const { tools } = await h.client.listTools();
    const names = tools.map((t) => t.name);
    for (const n of ['create_agent', 'start_session', 'send_message', 'list_events', 'session_usage']) expect(names).toContain(n);
    expect(tokens(tools)).toBeLessThanOrEqual(6000);
  });

  it('names are verb_noun snake_case and every input property is described', async () => {
    const { tools } = await all.client.listTools();
    expect(tools.length).toBe(ALL_TOOLS.length);
    for (const t of tools) {
      expect(t.name).toMatch(/^[a-z]+(_[a-z]+)+$/);
      for (const [k, v] of Object.entries(t.inputSchema.properties ?? {})) {
        expect((v as any).description, `${t.name}.${k}`).toBeTruthy();
      }
    }
  });

  it('annotations follow kind', async () => {
    const { tools } = await all.client.listTools();
    for (const listed of tools) {
      const def = ALL_TOOLS.find((t) => t.name === listed.name)!;
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

  it('the README tool table is current', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(toolTable(ALL_TOOLS));
  });
});

describe('prompts', () => {
  it('delegate_task renders the create → run → audit workflow with the task', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['delegate_task']);
    expect(prompts[0]!.arguments?.find((a) => a.name === 'task')?.required).toBe(true);
    const r = await h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'Summarise the repo', budget_usd: '2' } });
    const text = (r.messages[0]!.content as { text: string }).text;
    expect(text).toMatch(/list_agents/);
    expect(text).toMatch(/start_session with that agent_id with budget 2/);
    expect(text).toMatch(/answer_with/);
    expect(text).toMatch(/wait_for_turn/);
    expect(text).toMatch(/session_usage/);
    expect(text.endsWith('Summarise the repo')).toBe(true);
    const pinned = await h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'x', agent_id: 'agent_123' } });
    expect((pinned.messages[0]!.content as { text: string }).text).toMatch(/Use agent agent_123\./);
  });
});
