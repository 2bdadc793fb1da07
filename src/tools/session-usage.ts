import { z } from 'zod';
import type { Session } from '../api/client.js';
import { PageBudget, walkPages } from '../api/paging.js';
import { formatUsd } from '../format/events.js';
import { compact, defineTool, sessionId, type ToolContext, freeObject } from './support/define.js';
import { activeOf, centsToUsd, estimateOf, listCostOf, modelOf, round, tokensOf } from './support/usage-figures.js';

/** Idle events read to count turns: 20 pages of 1000. Beyond that the count says "at least". */
const IDLE_PAGES = 20;

/** Completed turns: idles that ended a turn (requires_action leaves it open, docs/api-behaviour.md, "Events"). */
async function countTurns(ctx: ToolContext, session: string): Promise<{ turns: number; complete: boolean }> {
  let turns = 0;
  let pages = 0;
  const idles = walkPages(
    (page) =>
      ctx.api.call((c, o) => c.beta.sessions.events.list(session, { types: ['session.status_idle'], order: 'asc', limit: 1000, ...(page ? { page } : {}) }, o)),
    { what: `the idle events of ${session}`, budget: new PageBudget(IDLE_PAGES + 1), hint: 'Retry session_usage later.' },
  );
  for await (const res of idles) {
    for (const ev of res.data) {
      if (ev.type === 'session.status_idle' && ev.stop_reason?.type !== 'requires_action') turns++;
    }
    if (!res.next_page) return { turns, complete: true };
    if (++pages >= IDLE_PAGES) break;
  }
  return { turns, complete: false };
}

const usd = z.number();

