/**
 * Events: list (history), send, and the live SSE stream (docs/api-behaviour.md, "Events" and "Streaming").
 * events.list must stay fast on 100,000+ events: history is append-only and ordered by
 * processed_at, so time bounds are binary searches and a cursor is just a position.
 */
import { HANDLED, badRequest, notFound, type RouteContext, type Router } from '../wire/http.js';
import { decodeCursor, encodeCursor, listParams, type Order } from '../wire/pagination.js';
import { getSession } from './sessions.js';
import type { Emulator } from './context.js';
import type { StoredEvent } from '../runtime/types.js';
import type { EventLog } from '../runtime/event-log.js';
import { SseConnection } from '../wire/sse.js';
import { parseBody } from '../contract/validate.js';
import { eventsSend, type EventParam } from '../contract/validate-events.js';

export const EVENTS_DEFAULT_LIMIT = 1000;
export const EVENTS_MAX_LIMIT = 1000;

interface PosCursor {
  i: number;
  o: Order;
}
const isPosCursor = (v: unknown): v is PosCursor =>
  typeof v === 'object' &&
  v !== null &&
  Number.isInteger((v as PosCursor).i) &&
  (v as PosCursor).i >= -1 &&
  ((v as PosCursor).o === 'asc' || (v as PosCursor).o === 'desc');

/** First index whose time is ≥ t (strict: > t). */
function bound(times: readonly number[], t: number, strict: boolean): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? times[mid]! <= t : times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function listEvents(rt: Pick<EventLog, 'history' | 'times'>, ctx: Pick<RouteContext, 'query'>, withFilters: boolean) {
  const { query } = ctx;
  const lp = listParams(query, { defaultLimit: EVENTS_DEFAULT_LIMIT, maxLimit: EVENTS_MAX_LIMIT, defaultOrder: 'asc' });
  const { history, times } = rt;
  const n = history.length;
  let lo = 0;
  let hi = n; // exclusive
  let types: Set<string> | undefined;
  let order: Order = withFilters ? lp.order : 'asc';
  if (withFilters) {
    const gt = query.time('created_at[gt]');
    const gte = query.time('created_at[gte]');
    const lt = query.time('created_at[lt]');
    const lte = query.time('created_at[lte]');
    if (gt !== undefined) lo = Math.max(lo, bound(times, gt, true));
    if (gte !== undefined) lo = Math.max(lo, bound(times, gte, false));
    if (lt !== undefined) hi = Math.min(hi, bound(times, lt, false));
    if (lte !== undefined) hi = Math.min(hi, bound(times, lte, true));
    const t = query.getAll('types');
    if (t.length) types = new Set(t);
  }
  let pos: number;
  if (lp.page) {
    const c = decodeCursor(lp.page, isPosCursor);
    order = c.o;
    pos = c.i;
  } else pos = order === 'asc' ? lo : hi - 1;
  const step = order === 'asc' ? 1 : -1;
  const inRange = (i: number) => i >= lo && i < hi;
  const matches = (ev: StoredEvent) => !types || types.has(ev.type);
  const data: StoredEvent[] = [];
  let i = pos;
  for (; inRange(i) && data.length < lp.limit; i += step) {
    const ev = history[i]!;
    if (matches(ev)) data.push(ev);
  }
  // Look ahead for the next match so the last page reliably has next_page: null.
  while (inRange(i) && !matches(history[i]!)) i += step;
  const next_page = inRange(i) ? encodeCursor({ i, o: order }) : null;
  return { data, next_page };
}

function openStream(emu: Emulator, ctx: RouteContext, rt: EventLog & { terminated: boolean; disposed: boolean }): typeof HANDLED {
  const deltas = ctx.query.getAll('event_deltas');
  for (const d of deltas) {
    if (d !== 'agent.message' && d !== 'agent.thinking') {
      throw badRequest(`event_deltas: expected agent.message or agent.thinking, got '${d}'`);
    }
  }
  const conn = new SseConnection(ctx.res, {
    requestId: ctx.requestId,
    pingIntervalMs: emu.state.settings.readings.pings === 'off' ? 0 : emu.state.settings.pingIntervalMs,
    deltas: new Set(deltas),
    fault: ctx.streamFault,
    onClose: (c) => rt.removeStream(c),
  });
  conn.start();
  if (rt.terminated || rt.disposed) {
    // A terminated session has nothing more to say: the stream closes right away (docs/api-behaviour.md, "Streaming").
    conn.end();
    return HANDLED;
  }
  rt.addStream(conn);
  return HANDLED;
}

/**
 * An image or document sent by file id must name a stored file of a matching type: the Files API
 * documents 404 for an unknown id and 400 for a type that does not fit the block (images: JPEG,
 * PNG, GIF, WebP; documents: PDF, plain text). Both are answered 400 here, like an unknown file
 * resource on session create (routes/sessions.ts).
 */
function checkFileRefs(emu: Emulator, events: EventParam[]): void {
  events.forEach((e, i) => {
    if (e.type !== 'user.message') return;
    e.content.forEach((b, j) => {
      if ((b.type !== 'image' && b.type !== 'document') || b.source.type !== 'file') return;
      const where = `events[${i}].content[${j}].source.file_id`;
      const f = emu.state.files.get(b.source.file_id);
      if (!f) throw badRequest(`${where}: file '${b.source.file_id}' not found`);
      const fits = b.type === 'image' ? IMAGE_TYPES.includes(f.meta.mime_type) : DOCUMENT_TYPES.includes(f.meta.mime_type);
      if (!fits)
        throw badRequest(`${where}: file '${f.meta.id}' is ${f.meta.mime_type}, which a${b.type === 'image' ? 'n image' : ' document'} block does not take`);
    });
  });
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const DOCUMENT_TYPES = ['application/pdf', 'text/plain'];

export function registerEventRoutes(router: Router, emu: Emulator): void {
  router.add('GET', '/v1/sessions/:id/events', 'managed', (ctx) => listEvents(getSession(emu, ctx.params.id!), ctx, true));

  router.add('POST', '/v1/sessions/:id/events', 'managed', ({ params, body }) => {
    const rt = getSession(emu, params.id!);
    const p = parseBody('events.send', eventsSend, body);
    checkFileRefs(emu, p.events);
    return { data: rt.send(p.events) };
  });

  router.add('GET', '/v1/sessions/:id/events/stream', 'managed', (ctx) => openStream(emu, ctx, getSession(emu, ctx.params.id!)), { stream: true });

  const thread = (sid: string, tid: string) => {
    const t = getSession(emu, sid).threadLog(tid);
    if (!t) throw notFound('session thread', tid);
    return t;
  };

  // Thread events: limit and page only (SDK resources/beta/sessions/threads/events.d.ts). The primary thread carries the session's events;
  // a subagent thread its own (docs/multi-agent.md).
  router.add('GET', '/v1/sessions/:sid/threads/:tid/events', 'managed', (ctx) => listEvents(thread(ctx.params.sid!, ctx.params.tid!), ctx, false));

  router.add('GET', '/v1/sessions/:sid/threads/:tid/stream', 'managed', (ctx) => openStream(emu, ctx, thread(ctx.params.sid!, ctx.params.tid!)), {
    stream: true,
  });
}
