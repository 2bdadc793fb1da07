/**
 * The send → stream → wait engine (docs/turn-engine.md).
 *
 * 1. Open the stream and wait for its headers: it is live only, so anything emitted before it
 *    exists is never delivered on it.
 * 2. Send, keeping the ids the API echoes.
 * 3. Read. The turn starts at the echo of the last event we sent: an idle before it belongs to the
 *    previous state. It ends at the first idle whose stop reason is not `requires_action`, at
 *    `requires_action` (handed back as pending actions), at termination, or at our timeout.
 *    `session.error` with `retrying`, `rescheduled`, spans and thinking do not end it.
 * 4. If the stream ends, errors or stays quiet too long, reopen it first, then read history
 *    since the last event seen (ascending, paged to the end) and merge by id: nothing is lost or
 *    reported twice. A stream that brought nothing new is reopened with exponential backoff and
 *    jitter, reopens per turn are capped, and history walks share one page budget and the call's
 *    deadline (docs/bounds.md); a clear error when a bound is hit or the API stays unreachable.
 */
import type { Api, EventListParams, EventParams, SessionEvent } from '../api/client.js';
import { sleep } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { ResponseLimitError } from '../api/limits.js';
import { PageBudget, PageLimitError, type Paged, walkPages } from '../api/paging.js';
import type { Logger } from '../log.js';
import { type DigestCaps, DEFAULT_CAPS, emptyDigest, type PendingAction, type TurnDigest, TurnState } from './digest.js';
import { openStream, type LiveStream } from './stream.js';

type Ev = SessionEvent & { id: string; processed_at?: string | null };

export interface TurnOptions {
  api: Api;
  log: Logger;
  sessionId: string;
  /** Events to send once the stream is open; omitted to follow the current turn (wait_for_turn). */
  send?: EventParams[];
  /** wait_for_turn: report only what came after this event. */
  afterEventId?: string;
  timeoutMs: number;
  /** A stream with no event for this long is reopened and reconciled with history. */
  stallMs: number;
  signal: AbortSignal;
  onStep?: (line: string) => void;
  caps?: DigestCaps;
  /** Reopens in a row that bring no new event before giving up. */
  maxReconnects?: number;
  /**
   * Budgets shared by every turn one call follows (a wait on several sessions, docs/turn-engine.md
   * "Several sessions"): history pages, and stream reopens counted against MAX_REOPENS_PER_TURN.
   * Without them the turn has its own.
   */
  shared?: SharedBudgets;
  /** Filled as the turn is followed, for a caller that must describe a turn it stopped following. */
  probe?: TurnProbe;
}

export interface SharedBudgets {
  pages: PageBudget;
  reopens: { used: number };
}

/** The budgets of one call that follows several turns until `deadline`. */
export function sharedBudgets(deadline: number): SharedBudgets {
  return { pages: new PageBudget(undefined, deadline + WALK_GRACE_MS), reopens: { used: 0 } };
}

export interface TurnProbe {
  /** `processed_at` of the first event of the stretch followed (the turn's start, or the resume point). */
  since?: string;
  /** Called once the turn has been caught up from history and is followed live: it was not over by then. */
  onLive?: () => void;
}

/** What a turn's helpers share: its options and the page budget of its history walks. */
type Run = TurnOptions & { pages: PageBudget };

/** Events that start a turn: a message, or an outcome the agent begins work on at receipt (docs/turn-engine.md, "Outcomes"). */
const TURN_STARTERS = new Set(['user.message', 'user.define_outcome']);
const HISTORY_PAGE = 1000;
/** How far back wait_for_turn looks for the start of the current turn. */
const MAX_LOOKBACK = 20_000;
/** Stream reopens per turn, whatever they bring: a stream that always drops after one event ends here. */
export const MAX_REOPENS_PER_TURN = 50;
/** History walks may finish this long after the turn's timeout (a read that began just before it). */
const WALK_GRACE_MS = 5_000;

/**
 * Delay before the n-th reopen in a row that brought nothing new: the first at once (a stream that
 * dropped after delivering events is the ordinary case), then 0.5 s doubling to 10 s — the SDK's
 * own session tool runner's schedule — minus up to 25 % jitter so clients do not reconnect in step.
 */
export function reopenDelayMs(n: number): number {
  if (n <= 1) return 0;
  return Math.min(500 * 2 ** (n - 2), 10_000) * (1 - Math.random() * 0.25);
}

