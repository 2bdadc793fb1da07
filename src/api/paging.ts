/**
 * The one way this server walks a paged list (docs/bounds.md).
 *
 * The SDK's own auto-paging follows `next_page` for as long as the API returns one: an upstream
 * whose cursor points at itself, or hands out a fresh cursor on every (empty or one-item) page,
 * keeps it going forever. Every walk here goes through `walkPages`, which stops with a clear
 * error when a cursor repeats, when the call's page budget is spent, or when the call's deadline
 * passes — checked before every request. A budget may be shared by the walks of one call.
 */
import { createHash } from 'node:crypto';
import { ToolError } from './errors.js';

/** Pages one call may read across all its walks, unless the caller says otherwise. */
export const MAX_PAGES_PER_CALL = 200;
/** How long the walks of a call without a timeout of its own may take. */
export const WALK_DEADLINE_MS = 30_000;

export interface Paged<T> {
  data: T[];
  next_page?: string | null;
}

export class PageBudget {
  pages = 0;
  constructor(
    readonly maxPages = MAX_PAGES_PER_CALL,
    readonly deadline = Date.now() + WALK_DEADLINE_MS,
  ) {}
}

/** A page walk stopped at a bound: what happened, and what to do. */
export class PageLimitError extends ToolError {}

export interface WalkOptions {
  /** What is being listed, for the error ("the event history of sesn_…"). */
  what: string;
  budget: PageBudget;
  /** What the caller should do when the page cap or the deadline stops the walk. */
  hint: string;
}

/**
 * Yields each page, first page first (`fetch(undefined)`), then `fetch(cursor)` for each
 * `next_page`. Breaking out of the loop stops the walk; a bound throws PageLimitError.
 */
export async function* walkPages<T, P extends Paged<T> = Paged<T>>(fetch: (cursor: string | undefined) => Promise<P>, opts: WalkOptions): AsyncGenerator<P> {
  const { budget, what } = opts;
  // Cursors are opaque and may be long: remember a digest of each.
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let n = 0; ; n++) {
    if (budget.pages >= budget.maxPages) {
      throw new PageLimitError(
        `Stopped reading ${what} after ${budget.pages} pages in one call without reaching its end (limit ${budget.maxPages}).`,
        opts.hint,
      );
    }
    if (Date.now() >= budget.deadline) {
      throw new PageLimitError(`Stopped reading ${what}: the call's time ran out after ${budget.pages} pages.`, opts.hint);
    }
    budget.pages++;
    const page = await fetch(cursor);
    yield page;
    const next = page.next_page || undefined;
    if (!next) return;
    const key = createHash('sha1').update(next).digest('base64');
    if (seen.has(key)) {
      throw new PageLimitError(
        `Stopped reading ${what}: the API returned a next_page cursor it had already returned (page ${n + 2}), so its paging loops.`,
        'Retry later; if it persists, the API (or a proxy in front of it, see --base-url) is misbehaving.',
      );
    }
    seen.add(key);
    cursor = next;
  }
}
