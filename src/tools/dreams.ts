import { z } from 'zod';
import type { Dream, DreamCreateParams } from '../api/client.js';
import { sleep } from '../api/client.js';
import { compact, defineTool, idSchema, limitSchema, pageSchema, listResult, type ToolContext } from './support/define.js';

const dreamId = idSchema('dream_id', 'drm_01…').describe('Dream id (drm_…), from create_dream or list_dreams.');
const FINAL = new Set(['completed', 'failed', 'canceled']);
/** The longest a dream tool follows a dream within one call. */
const MAX_WAIT_S = 600;
const waitInput = z
  .number()
  .int()
  .min(0)
  .max(MAX_WAIT_S)
  .optional()
  .describe('Seconds to follow the dream until it is completed, failed or canceled (default 0: return at once).');

/** What cancel and archive return: the state they leave (get_dream shows the rest). */
const stateOut = { dream_id: z.string(), status: z.string(), archived: z.boolean().optional() };

const dreamOut = {
  dream_id: z.string(),
  status: z.string(),
  output_memory_store_id: z.string().optional(),
  usage: z
    .object({ input_tokens: z.number(), output_tokens: z.number(), cache_read_input_tokens: z.number(), cache_creation_input_tokens: z.number() })
    .optional(),
  error: z.string().optional(),
  session_id: z.string().optional(),
  archived: z.boolean().optional(),
  hint: z.string().optional(),
};

function summary(d: Dream) {
  const used = d.usage.input_tokens + d.usage.output_tokens + d.usage.cache_read_input_tokens + d.usage.cache_creation_input_tokens;
  return compact({
    dream_id: d.id,
    status: d.status,
    output_memory_store_id: d.outputs[0]?.memory_store_id,
    usage: used ? d.usage : undefined,
    error: d.error ? `${d.error.type}: ${d.error.message}` : undefined,
    session_id: d.session_id ?? undefined,
    archived: d.archived_at ? true : undefined,
  });
}

function hintFor(d: Dream): string | undefined {
  if (d.status === 'completed') return `list_memories memory_store_id=${d.outputs[0]?.memory_store_id} shows the result.`;
  if (!FINAL.has(d.status)) return `Still ${d.status}: get_dream {"dream_id":"${d.id}","wait_s":60} follows it; cancel_dream stops it.`;
  return undefined;
}

function result(d: Dream, verb: string) {
  const s = summary(d);
  const hint = hintFor(d);
  const structured = compact({ ...s, hint });
  const parts = [`${verb} dream ${d.id}: ${d.status}`];
  if (s.output_memory_store_id) parts.push(`output store ${s.output_memory_store_id}`);
  if (s.usage) parts.push(`${s.usage.input_tokens} in, ${s.usage.output_tokens} out tokens`);
  if (s.error) parts.push(s.error);
  return { structured, text: `${parts.join('; ')}.${hint ? `\n${hint}` : ''}` };
}

function stateResult(d: Dream) {
  const structured = compact({ dream_id: d.id, status: d.status, archived: d.archived_at ? true : undefined });
  return { structured, text: `Dream ${d.id}: ${d.status}${structured.archived ? ' [archived]' : ''}.` };
}

/**
 * Polls the dream until a final status or `waitS` runs out, like a turn followed to its end: the
 * API has no stream for a dream, so its status is read with a growing interval (0.5 s → 5 s).
 */
async function follow(ctx: ToolContext, d: Dream, waitS: number): Promise<Dream> {
  const deadline = Date.now() + waitS * 1000;
  let delay = 500;
  while (!FINAL.has(d.status) && Date.now() + delay <= deadline) {
    await sleep(delay, ctx.signal);
    d = await ctx.api.lookup((c, o) => c.beta.dreams.retrieve(d.id, {}, o));
    delay = Math.min(delay * 2, 5000);
  }
  return d;
}

