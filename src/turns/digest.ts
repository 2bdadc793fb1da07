/**
 * The turn digest: what a model needs to know about one turn, accumulated event by event with
 * bounded memory (the reply and the step list are capped as they grow, not after).
 *
 * What belongs to "this turn" (turn-engine.md): everything after the echo of the last event we
 * sent. Events before it — a previous turn's idle above all — only feed the lookup of tool calls
 * that may still be pending, never the digest.
 */
import { clip, contentText, eventSummary, isStepEvent } from '../format/events.js';

export type PendingAction = {
  id: string;
  kind: 'tool_confirmation' | 'custom_tool_result';
  tool: string;
  /** Set when a subagent thread waits on it (docs/multi-agent.md); the answer is still routed by id. */
  session_thread_id?: string;
  agent?: string;
  input: unknown;
  input_truncated?: boolean;
  answer_with: { tool: string; arguments: Record<string, unknown> };
};

export type TurnUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  model_requests: number;
};

export interface TurnDigest {
  session_id: string;
  status: string;
  stop_reason?: string;
  reply: string;
  reply_truncated_chars?: number;
  steps: string[];
  steps_omitted?: number;
  pending_actions: PendingAction[];
  usage: TurnUsage;
  last_event_id?: string;
  timed_out: boolean;
  events_seen: number;
  hint?: string;
}

export interface DigestCaps {
  replyChars: number;
  steps: number;
  stepWidth: number;
  inputChars: number;
}

export const DEFAULT_CAPS: DigestCaps = { replyChars: 20_000, steps: 40, stepWidth: 160, inputChars: 2_000 };

type Ev = { id: string; type: string; processed_at?: string | null; [k: string]: any };

/** A tool call that can block a turn: kept (with its full input) until the turn is over. */
interface BlockingCall {
  id: string;
  kind: PendingAction['kind'];
  tool: string;
  input: unknown;
  threadId?: string;
}

/**
 * How the turn ended. `thread_action`: a subagent thread idles on requires_action while the
 * session stays `running` (docs/multi-agent.md) — a pending action of the turn like a session-level
 * requires_action, or following it would wait for an answer nobody is asked for.
 */
export type Ending =
  | { kind: 'idle'; stopReason: string; eventIds: string[] }
  | { kind: 'thread_action' }
  | { kind: 'terminated' };

