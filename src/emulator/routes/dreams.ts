/**
 * Dreams (SDK resources/beta/dreams.d.ts): a job that reads a memory store and past sessions and
 * writes a reorganised version of the store. The emulator runs one deterministically, one step per
 * retrieve (docs/emulator.md, "Dreams"): `pending` → `running` (its output store recorded, usage
 * so far) → `completed` (a summary memory written, final usage). Instructions containing `/fail`
 * make it fail at the second step instead.
 */
import { createHash } from 'node:crypto';
import type { BetaDream } from '@anthropic-ai/sdk/resources/beta/dreams';
import { z } from 'zod';
import { ApiError, badRequest, notFound, type Router } from '../wire/http.js';
import { listPage } from '../wire/pagination.js';
import type { Emulator } from './context.js';
import { sortedById } from '../runtime/state.js';
import { parseBody } from '../contract/validate.js';

const id = z.string().min(1).max(128);
const dreamCreate = z.strictObject({
  inputs: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('memory_store'), memory_store_id: id }),
        z.strictObject({ type: z.literal('sessions'), session_ids: z.array(id).min(1).max(100) }),
      ]),
    )
    .min(1)
    .max(2),
  model: z.union([z.string().min(1), z.strictObject({ id: z.string().min(1), speed: z.enum(['standard', 'fast']).nullable().optional() })]),
  instructions: z.string().max(10_000).nullable().optional(),
  output_behavior: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('create_new') }),
      z.strictObject({ type: z.literal('update_existing'), memory_store_id: id }),
    ])
    .optional(),
});

const FINAL = new Set(['completed', 'failed', 'canceled']);
const SUMMARY_PATH = '/dream/summary.md';