/**
 * Duplicate detection in bounded memory, so following a 100,000-event turn costs no more than a
 * 1,000-event one. Duplicates can only arise around a reconnect:
 *  - a catch-up asks history for events processed at or after the last one seen
 *    (`created_at[gte]`), so events sharing that millisecond come back: `atMax` holds the ids
 *    seen at the newest `processed_at`, and `recent` the last few thousand ids;
 *  - the reopened stream (opened before the history read) then repeats what history returned:
 *    history is ordered by `processed_at` and complete up to its last event, so until the stream
 *    passes that time (`overlapUntil`), an older stream event is one history already delivered.
 */
class Dedupe {
  private maxAt = -Infinity;
  private readonly atMax = new Set<string>();
  private readonly recent = new Set<string>();
  /**
   * A ring of the last RING ids, grown as ids come: a one-reply turn sees a handful of events, and
   * allocating the whole ring for each turn was most of what the dedupe cost per turn.
   */
  private readonly ring: string[] = [];
  private head = 0;
  private overlapUntil: number | undefined;

  /** Milliseconds: timestamps are compared as times, not strings (precision and format may vary). */
  static ms(at: string | null | undefined): number | undefined {
    const t = at ? Date.parse(at) : NaN;
    return Number.isFinite(t) ? t : undefined;
  }

  /** `t`: the event's `processed_at` as `Dedupe.ms` reads it, parsed once for both calls. */
  isDuplicate(id: string, t: number | undefined, fromStream: boolean): boolean {
    if (this.recent.has(id) || this.atMax.has(id)) return true;
    if (fromStream && this.overlapUntil !== undefined && t !== undefined) {
      if (t < this.overlapUntil) return true;
      if (t > this.overlapUntil) this.overlapUntil = undefined;
    }
    return false;
  }

  add(id: string, t: number | undefined): void {
    if (t !== undefined && t > this.maxAt) {
      this.maxAt = t;
      this.atMax.clear();
    }
    if (t !== undefined && t === this.maxAt) this.atMax.add(id);
    // Once the ring is full, the oldest id leaves as a new one enters.
    if (this.ring.length < RING) this.ring.push(id);
    else {
      this.recent.delete(this.ring[this.head]!);
      this.ring[this.head] = id;
      this.head = (this.head + 1) % RING;
    }
    this.recent.add(id);
  }

  /** After a catch-up: stream events older than the last history event were already applied. */
  caughtUpTo(at: string | undefined): void {
    this.overlapUntil = Dedupe.ms(at);
  }
}

/** Ids the dedupe remembers besides those at the newest `processed_at`. */
const RING = 4096;

