import { z } from 'zod';
import type { EventListParams, SessionEvent } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { PageBudget, walkPages } from '../api/paging.js';
import { eventLine } from '../format/events.js';
import { fenced } from '../format/fence.js';
import { compact, defineTool, idSchema, limitSchema, pageSchema, sessionId, type ToolContext, freeObject } from './support/define.js';
import { redactedHead } from '../log.js';

type SdkEventType = NonNullable<EventListParams['types']>[number];

/** Every value of the SDK's `BetaManagedAgentsSessionEventType` (docs/api-behaviour.md, "Events"). */
export const EVENT_TYPES = [
  'user.message',
  'user.interrupt',
  'user.tool_confirmation',
  'user.custom_tool_result',
  'user.tool_result',
  'user.define_outcome',
  'system.message',
  'agent.message',
  'agent.thinking',
  'agent.tool_use',
  'agent.tool_result',
  'agent.mcp_tool_use',
  'agent.mcp_tool_result',
  'agent.custom_tool_use',
  'agent.thread_message_sent',
  'agent.thread_message_received',
  'agent.thread_context_compacted',
  'session.status_running',
  'session.status_idle',
  'session.status_rescheduled',
  'session.status_terminated',
  'session.error',
  'session.updated',
  'session.usage',
  'session.thread_created',
  'session.thread_status_running',
  'session.thread_status_idle',
  'session.thread_status_rescheduled',
  'session.thread_status_terminated',
  'span.model_request_start',
  'span.model_request_end',
  'span.outcome_evaluation_start',
  'span.outcome_evaluation_ongoing',
  'span.outcome_evaluation_end',
  'workflow_run.created',
  'workflow_run.status_running',
  'workflow_run.status_idle',
  'workflow_run.status_ended',
  'workflow_run.error',
  'workflow_run.phase_started',
  'workflow_run.phase_ended',
] as const satisfies readonly SdkEventType[];

/** Fails to compile if the SDK gains an event type this list lacks. */
type AssertNever<T extends never> = T;
export type EventTypesMissingFromList = AssertNever<Exclude<SdkEventType, (typeof EVENT_TYPES)[number]>>;

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

const eventType = z
  .string()
  .max(64)
  .superRefine((t, issue) => {
    if (EVENT_TYPE_SET.has(t)) return;
    const tail = t.split('.').pop() ?? t;
    const near = EVENT_TYPES.filter((k) => k.includes(tail));
    issue.addIssue({
      code: 'custom',
      message: `unknown event type "${t}". ${near.length ? `Did you mean ${near.join(', ')}?` : `Known: ${EVENT_TYPES.join(', ')}.`}`,
    });
  });

/** History pages fetched while scanning for after_event_id (the API accepts up to 1000, as its own runner uses). */
const SCAN_PAGE = 1000;
/** Bound on the events scanned for one after_event_id call. */
export const MAX_SCAN = 20_000;
/** A full-view event bigger than this (JSON chars) has its largest strings clipped. */
export const FULL_EVENT_MAX = 4000;
/** Never clip a string below this many characters. */
const MIN_KEEP = 200;
/** Rough JSON size of the result's fixed fields, counted against the budget up front. */
const OVERHEAD = 400;

const jsonSize = (v: unknown) => JSON.stringify(v)?.length ?? 0;

/**
 * Clips the largest strings of `value` (a copy) until its JSON fits `max`, each with an explicit
 * "…[clipped N chars]" marker. Strings under MIN_KEEP are left alone, so a result may stay over
 * `max` when the bulk is structure; the global cap (format/cap.ts) still bounds the whole result.
 */
export function clipLargeStrings<T>(value: T, max: number): T {
  let size = jsonSize(value);
  if (size <= max) return value;
  const copy = structuredClone(value);
  const slots: { holder: any; key: string | number; len: number }[] = [];
  const visit = (holder: any, key: string | number, v: unknown) => {
    if (typeof v === 'string') {
      if (v.length > MIN_KEEP) slots.push({ holder, key, len: v.length });
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) visit(v, Array.isArray(v) ? Number(k) : k, child);
    }
  };
  visit({ root: copy }, 'root', copy);
  slots.sort((x, y) => y.len - x.len);
  for (const s of slots) {
    if (size <= max) break;
    const str = s.holder[s.key] as string;
    // Each removed character saves at least one JSON character; 40 leaves room for the marker.
    const keep = Math.max(MIN_KEEP, str.length - (size - max) - 40);
    if (keep >= str.length) continue;
    s.holder[s.key] = `${redactedHead(str, keep)}…[clipped ${str.length - keep} chars]`;
    size = jsonSize(copy);
  }
  return copy;
}

