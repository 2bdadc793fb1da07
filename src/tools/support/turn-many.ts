/**
 * A wait on several sessions: wait_for_turn with session_ids (docs/turn-engine.md, "Several
 * sessions"). One follower per session, every stream opened at once, all within the call's
 * deadline and its one page and reopen budget. It returns when the first turn ends or needs an
 * answer (until "any"), or when every turn has (until "all"); the followers still going are
 * cancelled, which closes their streams, and each is described in one line.
 */
import { z } from 'zod';
import { ToolError } from '../../api/errors.js';
import { sharedBudgets, type TurnProbe } from '../../turns/engine.js';
import { turnDigestSchema, type TurnDigest } from '../../turns/digest.js';
import { fitDigest, renderDigest } from '../../turns/digest-text.js';
import { decide } from './approval.js';
import { advertised, NO_PROGRESS, onceAcrossRounds, type ToolContext } from './define.js';
import { digestBudget, followTurn, sendOnly, textBudget, turnWaitS, type AmongMany } from './turn-common.js';

/** Sessions one call may follow: each holds an open stream for the whole call. */
export const MAX_SESSIONS_PER_WAIT = 16;

export type Until = 'any' | 'all';

/** What a wait on several sessions returns (the single-session fields stay absent). */
export const manyShape = {
  turns: advertised(z.array(turnDigestSchema).optional()),
  others: z.array(z.string()).optional(),
};

export interface ManyResult {
  turns: TurnDigest[];
  others: string[];
  timed_out: boolean;
  hint?: string;
}

type Outcome =
  /** A turn to report: ended, or blocked on an answer. */
  | { kind: 'turn'; d: TurnDigest }
  /** Nothing new since its last report. */
  | { kind: 'quiet'; d: TurnDigest }
  /** Still going when the call stopped following it (cancelled, or out of time). */
  | { kind: 'going'; probe: TurnProbe }
  | { kind: 'error'; message: string };

/**
 * What the followers found, before the approval policy: on MCP 2026-07-28 a retried call resumes
 * from it (saved before the first ask) instead of following again, so it reports the same turns.
 */
interface Collected {
  turns: TurnDigest[];
  others: string[];
  going: string[];
  /** [session, the reported turn's last event, where it was followed from]: settled on return. */
  reported: [string, string, string | undefined][];
}

export async function followMany(ctx: ToolContext, ids: string[], until: Until, timeoutS: number | undefined): Promise<ManyResult> {
  if (ids.length > MAX_SESSIONS_PER_WAIT) {
    throw new ToolError(
      `wait_for_turn follows at most ${MAX_SESSIONS_PER_WAIT} sessions per call (got ${ids.length}): each holds an open event stream.`,
      `Split them: wait on the first ${MAX_SESSIONS_PER_WAIT} now, the rest in another call.`,
    );
  }
  const deadline = Date.now() + turnWaitS(ctx.config, timeoutS) * 1000;
  const { turns, others, going, reported } = await onceAcrossRounds(ctx, 'many', () => collect(ctx, ids, until, deadline));
  // The approval policy, one session after the other, so the person sees one form at a time, each
  // naming its session and agent. The answers are sent and the turn goes on unfollowed: the next
  // wait collects it, like any other. Each session's decision is saved once made: a later round
  // (the next session's form) neither asks nor sends it again.
  for (const [i, d] of turns.entries()) {
    if (d.stop_reason !== 'requires_action') continue;
    const { answered, goes } = await onceAcrossRounds(ctx, `decided:${d.session_id}`, async () => {
      const a = await decide(ctx, d, deadline, (events) => sendOnly(ctx, d.session_id, events ?? []));
      const sent = a !== d && !a.pending_actions.length && !a.timed_out;
      if (sent) a.hint = 'Answered by the approval policy; the turn goes on: the next wait collects it.';
      return { answered: a, goes: sent };
    });
    if (goes) going.push(d.session_id);
    turns[i] = answered;
  }
  // Only now is each turn reported: a call that ended asking the person (and is never retried)
  // reported nothing, so the next wait reports those turns again.
  for (const [id, at, from] of reported) ctx.unseen.settle(id, at, from);
  const share = Math.max(2000, Math.floor(digestBudget(ctx) / Math.max(1, turns.length)) - 200);
  const fitted = turns.map((d) => fitDigest(d, share));
  const timedOut = fitted.length === 0 && going.length > 0;
  return { turns: fitted, others, timed_out: timedOut, ...hintFor(fitted, going) };
}

