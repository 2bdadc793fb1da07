/**
 * Agent versions and memory versions through the MCP protocol, against the emulator: an agent
 * updated twice lists three versions and reads back its first; a memory written and rewritten
 * lists its history and reads back its old content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errText, harness, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'memory'] });
});
afterAll(async () => {
  await h?.close();
});

describe('agent versions', () => {
  it('update twice → list_agent_versions shows 3 (newest first, paged) → get_agent at version 1', async () => {
    const a = ok(await h.call('create_agent', { name: 'versioned', model: 'claude-sonnet-4-6', system: 'first prompt' }));
    ok(await h.call('update_agent', { agent_id: a.agent_id, version: 1, system: 'second prompt' }));
    ok(await h.call('update_agent', { agent_id: a.agent_id, version: 2, name: 'versioned-renamed', tools: [{ type: 'agent_toolset_20260401' }] }));

    const all = ok(await h.call('list_agent_versions', { agent_id: a.agent_id }));
    expect(all.versions.map((v: any) => [v.version, v.name, v.tools])).toEqual([
      [3, 'versioned-renamed', 1],
      [2, 'versioned', 0],
      [1, 'versioned', 0],
    ]);
    expect(all.versions[0].model).toBe('claude-sonnet-4-6');
    expect(all.next_page).toBeUndefined();

    const first = ok(await h.call('list_agent_versions', { agent_id: a.agent_id, limit: 2 }));
    expect(first.versions.map((v: any) => v.version)).toEqual([3, 2]);
    const second = ok(await h.call('list_agent_versions', { agent_id: a.agent_id, limit: 2, page: first.next_page }));
    expect(second.versions.map((v: any) => v.version)).toEqual([1]);

    const v1 = ok(await h.call('get_agent', { agent_id: a.agent_id, version: 1 }));
    expect(v1).toMatchObject({ version: 1, name: 'versioned', system: 'first prompt' });

    expect(errText(await h.call('list_agent_versions', { agent_id: 'agent_doesnotexist' }))).toContain('list_agents');
  });
});

describe('deprecated models', () => {
  it('create_agent and update_agent carry a one-line notice with the end-of-life date from the SDK', async () => {
    // The SDK's own table (the one messages.create warns from); the notice must quote its date.
    const { DEPRECATED_MODELS } = await import('../../node_modules/@anthropic-ai/sdk/internal/data/deprecated-models.mjs');
    const eol = (DEPRECATED_MODELS as Record<string, string>)['claude-opus-4-5'];
    expect(eol).toBeTruthy();
    const a = ok(await h.call('create_agent', { name: 'old-model', model: 'claude-opus-4-5' }));
    expect(a.notice).toBe(`Model claude-opus-4-5 is deprecated and reaches end of life on ${eol}: move the agent to a newer model (update_agent).`);
    const u = ok(await h.call('update_agent', { agent_id: a.agent_id, version: 1, name: 'old-model-renamed' }));
    expect(u.notice).toContain(eol);
    const moved = ok(await h.call('update_agent', { agent_id: a.agent_id, version: 2, model: 'claude-opus-4-8' }));
    expect(moved.notice).toBeUndefined();
    expect(ok(await h.call('create_agent', { name: 'current-model', model: 'claude-sonnet-4-6' })).notice).toBeUndefined();
  });
});

describe('memory versions', () => {
  it('write, rewrite, delete → list_memory_versions shows each change → get_memory_version shows the old content', async () => {
    const store = ok(await h.call('create_memory_store', { name: 'versioned notes' }));
    const ms = store.memory_store_id;
    const m = ok(await h.call('write_memory', { memory_store_id: ms, path: '/notes/plan.md', content: 'plan A' }));
    ok(
      await h.call('write_memory', {
        memory_store_id: ms,
        memory_id: m.memory_id,
        path: '/notes/plan.md',
        content: 'plan B',
        expected_sha256: m.content_sha256,
      }),
    );
    const other = ok(await h.call('write_memory', { memory_store_id: ms, path: '/notes/other.md', content: 'x' }));

    const mine = ok(await h.call('list_memory_versions', { memory_store_id: ms, memory_id: m.memory_id }));
    expect(mine.versions.map((v: any) => v.operation)).toEqual(['modified', 'created']);
    expect(mine.versions[1]).toMatchObject({ memory_id: m.memory_id, path: '/notes/plan.md', size_bytes: 6, content_sha256: m.content_sha256 });
    expect(mine.versions[1].by).toMatch(/^api_key /);

    const old = ok(await h.call('get_memory_version', { memory_store_id: ms, memory_version_id: mine.versions[1].memory_version_id }));
    expect(old).toMatchObject({ operation: 'created', content: 'plan A', path: '/notes/plan.md' });
    const now = ok(await h.call('get_memory', { memory_store_id: ms, memory_id: m.memory_id }));
    expect(now.content).toBe('plan B');

    ok(await h.call('delete_memory', { memory_store_id: ms, memory_id: m.memory_id }));
    const after = ok(await h.call('list_memory_versions', { memory_store_id: ms, memory_id: m.memory_id }));
    expect(after.versions.map((v: any) => v.operation)).toEqual(['deleted', 'modified', 'created']);
    const gone = await h.call('get_memory_version', { memory_store_id: ms, memory_version_id: after.versions[0].memory_version_id });
    expect(ok(gone).content).toBeUndefined();
    expect(gone.content[0].text).toContain('version before this one');

    const created = ok(await h.call('list_memory_versions', { memory_store_id: ms, operation: 'created', limit: 1 }));
    expect(created.versions).toHaveLength(1);
    const more = ok(await h.call('list_memory_versions', { memory_store_id: ms, operation: 'created', limit: 1, page: created.next_page }));
    expect([created.versions[0].memory_id, more.versions[0].memory_id].sort()).toEqual([m.memory_id, other.memory_id].sort());

    const none = ok(await h.call('list_memory_versions', { memory_store_id: ms, created_before: '2000-01-01T00:00:00Z' }));
    expect(none.versions).toEqual([]);
    expect(errText(await h.call('list_memory_versions', { memory_store_id: ms, created_after: 'yesterday' }))).toMatch(/RFC 3339/);
    expect(errText(await h.call('get_memory_version', { memory_store_id: ms, memory_version_id: 'memver_doesnotexist' }))).toContain('list_memory_versions');
  });
});