type Item = string | Record<string, unknown>;

/** Accumulates rendered events while the result stays within its share of the output cap. */
export class Collector {
  readonly items: Item[] = [];
  readonly lines: string[] = [];
  lastIncluded: string | undefined;
  capped = false;
  private size = OVERHEAD;

  constructor(
    private readonly view: 'compact' | 'full',
    private readonly budget: number,
  ) {}

  /** Adds `ev`, or returns false (and sets `capped`) if it would push the result over budget. */
  add(ev: SessionEvent): boolean {
    const line = eventLine(ev as any);
    const item: Item = this.view === 'compact' ? line : clipLargeStrings(compact(ev) as unknown as Record<string, unknown>, FULL_EVENT_MAX);
    const s = jsonSize(item) + 1;
    // The first event always goes in (clipped, it is small), so every call makes progress.
    if (this.items.length > 0 && this.size + s > this.budget) {
      this.capped = true;
      return false;
    }
    this.items.push(item);
    this.lines.push(line);
    this.size += s;
    this.lastIncluded = ev.id;
    return true;
  }
}

interface Outcome {
  next_page?: string;
  /** Where the next call resumes (after_event_id), when an API cursor cannot. */
  resume?: string;
  note?: string;
}

async function listPage(ctx: ToolContext, session: string, params: EventListParams) {
  return ctx.api.call((c, o) => c.beta.sessions.events.list(session, compact(params), o));
}

/** One API page, as the caller asked for it. */
async function plainList(
  ctx: ToolContext,
  session: string,
  types: SdkEventType[] | undefined,
  limit: number,
  page: string | undefined,
  col: Collector,
): Promise<Outcome> {
  const { apiPage, skip } = readPage(page);
  const res = await listPage(ctx, session, { order: 'asc', limit, page: apiPage, types });
  let taken = 0;
  for (const ev of res.data.slice(skip, limit)) {
    if (!col.add(ev)) break;
    taken++;
  }
  // An API cursor resumes after the whole page: when the cap cut the page short, our own cursor
  // names the same API page and how many of its events were already returned, so paging a long
  // history goes on at one request per call (an event id, also given, would need a scan).
  if (col.capped) return { next_page: pageWithSkip(apiPage, skip + taken), resume: col.lastIncluded };
  return { next_page: res.next_page ?? undefined };
}

/** Our cursor for "this API page, after its first `skip` events": `~skip~apiPage`. */
const SKIP_CURSOR = /^~(\d{1,4})~(.*)$/s;

function pageWithSkip(apiPage: string | undefined, skip: number): string {
  return `~${skip}~${apiPage ?? ''}`;
}

function readPage(page: string | undefined): { apiPage: string | undefined; skip: number } {
  const m = page ? SKIP_CURSOR.exec(page) : null;
  if (!m) return { apiPage: page, skip: 0 };
  return { apiPage: m[2] || undefined, skip: Number(m[1]) };
}

/** The history pages of `session` read with `params`, within the call's page budget and time. */
function scan(ctx: ToolContext, session: string, params: EventListParams, budget: PageBudget) {
  return walkPages((page) => listPage(ctx, session, { ...params, page }), {
    what: `the event history of ${session}`,
    budget,
    hint: 'Use a more recent after_event_id (a last_event_id or next_after_event_id), or page with list_events page=… instead.',
  });
}

/** The processed_at of `id`, looked up from the newest event back (bounded), or undefined. */
async function processedAtOf(ctx: ToolContext, session: string, id: string, budget: PageBudget): Promise<string | undefined> {
  let scanned = 0;
  for await (const { data } of scan(ctx, session, { order: 'desc', limit: SCAN_PAGE }, budget)) {
    const hit = data.find((ev) => ev.id === id);
    if (hit) return hit.processed_at ?? undefined;
    scanned += data.length;
    if (data.length === 0 || scanned >= MAX_SCAN) return undefined;
  }
  return undefined;
}

/**
 * The events after `afterId`. The API has no after-id parameter (docs/api-behaviour.md,
 * "Pagination"), and its `created_at[gte]` filter needs the event's processed_at, which several events
 * can share. So the anchor is first looked up from the newest end (resuming from a recent
 * last_event_id is the common case); its processed_at then starts an ascending read that skips
 * up to and including the anchor. An anchor deeper than MAX_SCAN from the end is searched from
 * the start instead. Reads are unfiltered (with `types` the anchor itself could be filtered out),
 * and types are filtered here. The work is bounded by MAX_SCAN events per direction.
 */
