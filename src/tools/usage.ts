import { z } from 'zod';
import type { Session, SessionListParams } from '../api/client.js';
import { MAX_PAGES_PER_CALL, PageBudget, PageLimitError, walkPages } from '../api/paging.js';
import { formatUsd } from '../format/events.js';
import { quoted } from '../format/fence.js';
import { compact, defineTool, idSchema } from './support/define.js';
import { activeOf, estimateOf, listCostOf, modelOf, round, tokensOf } from './support/usage-figures.js';

/** Sessions per list request: the most the API's sessions list returns in one page. */
const PAGE = 100;
/** One call's page budget, in sessions. */
export const MAX_REPORT_SESSIONS = (MAX_PAGES_PER_CALL - 1) * PAGE;
export const DEFAULT_REPORT_SESSIONS = 5000;
/** Rows beyond this are folded into one, so a long window stays within the output cap. */
export const MAX_GROUPS = 60;

const time = z
  .string()
  .max(40)
  .refine(
    (v) => /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d))?$/.test(v) && !Number.isNaN(Date.parse(v)),
    'expected a date (2026-11-01) or an RFC 3339 time (2026-11-01T10:00:00Z)',
  );
/** A bare date is midnight UTC. */
const instant = (v: string) => (v.length === 10 ? `${v}T00:00:00Z` : v);

type Figures = {
  sessions: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  /** Whole cents, summed exactly. */
  cents: number;
  estimate: number;
  active_seconds: number;
};

const zero = (): Figures => ({ sessions: 0, input: 0, output: 0, cache_read: 0, cache_write: 0, cents: 0, estimate: 0, active_seconds: 0 });

function add(f: Figures, s: Session, estimate: number | undefined, active: number): void {
  const t = tokensOf(s);
  f.sessions++;
  f.input += t.input;
  f.output += t.output;
  f.cache_read += t.cache_read;
  f.cache_write += t.cache_creation_5m + t.cache_creation_1h;
  f.cents += Number(s.usage?.list_cost?.amount ?? 0);
  f.estimate += estimate ?? 0;
  f.active_seconds += active;
}

/** Figures as reported: USD and hours, rounded. */
function shown(f: Figures) {
  return {
    sessions: f.sessions,
    input: f.input,
    output: f.output,
    cache_read: f.cache_read,
    cache_write: f.cache_write,
    list_cost_usd: round(f.cents / 100, 2),
    estimate_usd: round(f.estimate, 4),
    active_hours: round(f.active_seconds / 3600, 3),
  };
}

const rowShape = {
  sessions: z.number(),
  input: z.number(),
  output: z.number(),
  cache_read: z.number(),
  cache_write: z.number(),
  list_cost_usd: z.number(),
  estimate_usd: z.number(),
  active_hours: z.number(),
};

const n = (x: number) => x.toLocaleString('en-US');

type TopRow = { session_id: string; agent: string; model: string; created_at: string; list_cost_usd?: number; estimate_usd?: number };

