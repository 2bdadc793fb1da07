/**
 * Cursor pagination (docs/api-behaviour.md, "Pagination"). `next_page` must be null on the last page: the SDK keeps paging
 * while it is truthy, even on an empty page. Cursors are opaque base64url JSON; list cursors are
 * keyset cursors over the (monotonic) id, so deleting or adding items never skips or repeats one.
 */
import { badRequest, type Query } from './http.js';

export type Order = 'asc' | 'desc';

export function encodeCursor(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(page: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(page, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw badRequest(`page: invalid cursor '${page.slice(0, 40)}'`);
}

interface KeyCursor {
  k: string;
  d: 'n' | 'p';
  o: Order;
}

const isKeyCursor = (v: unknown): v is KeyCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as KeyCursor).k === 'string' &&
  ((v as KeyCursor).d === 'n' || (v as KeyCursor).d === 'p') &&
  ((v as KeyCursor).o === 'asc' || (v as KeyCursor).o === 'desc');

export interface PageOut<T> {
  data: T[];
  next_page: string | null;
  prev_page?: string | null;
}

export interface ListParams {
  limit: number;
  page?: string;
  order: Order;
}

/** Standard `limit` (1..max, default `def`), `page` and `order` params. */
export function listParams(query: Query, opts: { defaultLimit?: number; maxLimit?: number; defaultOrder?: Order } = {}): ListParams {
  const max = opts.maxLimit ?? 100;
  const limit = query.int('limit', 1, max) ?? Math.min(opts.defaultLimit ?? 20, max);
  const order = query.enumOf('order', ['asc', 'desc'] as const) ?? opts.defaultOrder ?? 'desc';
  const page = query.get('page') || undefined;
  return { limit, page, order };
}

/**
 * Pages `itemsAsc` (sorted ascending by `key`). With `bidirectional`, `prev_page` is returned too
 * (sessions.list, a BidirectionalPageCursor).
 */
export function paginate<T>(itemsAsc: readonly T[], key: (item: T) => string, params: ListParams, bidirectional = false): PageOut<T> {
  let order = params.order;
  let cursor: KeyCursor | undefined;
  if (params.page) {
    cursor = decodeCursor(params.page, isKeyCursor);
    order = cursor.o;
  }
  const ordered = order === 'asc' ? itemsAsc : [...itemsAsc].reverse();
  const after = (a: string, b: string) => (order === 'asc' ? a > b : a < b);
  let start = 0;
  let end = Math.min(params.limit, ordered.length);
  if (cursor) {
    const k = cursor.k;
    let pos = ordered.findIndex((item) => after(key(item), k));
    if (pos < 0) pos = ordered.length;
    if (cursor.d === 'n') {
      start = pos;
      end = Math.min(pos + params.limit, ordered.length);
    } else {
      // prev: the page that ends just before the item with key k
      let stop = ordered.findIndex((item) => !after(k, key(item)));
      if (stop < 0) stop = ordered.length;
      end = stop;
      start = Math.max(0, stop - params.limit);
    }
  }
  const data = ordered.slice(start, end);
  const next_page = end < ordered.length && data.length > 0 ? encodeCursor({ k: key(ordered[end - 1]!), d: 'n', o: order }) : null;
  const out: PageOut<T> = { data, next_page };
  if (bidirectional) {
    out.prev_page = start > 0 && start < ordered.length ? encodeCursor({ k: key(ordered[start]!), d: 'p', o: order }) : null;
  }
  return out;
}

/** The fields the shared list filters read. */
export interface Listed {
  id: string;
  created_at: string;
  archived_at?: string | null;
}

export type CreatedBound = 'gt' | 'gte' | 'lt' | 'lte';

const inBound: Record<CreatedBound, (t: number, b: number) => boolean> = {
  gt: (t, b) => t > b,
  gte: (t, b) => t >= b,
  lt: (t, b) => t < b,
  lte: (t, b) => t <= b,
};

/**
 * A resource list (agents, environments, sessions, vaults, credentials, memory stores): drops
 * archived items unless `include_archived`, keeps those inside the `created_at[...]` bounds the
 * route accepts (only the ones its SDK `*ListParams` names), then the route's own `where`, and
 * pages the rest by id. `itemsAsc` must be sorted ascending by id.
 */
export function listPage<T>(
  query: Query,
  itemsAsc: readonly T[],
  record: (item: T) => Listed,
  opts: { bounds?: readonly CreatedBound[]; where?: (item: T) => boolean; defaultOrder?: Order; bidirectional?: boolean } = {},
): PageOut<T> {
  const lp = listParams(query, { defaultOrder: opts.defaultOrder });
  const includeArchived = query.bool('include_archived') ?? false;
  const bounds = (opts.bounds ?? []).flatMap((b) => {
    const v = query.time(`created_at[${b}]`);
    return v === undefined ? [] : [{ test: inBound[b], v }];
  });
  const items = itemsAsc.filter((item) => {
    const r = record(item);
    if (!includeArchived && r.archived_at) return false;
    const t = Date.parse(r.created_at);
    if (!bounds.every((b) => b.test(t, b.v))) return false;
    return opts.where?.(item) ?? true;
  });
  return paginate(items, (item) => record(item).id, lp, opts.bidirectional);
}