export function registerDreamRoutes(router: Router, emu: Emulator): void {
  const dreams = emu.state.dreams;
  const get = (dreamId: string): BetaDream => {
    const d = dreams.get(dreamId);
    if (!d) throw notFound('dream', dreamId);
    return d;
  };
  const inputStore = (d: BetaDream) => d.inputs.find((i) => i.type === 'memory_store')!.memory_store_id;
  const sessionsRead = (d: BetaDream) => d.inputs.flatMap((i) => (i.type === 'sessions' ? i.session_ids : [])).length;

  /** The output store: a copy of the input store (create_new), or the input store itself. */
  function outputStore(d: BetaDream): string {
    const from = inputStore(d);
    if (d.output_behavior.type === 'update_existing') return from;
    const src = emu.state.memoryStores.get(from)!;
    const now = emu.state.clock.iso();
    const storeId = emu.state.ids.next('memstore');
    emu.state.memoryStores.set(storeId, {
      ...src,
      id: storeId,
      name: `${src.name} (dream ${d.id})`,
      metadata: { ...src.metadata },
      created_at: now,
      updated_at: now,
      archived_at: null,
    });
    for (const m of [...emu.state.memories.values()].filter((m) => m.memory_store_id === from)) {
      const copy = { ...m, id: emu.state.ids.next('mem'), memory_store_id: storeId, created_at: now, updated_at: now };
      emu.state.memories.set(copy.id, copy);
    }
    return storeId;
  }

  function writeSummary(d: BetaDream, storeId: string): void {
    const count = [...emu.state.memories.values()].filter((m) => m.memory_store_id === storeId && m.path !== SUMMARY_PATH).length;
    const content = `Dream ${d.id}: reorganised ${count} memories of ${inputStore(d)}, reading ${sessionsRead(d)} session(s).\n`;
    const now = emu.state.clock.iso();
    const existing = [...emu.state.memories.values()].find((m) => m.memory_store_id === storeId && m.path === SUMMARY_PATH);
    const bytes = Buffer.byteLength(content);
    const m = existing ?? {
      type: 'memory' as const,
      id: emu.state.ids.next('mem'),
      memory_store_id: storeId,
      path: SUMMARY_PATH,
      created_at: now,
      content: '',
      content_sha256: '',
      content_size_bytes: 0,
      memory_version_id: '',
      updated_at: now,
    };
    Object.assign(m, { content, content_sha256: '', content_size_bytes: bytes, updated_at: now });
    m.content_sha256 = createHashHex(content);
    emu.state.memories.set(m.id, m);
  }

  /** One step of the life cycle, taken when the dream is read by id. */
  function advance(d: BetaDream): void {
    if (d.status === 'pending') {
      d.status = 'running';
      d.outputs = [{ type: 'memory_store', memory_store_id: outputStore(d) }];
      d.usage = { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 0, cache_creation_input_tokens: 500 };
    } else if (d.status === 'running') {
      d.ended_at = emu.state.clock.iso();
      if (d.instructions?.includes('/fail')) {
        d.status = 'failed';
        d.error = { type: 'dream_failed_error', message: 'Emulated failure (the instructions asked for /fail).' };
        return;
      }
      d.status = 'completed';
      writeSummary(d, d.outputs[0]!.memory_store_id);
      d.usage = { input_tokens: 2000 + 500 * sessionsRead(d), output_tokens: 400, cache_read_input_tokens: 500, cache_creation_input_tokens: 500 };
    }
  }

  router.add('POST', '/v1/dreams', 'dreams', ({ body }) => {
    const p = parseBody('dreams.create', dreamCreate, body);
    const stores = p.inputs.filter((i) => i.type === 'memory_store');
    if (stores.length !== 1) throw badRequest('inputs: exactly one memory_store entry is required');
    const store = emu.state.memoryStores.get(stores[0]!.memory_store_id);
    if (!store) throw notFound('memory store', stores[0]!.memory_store_id);
    for (const i of p.inputs) if (i.type === 'sessions') for (const s of i.session_ids) if (!emu.state.sessions.has(s)) throw notFound('session', s);
    const behavior = p.output_behavior ?? { type: 'create_new' as const };
    if (behavior.type === 'update_existing') {
      if (behavior.memory_store_id !== store.id) throw badRequest('output_behavior.memory_store_id: must be the memory store in inputs');
      const busy = [...dreams.values()].some(
        (d) => !FINAL.has(d.status) && d.output_behavior.type === 'update_existing' && d.output_behavior.memory_store_id === store.id,
      );
      if (busy) throw new ApiError(409, 'conflict_error', `another dream is still writing into memory store ${store.id}`);
    }
    const model = typeof p.model === 'string' ? { id: p.model } : { id: p.model.id, ...(p.model.speed ? { speed: p.model.speed } : {}) };
    const d: BetaDream = {
      type: 'dream',
      id: emu.state.ids.next('drm'),
      status: 'pending',
      created_at: emu.state.clock.iso(),
      ended_at: null,
      archived_at: null,
      error: null,
      inputs: p.inputs,
      instructions: p.instructions ?? null,
      model,
      output_behavior: behavior,
      outputs: [],
      session_id: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    };
    dreams.set(d.id, d);
    return d;
  });
  router.add('GET', '/v1/dreams/:id', 'dreams', ({ params }) => {
    const d = get(params.id!);
    advance(d);
    return d;
  });
  router.add('GET', '/v1/dreams', 'dreams', ({ query }) => {
    const statuses = query.getAll('statuses');
    return listPage(query, sortedById(dreams.values()), (d) => d, {
      bounds: ['gt', 'lt'],
      where: (d) => statuses.length === 0 || statuses.includes(d.status),
    });
  });
  router.add('POST', '/v1/dreams/:id/archive', 'dreams', ({ params }) => {
    const d = get(params.id!);
    d.archived_at ??= emu.state.clock.iso();
    return d;
  });
  router.add('POST', '/v1/dreams/:id/cancel', 'dreams', ({ params }) => {
    const d = get(params.id!);
    // A final status does not change again (the SDK's BetaDreamStatus).
    if (!FINAL.has(d.status)) {
      d.status = 'canceled';
      d.ended_at = emu.state.clock.iso();
    }
    return d;
  });
}

function createHashHex(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
