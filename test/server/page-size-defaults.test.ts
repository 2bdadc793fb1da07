/**
 * A page size's default is stated once (the schema's `default`, src/tools/support/define.ts `limitSchema`):
 * for every listed tool with a `limit`, the default tools/list shows is the `limit` the API
 * receives when the caller gives none. The verdict is the emulator's request log, not the code.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOOLSETS } from '../../src/config.js';
import { agentAndSession, harness, ok, type Harness } from '../helpers.js';
import { mark, requests } from '../reliability/util.js';

let h: Harness;
let root: string;
const ids: Record<string, string> = {};

const SKILL_MD = '---\nname: page-size\ndescription: A skill whose versions are listed.\n---\n\n# Page size\n';

beforeAll(async () => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ma-page-size-')));
  h = await harness({ toolsets: [...TOOLSETS], filesRoot: root });
  const { agent_id, session_id } = await agentAndSession(h);
  Object.assign(ids, {
    agent_id,
    session_id,
    vault_id: ok(await h.call('create_vault', { display_name: 'page size' })).vault_id,
    memory_store_id: ok(await h.call('create_memory_store', { name: 'page size' })).memory_store_id,
    skill_id: ok(await h.call('create_skill', { skill_md: SKILL_MD })).skill_id,
    // No thread needs to exist: the request (and its limit) reaches the API all the same.
    thread_id: 'sthr_doesnotexist0000',
    to_dir: 'downloads',
  });
});
afterAll(async () => {
  await h?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

it('every tool with a limit sends the default its schema states when none is given', async () => {
  const { tools } = await h.client.listTools();
  const paged = tools.filter((t) => (t.inputSchema.properties as Record<string, unknown> | undefined)?.limit);
  // The list tools of every toolset: a smaller set means the filter above stopped seeing them.
  expect(paged.length).toBeGreaterThanOrEqual(20);
  const mismatches: string[] = [];
  for (const tool of paged) {
    const limit = (tool.inputSchema.properties as Record<string, { default?: unknown; description?: string }>).limit!;
    expect(typeof limit.default, `${tool.name}: limit has no default in its schema`).toBe('number');
    // Stated once: a number in the description would be a second statement that can drift.
    expect(limit.description ?? '', tool.name).not.toMatch(/\d/);
    const args = Object.fromEntries((tool.inputSchema.required ?? []).map((k) => [k, ids[k]]));
    expect(Object.values(args), `${tool.name}: no fixture for a required argument`).not.toContain(undefined);
    const since = await mark(h);
    await h.call(tool.name, args);
    const sent = (await requests(h, since)).data.filter((r) => r.query?.limit !== undefined).map((r) => Number(r.query.limit));
    if (sent.length === 0 || sent.some((n) => n !== limit.default)) {
      mismatches.push(`${tool.name}: states ${limit.default}, sent ${sent.length ? sent.join(', ') : 'no limit'}`);
    }
  }
  expect(mismatches).toEqual([]);
});