export async function runTurn(turnOpts: TurnOptions): Promise<TurnDigest> {
  const { api, sessionId, log } = turnOpts;
  const started = Date.now();
  const deadline = started + turnOpts.timeoutMs;
  const opts: Run = { ...turnOpts, pages: turnOpts.shared?.pages ?? new PageBudget(undefined, deadline + WALK_GRACE_MS) };
  const reopenBudget = turnOpts.shared?.reopens ?? { used: 0 };
  // A signal of the turn's own, following the call's: the SDK leaves a listener on the signal of a
  // stream closed between reads, and a call that follows several turns (the approval policy's
  // rounds) would pile them onto the call's signal.
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  const signal = ac.signal;
  const seen = new Dedupe();
  let state: TurnState;
  let stream: LiveStream | undefined;
  /** New (not duplicate) events applied so far. */
  let fresh = 0;

  const apply = (ev: Ev, fromStream = false): boolean => {
    // A queued event streamed before it is processed (`processed_at: null`, the queued-echo
    // reading in docs/emulator.md) comes again, same id, when processed: only that one counts.
    if (ev.processed_at === null) return false;
    const t = Dedupe.ms(ev.processed_at);
    if (seen.isDuplicate(ev.id, t, fromStream)) return false;
    seen.add(ev.id, t);
    fresh++;
    return state.apply(ev as any);
  };

  try {
    stream = await openStream(api, sessionId, signal);
    if (opts.send) {
      let sent;
      try {
        sent = await api.write((c, o) => c.beta.sessions.events.send(sessionId, { events: opts.send! }, o), signal);
      } catch (err) {
        // Some readings of the API refuse a message while actions are pending (a 4xx) rather than
        // queue it: say so with the actions, as for a queued one.
        const status = (err as { status?: number })?.status;
        const isMessage = opts.send.some((e) => e.type === 'user.message');
        if (isMessage && (status === 400 || status === 409)) {
          const blocked = await pendingBlockingQueue(opts, signal, true);
          if (blocked) return blocked;
        }
        throw err;
      }
      const ids = (sent?.data ?? []).map((e: any) => e.id as string).filter(Boolean);
      // No echo ids (the response's `data` is optional): the turn starts with the first event after the send.
      state = new TurnState(sessionId, opts.caps ?? DEFAULT_CAPS, ids.at(-1), opts.onStep);
      const queued = ids.length > 0 && (sent?.data ?? []).every((e: any) => e.processed_at === null);
      if (queued) {
        const blocked = await pendingBlockingQueue(opts, signal);
        if (blocked) return blocked;
      }
    } else {
      state = new TurnState(sessionId, opts.caps ?? DEFAULT_CAPS, undefined, opts.onStep);
      const ended = await catchUpFromStart(opts, state, apply, signal);
      if (ended) return await finish(opts, state, false, signal);
    }

    // Reopens in a row that brought no new event (failed, or the stream ended or failed first).
    let failures = 0;
    let reopens = 0;
    let streamErrors = 0;
    let lastError: unknown;
    const maxFailures = opts.maxReconnects ?? 6;
    opts.probe?.onLive?.();
    // Out of time: a timed-out digest, unless the stream is failing (twice in a row, nothing new
    // since): then say so, rather than suggest that following it again would go better.
    const timeUp = async (): Promise<TurnDigest> => {
      if (failures >= 2) throw lostStream(opts, state, reopens, lastError);
      return finish(opts, state, true, signal);
    };
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) return await timeUp();
      const before = fresh;
      let r = await stream.next(Math.min(left, opts.stallMs));
      if (signal.aborted) throw new ToolError('Cancelled while following the turn.');
      if (r.kind === 'event') {
        const ev = r.event as Ev;
        if (!('id' in ev) || !ev.id) continue; // event_start / event_delta previews
        if (typeof ev.type === 'string') {
          if (apply(ev, true)) return await finish(opts, state, false, signal);
          if (fresh > before) failures = 0;
          continue;
        }
        r = { kind: 'error', error: new Error('an event without a type') };
      }
      if (r.kind === 'quiet' && Date.now() >= deadline) return await timeUp();
      // Dropped, errored or quiet for too long: reopen first, then reconcile with history.
      if (r.kind === 'error') {
        lastError = r.error;
        // Once per turn: a stream that fails on every reopen must not flood stderr.
        if (streamErrors++ === 0) log.warn(`event stream for ${sessionId} failed: ${describe(r.error)} (further stream errors in this turn are not logged)`);
      }
      if (r.kind === 'end') lastError = new Error('the stream closed without a new event');
      // A quiet stream already waited stallMs; one that ended or failed backs off before reopening.
      if (r.kind !== 'quiet') failures++;
      stream.close();
      stream = undefined;
      for (;;) {
        if (failures > maxFailures) throw lostStream(opts, state, reopens, lastError);
        const backoff = reopenDelayMs(failures);
        if (backoff > 0) {
          if (Date.now() + backoff >= deadline) throw lostStream(opts, state, reopens, lastError);
          await sleep(backoff, signal);
        }
        if (reopenBudget.used >= MAX_REOPENS_PER_TURN) throw lostStream(opts, state, reopens, lastError);
        reopenBudget.used++;
        reopens++;
        try {
          // This loop is the retry policy for reopening: no nested retries inside it.
          stream = await openStream(api, sessionId, signal, 0);
          const ended = await catchUp(opts, state, apply, signal);
          seen.caughtUpTo(state.lastProcessedAt);
          if (ended) return await finish(opts, state, false, signal);
          break;
        } catch (err) {
          if (signal.aborted || err instanceof PageLimitError) throw err;
          stream?.close();
          stream = undefined;
          failures++;
          lastError = err;
          if (Date.now() >= deadline) throw lostStream(opts, state, reopens, err);
          if (failures <= maxFailures) log.warn(`reconnect ${reopens} for ${sessionId} failed: ${describe(err)}`);
        }
      }
    }
  } finally {
    stream?.close();
    opts.signal.removeEventListener('abort', onAbort);
  }
}

function lostStream(opts: TurnOptions, state: TurnState, reopens: number, err: unknown): ToolError {
  const after = state.lastEventId ? `, "after_event_id":"${state.lastEventId}"` : '';
  return new ToolError(
    `Lost the event stream of ${opts.sessionId} after ${reopens} reopen(s) in this call (with backoff, at most ${MAX_REOPENS_PER_TURN}${opts.shared ? ' shared by the sessions it follows' : ''}); last failure: ${describe(err)}.`,
    `The turn may still be running on the API: call wait_for_turn {"session_id":"${opts.sessionId}"${after}} once the API is reachable (nothing is lost in between).` +
      (err instanceof ResponseLimitError ? ` ${err.hint}` : ''),
  );
}

