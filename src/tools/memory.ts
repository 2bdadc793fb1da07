import { z } from 'zod';
import type { Memory, MemoryListItem, MemoryStore, MemoryVersion } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { fenced, quoted } from '../format/fence.js';
import { compact, defineTool, idSchema, limitSchema, metadataSchema, pageSchema, listResult, rfc3339 } from './support/define.js';
import { redactedHead } from '../log.js';

const storeId = idSchema('memory_store_id', 'memstore_01…').describe('Memory store id (memstore_…), from list_memory_stores.');
const memoryId = idSchema('memory_id', 'mem_01…').describe('Memory id (mem_…), from list_memories.');
const sha256 = z
  .string()
  .max(64)
  .refine((v) => /^[0-9a-f]{64}$/.test(v), 'expected 64 lowercase hex characters (content_sha256 from get_memory)');

/** Characters of memory content a result carries at most; the rest is cut with a marker. */
// Within the default output cap (12,000 characters a half: docs/clients.md) with the other fields.
export const MAX_CONTENT_CHARS = 10_000;

const memoryPath = z
  .string()
  .min(2)
  .max(1024)
  .refine((p) => /^\/[^/]/.test(p) && !p.endsWith('/') && !p.includes('//'), 'path must look like /notes/todo.md (starts with /, no trailing /)');

function storeSummary(s: MemoryStore) {
  return compact({
    memory_store_id: s.id,
    name: s.name,
    description: s.description || undefined,
    archived: s.archived_at ? true : undefined,
  });
}

/** Memory paths are quoted whole in text (the API allows 1,024 characters), so a path_prefix hint is usable as shown. */
const PATH_CHARS = 1024;
const quotedPath = (p: string) => quoted(p, PATH_CHARS);

/**
 * One memory as a list line ("mem_… "/path" 120 B sha256 3fa2b1c04d5e", or a "/dir/" prefix line). The path is the agent's (it names what it writes): the text shows it
 * quoted (`show`), the structured result as the API gave it (docs/security.md).
 */
function memoryLine(m: MemoryListItem, show: (path: string) => string = (p) => p): string {
  if (m.type === 'memory_prefix') return `${show(m.path)} (more below: list_memories path_prefix=${quotedPath(m.path)})`;
  return `${m.id} ${show(m.path)} ${m.content_size_bytes} B sha256 ${m.content_sha256.slice(0, 12)}`;
}

/** Memory content as a result carries it: at most MAX_CONTENT_CHARS, the rest cut with a marker. */
function clip(full: string): { content: string; clipped: boolean } {
  const clipped = full.length > MAX_CONTENT_CHARS;
  const content = clipped
    ? `${redactedHead(full, MAX_CONTENT_CHARS)}\n[… clipped: ${(full.length - MAX_CONTENT_CHARS).toLocaleString('en')} more characters not shown]`
    : full;
  return { content, clipped };
}

/** Who wrote a memory version, in one token: "api_key apikey_…", "session sesn_…", … */
function author(v: MemoryVersion): string | undefined {
  const a = v.created_by;
  if (!a) return undefined;
  switch (a.type) {
    case 'api_actor':
      return `api_key ${a.api_key_id}`;
    case 'session_actor':
      return `session ${a.session_id}`;
    case 'user_actor':
      return `user ${a.user_id}`;
    case 'service_account_actor':
      return `service_account ${a.service_account_id}`;
    default:
      return (a as { type?: string }).type;
  }
}

function versionSummary(v: MemoryVersion) {
  return compact({
    memory_version_id: v.id,
    memory_id: v.memory_id,
    operation: v.operation,
    path: v.path ?? undefined,
    size_bytes: v.content_size_bytes ?? undefined,
    content_sha256: v.content_sha256 ?? undefined,
    by: author(v),
    created_at: v.created_at,
    redacted: v.redacted_at ? true : undefined,
  });
}

const versionShape = {
  memory_version_id: z.string(),
  memory_id: z.string(),
  operation: z.string(),
  path: z.string().optional(),
  size_bytes: z.number().optional(),
  content_sha256: z.string().optional(),
  by: z.string().optional(),
  created_at: z.string(),
  redacted: z.boolean().optional(),
};

function writeResult(m: Memory, verb: string) {
  const structured = {
    memory_id: m.id,
    path: m.path,
    size_bytes: m.content_size_bytes,
    content_sha256: m.content_sha256,
  };
  return { structured, text: `${verb} memory ${m.id} at ${quotedPath(m.path)} (${m.content_size_bytes} B, sha256 ${m.content_sha256}).` };
}