export const sessionUsageTools = [
  defineTool({
    name: 'session_usage',
    bounded: true,
    title: 'Session usage and cost',
    description: "A session's tokens, cache hits, cost, active vs wall time, turns, budget; estimates marked.",
    toolset: 'core',
    kind: 'read',
    input: { session_id: sessionId },
    output: {
      session_id: z.string(),
      status: z.string(),
      model: z.string(),
      // {input, output, cache_read, cache_creation_5m, cache_creation_1h}
      tokens: z.record(z.string(), z.number()),
      cache_hit_ratio: z.number().optional(),
      list_cost_usd: usd.optional(),
      active_seconds: z.number().optional(),
      wall_seconds: z.number().optional(),
      turns: z.number().optional(),
      // {tokens_usd, runtime_usd, total_usd, model_price: {input_per_mtok, output_per_mtok}}
      estimate: freeObject().optional(),
      // {max_usd, spent_usd?, remaining_usd?}
      budget: freeObject().optional(),
      // {api: [fields], derived?: [fields], estimated?: [fields]}
      sources: z.record(z.string(), z.array(z.string())),
      notes: z.array(z.string()).optional(),
    },
    handler: async (a, ctx) => {
      const s: Session = await ctx.api.call((c, o) => c.beta.sessions.retrieve(a.session_id, {}, o));
      const u = s.usage ?? {};
      const api: string[] = ['status', 'model', 'tokens'];
      const derived: string[] = [];
      const estimated: string[] = [];
      const notes: string[] = [];

      const model = modelOf(s);
      const tokens = tokensOf(s);
      const promptTokens = tokens.input + tokens.cache_read + tokens.cache_creation_5m + tokens.cache_creation_1h;
      const cache_hit_ratio = promptTokens > 0 ? round(tokens.cache_read / promptTokens, 3) : undefined;
      if (cache_hit_ratio !== undefined) derived.push('cache_hit_ratio');

      const list_cost_usd = listCostOf(s);
      if (list_cost_usd !== undefined) api.push('list_cost_usd');
      else notes.push('The API reports no list_cost for this session yet (cost tracking may be unavailable).');

      const active = activeOf(s);
      const active_seconds = active.seconds;
      if (active.from === 'usage') api.push('active_seconds');
      else if (active.from === 'stats') {
        estimated.push('active_seconds');
        notes.push('usage.active_seconds is absent: active_seconds is stats.active_seconds, which counts concurrent threads separately.');
      }

      let wall_seconds = s.stats?.duration_seconds;
      if (wall_seconds !== undefined) api.push('wall_seconds');
      else {
        // duration_seconds freezes at termination, so a terminated session ends at its last update.
        const end = s.status === 'terminated' ? Date.parse(s.archived_at ?? s.updated_at) : Date.now();
        const start = Date.parse(s.created_at);
        if (Number.isFinite(end) && Number.isFinite(start)) {
          wall_seconds = Math.max(0, (end - start) / 1000);
          estimated.push('wall_seconds');
        }
      }

      let turns: number | undefined;
      try {
        const t = await countTurns(ctx, a.session_id);
        turns = t.turns;
        derived.push('turns');
        if (!t.complete) notes.push(`turns counts only the first ${IDLE_PAGES * 1000} idle events: the real number is higher.`);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        notes.push('turns unavailable: the event history could not be read.');
        ctx.log.warn(`session_usage: counting turns failed: ${(err as Error).message}`);
      }

      const table = ctx.config.priceTable;
      const priced = estimateOf(table, model, tokens, active_seconds ?? 0);
      let estimate;
      if (priced) {
        const { price, cost } = priced;
        estimate = {
          tokens_usd: round(cost.tokens, 4),
          runtime_usd: round(cost.runtime, 4),
          total_usd: round(cost.total, 4),
          model_price: { input_per_mtok: price.input, output_per_mtok: price.output },
        };
        estimated.push('estimate');
        if (active_seconds === undefined) notes.push('No active time reported: the runtime estimate is 0.');
        if (s.agent?.multiagent) notes.push(`All tokens are priced at ${model}; subagents or an advisor may use other models.`);
        if ((s.agent?.model as { speed?: string } | undefined)?.speed === 'fast') {
          notes.push('Fast mode is billed at premium rates not in the price table: the estimate is low.');
        }
      } else {
        notes.push(`No price for ${model} in the price table, so no estimate (add it with --price-table).`);
      }
      const searches = u.server_tool_use?.web_search_requests ?? 0;
      if (searches > 0 && estimate) notes.push(`${searches} web searches are billed separately and not in the estimate.`);

      let budget;
      if (s.budget?.max_list_cost) {
        const max_usd = centsToUsd(s.budget.max_list_cost.amount);
        budget = {
          max_usd,
          spent_usd: list_cost_usd,
          remaining_usd: list_cost_usd !== undefined ? round(Math.max(0, max_usd - list_cost_usd), 2) : undefined,
        };
        api.push('budget');
      }

      const structured = compact({
        session_id: s.id,
        status: s.status,
        model,
        tokens,
        cache_hit_ratio,
        list_cost_usd,
        active_seconds,
        wall_seconds: wall_seconds !== undefined ? round(wall_seconds, 1) : undefined,
        turns,
        estimate,
        budget,
        sources: { api, derived, estimated },
        notes,
      });

      const n = (x: number) => x.toLocaleString('en-US');
      // API figures are whole cents; estimates keep four decimals so small sessions do not read $0.00.
      const money = (x: number | undefined) => (x === undefined ? 'n/a' : `$${x.toFixed(2)}`);
      const cost = (x: number | undefined) => (x === undefined ? 'n/a' : formatUsd(x));
      const est = (x: number) => `$${x.toFixed(4)}`;
      const rows: [string, string][] = [
        ['session', `${s.id} (${s.status}, ${model})${turns !== undefined ? `, ${turns} turn(s)` : ''}`],
        [
          'tokens',
          `in ${n(tokens.input)}  out ${n(tokens.output)}  cache read ${n(tokens.cache_read)}  ` +
            `cache write 5m ${n(tokens.cache_creation_5m)} / 1h ${n(tokens.cache_creation_1h)}` +
            (cache_hit_ratio !== undefined ? `  (hit ratio ${cache_hit_ratio})` : ''),
        ],
        [
          'time',
          `active ${active_seconds !== undefined ? `${round(active_seconds, 1)} s` : 'n/a'}  wall ${
            structured.wall_seconds !== undefined ? `${structured.wall_seconds} s` : 'n/a'
          }`,
        ],
        [
          'cost',
          `API list cost ${cost(list_cost_usd)}${list_cost_usd !== undefined ? ' (whole cents)' : ''}` +
            (estimate
              ? `  | estimate ${est(estimate.total_usd)} (tokens ${est(estimate.tokens_usd)} + runtime ${est(estimate.runtime_usd)})`
              : `  | no estimate (no price for ${model})`),
        ],
      ];
      if (budget) {
        rows.push([
          'budget',
          budget.spent_usd !== undefined
            ? `${cost(budget.spent_usd)} of ${money(budget.max_usd)} spent, ${money(budget.remaining_usd)} left`
            : `max ${money(budget.max_usd)} (spend not reported)`,
        ]);
      }
      for (const note of notes) rows.push(['note', note]);
      return { structured, text: rows.map(([k, v]) => `${k.padEnd(8)}${v}`).join('\n') };
    },
  }),
];
