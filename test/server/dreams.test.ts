/**
 * Dreams through the MCP protocol against the emulator (docs/emulator.md, "Dreams"): created,
 * followed to completion, listed, canceled, archived; the result names the output store, and the
 * store holds what the dream wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errText, harness, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'memory'] });
});
afterAll(async () => {
  await h?.close();
});

async function storeWithMemory(name: string): Promise<string> {
  const store = ok(await h.call('create_memory_store', { name })).memory_store_id;
  ok(await h.call('write_memory', { memory_store_id: store, path: '/notes.md', content: 'a note' }));
  return store;
}

describe('dreams', () => {
  it('create_dream with wait_s follows it to completed; the output is a new store with the summary', async () => {
    const store = await storeWithMemory('dreamy');
    const a = ok(await h.call('create_agent', { name: 'dreamer', model: 'claude-sonnet-4-6' }));
    const s = ok(await h.call('start_session', { agent_id: a.agent_id }));
    const d = ok(await h.call('create_dream', { memory_store_id: store, session_ids: [s.session_id], model: 'claude-sonnet-4-6', wait_s: 30 }));
    expect(d.status).toBe('completed');
    expect(d.output_memory_store_id).toMatch(/^memstore_/);
    expect(d.output_memory_store_id).not.toBe(store);
    expect(d.usage.input_tokens).toBeGreaterThan(0);
    expect(d.hint).toContain(`list_memories memory_store_id=${d.output_memory_store_id}`);
    const out = ok(await h.call('list_memories', { memory_store_id: d.output_memory_store_id }));
    expect(out.memories.join('\n')).toMatch(/\/dream\/summary\.md/);
    expect(out.memories.join('\n')).toMatch(/\/notes\.md/);
    // The input store is unchanged (create_new).
    expect(ok(await h.call('list_memories', { memory_store_id: store })).memories.join('\n')).not.toMatch(/summary/);
    const again = ok(await h.call('get_dream', { dream_id: d.dream_id }));
    expect(again).toMatchObject({ dream_id: d.dream_id, status: 'completed' });
  });

  it('without wait_s it returns pending with a hint to follow it; get_dream steps it along', async () => {
    const store = await storeWithMemory('stepwise');
    const d = ok(await h.call('create_dream', { memory_store_id: store, model: 'claude-sonnet-4-6', update_existing: true }));
    expect(d.status).toBe('pending');
    expect(d.hint).toMatch(/get_dream .*wait_s/);
    const later = ok(await h.call('get_dream', { dream_id: d.dream_id, wait_s: 30 }));
    expect(later.status).toBe('completed');
    // update_existing: the result is written into the input store.
    expect(later.output_memory_store_id).toBe(store);
  });

  it('a failing dream reports its error; cancel stops a pending one and leaves a final one as it is', async () => {
    const store = await storeWithMemory('fragile');
    const failed = ok(await h.call('create_dream', { memory_store_id: store, model: 'claude-sonnet-4-6', instructions: '/fail', wait_s: 30 }));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/Emulated failure/);
    const pending = ok(await h.call('create_dream', { memory_store_id: store, model: 'claude-sonnet-4-6' }));
    expect(ok(await h.call('cancel_dream', { dream_id: pending.dream_id })).status).toBe('canceled');
    expect(ok(await h.call('cancel_dream', { dream_id: failed.dream_id })).status).toBe('failed');
  });

  it('list_dreams filters by status and hides archived ones unless asked', async () => {
    const store = await storeWithMemory('listed');
    const d = ok(await h.call('create_dream', { memory_store_id: store, model: 'claude-sonnet-4-6', wait_s: 30 }));
    const completed = ok(await h.call('list_dreams', { statuses: ['completed'] }));
    expect(completed.dreams.map((x: any) => x.dream_id)).toContain(d.dream_id);
    expect(completed.dreams.every((x: any) => x.status === 'completed')).toBe(true);
    expect(ok(await h.call('archive_dream', { dream_id: d.dream_id })).archived).toBe(true);
    expect(ok(await h.call('list_dreams', {})).dreams.map((x: any) => x.dream_id)).not.toContain(d.dream_id);
    expect(ok(await h.call('list_dreams', { include_archived: true })).dreams.map((x: any) => x.dream_id)).toContain(d.dream_id);
  });

  it('an unknown dream names list_dreams', async () => {
    expect(errText(await h.call('get_dream', { dream_id: 'drm_missing' }))).toContain('list_dreams');
  });

  it('annotations follow the kinds: reads are read-only, cancel and archive destructive and idempotent', async () => {
    const tools = (await h.client.listTools()).tools.filter((t) => t.name.endsWith('_dream') || t.name === 'list_dreams');
    const ann = Object.fromEntries(tools.map((t) => [t.name, t.annotations]));
    expect(ann.get_dream?.readOnlyHint).toBe(true);
    expect(ann.list_dreams?.readOnlyHint).toBe(true);
    expect(ann.create_dream?.readOnlyHint ?? false).toBe(false);
    expect(ann.create_dream?.destructiveHint).toBe(false);
    expect(ann.cancel_dream).toMatchObject({ destructiveHint: true, idempotentHint: true });
    expect(ann.archive_dream).toMatchObject({ destructiveHint: true, idempotentHint: true });
  });
});
