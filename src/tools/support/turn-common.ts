import { z } from 'zod';
import type { Config } from '../../config.js';
import type { EventParams } from '../../api/client.js';
import { pendingBlockingQueue, runTurn, type SharedBudgets, type TurnProbe } from '../../turns/engine.js';
import { emptyDigest, turnDigestSchema, type TurnDigest } from '../../turns/digest.js';
import { UnseenTurns } from '../../turns/unseen.js';
import { fitDigest } from '../../turns/digest-text.js';
import { decide, resumedDigest } from './approval.js';
import { advertisedShape, defaultFromConfig, NO_PROGRESS, type ToolContext } from './define.js';

/**
 * The turn digest as an output schema, shared by every tool that follows a turn: derived from its
 * one definition (src/turns/digest.ts). Output schemas carry no descriptions: tools/list is paid
 * for in every client's context (Claude Code does not show output schemas to the model).
 */
export const digestShape = advertisedShape(turnDigestSchema.shape);

/** How long a call follows a turn: its `timeout_s`, else the server's `--timeout`, within the cap. */
export function turnWaitS(config: Config, timeoutS?: number): number {
  return Math.min(timeoutS ?? config.turnTimeoutS, config.maxTurnTimeoutS);
}

// The default is the server's --timeout, stated by tools/list as rendered for its config: a number
// in the description was wrong whenever the flag changed it.
export const timeoutInput = defaultFromConfig(
  z
    .number()
    .refine((n) => n > 0 && n <= 600, 'timeout_s must be > 0 and ≤ 600')
    .optional()
    .describe('Seconds to wait.'),
  (config) => turnWaitS(config),
);

export function textEvent(text: string): EventParams {
  return { type: 'user.message', content: [{ type: 'text', text }] } as EventParams;
}

/**
 * How a wait on several sessions follows one of them (src/tools/support/turn-many.ts): within the call's
 * shared budgets, and without the approval policy, which that wait applies once the first turns
 * are in, one session after the other.
 */
export interface AmongMany {
  shared: SharedBudgets;
  probe: TurnProbe;
  /**
   * Set to the turn's last event when it is over: the wait marks it reported only once its result
   * is returned (a call that asks the person in rounds may never return; docs/turn-engine.md).
   */
  reported?: string;
}

/**
 * Follows a turn (sending `send` first), lets the approval policy answer tool confirmations
 * (approval.ts), fits the digest to the output cap, and keeps track of turns left unseen.
 */
export async function followTurn(
  ctx: ToolContext,
  sessionId: string,
  send: EventParams[] | undefined,
  timeoutS: number | undefined,
  afterEventId?: string,
  many?: AmongMany,
): Promise<TurnDigest> {
  const deadline = Date.now() + turnWaitS(ctx.config, timeoutS) * 1000;
  const follow = (events: EventParams[] | undefined, until: number, after?: string) =>
    runTurn({
      api: ctx.api.seam,
      log: ctx.log,
      sessionId,
      send: events,
      afterEventId: after,
      timeoutMs: Math.max(1, until - Date.now()),
      stallMs: ctx.config.streamStallS * 1000,
      signal: ctx.signal,
      // No progress asked for: the turn builds no step lines for it.
      onStep: ctx.progress === NO_PROGRESS ? undefined : (line) => ctx.progress(line),
      shared: many?.shared,
      probe: many?.probe,
    });
  // Among several sessions the wait settles this memory itself, once its result is returned.
  const unseen = many ? undefined : ctx.unseen.take(sessionId);
  let d: TurnDigest;
  try {
    const first = resumedDigest(ctx, sessionId) ?? (await follow(send, deadline, afterEventId));
    d = many ? first : await decide(ctx, first, deadline, follow);
  } catch (err) {
    if (unseen) ctx.unseen.mark(sessionId, unseen);
    throw err;
  }
  // wait_for_turn that resumes from the mark (or replays the latest turn) is the read it asked for.
  if (unseen && (send || (afterEventId && afterEventId !== unseen))) d.hint = joinHint(UnseenTurns.note(sessionId, unseen), d.hint);
  const resumeAt = d.last_event_id ?? afterEventId ?? unseen;
  // Among several sessions a timed-out turn is not reported (only its status line): it resumes where it did.
  if (many) {
    if (!d.timed_out && d.last_event_id) many.reported = d.last_event_id;
  } else if (d.timed_out && !d.pending_actions.length && resumeAt) ctx.unseen.mark(sessionId, resumeAt);
  else if (!d.timed_out && d.last_event_id) ctx.unseen.reported(sessionId, d.last_event_id);
  return fitDigest(d, digestBudget(ctx));
}

/**
 * The result of a send without waiting: the digest's shape, saying where to pick up. A message
 * the API queued behind pending actions says so (it will not run until they are answered).
 */
export async function sendOnly(ctx: ToolContext, session: string, events: EventParams[]): Promise<TurnDigest> {
  const unseen = ctx.unseen.take(session);
  // Sending events is a write whatever the tool's kind: retried only when the API cannot have acted.
  const sent = await ctx.api.seam.write((c, o) => c.beta.sessions.events.send(session, { events }, o), ctx.signal);
  const echoes = (sent?.data ?? []) as { id?: string; processed_at?: string | null }[];
  const last = echoes.at(-1)?.id;
  const queued = echoes.length > 0 && echoes.every((e) => e.processed_at === null);
  const blocked = queued
    ? await pendingBlockingQueue({ api: ctx.api.seam, log: ctx.log, sessionId: session, timeoutMs: 0, stallMs: 0, signal: ctx.signal }, ctx.signal)
    : undefined;
  // A queued event may be missing from the history until it runs (docs/emulator.md): no resume point yet.
  const resumeAt = queued ? undefined : last;
  if (resumeAt) ctx.unseen.mark(session, resumeAt);
  const after = resumeAt ? `,"after_event_id":"${resumeAt}"` : '';
  const d: TurnDigest =
    blocked ??
    emptyDigest(session, {
      status: 'running',
      last_event_id: last,
      hint:
        `Sent${queued ? ' (queued behind the running turn)' : ''}. Call wait_for_turn {"session_id":"${session}"${after}} to follow the turn, ` +
        `or with other sessions started this way, wait_for_turn {"session_ids":["${session}",…]} to collect each as it finishes.`,
    });
  if (unseen) d.hint = joinHint(UnseenTurns.note(session, unseen), d.hint);
  return fitDigest(d, digestBudget(ctx));
}

export function joinHint(first: string, rest: string | undefined): string {
  return rest ? `${first} ${rest}` : first;
}

/** Characters a digest may take in a structured result (the rest of the cap is for the envelope). */
export function digestBudget(ctx: ToolContext): number {
  return Math.max(2000, ctx.config.maxOutputChars - 1500);
}

/** Characters of the text rendering (each half of a result gets the whole cap: src/format/cap.ts). */
export function textBudget(ctx: ToolContext): number {
  return Math.max(1000, ctx.config.maxOutputChars - 1000);
}

export { renderDigest } from '../../turns/digest-text.js';
