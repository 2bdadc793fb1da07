/**
 * One session: its stored event history, its live streams, its status machine and its turn queue.
 *
 * Ordering rules (docs/api-behaviour.md, "Events" and "Streaming"; docs/turn-engine.md): every emitted event is appended to the
 * history and written to every open stream in the same order. User events are echoed (stored and
 * streamed, with a server id and `processed_at`) when they are processed; a `user.message` sent
 * while a turn is running is queued (its echo in the send response has `processed_at: null`) and
 * processed after that turn. `user.interrupt` jumps the queue and stops the current turn.
 */
import type { BetaManagedAgentsSession, BetaManagedAgentsSessionUsage } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import { costOf, priceFor, toCents } from '../../shared/pricing.js';
import { badRequest, conflict } from '../wire/http.js';
import type { EventParam } from '../contract/validate-events.js';
import { rosterOf } from '../contract/multiagent.js';
import { runTurn } from './scripted-agent.js';
import { ActionGate } from './action-gate.js';
import { ChildThread } from './child-thread.js';
import { EventLog } from './event-log.js';
import type { AbortReason, EmitInput, PendingKind, Resolution, RuntimeStore, StoredEvent, TurnHost, TurnStop } from './types.js';

/**
 * A new session thread, idle with no stats yet: a session's primary thread (`parent_thread_id`
 * null, made with the session and stamped `at` its creation) or a subagent's (docs/multi-agent.md).
 */
export function newThread<A extends BetaManagedAgentsSessionThread['agent']>(
  state: Pick<RuntimeStore, 'ids' | 'clock'>,
  t: { session_id: string; agent: A; parent_thread_id: string | null; at?: string },
): BetaManagedAgentsSessionThread & { agent: A } {
  const now = t.at ?? state.clock.iso();
  return {
    id: state.ids.next('sthr'),
    type: 'session_thread',
    session_id: t.session_id,
    agent: t.agent,
    parent_thread_id: t.parent_thread_id,
    status: 'idle',
    stats: null,
    usage: null,
    workflow_run_id: null,
    created_at: now,
    updated_at: now,
    archived_at: null,
  };
}

const HIGH_WATER_BYTES = 1 << 20;
const SLOW_CONSUMER_MS = 30_000;