export class TurnState {
  started: boolean;
  status = 'unknown';
  ending: Ending | null = null;
  lastEventId?: string;
  lastProcessedAt?: string;
  eventsSeen = 0;
  readonly awaitedEcho?: string;
  private reply = '';
  private replyOverflow = 0;
  private readonly steps: string[] = [];
  private stepsOmitted = 0;
  private readonly calls = new Map<string, BlockingCall>();
  /** Subagent threads seen: id → agent name. */
  private readonly threadNames = new Map<string, string>();
  /** Subagent threads idle on requires_action: id → the event ids they wait on. */
  private readonly threadWaits = new Map<string, string[]>();
  private readonly usage: TurnUsage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    model_requests: 0,
  };

  /**
   * @param awaitedEcho id of the last event we sent: the turn starts at its echo. Undefined means
   *   the turn has already started (wait_for_turn, or a send whose response carried no ids).
   */
  constructor(
    readonly sessionId: string,
    private readonly caps: DigestCaps = DEFAULT_CAPS,
    awaitedEcho?: string,
    private readonly onStep?: (line: string) => void,
  ) {
    this.awaitedEcho = awaitedEcho;
    this.started = awaitedEcho === undefined;
  }

  /** Applies one event (already deduplicated). Returns true when it ends the turn. */
  apply(ev: Ev): boolean {
    this.lastEventId = ev.id;
    if (ev.processed_at) this.lastProcessedAt = ev.processed_at;
    this.rememberCall(ev);
    if (ev.type === 'user.tool_confirmation' || ev.type === 'user.custom_tool_result') {
      this.calls.delete(ev.tool_use_id ?? ev.custom_tool_use_id);
    }
    if (!this.started) {
      // The turn starts when our event is processed, not at a queued echo of it (processed_at null).
      if (ev.id === this.awaitedEcho && ev.processed_at !== null) this.started = true;
      else return false;
    }
    const threadEnded = this.trackThread(ev);
    this.eventsSeen++;
    switch (ev.type) {
      case 'agent.message': {
        const text = contentText(ev.content);
        this.appendReply(text);
        this.onStep?.(`agent: ${clip(text, 120)}`);
        break;
      }
      case 'span.model_request_end': {
        const u = ev.model_usage ?? {};
        this.usage.input_tokens += u.input_tokens ?? 0;
        this.usage.output_tokens += u.output_tokens ?? 0;
        this.usage.cache_read_input_tokens += u.cache_read_input_tokens ?? 0;
        this.usage.cache_creation_input_tokens += u.cache_creation_input_tokens ?? 0;
        this.usage.model_requests++;
        break;
      }
      case 'session.status_running':
        this.status = 'running';
        this.ending = null;
        break;
      case 'session.status_rescheduled':
        this.status = 'rescheduling';
        break;
      case 'session.status_idle': {
        this.status = 'idle';
        const sr = ev.stop_reason ?? {};
        this.ending = { kind: 'idle', stopReason: sr.type ?? 'unknown', eventIds: sr.event_ids ?? [] };
        this.onStep?.(`idle: ${sr.type ?? 'unknown'}`);
        return true;
      }
      case 'session.status_terminated':
      case 'session.deleted':
        this.status = 'terminated';
        this.ending = { kind: 'terminated' };
        this.addStep(`${ev.type === 'session.deleted' ? 'session deleted' : 'session terminated'}`);
        return true;
      case 'user.message':
        // Another client's message on the same session: facts, not ours to hide.
        if (ev.id !== this.awaitedEcho) this.addStep(`user.message (another client): ${clip(contentText(ev.content), 100)}`);
        break;
    }
    if (isStepEvent(ev.type)) {
      // Steps say which thread did what: `[helper] agent.tool_use bash …`.
      const tid = ev.type.startsWith('session.thread_') ? undefined : ev.session_thread_id;
      const who = tid ? `[${this.threadNames.get(tid) ?? tid}] ` : '';
      this.addStep(`${who}${ev.type} ${eventSummary(ev, this.caps.stepWidth)}`.trimEnd());
    }
    if (threadEnded) {
      this.ending = { kind: 'thread_action' };
      this.onStep?.('a subagent thread requires action');
      return true;
    }
    return false;
  }

  /** Follows subagent thread status; true when a thread starts waiting on an action. */
  trackThread(ev: Ev): boolean {
    if (!ev.type.startsWith('session.thread_')) return false;
    const tid = String(ev.session_thread_id);
    if (ev.agent_name) this.threadNames.set(tid, String(ev.agent_name));
    if (ev.type === 'session.thread_status_idle' && ev.stop_reason?.type === 'requires_action') {
      this.threadWaits.set(tid, ev.stop_reason.event_ids ?? []);
      return true;
    }
    if (ev.type !== 'session.thread_created') this.threadWaits.delete(tid);
    if (this.ending?.kind === 'thread_action' && this.threadWaits.size === 0) this.ending = null;
    return false;
  }

  /** True when the turn ended waiting on the user (at session level or in any thread). */
  get requiresAction(): boolean {
    const e = this.ending;
    return e?.kind === 'thread_action' || (e?.kind === 'idle' && e.stopReason === 'requires_action');
  }

  /** Every event id the turn waits on: the session's requires_action ids, then each waiting thread's. */
  pendingIds(): string[] {
    const e = this.ending;
    const ids = e?.kind === 'idle' && e.stopReason === 'requires_action' ? [...e.eventIds] : [];
    for (const list of this.threadWaits.values()) for (const id of list) if (!ids.includes(id)) ids.push(id);
    return ids;
  }

  private rememberCall(ev: Ev): void {
    let kind: BlockingCall['kind'] | undefined;
    if (ev.type === 'agent.custom_tool_use') kind = 'custom_tool_result';
    else if ((ev.type === 'agent.tool_use' || ev.type === 'agent.mcp_tool_use') && ev.evaluated_permission === 'ask') {
      kind = 'tool_confirmation';
    }
    if (!kind) return;
    const tool = ev.type === 'agent.mcp_tool_use' ? `${ev.mcp_server_name}/${ev.name}` : String(ev.name);
    this.calls.set(ev.id, { id: ev.id, kind, tool, input: ev.input, threadId: ev.session_thread_id ?? undefined });
  }

  /** Registers a blocking call found in history (it preceded what we followed). */
  addKnownCall(ev: Ev): void {
    this.rememberCall(ev);
  }

  missingCalls(ids: string[]): string[] {
    return ids.filter((id) => !this.calls.has(id));
  }

  private appendReply(text: string): void {
    if (!text) return;
    const sep = this.reply ? '\n\n' : '';
    const room = this.caps.replyChars - this.reply.length;
    if (room <= 0) {
      this.replyOverflow += sep.length + text.length;
      return;
    }
    const piece = sep + text;
    if (piece.length <= room) this.reply += piece;
    else {
      this.reply += piece.slice(0, room);
      this.replyOverflow += piece.length - room;
    }
  }

  private addStep(line: string): void {
    this.onStep?.(line);
    if (this.steps.length < this.caps.steps) this.steps.push(clip(line, this.caps.stepWidth));
    else this.stepsOmitted++;
  }

  digest(timedOut: boolean): TurnDigest {
    const pending: PendingAction[] = [];
    const e = this.ending;
    if (!timedOut && this.requiresAction) {
      for (const id of this.pendingIds()) pending.push(this.pendingAction(id, this.calls.get(id)));
    }
    const d: TurnDigest = {
      session_id: this.sessionId,
      status: this.status,
      reply: this.reply,
      steps: this.steps,
      pending_actions: pending,
      usage: this.usage,
      timed_out: timedOut,
      events_seen: this.eventsSeen,
    };
    if (e?.kind === 'idle') d.stop_reason = e.stopReason;
    if (e?.kind === 'thread_action') d.stop_reason = 'requires_action';
    if (e?.kind === 'terminated') d.stop_reason = 'terminated';
    if (this.replyOverflow) d.reply_truncated_chars = this.replyOverflow;
    if (this.stepsOmitted) d.steps_omitted = this.stepsOmitted;
    if (this.lastEventId) d.last_event_id = this.lastEventId;
    d.hint = this.hint(d);
    if (!d.hint) delete d.hint;
    return d;
  }

  private pendingAction(id: string, call: BlockingCall | undefined): PendingAction {
    const kind = call?.kind ?? 'tool_confirmation';
    let input: unknown = call?.input ?? {};
    let truncated = false;
    const raw = JSON.stringify(input) ?? '';
    if (raw.length > this.caps.inputChars) {
      input = `${raw.slice(0, this.caps.inputChars)}…`;
      truncated = true;
    }
    const answer_with =
      kind === 'custom_tool_result'
        ? {
            tool: 'submit_custom_tool_result',
            arguments: { session_id: this.sessionId, custom_tool_use_id: id, content: '<result text>' },
          }
        : {
            tool: 'confirm_tool_use',
            arguments: { session_id: this.sessionId, tool_use_id: id, result: 'allow' },
          };
    const p: PendingAction = { id, kind, tool: call?.tool ?? 'unknown', input, answer_with };
    const tid = call?.threadId ?? [...this.threadWaits].find(([, ids]) => ids.includes(id))?.[0];
    if (tid) {
      p.session_thread_id = tid;
      const name = this.threadNames.get(tid);
      if (name) p.agent = name;
    }
    if (truncated) p.input_truncated = true;
    return p;
  }

  private hint(d: TurnDigest): string | undefined {
    if (d.timed_out) {
      return `The turn is still running. Call wait_for_turn {"session_id":"${this.sessionId}"} to keep following it (nothing is lost in between).`;
    }
    const parts: string[] = [];
    if (d.pending_actions.length) {
      parts.push(
        `The session is waiting on ${d.pending_actions.length} action(s): answer each with the tool in answer_with ` +
          '(confirm_tool_use with result "allow" or "deny"; submit_custom_tool_result with your result as content).',
      );
    }
    if (d.stop_reason === 'budget_reached') parts.push('The session budget is spent: raise it with update_session budget, or start a new session.');
    if (d.stop_reason === 'retries_exhausted') parts.push('The platform gave up after repeated errors (see steps); send_message again to retry the task.');
    if (d.stop_reason === 'terminated') parts.push('The session is terminated: start_session to continue the work.');
    if (d.reply_truncated_chars || d.steps_omitted) {
      parts.push('Parts were omitted to keep this result small: list_events shows the full history.');
    }
    return parts.length ? parts.join(' ') : undefined;
  }
}