function describe(err: unknown): string {
  const e = err as any;
  const code = e?.cause?.cause?.code ?? e?.cause?.code;
  return `${e?.message ?? String(err)}${code ? ` (${code})` : ''}`;
}

type Apply = (ev: Ev, fromStream?: boolean) => boolean;

/**
 * Reads history after the last event seen (or, when nothing was seen yet, back to the events we
 * sent) and applies what the stream did not deliver. Returns true when the turn has ended.
 */
async function catchUp(opts: Run, state: TurnState, apply: Apply, signal: AbortSignal): Promise<boolean> {
  if (state.lastProcessedAt) {
    const pages = history(opts, { order: 'asc', limit: HISTORY_PAGE, 'created_at[gte]': state.lastProcessedAt }, signal);
    for await (const { data } of pages) for (const ev of data) apply(ev);
    return state.ending !== null && state.started;
  }
  // Nothing seen yet: walk back from the newest event to what we sent, then replay forwards.
  if (state.awaitedEcho === undefined) return false;
  const events = await walkBack(opts, (ev) => ev.id === state.awaitedEcho, signal);
  for (const ev of events) apply(ev);
  return state.ending !== null && state.started;
}

/** wait_for_turn: find where the current (or last) turn began and replay it from history. */
async function catchUpFromStart(opts: Run, state: TurnState, apply: Apply, signal: AbortSignal): Promise<boolean> {
  const events = await walkBack(
    opts,
    // A queued message may be listed before it is processed (processed_at null): not a turn start.
    (ev) => (opts.afterEventId ? ev.id === opts.afterEventId : TURN_STARTERS.has(ev.type) && !!ev.processed_at),
    signal,
  );
  let start = 0;
  if (opts.probe && events[0]?.processed_at) opts.probe.since = events[0].processed_at;
  if (opts.afterEventId) {
    const i = events.findIndex((e) => e.id === opts.afterEventId);
    if (i < 0) {
      throw new ToolError(
        `after_event_id ${opts.afterEventId} is not in the history of ${opts.sessionId}.`,
        'Pass the last_event_id of a previous digest for this session, or omit after_event_id.',
      );
    }
    // Everything up to and including it was already reported: remember it for lookups only.
    for (const e of events.slice(0, i + 1)) state.addKnownCall(e as any);
    state.lastEventId = events[i]!.id;
    if (events[i]!.processed_at) state.lastProcessedAt = events[i]!.processed_at!;
    start = i + 1;
    const before = events.slice(0, i + 1);
    // The state before the resume point decides whether the turn was already over.
    for (const e of before) if (e.type.startsWith('session.thread_')) state.trackThread(e as any);
    const lastStatus = [...before].reverse().find((e) => e.type.startsWith('session.status_') || e.type === 'session.deleted');
    if (lastStatus) applyStatusOnly(state, lastStatus);
    // A subagent still waiting on an action at the resume point: the turn is blocked on it.
    if (!state.ending && state.pendingIds().length) state.ending = { kind: 'thread_action' };
  }
  if (events.length === 0) {
    const s = await opts.api.read((c, o) => c.beta.sessions.retrieve(opts.sessionId, {}, o), signal);
    state.status = s.status;
    return s.status !== 'running' && s.status !== 'rescheduling';
  }
  for (const ev of events.slice(start)) {
    if (ev.processed_at === null && ev.type.startsWith('user.')) continue;
    // Resuming from an older event: report that turn up to its end, not the turns after it. An
    // idle on requires_action ends it only if nothing resumed it since.
    if (apply(ev) && !(state.ending?.kind === 'idle' && state.ending.stopReason === 'requires_action')) break;
  }
  return state.ending !== null;
}

function applyStatusOnly(state: TurnState, ev: Ev) {
  const e = ev as any;
  if (e.type === 'session.status_idle') {
    state.status = 'idle';
    state.ending = { kind: 'idle', stopReason: e.stop_reason?.type ?? 'unknown', eventIds: e.stop_reason?.event_ids ?? [] };
  } else if (e.type === 'session.status_terminated' || e.type === 'session.deleted') {
    state.status = 'terminated';
    state.ending = { kind: 'terminated' };
  } else {
    state.status = e.type === 'session.status_rescheduled' ? 'rescheduling' : 'running';
    state.ending = null;
  }
}

/**
 * What we sent was queued (processed_at null). If the session sits idle on requires_action, it
 * will not run our events until the pending actions are answered: waiting would only time out,
 * so say so now, with the actions and how to answer them. Returns undefined otherwise.
 */
