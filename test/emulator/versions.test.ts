/** Agent versions and memory versions through the official SDK (docs/api-behaviour.md, "Versions"). */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { makeAgent, reportTarget, useTarget } from './target.js';

const t = useTarget();
reportTarget();

describe('agent versions', () => {
  it('every change is a version, listed newest first across pages; each one is retrievable', async () => {
    const c = t.client();
    const agent = await makeAgent(c, { system: 'one' });
    await c.beta.agents.update(agent.id, { version: 1, system: 'two' });
    await c.beta.agents.update(agent.id, { version: 2, system: 'two' }); // no change: no new version
    await c.beta.agents.update(agent.id, { version: 2, system: 'three' });
    const seen = [];
    for await (const v of c.beta.agents.versions.list(agent.id, { limit: 2 })) seen.push([v.version, v.system]);
    expect(seen).toEqual([
      [3, 'three'],
      [2, 'two'],
      [1, 'one'],
    ]);
    expect((await c.beta.agents.retrieve(agent.id, { version: 1 })).system).toBe('one');
    const missing = await c.beta.agents.versions.list('agent_doesnotexist').catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe('memory versions', () => {
  it('create, modify, no-op, delete: one version per change, filtered, with content only in full view', async () => {
    const c = t.client();
    const store = await c.beta.memoryStores.create({ name: `contract-versions-${Date.now()}` });
    const ms = { memory_store_id: store.id };
    const m = await c.beta.memoryStores.memories.create(store.id, { path: '/notes/a.md', content: 'first' });
    await c.beta.memoryStores.memories.update(m.id, { ...ms, content: 'second' });
    await c.beta.memoryStores.memories.update(m.id, { ...ms, content: 'second' }); // unchanged: no version
    const other = await c.beta.memoryStores.memories.create(store.id, { path: '/notes/b.md', content: 'other' });
    await c.beta.memoryStores.memories.delete(m.id, ms);

    const all = [];
    for await (const v of c.beta.memoryStores.memoryVersions.list(store.id, { limit: 2 })) all.push(v);
    expect(all).toHaveLength(4);
    expect(all.every((v) => v.content === null)).toBe(true); // basic view
    expect(all.every((v) => v.created_by?.type === 'api_actor')).toBe(true);

    const mine = [];
    for await (const v of c.beta.memoryStores.memoryVersions.list(store.id, { memory_id: m.id, view: 'full' })) mine.push(v);
    expect(mine.map((v) => [v.operation, v.content ?? null])).toEqual([
      ['deleted', null],
      ['modified', 'second'],
      ['created', 'first'],
    ]);
    const deleted = mine[0]!;
    expect(deleted).toMatchObject({ content_sha256: null, content_size_bytes: null, path: '/notes/a.md' });
    expect(mine[2]!.content_size_bytes).toBe(5);

    const created = [];
    for await (const v of c.beta.memoryStores.memoryVersions.list(store.id, { operation: 'created' })) created.push(v.memory_id);
    expect(created.sort()).toEqual([m.id, other.id].sort());

    const first = await c.beta.memoryStores.memoryVersions.retrieve(mine[2]!.id, ms);
    expect(first).toMatchObject({ operation: 'created', content: 'first', path: '/notes/a.md', memory_id: m.id, redacted_at: null });
    const basic = await c.beta.memoryStores.memoryVersions.retrieve(mine[2]!.id, { ...ms, view: 'basic' });
    expect(basic.content).toBeNull();
    expect(basic.content_sha256).toBe(first.content_sha256);

    const bound = mine[1]!.created_at;
    const later = [];
    for await (const v of c.beta.memoryStores.memoryVersions.list(store.id, { 'created_at[gte]': bound })) later.push(v);
    expect(later.map((v) => v.id)).toContain(mine[1]!.id);
    expect(later.every((v) => v.created_at >= bound)).toBe(true);
    const none = [];
    for await (const v of c.beta.memoryStores.memoryVersions.list(store.id, { 'created_at[lte]': '2000-01-01T00:00:00Z' })) none.push(v);
    expect(none).toEqual([]);

    const redacted = await c.beta.memoryStores.memoryVersions.redact(mine[1]!.id, ms);
    expect(redacted).toMatchObject({ content: null, path: null, content_sha256: null, content_size_bytes: null });
    expect(redacted.redacted_at).toBeTruthy();
    expect(redacted.redacted_by?.type).toBe('api_actor');

    const wrongStore = await c.beta.memoryStores.create({ name: `contract-versions-other-${Date.now()}` });
    const err = await c.beta.memoryStores.memoryVersions.retrieve(first.id, { memory_store_id: wrongStore.id }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    await c.beta.memoryStores.delete(store.id);
    await c.beta.memoryStores.delete(wrongStore.id);
  });
});