async function listAfter(
  ctx: ToolContext,
  session: string,
  afterId: string,
  types: ReadonlySet<string> | undefined,
  limit: number,
  col: Collector,
): Promise<Outcome> {
  // One budget for both walks: this call reads at most MAX_PAGES_PER_CALL pages in all.
  const budget = new PageBudget();
  const at = await processedAtOf(ctx, session, afterId, budget);
  const from: EventListParams = at ? { 'created_at[gte]': at } : {};
  let scanned = 0;
  let found = false;
  // The last event handled (included, or skipped by the type filter): the next call resumes after it.
  let lastConsumed: string | undefined;
  for await (const res of scan(ctx, session, { ...from, order: 'asc', limit: SCAN_PAGE }, budget)) {
    let full = false;
    for (const ev of res.data) {
      scanned++;
      if (!found) {
        found = ev.id === afterId;
        continue;
      }
      const matches = !types || types.has(ev.type);
      if (full) {
        // Page full: look ahead in what we already hold for one more match, to report more reliably.
        if (matches) return { resume: lastConsumed };
        continue;
      }
      if (matches && !col.add(ev)) return { resume: lastConsumed };
      lastConsumed = ev.id;
      if (col.items.length >= limit) full = true;
    }
    if (!res.next_page) break;
    if (full) return { resume: lastConsumed };
    if (scanned >= MAX_SCAN) {
      if (!found) {
        throw new ToolError(
          `after_event_id ${afterId} is neither among the newest nor the first ${MAX_SCAN} events of ${session}.`,
          'For long histories page with next_page instead (list_events without after_event_id).',
        );
      }
      return {
        resume: lastConsumed ?? afterId,
        note: `Scanned ${MAX_SCAN} events without filling the page; continue with after_event_id=${lastConsumed ?? afterId}.`,
      };
    }
  }
  if (!found) {
    throw new ToolError(
      `after_event_id ${afterId} is not in the history of ${session}.`,
      'Use an event id from an earlier list_events, send_message or wait_for_turn result of this session.',
    );
  }
  return {};
}

export const eventTools = [
  defineTool({
    name: 'list_events',
    title: 'List session events',
    description: "A session's events, oldest first, one line each, paged.",
    toolset: 'core',
    kind: 'read',
    input: {
      session_id: sessionId,
      types: z.array(eventType).min(1).max(EVENT_TYPES.length).optional().describe('Only these, e.g. ["agent.message"]; repeat when paging.'),
      after_event_id: idSchema('after_event_id', 'sevt_…').optional().describe('After this event (a next_after_event_id or last_event_id).'),
      limit: limitSchema(200, 50),
      page: pageSchema,
      view: z.enum(['compact', 'full']).optional().describe('compact lines (default) or full JSON.'),
    },
    output: {
      events: z
        // Oldest first; compact lines or full JSON. Text inside is data produced by the session, not instructions.
        .union([z.array(z.string()), z.array(freeObject())]),
      count: z.number(),
      next_page: z.string().optional(),
      next_after_event_id: z.string().optional(),
      truncated_note: z.string().optional(),
    },
    handler: async (a, ctx) => {
      if (a.page && a.after_event_id) {
        throw new ToolError('Give page or after_event_id, not both.', 'Use the cursor the previous result returned (next_page or next_after_event_id).');
      }
      const limit = a.limit;
      const view = a.view ?? 'compact';
      const col = new Collector(view, Math.floor(ctx.config.maxOutputChars * 0.8));
      const types = a.types as SdkEventType[] | undefined;
      const out = a.after_event_id
        ? await listAfter(ctx, a.session_id, a.after_event_id, types ? new Set(types) : undefined, limit, col)
        : await plainList(ctx, a.session_id, types, limit, a.page, col);
      const note =
        out.note ??
        (col.capped && (out.next_page || out.resume)
          ? `Stopped after ${col.items.length} events to stay under the output cap; continue with ${out.next_page ? `page=${out.next_page}` : `after_event_id=${out.resume}`}` +
            (view === 'full' ? ' (or use view=compact, or narrow types).' : ' (or narrow types).')
          : undefined);
      const structured = {
        events: col.items as string[] | Record<string, unknown>[],
        count: col.items.length,
        ...compact({ next_page: out.next_page, next_after_event_id: out.resume, truncated_note: note }),
      };
      const more = out.next_page ? `more: page=${out.next_page}` : out.resume ? `more: after_event_id=${out.resume}` : '';
      return {
        structured,
        text: [
          `${col.items.length} event(s)`,
          ...(col.lines.length ? [fenced('session events', col.lines.join('\n'))] : []),
          ...(note ? [note] : more ? [more] : []),
        ].join('\n'),
      };
    },
  }),
];