/** Follows every session at once until the first turn to report (or all, or the deadline). */
async function collect(ctx: ToolContext, ids: string[], until: Until, deadline: number): Promise<Collected> {
  const shared = sharedBudgets(deadline);
  // Cancels the followers still going once the call has its answer: their streams close with it.
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const outcomes = new Map<string, Outcome>();
  const reported: Collected['reported'] = [];
  let settle!: () => void;
  const enough = new Promise<void>((resolve) => (settle = resolve));
  // Each follower's first reading: its turn found over in history, or followed live. The call
  // returns only once every follower has one, so a turn that was already over when the call began
  // is reported with the first, not listed as running.
  const readings: Promise<void>[] = [];
  try {
    const followers = ids.map(async (id) => {
      let live!: () => void;
      readings.push(new Promise<void>((resolve) => (live = resolve)));
      const probe: TurnProbe = { onLive: live };
      const after = ctx.unseen.resumePoint(id);
      const sub: ToolContext = { ...ctx, signal: ac.signal, progress: ctx.progress === NO_PROGRESS ? NO_PROGRESS : (line) => ctx.progress(`${id}: ${line}`) };
      const among: AmongMany = { shared, probe };
      let o: Outcome;
      try {
        const d = await followTurn(sub, id, undefined, (deadline - Date.now()) / 1000, after, among);
        if (among.reported) reported.push([id, among.reported, after]);
        // Resumed after its last report and nothing came since: a status line, not a report.
        o = d.timed_out ? { kind: 'going', probe } : after && d.events_seen === 0 ? { kind: 'quiet', d } : { kind: 'turn', d };
      } catch (err) {
        o = ac.signal.aborted && !ctx.signal.aborted ? { kind: 'going', probe } : { kind: 'error', message: errorLine(err) };
      }
      outcomes.set(id, o);
      live();
      if (until === 'any' && (o.kind === 'turn' || o.kind === 'error')) settle();
    });
    await Promise.race([enough, Promise.all(followers)]);
    await untilOrDeadline(Promise.all(readings), deadline);
    ac.abort();
    // A follower that finished while the others were being cancelled is reported too: its turn
    // is marked as reported on return, so dropping it here would lose it.
    await Promise.allSettled(followers);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
  if (ctx.signal.aborted) throw new ToolError('Cancelled while following the turns.');

  const turns: TurnDigest[] = [];
  const others: string[] = [];
  const going: string[] = [];
  for (const id of ids) {
    const o = outcomes.get(id)!;
    if (o.kind === 'turn') turns.push(o.d);
    else others.push(`${id}: ${statusLine(o)}`);
    if (o.kind === 'going') going.push(id);
  }
  // Blocked turns first: a session waiting on an answer runs nothing until it gets one.
  turns.sort((a, b) => Number(b.stop_reason === 'requires_action') - Number(a.stop_reason === 'requires_action'));
  return { turns, others, going, reported };
}

async function untilOrDeadline(p: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
  clearTimeout(timer);
}

function statusLine(o: Exclude<Outcome, { kind: 'turn' }>): string {
  if (o.kind === 'error') return `error: ${o.message}`;
  if (o.kind === 'going') {
    const since = o.probe.since ? Date.parse(o.probe.since) : NaN;
    return Number.isFinite(since) ? `running for ${Math.max(0, Math.round((Date.now() - since) / 1000))} s` : 'running';
  }
  const d = o.d;
  if (d.status === 'terminated') return 'terminated';
  if (d.stop_reason === 'requires_action') return `waiting on ${d.pending_actions.length} action(s) reported earlier: answer them with their answer_with`;
  if (d.stop_reason === 'budget_reached') return 'budget reached (raise it with update_session to resume)';
  return `${d.status}${d.stop_reason && d.stop_reason !== 'end_turn' ? ` (${d.stop_reason})` : ''}, nothing new since its last reported turn`;
}

function errorLine(err: unknown): string {
  const e = err as { message?: string; hint?: string };
  return [e?.message ?? String(err), e?.hint].filter(Boolean).join(' ');
}

function hintFor(turns: TurnDigest[], going: string[]): { hint?: string } {
  const parts: string[] = [];
  if (turns.some((d) => d.stop_reason === 'requires_action' && d.pending_actions.length)) {
    parts.push('Answer pending_actions with their answer_with (wait:false returns at once; add that session to the next wait).');
  }
  if (going.length) parts.push(`Collect the rest as they finish: wait_for_turn ${JSON.stringify({ session_ids: going })}.`);
  return parts.length ? { hint: parts.join(' ') } : {};
}

/** The text rendering: each reported turn, then one line per other session. */
export function renderMany(r: ManyResult, ctx: ToolContext): string {
  const budget = Math.max(1000, Math.floor(textBudget(ctx) / Math.max(1, r.turns.length)) - 200);
  const parts = r.turns.map((d) => renderDigest(d, budget));
  if (!r.turns.length) parts.push(r.timed_out ? 'No turn ended within the timeout.' : 'No new turn to report.');
  if (r.others.length) parts.push(['Other sessions:', ...r.others.map((l) => `- ${l}`)].join('\n'));
  if (r.hint) parts.push(r.hint);
  return parts.join('\n\n');
}