export const usageTools = [
  defineTool({
    name: 'usage_report',
    title: 'Usage report across sessions',
    description:
      'What was spent, on what: tokens, cache reads/writes, list cost and active hours of the sessions created in a window, ' +
      'grouped by agent, day or model, with the costliest sessions. One paged read of the sessions list.',
    toolset: 'sessions',
    kind: 'read',
    input: {
      group_by: z.enum(['agent', 'day', 'model']).optional().describe('Rows per agent (default), per UTC day of creation, or per model.'),
      from: time.optional().describe('Sessions created at or after this date or RFC 3339 time.'),
      to: time.optional().describe('Sessions created before this date or time (exclusive).'),
      agent_id: idSchema('agent_id', 'agent_01…').optional().describe("Only this agent's sessions."),
      top: z.int().min(0).max(20).optional().describe('Costliest sessions to list (default 5).'),
      max_sessions: z
        .int()
        .min(1)
        .max(MAX_REPORT_SESSIONS)
        .optional()
        .describe(`Read at most this many sessions, newest first (default ${DEFAULT_REPORT_SESSIONS}, max ${MAX_REPORT_SESSIONS}).`),
    },
    output: {
      group_by: z.string(),
      window: z.object({ from: z.string().optional(), to: z.string().optional() }).optional(),
      totals: z.object(rowShape),
      groups: z.array(z.object({ key: z.string(), name: z.string().optional(), ...rowShape })),
      top_sessions: z
        .array(
          z.object({
            session_id: z.string(),
            agent: z.string(),
            model: z.string(),
            created_at: z.string(),
            list_cost_usd: z.number().optional(),
            estimate_usd: z.number().optional(),
          }),
        )
        .optional(),
      // Set when the read stopped before the window's end: what the figures cover and how to get the rest.
      incomplete: z.string().optional(),
      notes: z.array(z.string()).optional(),
    },
    handler: async (a, ctx) => {
      const groupBy = a.group_by ?? 'agent';
      const max = a.max_sessions ?? DEFAULT_REPORT_SESSIONS;
      const topN = a.top ?? 5;
      const from = a.from ? instant(a.from) : undefined;
      const to = a.to ? instant(a.to) : undefined;
      const params: SessionListParams = {
        limit: PAGE,
        include_archived: true,
        ...(from ? { 'created_at[gte]': from } : {}),
        ...(to ? { 'created_at[lt]': to } : {}),
        ...(a.agent_id ? { agent_id: a.agent_id } : {}),
      };
      const table = ctx.config.priceTable;
      const totals = zero();
      const groups = new Map<string, { name?: string; f: Figures }>();
      const top: { cost: number; row: TopRow }[] = [];
      const unpriced = new Map<string, number>();
      let noListCost = 0;
      let multiagent = 0;
      let oldest: string | undefined;
      let incomplete: string | undefined;
      // A session listed again (a page the API repeats, or a cursor that loops once before the
      // walk notices) is counted once.
      const counted = new Set<string>();
      let repeated = 0;

      const take = (s: Session) => {
        if (counted.has(s.id)) {
          repeated++;
          return;
        }
        counted.add(s.id);
        const model = modelOf(s);
        const tokens = tokensOf(s);
        const active = activeOf(s).seconds ?? 0;
        const estimate = estimateOf(table, model, tokens, active)?.cost.total;
        if (estimate === undefined) unpriced.set(model, (unpriced.get(model) ?? 0) + 1);
        const listCost = listCostOf(s);
        if (listCost === undefined) noListCost++;
        if (s.agent?.multiagent) multiagent++;
        add(totals, s, estimate, active);
        const key = groupBy === 'agent' ? s.agent.id : groupBy === 'model' ? model : s.created_at.slice(0, 10);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { name: groupBy === 'agent' ? (s.agent.name ?? '') : undefined, f: zero() }));
        add(g.f, s, estimate, active);
        if (topN > 0) {
          const cost = listCost ?? estimate ?? 0;
          if (top.length < topN || cost > top[top.length - 1]!.cost) {
            top.push({
              cost,
              row: compact({
                session_id: s.id,
                agent: s.agent.id,
                model,
                created_at: s.created_at,
                list_cost_usd: listCost,
                estimate_usd: estimate !== undefined ? round(estimate, 4) : undefined,
              }),
            });
            top.sort((x, y) => y.cost - x.cost);
            if (top.length > topN) top.pop();
          }
        }
        if (!oldest || s.created_at < oldest) oldest = s.created_at;
      };

      // Newest first (the list's order): a read that stops at the cap covers the most recent part of the window.
      const budget = new PageBudget(Math.ceil(max / PAGE) + 1);
      const rest = () =>
        oldest
          ? ` The figures cover sessions created from ${oldest} on; for the older rest call again with to=${oldest}, or narrow from/to.`
          : ' Narrow the window (from/to).';
      try {
        const pages = walkPages((page) => ctx.api.call((c, o) => c.beta.sessions.list(page ? { ...params, page } : params, o)), {
          what: 'the sessions list',
          budget,
          hint: 'Narrow the window (from/to) or lower max_sessions.',
        });
        walk: for await (const page of pages) {
          for (let i = 0; i < page.data.length; i++) {
            if (totals.sessions >= max) {
              incomplete = `Stopped at max_sessions=${max} before the window's end.`;
              break walk;
            }
            take(page.data[i]!);
          }
          ctx.progress(`read ${totals.sessions} sessions`);
          if (totals.sessions >= max && page.next_page) {
            incomplete = `Stopped at max_sessions=${max} before the window's end.`;
            break;
          }
        }
      } catch (err) {
        if (!(err instanceof PageLimitError) || ctx.signal.aborted) throw err;
        incomplete = err.message;
      }
      if (incomplete) incomplete += rest();

      let rows = [...groups.entries()].map(([key, g]) => ({ key, ...(g.name ? { name: g.name } : {}), ...shown(g.f), f: g.f }));
      if (groupBy === 'day') rows.sort((x, y) => (x.key < y.key ? -1 : 1));
      else rows.sort((x, y) => y.f.cents - x.f.cents || y.f.estimate - x.f.estimate);
      const notes: string[] = [];
      if (rows.length > MAX_GROUPS) {
        const other = zero();
        for (const r of rows.slice(MAX_GROUPS - 1)) for (const k of Object.keys(other) as (keyof Figures)[]) other[k] += r.f[k];
        notes.push(`${rows.length - MAX_GROUPS + 1} ${groupBy === 'day' ? 'later days' : 'smaller groups'} are summed in "other"; narrow the window for each.`);
        rows = [...rows.slice(0, MAX_GROUPS - 1), { key: 'other', ...shown(other), f: other }];
      }
      if (repeated) notes.push(`The list named ${repeated} session(s) more than once: each is counted once.`);
      if (noListCost) notes.push(`${noListCost} session(s) report no list cost yet: list_cost_usd leaves them out.`);
      for (const [model, count] of unpriced)
        notes.push(`No price for ${model} (${count} session(s)): estimate_usd leaves them out (add it with --price-table).`);
      if (multiagent) notes.push(`${multiagent} session(s) have subagents: their tokens are counted under the coordinator's agent and model.`);

      const structured = {
        group_by: groupBy,
        ...compact({ window: from || to ? { from, to } : undefined }),
        totals: shown(totals),
        // Kept even when empty: the output schema requires it.
        groups: rows.map(({ f: _, ...r }) => r),
        ...compact({ top_sessions: top.map((t) => t.row), incomplete, notes }),
      };

      const line = (label: string, r: ReturnType<typeof shown>) =>
        `${label}  ${n(r.sessions)} sess  in ${n(r.input)}  out ${n(r.output)}  cache r ${n(r.cache_read)} w ${n(r.cache_write)}  ` +
        `list ${formatUsd(r.list_cost_usd)}  est ${formatUsd(r.estimate_usd)}  ${r.active_hours} h`;
      const window = from || to ? ` created ${from ?? '…'} – ${to ?? 'now'}` : '';
      const text = [
        `Usage of ${n(totals.sessions)} session(s)${window}, by ${groupBy}:`,
        ...structured.groups.map((r) => line(r.name ? `${r.key} ${quoted(r.name, 120)}` : r.key, r)),
        line('total', structured.totals),
        ...(structured.top_sessions?.length
          ? [
              'costliest:',
              ...structured.top_sessions.map(
                (t) => `  ${t.session_id} ${t.model} ${t.created_at.slice(0, 10)} ${formatUsd(t.list_cost_usd ?? t.estimate_usd ?? 0)}`,
              ),
            ]
          : []),
        "list = the API's list cost (whole cents per session); est = the price table's estimate.",
        ...(incomplete ? [incomplete] : []),
        ...notes,
      ].join('\n');
      return { structured, text };
    },
  }),
];