export const memoryTools = [
  defineTool({
    name: 'list_memory_stores',
    title: 'List memory stores',
    description: 'List memory stores (persistent files agents read and write across sessions): id, name, description.',
    toolset: 'memory',
    kind: 'read',
    input: {
      limit: limitSchema(100, 20),
      page: pageSchema,
      include_archived: z.boolean().optional().describe('Include archived stores (default false).'),
    },
    output: {
      memory_stores: z.array(z.object({ memory_store_id: z.string(), name: z.string(), description: z.string().optional(), archived: z.boolean().optional() })),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.memoryStores.list(compact({ limit: a.limit, page: a.page, include_archived: a.include_archived }), o));
      const stores = page.data.map(storeSummary);
      return listResult(
        'memory_stores',
        stores,
        page.next_page,
        `${stores.length} memory store(s)`,
        (s) => `${s.memory_store_id}  ${s.name}${s.description ? ` — ${s.description}` : ''}${s.archived ? ' [archived]' : ''}`,
      );
    },
  }),

  defineTool({
    name: 'create_memory_store',
    bounded: true,
    title: 'Create a memory store',
    description: 'Create a memory store: files an agent keeps across sessions.',
    toolset: 'memory',
    kind: 'create',
    input: {
      name: z.string().min(1).max(255).describe('Store name.'),
      description: z.string().max(1024).optional().describe('What it holds.'),
      metadata: metadataSchema,
    },
    output: { memory_store_id: z.string(), name: z.string(), hint: z.string() },
    handler: async (a, ctx) => {
      const s = await ctx.api.call((c, o) => c.beta.memoryStores.create(compact({ name: a.name, description: a.description, metadata: a.metadata }), o));
      const hint = `Attach it with start_session resources [{"type":"memory_store","memory_store_id":"${s.id}"}]; write_memory seeds it.`;
      return { structured: { memory_store_id: s.id, name: s.name, hint }, text: `Created memory store ${s.id} ${quoted(s.name, 120)}.\n${hint}` };
    },
  }),

  defineTool({
    name: 'list_memories',
    title: 'List memories',
    description: 'List memories in a store, by path: one line each with id, path, size and sha256 prefix.',
    toolset: 'memory',
    kind: 'read',
    input: {
      memory_store_id: storeId,
      path_prefix: z
        .string()
        .max(1024)
        .refine((p) => p.startsWith('/') && p.endsWith('/'), 'path_prefix must start and end with / (e.g. /notes/)')
        .optional()
        .describe('Only paths under this, e.g. "/notes/".'),
      depth: z.int().min(0).max(20).optional().describe('1 = direct children plus folder lines; 0 = all (default).'),
      limit: limitSchema(100, 50),
      page: pageSchema,
    },
    output: { memories: z.array(z.string()), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) =>
        c.beta.memoryStores.memories.list(
          a.memory_store_id,
          compact({ limit: a.limit, page: a.page, path_prefix: a.path_prefix, depth: a.depth, view: 'basic' as const }),
          o,
        ),
      );
      const head = `${page.data.length} item(s) in ${a.memory_store_id}`;
      const { structured } = listResult(
        'memories',
        page.data.map((m) => memoryLine(m)),
        page.next_page,
        head,
        String,
      );
      return {
        structured,
        text: listResult(
          'memories',
          page.data.map((m) => memoryLine(m, quotedPath)),
          page.next_page,
          head,
          String,
        ).text,
      };
    },
  }),

  defineTool({
    name: 'get_memory',
    title: 'Read a memory',
    description: `Read one memory's content (clipped at ${MAX_CONTENT_CHARS.toLocaleString('en')} characters) and its content_sha256.`,
    toolset: 'memory',
    kind: 'read',
    input: { memory_store_id: storeId, memory_id: memoryId },
    output: {
      memory_id: z.string(),
      path: z.string(),
      size_bytes: z.number(),
      content_sha256: z.string(),
      content: z.string().optional(),
      clipped: z.boolean().optional(),
    },
    handler: async (a, ctx) => {
      const m = await ctx.api.call((c, o) => c.beta.memoryStores.memories.retrieve(a.memory_id, { memory_store_id: a.memory_store_id, view: 'full' }, o));
      const { content, clipped } = clip(m.content ?? '');
      const structured = compact({
        memory_id: m.id,
        path: m.path,
        size_bytes: m.content_size_bytes,
        content_sha256: m.content_sha256,
        content: content === '' ? undefined : content,
        clipped: clipped || undefined,
      });
      return {
        structured,
        text: `${m.id} ${quotedPath(m.path)} (${m.content_size_bytes} B, sha256 ${m.content_sha256})\n${fenced('memory content', content)}`,
      };
    },
  }),

  defineTool({
    name: 'write_memory',
    bounded: true,
    title: 'Write a memory',
    description:
      'Create a memory at path, or with memory_id replace its content (and path). expected_sha256 makes the update apply only if ' +
      'the memory is unchanged since you read it.',
    toolset: 'memory',
    kind: 'update',
    input: {
      memory_store_id: storeId,
      path: memoryPath.describe('e.g. /notes/todo.md.'),
      content: z
        .string()
        .max(102_400)
        .refine((c) => Buffer.byteLength(c, 'utf8') <= 102_400, 'content: at most 102,400 bytes')
        .describe('Full new content (≤ 100 KB).'),
      memory_id: memoryId.optional().describe('Update this memory (mem_…) instead of creating one.'),
      expected_sha256: sha256.optional().describe('With memory_id: its content_sha256 from get_memory.'),
    },
    output: { memory_id: z.string(), path: z.string(), size_bytes: z.number(), content_sha256: z.string() },
    handler: async (a, ctx) => {
      if (!a.memory_id) {
        if (a.expected_sha256) throw new ToolError('expected_sha256 applies to an update only.', 'Pass memory_id too, or drop expected_sha256.');
        const m = await ctx.api.call((c, o) => c.beta.memoryStores.memories.create(a.memory_store_id, { path: a.path, content: a.content }, o));
        return writeResult(m, 'Created');
      }
      const m = await ctx.api.call((c, o) =>
        c.beta.memoryStores.memories.update(
          a.memory_id!,
          {
            memory_store_id: a.memory_store_id,
            path: a.path,
            content: a.content,
            ...(a.expected_sha256 ? { precondition: { type: 'content_sha256' as const, content_sha256: a.expected_sha256 } } : {}),
          },
          o,
        ),
      );
      return writeResult(m, 'Updated');
    },
  }),

  defineTool({
    name: 'delete_memory',
    bounded: true,
    title: 'Delete a memory',
    description: 'Delete a memory from its store (memories cannot be archived; past versions are kept for a while).',
    toolset: 'memory',
    kind: 'delete',
    input: { memory_store_id: storeId, memory_id: memoryId },
    output: { memory_id: z.string(), deleted: z.boolean() },
    handler: async (a, ctx) => {
      const r = await ctx.api.call((c, o) => c.beta.memoryStores.memories.delete(a.memory_id, { memory_store_id: a.memory_store_id }, o));
      const id = r?.id ?? a.memory_id;
      return { structured: { memory_id: id, deleted: true }, text: `Deleted memory ${id}.` };
    },
  }),

  defineTool({
    name: 'list_memory_versions',
    title: 'List memory versions',
    description:
      'The change history of a memory store (newest first): one version per create, modify or delete of a memory, with who wrote it. ' +
      'Versions outlive deleted memories; get_memory_version reads one.',
    toolset: 'memory',
    kind: 'read',
    input: {
      memory_store_id: storeId,
      memory_id: memoryId.optional().describe('Only this memory (mem_…), also after it was deleted.'),
      operation: z.enum(['created', 'modified', 'deleted']).optional().describe('Only this kind of change.'),
      session_id: idSchema('session_id', 'sesn_01…').optional().describe('Only versions written by this session (sesn_…).'),
      created_after: rfc3339.optional().describe('Only versions at or after this time (RFC 3339).'),
      created_before: rfc3339.optional().describe('Only versions at or before this time (RFC 3339).'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: { versions: z.array(z.object(versionShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const params = compact({
        memory_id: a.memory_id,
        operation: a.operation,
        session_id: a.session_id,
        'created_at[gte]': a.created_after,
        'created_at[lte]': a.created_before,
        limit: a.limit,
        page: a.page,
        view: 'basic' as const,
      });
      const page = await ctx.api.call((c, o) => c.beta.memoryStores.memoryVersions.list(a.memory_store_id, params, o));
      const versions = page.data.map(versionSummary);
      return listResult(
        'versions',
        versions,
        page.next_page,
        `${versions.length} version(s) in ${a.memory_store_id}`,
        (v) =>
          `${v.memory_version_id}  ${v.created_at}  ${v.operation}  ${v.memory_id} ${v.path === undefined ? '(redacted)' : quotedPath(v.path)}` +
          `${v.size_bytes !== undefined ? ` ${v.size_bytes} B` : ''}${v.by ? `  by ${v.by}` : ''}`,
      );
    },
  }),

  defineTool({
    name: 'get_memory_version',
    title: 'Read a memory version',
    description: `Read one past version of a memory: its content then (clipped at ${MAX_CONTENT_CHARS.toLocaleString('en')} characters), path and author.`,
    toolset: 'memory',
    kind: 'read',
    input: {
      memory_store_id: storeId,
      memory_version_id: idSchema('memory_version_id', 'memver_01…').describe('Version id (memver_…), from list_memory_versions.'),
    },
    output: { ...versionShape, content: z.string().optional(), clipped: z.boolean().optional() },
    handler: async (a, ctx) => {
      const v = await ctx.api.call((c, o) =>
        c.beta.memoryStores.memoryVersions.retrieve(a.memory_version_id, { memory_store_id: a.memory_store_id, view: 'full' }, o),
      );
      const summary = versionSummary(v);
      const { content, clipped } = clip(v.content ?? '');
      const structured = compact({ ...summary, content: content === '' ? undefined : content, clipped: clipped || undefined });
      const head = `${v.id} ${v.operation} of ${v.memory_id} at ${v.path ? quotedPath(v.path) : '(redacted)'} on ${v.created_at}${summary.by ? ` by ${summary.by}` : ''}`;
      const body = v.redacted_at
        ? `Redacted on ${v.redacted_at}: content and path are gone.`
        : v.operation === 'deleted'
          ? 'The memory was deleted here; the version before this one holds its last content.'
          : fenced('memory content', content);
      return { structured, text: `${head}\n${body}` };
    },
  }),
];