export async function pendingBlockingQueue(given: TurnOptions | Run, signal: AbortSignal, refused = false): Promise<TurnDigest | undefined> {
  const found = await waitingOn(given, signal);
  if (!found) return undefined;
  const { status, d } = found;
  return emptyDigest(given.sessionId, {
    status,
    stop_reason: 'requires_action',
    pending_actions: d.pending_actions,
    last_event_id: d.last_event_id,
    hint: refused
      ? `The API refused your message: the session is waiting on ${d.pending_actions.length} pending action(s) from the previous turn. ` +
        'Answer each with answer_with, then send your message again.'
      : `Your message is queued: the session is waiting on ${d.pending_actions.length} pending action(s) from the previous turn and ` +
        'runs nothing until they are answered. Answer each with answer_with; your message runs after that turn ends (then call wait_for_turn for its reply).',
  });
}

/**
 * What the session waits on now, read from the API alone (a session read and a history read, no
 * stream, nothing sent): undefined when it waits on nothing.
 */
async function waitingOn(given: TurnOptions | Run, signal: AbortSignal): Promise<{ status: 'idle' | 'running'; d: TurnDigest } | undefined> {
  // Called on its own (a send without waiting), it gets the default page budget and walk deadline.
  const opts: Run = 'pages' in given ? given : { ...given, pages: new PageBudget() };
  const s = await opts.api.read((c, o) => c.beta.sessions.retrieve(opts.sessionId, {}, o), signal);
  // `running` too: a subagent thread waiting on an action keeps the session running (docs/multi-agent.md).
  if (s.status !== 'idle' && s.status !== 'running') return undefined;
  const probe = new TurnState(opts.sessionId, opts.caps ?? DEFAULT_CAPS);
  // One history read, no stream: nothing can arrive twice, so no dedupe is needed.
  await catchUpFromStart({ ...opts, afterEventId: undefined }, probe, (ev) => probe.apply(ev as any), signal);
  if (!probe.requiresAction) return undefined;
  return { status: s.status, d: await finish(opts, probe, false, signal) };
}

/** The pending actions of a session as the API stores them (inputs included): reads only. */
export async function pendingNow(given: TurnOptions, signal: AbortSignal): Promise<PendingAction[]> {
  return (await waitingOn(given, signal))?.d.pending_actions ?? [];
}

/** Pages history newest-first until `stop` matches (inclusive), returning those events oldest-first. */
async function walkBack(opts: Run, stop: (ev: Ev) => boolean, signal: AbortSignal): Promise<Ev[]> {
  const out: Ev[] = [];
  outer: for await (const { data } of history(opts, { order: 'desc', limit: HISTORY_PAGE }, signal)) {
    for (const ev of data) {
      out.push(ev);
      if (stop(ev) || out.length >= MAX_LOOKBACK) break outer;
    }
  }
  return out.reverse();
}

/** The session's history pages, within the turn's page budget and deadline. */
function history(opts: Run, params: EventListParams, signal: AbortSignal): AsyncGenerator<Paged<Ev>> {
  const list = (page: string | undefined) =>
    opts.api.read((c, o) => c.beta.sessions.events.list(opts.sessionId, page ? { ...params, page } : params, o), signal);
  return walkPages(list as (page: string | undefined) => Promise<Paged<Ev>>, {
    what: `the event history of ${opts.sessionId}`,
    budget: opts.pages,
    hint: `The turn may still be running: call wait_for_turn {"session_id":"${opts.sessionId}"} later; if this persists, the API (or a proxy in front of it) is misbehaving.`,
  });
}

/** Completes the digest: resolves pending-action ids that happened before what we followed. */
async function finish(opts: Run, state: TurnState, timedOut: boolean, signal: AbortSignal): Promise<TurnDigest> {
  if (!timedOut && state.awaitsAnswers) {
    // Tool-use events first (the usual case, a filtered read); then, for an id still missing, any
    // event type: its kind comes from its type, and an unknown type is reported as such.
    for (const types of [['agent.tool_use', 'agent.mcp_tool_use', 'agent.custom_tool_use'], undefined] as const) {
      let missing = state.missingCalls(state.pendingIds());
      if (!missing.length) break;
      const calls = history(opts, { order: 'desc', limit: HISTORY_PAGE, ...(types ? { types: [...types] } : {}) }, signal);
      let scanned = 0;
      for await (const { data } of calls) {
        for (const ev of data) if (missing.includes(ev.id)) state.addKnownCall(ev as any, !types);
        scanned += data.length;
        missing = state.missingCalls(state.pendingIds());
        if (!missing.length || scanned >= MAX_LOOKBACK) break;
      }
    }
  }
  if (timedOut && state.status === 'unknown') state.status = 'running';
  return state.digest(timedOut);
}
