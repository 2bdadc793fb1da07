import { z } from 'zod';
import { ToolError } from '../api/errors.js';
import { fenced, quoted } from '../format/fence.js';
import { compact, defineTool, freeObject, idSchema, limitSchema, listResult, pageSchema, sessionId } from './support/define.js';
import { Collector } from './events.js';

const threadId = idSchema('thread_id', 'sthr_…').describe('Thread id (sthr_…), from list_threads.');
const resourceId = idSchema('resource_id', 'sesrsc_…').describe('Resource id (sesrsc_…), from list_session_resources.');

/**
 * A thread-events cursor. The API's thread events page with limit and page only, so a page the
 * output cap cut short resumes at the same API page, skipping what was shown: `<api page>#<skip>`.
 */
function parseCursor(page: string | undefined): { page?: string; skip: number } {
  if (!page) return { skip: 0 };
  const m = /^(.*)#(\d+)$/.exec(page);
  if (!m) return { page, skip: 0 };
  return { page: m[1] || undefined, skip: Number(m[2]) };
}

/** One line per resource; the agent-independent fields only (a repository's token is never returned). */
function summarizeResource(r: Record<string, unknown>) {
  return compact({
    resource_id: typeof r.id === 'string' ? r.id : undefined,
    type: String(r.type),
    file_id: r.file_id as string | undefined,
    url: r.url as string | undefined,
    memory_store_id: r.memory_store_id as string | undefined,
    mount_path: (r.mount_path as string | null | undefined) ?? undefined,
    access: (r.access as string | null | undefined) ?? undefined,
  });
}
type ResourceSummary = ReturnType<typeof summarizeResource>;
const resourceLine = (r: ResourceSummary) =>
  `${r.resource_id ?? '(no id)'} ${r.type} ${r.file_id ?? (r.url ? quoted(r.url) : (r.memory_store_id ?? ''))} → ${r.mount_path ? quoted(r.mount_path) : '?'}${r.access ? ` (${r.access})` : ''}`;

const resourceShape = {
  resource_id: z.string().optional().describe('Absent for memory stores: they stay attached for the session.'),
  type: z.string(),
  file_id: z.string().optional(),
  url: z.string().optional(),
  memory_store_id: z.string().optional(),
  mount_path: z.string().optional(),
  access: z.string().optional(),
};

export const sessionPartTools = [
  defineTool({
    name: 'list_thread_events',
    title: "List one thread's events",
    description: "Read one session thread's events (from list_threads), oldest first: one line per event, paged.",
    toolset: 'sessions',
    kind: 'read',
    input: {
      session_id: sessionId,
      thread_id: threadId,
      limit: limitSchema(200, 50),
      page: pageSchema,
      view: z.enum(['compact', 'full']).optional().describe('compact lines (default) or full JSON.'),
    },
    output: {
      events: z.union([z.array(z.string()), z.array(freeObject())]),
      count: z.number(),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const limit = a.limit;
      const view = a.view ?? 'compact';
      const at = parseCursor(a.page);
      // The API pages at most 1000 events: a cursor deeper into one page than that is not ours.
      if (at.skip + limit > 1000)
        throw new ToolError(`page '${a.page}' is not a cursor this tool returned.`, 'Pass next_page exactly as returned, or use view=compact.');
      const res = await ctx.api.call((c, o) =>
        c.beta.sessions.threads.events.list(a.thread_id, compact({ session_id: a.session_id, limit: limit + at.skip, page: at.page }), o),
      );
      const col = new Collector(view, Math.floor(ctx.config.maxOutputChars * 0.8));
      const rest = res.data.slice(at.skip, at.skip + limit);
      let shown = 0;
      for (const ev of rest) {
        if (!col.add(ev as never)) break;
        shown++;
      }
      // Cut short by the output cap: resume inside this API page.
      const next = shown < rest.length ? `${at.page ?? ''}#${at.skip + shown}` : (res.next_page ?? undefined);
      const structured = {
        events: col.items as string[] | Record<string, unknown>[],
        count: col.items.length,
        ...compact({ next_page: next }),
      };
      return {
        structured,
        text: [
          `${col.items.length} event(s) of thread ${a.thread_id}`,
          ...(col.lines.length ? [fenced('thread events', col.lines.join('\n'))] : []),
          ...(next ? [`more: page=${next}`] : []),
        ].join('\n'),
      };
    },
  }),

  defineTool({
    name: 'list_session_resources',
    title: 'List session resources',
    description: 'List the files, repositories and memory stores mounted in a session, with the ids remove_session_resource takes.',
    toolset: 'sessions',
    kind: 'read',
    input: { session_id: sessionId, limit: limitSchema(100, 20), page: pageSchema },
    output: { resources: z.array(z.object(resourceShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.sessions.resources.list(a.session_id, compact({ limit: a.limit, page: a.page }), o));
      const items = page.data.map((r) => summarizeResource(r as unknown as Record<string, unknown>));
      return listResult('resources', items, page.next_page, `${items.length} resource(s) of ${a.session_id}`, resourceLine);
    },
  }),

  defineTool({
    name: 'add_session_resource',
    bounded: true,
    title: 'Mount a file in a session',
    description:
      'Mount an uploaded file (file_id from list_files) in a session, also while it runs. The API adds only files mid-session: repositories and memory stores are given to start_session.',
    toolset: 'sessions',
    kind: 'create',
    input: {
      session_id: sessionId,
      file_id: idSchema('file_id', 'file_…').describe('File id (file_…).'),
      mount_path: z.string().min(1).max(1024).optional().describe('Where the agent sees it (default /mnt/session/uploads/<file_id>).'),
    },
    output: resourceShape,
    handler: async (a, ctx) => {
      const r = await ctx.api.call((c, o) =>
        c.beta.sessions.resources.add(a.session_id, compact({ type: 'file' as const, file_id: a.file_id, mount_path: a.mount_path }), o),
      );
      const s = summarizeResource(r as unknown as Record<string, unknown>);
      return { structured: s, text: `Mounted ${resourceLine(s)} in ${a.session_id}.` };
    },
  }),

  defineTool({
    name: 'remove_session_resource',
    bounded: true,
    title: 'Remove a session resource',
    description: 'Unmount a file or repository from a session (the file itself is kept). Ids from list_session_resources.',
    toolset: 'sessions',
    kind: 'delete',
    input: { session_id: sessionId, resource_id: resourceId },
    output: { resource_id: z.string(), removed: z.boolean() },
    handler: async (a, ctx) => {
      const r = await ctx.api.call((c, o) => c.beta.sessions.resources.delete(a.resource_id, { session_id: a.session_id }, o));
      return { structured: { resource_id: r.id, removed: true }, text: `Removed ${r.id} from ${a.session_id}.` };
    },
  }),
];