export class SessionRuntime extends EventLog implements TurnHost {
  tokens = { input: 0, output: 0, cacheRead: 0, cache5m: 0, cache1h: 0 };
  /** Characters of conversation in earlier turns (the emulated prompt cache). */
  priorChars = 0;
  budgetRemoved = false;
  private activeMs = 0;
  private runningSince: number | undefined;
  private endedAt: number | undefined;
  private queue: StoredEvent[][] = [];
  private turn: AbortController | null = null;
  /** Calls still waited on after a `retries_exhausted` stop, and what runs once they are all answered. */
  private parked: { ids: string[]; resume: (signal: AbortSignal) => Promise<void> } | null = null;
  private readonly gate = new ActionGate({
    blocked: (open) => {
      this.setStatus('idle');
      this.emit({ type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: open }, stop_details: null });
    },
    resumed: () => {
      this.setStatus('running');
      this.emit({ type: 'session.status_running' });
    },
  });
  /** Subagent threads by id (docs/multi-agent.md), in creation order. */
  readonly children = new Map<string, ChildThread>();
  disposed = false;

  constructor(
    state: RuntimeStore,
    readonly session: BetaManagedAgentsSession,
    readonly thread: BetaManagedAgentsSessionThread,
    readonly selfHosted: boolean,
  ) {
    super(state);
  }

  get id(): string {
    return this.session.id;
  }

  get terminated(): boolean {
    return this.session.status === 'terminated';
  }

  // ---- views ------------------------------------------------------------------------------------

  private activeSeconds(): number {
    const now = this.state.clock.nowMs();
    const ms = this.activeMs + (this.runningSince !== undefined ? now - this.runningSince : 0);
    return Math.round(ms) / 1000;
  }

  listCostUsd(): number | undefined {
    const price = priceFor(this.state.settings.priceTable, this.session.agent.model.id);
    if (!price) return undefined;
    return costOf(
      this.state.settings.priceTable,
      price,
      {
        input_tokens: this.tokens.input,
        output_tokens: this.tokens.output,
        cache_read_input_tokens: this.tokens.cacheRead,
        cache_creation: { ephemeral_5m_input_tokens: this.tokens.cache5m, ephemeral_1h_input_tokens: this.tokens.cache1h },
      },
      this.activeSeconds(),
    ).total;
  }

  usage(): BetaManagedAgentsSessionUsage {
    const cost = this.listCostUsd();
    // The `flat-cache-usage` reading: cache writes as the documentation's example shows them, a flat
    // `cache_creation_input_tokens` (not in the SDK's type), instead of the nested object.
    const writes =
      this.state.settings.readings.cacheUsage === 'flat'
        ? ({ cache_creation_input_tokens: this.tokens.cache5m + this.tokens.cache1h } as object)
        : { cache_creation: { ephemeral_5m_input_tokens: this.tokens.cache5m, ephemeral_1h_input_tokens: this.tokens.cache1h } };
    return {
      input_tokens: this.tokens.input,
      output_tokens: this.tokens.output,
      cache_read_input_tokens: this.tokens.cacheRead,
      ...writes,
      server_tool_use: { web_fetch_requests: 0, web_search_requests: 0 },
      list_cost: cost === undefined ? null : { amount: toCents(cost), currency: 'USD' },
      active_seconds: this.activeSeconds(),
    };
  }

  budgetReached(): boolean {
    const b = this.session.budget;
    if (!b) return false;
    const cost = this.listCostUsd();
    if (cost === undefined) return true;
    return Number(toCents(cost)) >= Number(b.max_list_cost.amount);
  }

  view(): BetaManagedAgentsSession {
    const end = this.endedAt ?? this.state.clock.nowMs();
    const duration = Math.max(0, end - Date.parse(this.session.created_at)) / 1000;
    return {
      ...this.session,
      stats: { active_seconds: this.activeSeconds(), duration_seconds: duration },
      usage: this.usage(),
    };
  }

  threadView(): BetaManagedAgentsSessionThread {
    const usage = this.usage();
    return {
      ...this.thread,
      status: this.session.status,
      updated_at: this.session.updated_at,
      stats: { active_seconds: this.activeSeconds(), duration_seconds: this.view().stats.duration_seconds },
      usage: { ...usage, list_cost: usage.list_cost ?? undefined },
    };
  }

  // ---- emitting ---------------------------------------------------------------------------------

  emit(ev: EmitInput): StoredEvent {
    const stored = { id: this.state.ids.next('sevt'), ...ev, processed_at: '' } as StoredEvent;
    this.store(stored);
    return stored;
  }

  /** Yields to the event loop, and waits while any stream has more than 1 MiB unsent. */
  async flow(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    for (const conn of [...this.streams]) {
      if (conn.buffered <= HIGH_WATER_BYTES) continue;
      // A consumer that stops reading must not stall the session forever (or grow memory without
      // bound): give it SLOW_CONSUMER_MS to drain, then drop that connection.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        conn.waitDrain().then(() => false),
        new Promise<boolean>((r) => {
          timer = setTimeout(() => r(true), SLOW_CONSUMER_MS);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) conn.destroy();
    }
  }

  setStatus(status: BetaManagedAgentsSession['status']): void {
    const now = this.state.clock.nowMs();
    const wasRunning = this.session.status === 'running' || this.session.status === 'rescheduling';
    const isRunning = status === 'running' || status === 'rescheduling';
    if (wasRunning && !isRunning && this.runningSince !== undefined) {
      this.activeMs += now - this.runningSince;
      this.runningSince = undefined;
    } else if (!wasRunning && isRunning) {
      this.runningSince = now;
    }
    this.session.status = status;
    this.session.updated_at = new Date(now).toISOString();
    if (status === 'terminated') this.endedAt = now;
  }

  /**
   * Turns this fresh session into one that ran in the past (the seed, docs/emulator.md "Seeding"):
   * created at `createdMs`, `activeMs` of running time, and — when `endedMs` is given — terminated
   * then (so `stats.duration_seconds` is frozen). Its history stays empty; `tokens` are set by the caller.
   */
  backdate(createdMs: number, activeMs: number, endedMs?: number): void {
    const created = new Date(createdMs).toISOString();
    this.session.created_at = created;
    this.thread.created_at = created;
    this.activeMs = activeMs;
    const end = endedMs ?? createdMs + activeMs;
    this.session.updated_at = new Date(end).toISOString();
    this.thread.updated_at = this.session.updated_at;
    if (endedMs !== undefined) {
      this.session.status = 'terminated';
      this.endedAt = endedMs;
    }
  }

  // ---- input ------------------------------------------------------------------------------------

  /** events.send: validates the whole batch first, then applies it. Returns the echoes. */
  send(params: EventParam[]): StoredEvent[] {
    if (this.terminated) {
      throw conflict(`session ${this.id} has ended and takes no further input`);
    }
    // Answers are routed by tool use id, to whichever thread waits on it (docs/multi-agent.md).
    const readings = this.state.settings.readings;
    const open = new Map<string, PendingKind>(this.gate.openIds());
    const owner = new Map<string, ChildThread>();
    for (const child of this.children.values()) {
      for (const [id, kind] of child.gate.openIds()) {
        open.set(id, kind);
        owner.set(id, child);
      }
    }
    params.forEach((p, i) => {
      const where = `events[${i}]`;
      if (p.type === 'user.tool_confirmation') {
        if (open.get(p.tool_use_id) !== 'confirm') {
          throw badRequest(`${where}: '${p.tool_use_id}' names no call in this session that waits for a yes or no`);
        }
        if (p.result === 'allow' && p.deny_message != null) throw badRequest(`${where}.deny_message: only allowed with result 'deny'`);
        open.delete(p.tool_use_id);
      } else if (p.type === 'user.custom_tool_result') {
        if (open.get(p.custom_tool_use_id) !== 'custom') {
          throw badRequest(`${where}: '${p.custom_tool_use_id}' names no call in this session that waits for an answer`);
        }
        open.delete(p.custom_tool_use_id);
      } else if (p.type === 'user.tool_result') {
        if (!this.selfHosted) throw badRequest(`${where}: user.tool_result is only valid on self_hosted environments`);
        if (open.get(p.tool_use_id) !== 'result') {
          throw badRequest(`${where}: '${p.tool_use_id}' names no call in this session that waits for a result`);
        }
        open.delete(p.tool_use_id);
      } else if (p.type === 'user.message' && readings.sendWhilePending === 'refuse' && open.size > 0) {
        // The `refuse-while-pending` reading (docs/emulator.md "Readings").
        throw conflict(
          `${where}: the session is waiting on ${open.size} pending action(s) (${[...open.keys()].join(', ')}); answer them before sending a user.message`,
        );
      } else if (p.type === 'system.message') {
        const prev = params[i - 1]?.type;
        if (i !== params.length - 1 || !prev || !['user.message', 'user.tool_result', 'user.custom_tool_result'].includes(prev)) {
          throw badRequest(`${where}: system.message must be the last event and follow a user.message, user.tool_result or user.custom_tool_result`);
        }
      } else if (p.type === 'user.define_outcome' && p.rubric.type === 'file' && !this.state.files.has(p.rubric.file_id)) {
        throw badRequest(`${where}.rubric.file_id: file '${p.rubric.file_id}' not found`);
      } else if (p.type === 'user.interrupt' && p.session_thread_id && p.session_thread_id !== this.thread.id && !this.children.has(p.session_thread_id)) {
        throw badRequest(`${where}.session_thread_id: unknown thread '${p.session_thread_id}'`);
      }
    });

    const echoes: StoredEvent[] = [];
    let lastQueued: StoredEvent[] | null = null;
    for (const p of params) {
      const echo = { id: this.state.ids.next('sevt'), ...p, processed_at: null } as StoredEvent;
      if (p.type === 'user.define_outcome') {
        echo.outcome_id = this.state.ids.next('outc');
        echo.max_iterations = p.max_iterations ?? 3;
        // The SDK: "File rubrics are currently resolved to their text content".
        if (p.rubric.type === 'file') echo.rubric = { type: 'text', content: this.state.files.get(p.rubric.file_id)!.content.toString('utf8') };
      }
      echoes.push({ ...echo });
      switch (p.type) {
        case 'user.interrupt':
          this.store(echo);
          this.interrupt();
          break;
        case 'user.tool_confirmation':
          this.answer(echo, owner.get(p.tool_use_id), p.tool_use_id, { kind: 'confirm', allow: p.result === 'allow', denyMessage: p.deny_message });
          break;
        case 'user.custom_tool_result':
          this.answer(echo, owner.get(p.custom_tool_use_id), p.custom_tool_use_id, {
            kind: 'custom',
            allow: true,
            content: p.content ?? [],
            isError: p.is_error ?? false,
          });
          break;
        case 'user.tool_result':
          this.answer(echo, owner.get(p.tool_use_id), p.tool_use_id, { kind: 'result', allow: true, content: p.content ?? [], isError: p.is_error ?? false });
          break;
        case 'system.message':
          // Travels with the event it accompanies (validated above to be the previous one).
          if (lastQueued) lastQueued.push(echo);
          else this.store(echo);
          break;
        default: {
          const item = [echo];
          lastQueued = null;
          if (this.turn || this.queue.length > 0) {
            this.queue.push(item);
            lastQueued = item;
            // The `queued-echo` reading: streamed at once, unprocessed; stored (and listed) when processed.
            if (readings.queuedEcho === 'at-once') for (const conn of this.streams) conn.send({ ...echo });
          } else {
            this.store(echo);
            this.startTurn(echo);
          }
        }
      }
      echoes[echoes.length - 1]!.processed_at = echo.processed_at;
      if (echo.session_thread_id) echoes[echoes.length - 1]!.session_thread_id = echo.session_thread_id;
    }
    return echoes;
  }

  /**
   * Stores an answer's echo and resolves the action. An answer routed to a subagent thread is
   * echoed on both streams with `session_thread_id` set by the server (the params have no such field).
   */
  private answer(echo: StoredEvent, child: ChildThread | undefined, id: string, res: Resolution): void {
    if (child) echo.session_thread_id = child.thread.id;
    this.store(echo);
    if (!child) {
      this.gate.resolve(id, res);
      // The last answer to calls that outlived a retries_exhausted stop makes the thread run again.
      const parked = this.parked;
      if (parked && !this.turn && parked.ids.every((p) => this.gate.kindOf(p) === undefined)) {
        this.parked = null;
        this.startTurn(null, parked.resume);
      }
      return;
    }
    child.store({ ...echo });
    child.gate.resolve(id, res);
  }

  private startTurn(trigger: StoredEvent | null, resume?: (signal: AbortSignal) => Promise<void>): void {
    const ctl = new AbortController();
    this.turn = ctl;
    if (trigger) {
      // A new message starts afresh: calls left over from a retries_exhausted stop are no longer waited on.
      this.parked = null;
      this.clearActions();
    }
    this.setStatus('running');
    this.emit({ type: 'session.status_running' });
    const run = trigger ? runTurn(this, trigger, ctl.signal) : resume!(ctl.signal);
    run
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) console.error('[emulator] scripted turn failed:', err);
      })
      .finally(() => {
        if (this.turn === ctl) this.turn = null;
        if (!this.disposed && !this.terminated) setImmediate(() => this.pump());
      });
  }

  private pump(): void {
    if (this.turn || this.terminated || this.disposed) return;
    const next = this.queue.shift();
    if (!next) return;
    for (const ev of next) this.store(ev);
    this.startTurn(next[0]!);
  }

  /** Ends the current turn: a cumulative `session.usage` snapshot, then the idle. */
  endTurn(stop: TurnStop): void {
    // After retries_exhausted the session still accepts the results of the calls it was waiting on
    // (the SDK's session runner, lib/tools/SessionToolRunner in @anthropic-ai/sdk): they stay open.
    if (stop !== 'retries_exhausted' || !this.parked) this.clearActions();
    this.setStatus('idle');
    this.emit({ type: 'session.usage', usage: this.snapshot(), budget: this.session.budget });
    this.emit({ type: 'session.status_idle', stop_reason: { type: stop }, stop_details: null });
    if (stop === 'retries_exhausted') this.queue = []; // exhausted flushes queued inputs (docs/api-behaviour.md, "Events")
  }

  snapshot() {
    const u = this.usage();
    return { ...u, list_cost: u.list_cost ?? undefined, server_tool_use: u.server_tool_use ?? undefined };
  }

  // ---- actions (requires_action) ----------------------------------------------------------------

  awaitAction(id: string, kind: PendingKind): void {
    this.gate.awaitAction(id, kind);
  }

  takeResolution(id: string): Resolution | undefined {
    return this.gate.takeResolution(id);
  }

  parkActions(ids: string[], resume: (signal: AbortSignal) => Promise<void>): void {
    this.gate.announce(ids);
    this.parked = { ids, resume };
  }

  /**
   * Blocks the turn until every id is resolved. Emits one `requires_action` idle listing the open
   * ids; partial resolution re-emits it with the rest (docs/api-behaviour.md, "Events"); full resolution goes back to running.
   */
  waitForActions(ids: string[], signal: AbortSignal): Promise<void> {
    return this.gate.wait(ids, signal);
  }

  private clearActions(): void {
    this.gate.clear();
    for (const child of this.children.values()) child.gate.clear();
  }

  // ---- subagent threads (docs/multi-agent.md) ---------------------------------------------------

  /**
   * `/delegate`: spawns a thread running a roster agent on `text` and waits for its reply. While
   * the thread waits on an action, it idles (`session.thread_status_idle`, requires_action) and the
   * session stays `running`. Returns the thread's reply, or an error message for the primary agent.
   */
  async delegate(target: string, text: string, signal: AbortSignal): Promise<{ agent: string; reply: string } | { error: string }> {
    const roster = rosterOf(this.session.agent.multiagent);
    if (roster.length === 0) return { error: `this agent has no multiagent roster, so it cannot delegate to '${target}'` };
    const agent = roster.find((a) => a.id === target || a.name === target);
    if (!agent) return { error: `'${target}' is not in this agent's roster (${roster.map((a) => a.name).join(', ')})` };
    const child = new ChildThread(this, newThread(this.state, { session_id: this.id, agent, parent_thread_id: this.thread.id }));
    this.children.set(child.thread.id, child);
    const threadId = child.thread.id;
    this.emit({ type: 'session.thread_created', session_thread_id: threadId, agent_name: agent.name, workflow_run_id: null });
    const content = [{ type: 'text' as const, text }];
    this.emit({ type: 'agent.thread_message_sent', to_session_thread_id: threadId, to_agent_name: agent.name, content });
    const reply = await child.run(content, this.thread.id, signal);
    this.emit({
      type: 'agent.thread_message_received',
      from_session_thread_id: threadId,
      from_agent_name: agent.name,
      content: [{ type: 'text', text: reply }],
    });
    return { agent: agent.name, reply };
  }

  threadViews(): BetaManagedAgentsSessionThread[] {
    return [this.threadView(), ...[...this.children.values()].map((c) => c.view())];
  }

  /** The primary thread or a subagent thread, by id. */
  threadLog(id: string): SessionRuntime | ChildThread | undefined {
    return id === this.thread.id ? this : this.children.get(id);
  }

  // ---- lifecycle --------------------------------------------------------------------------------

  interrupt(): void {
    this.clearActions();
    if (this.turn) {
      this.turn.abort('interrupt' satisfies AbortReason);
      // The turn's own handler closes any open model span and emits the end_turn idle.
    } else if (this.state.settings.readings.idleInterrupt === 'emit-idle') {
      this.setStatus('idle');
      this.emit({ type: 'session.status_idle', stop_reason: { type: 'end_turn' }, stop_details: null });
    }
  }

  /** Moves to `terminated`, emits `session.status_terminated` and closes every stream. */
  terminate(): void {
    if (this.terminated) return;
    this.turn?.abort('terminate' satisfies AbortReason);
    this.turn = null;
    this.queue = [];
    this.clearActions();
    this.setStatus('terminated');
    for (const child of this.children.values()) child.terminate();
    this.emit({ type: 'session.status_terminated' });
    this.endStreams();
  }

  archive(): void {
    if (this.session.archived_at) return;
    this.terminate();
    this.session.archived_at = this.state.clock.iso();
    this.session.updated_at = this.session.archived_at;
    this.thread.archived_at = this.session.archived_at;
  }

  /** Delete: refused while running (409); otherwise emits `session.deleted` and closes streams. */
  delete(): void {
    if (this.session.status === 'running' || this.session.status === 'rescheduling') {
      throw conflict(`session ${this.id} is busy with a turn; send user.interrupt (or archive it) before deleting`);
    }
    this.turn?.abort('terminate' satisfies AbortReason);
    this.emit({ type: 'session.deleted' });
    this.dispose();
  }

  dispose(): void {
    this.disposed = true;
    this.turn?.abort('dispose' satisfies AbortReason);
    this.turn = null;
    this.queue = [];
    this.endStreams();
    for (const child of this.children.values()) child.endStreams();
  }

  get activeTurn(): boolean {
    return this.turn !== null;
  }
}
