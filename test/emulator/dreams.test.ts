/**
 * Dreams through the official SDK (SDK resources/beta/dreams.d.ts; docs/emulator.md, "Dreams"):
 * the emulator runs a dream one step per retrieve, so the life cycle is deterministic.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, MODEL, REAL, reportTarget, useTarget } from './target.js';

const t = useTarget();
reportTarget();

async function store(c: Anthropic) {
  const s = await c.beta.memoryStores.create({ name: `dream-input-${Date.now().toString(36)}` });
  await c.beta.memoryStores.memories.create(s.id, { path: '/a.md', content: 'alpha' });
  return s;
}

describe.skipIf(REAL)(`dreams (${EMU_ONLY})`, () => {
  it('create → pending, retrieve → running with its output store, retrieve → completed with usage; list, archive', async () => {
    const c = t.client();
    const s = await store(c);
    const d = await c.beta.dreams.create({ inputs: [{ type: 'memory_store', memory_store_id: s.id }], model: MODEL });
    expect(d).toMatchObject({ type: 'dream', status: 'pending', outputs: [], ended_at: null, output_behavior: { type: 'create_new' }, model: { id: MODEL } });
    expect(d.usage.input_tokens).toBe(0);
    const running = await c.beta.dreams.retrieve(d.id);
    expect(running.status).toBe('running');
    const out = running.outputs[0]!.memory_store_id;
    expect(out).not.toBe(s.id);
    const done = await c.beta.dreams.retrieve(d.id);
    expect(done.status).toBe('completed');
    expect(done.ended_at).not.toBeNull();
    expect(done.usage.output_tokens).toBeGreaterThan(0);
    const paths: string[] = [];
    for await (const m of c.beta.memoryStores.memories.list(out)) paths.push(m.path);
    expect(paths.sort()).toEqual(['/a.md', '/dream/summary.md']);
    // Final: cancel leaves it as it is.
    expect((await c.beta.dreams.cancel(d.id)).status).toBe('completed');
    const ids = async (p: Parameters<typeof c.beta.dreams.list>[0]) => {
      const out: string[] = [];
      for await (const x of c.beta.dreams.list(p)) out.push(x.id);
      return out;
    };
    expect(await ids({ statuses: ['completed'] })).toContain(d.id);
    expect(await ids({ statuses: ['pending'] })).not.toContain(d.id);
    expect((await c.beta.dreams.archive(d.id)).archived_at).not.toBeNull();
    expect(await ids({})).not.toContain(d.id);
    expect(await ids({ include_archived: true })).toContain(d.id);
  });

  it('update_existing: a second dream into the same store is a 409 until the first stops; a missing store is 404', async () => {
    const c = t.client();
    const s = await store(c);
    const params = {
      inputs: [{ type: 'memory_store' as const, memory_store_id: s.id }],
      model: MODEL,
      output_behavior: { type: 'update_existing' as const, memory_store_id: s.id },
    };
    const first = await c.beta.dreams.create(params);
    await expect(c.beta.dreams.create(params)).rejects.toBeInstanceOf(Anthropic.ConflictError);
    expect((await c.beta.dreams.cancel(first.id)).status).toBe('canceled');
    const second = await c.beta.dreams.create(params);
    await c.beta.dreams.retrieve(second.id);
    expect((await c.beta.dreams.retrieve(second.id)).outputs[0]!.memory_store_id).toBe(s.id);
    await expect(c.beta.dreams.create({ inputs: [{ type: 'memory_store', memory_store_id: 'memstore_missing' }], model: MODEL })).rejects.toBeInstanceOf(
      Anthropic.NotFoundError,
    );
  });
});