export const dreamTools = [
  defineTool({
    name: 'create_dream',
    title: 'Create a dream',
    description:
      'Start a dream: a job that reads a memory store and past sessions and writes a reorganised copy of the store (or, with update_existing, into it). Returns at once unless wait_s.',
    toolset: 'memory',
    kind: 'create',
    input: {
      memory_store_id: idSchema('memory_store_id', 'memstore_01…').describe('The memory store to reorganise.'),
      session_ids: z.array(idSchema('session_id', 'sesn_01…')).max(100).optional().describe('Past sessions to learn from.'),
      model: z.string().min(1).max(128).describe('Model id that runs the dream, e.g. claude-sonnet-4-6.'),
      instructions: z.string().max(10_000).optional().describe('Guidance for the reorganisation.'),
      update_existing: z.boolean().optional().describe('Write into the input store instead of a new copy (default false).'),
      wait_s: waitInput,
    },
    output: dreamOut,
    handler: async (a, ctx) => {
      const params: DreamCreateParams = compact({
        inputs: [
          { type: 'memory_store' as const, memory_store_id: a.memory_store_id },
          ...(a.session_ids?.length ? [{ type: 'sessions' as const, session_ids: a.session_ids }] : []),
        ],
        model: a.model,
        instructions: a.instructions,
        output_behavior: a.update_existing ? { type: 'update_existing' as const, memory_store_id: a.memory_store_id } : undefined,
      });
      const d = await ctx.api.call((c, o) => c.beta.dreams.create(params, o));
      return result(await follow(ctx, d, a.wait_s ?? 0), 'Created');
    },
  }),

  defineTool({
    name: 'get_dream',
    title: 'Get a dream',
    description: "A dream's status, output memory store and token usage; wait_s follows it to its end.",
    toolset: 'memory',
    kind: 'read',
    input: { dream_id: dreamId, wait_s: waitInput },
    output: dreamOut,
    handler: async (a, ctx) => {
      const d = await ctx.api.call((c, o) => c.beta.dreams.retrieve(a.dream_id, {}, o));
      return result(await follow(ctx, d, a.wait_s ?? 0), 'Read');
    },
  }),

  defineTool({
    name: 'list_dreams',
    title: 'List dreams',
    description: 'List dreams (newest first) with their status and output store.',
    toolset: 'memory',
    kind: 'read',
    input: {
      statuses: z
        .array(z.enum(['pending', 'running', 'completed', 'failed', 'canceled']))
        .max(5)
        .optional()
        .describe('Only these statuses.'),
      include_archived: z.boolean().optional().describe('Include archived dreams (default false).'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: { dreams: z.array(z.object(dreamOut)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) =>
        c.beta.dreams.list(compact({ statuses: a.statuses, include_archived: a.include_archived, limit: a.limit, page: a.page }), o),
      );
      const dreams = page.data.map(summary);
      return listResult(
        'dreams',
        dreams,
        page.next_page,
        `${dreams.length} dream(s)`,
        (d) => `${d.dream_id}  ${d.status}${d.output_memory_store_id ? `  → ${d.output_memory_store_id}` : ''}${d.archived ? ' [archived]' : ''}`,
      );
    },
  }),

  defineTool({
    name: 'cancel_dream',
    title: 'Cancel a dream',
    description: 'Stop a pending or running dream; a finished one is left as it is. Its output store keeps what it wrote.',
    toolset: 'memory',
    kind: 'delete',
    input: { dream_id: dreamId },
    output: stateOut,
    handler: async (a, ctx) => stateResult(await ctx.api.call((c, o) => c.beta.dreams.cancel(a.dream_id, {}, o))),
  }),

  defineTool({
    name: 'archive_dream',
    title: 'Archive a dream',
    description: 'Archive a dream (hidden from list_dreams; its output store stays).',
    toolset: 'memory',
    kind: 'delete',
    input: { dream_id: dreamId },
    output: stateOut,
    handler: async (a, ctx) => stateResult(await ctx.api.call((c, o) => c.beta.dreams.archive(a.dream_id, {}, o))),
  }),
];
