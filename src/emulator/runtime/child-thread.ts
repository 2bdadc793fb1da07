/**
 * A subagent thread of a multi-agent session (docs/multi-agent.md). It runs a roster agent's turn
 * with the scripted agent, inside the primary thread's turn (an interrupt of the session stops
 * both). Its events go to its own history and stream; what the primary stream must show is
 * cross-posted there with the same id: its status changes (`session.thread_status_*`) and the
 * tool uses that wait on the user, with `session_thread_id` set. Waiting on an action idles the
 * thread (`session.thread_status_idle`, requires_action) while the session stays `running`.
 */
import type { BetaManagedAgentsSessionThreadAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionThread } from '@anthropic-ai/sdk/resources/beta/sessions/threads/threads';
import { ActionGate } from './action-gate.js';
import { EventLog } from './event-log.js';
import { runTurn } from './scripted-agent.js';
import type { EmitInput, PendingKind, Resolution, StoredEvent, TurnHost, TurnStop } from './types.js';

/** What a child thread needs from its session (the session runtime implements it). */
export interface ThreadParent extends TurnHost {
  readonly disposed: boolean;
  readonly terminated: boolean;
  store(ev: StoredEvent): void;
}

export class ChildThread extends EventLog implements TurnHost {
  readonly gate = new ActionGate({
    blocked: (open) => this.status('idle', { stop_reason: { type: 'requires_action', event_ids: open }, stop_details: null }),
    resumed: () => this.status('running'),
  });
  priorChars = 0;
  private lastReply = '';

  constructor(
    private readonly parent: ThreadParent,
    readonly thread: BetaManagedAgentsSessionThread & { agent: BetaManagedAgentsSessionThreadAgent },
  ) {
    super(parent.state);
  }

  get id(): string {
    return this.parent.id;
  }

  /** The session as this thread's turn sees it: the same session, running this thread's agent. */
  get session(): BetaManagedAgentsSession {
    return { ...this.parent.session, agent: { ...this.thread.agent, multiagent: null } };
  }

  get selfHosted(): boolean {
    return this.parent.selfHosted;
  }

  get tokens() {
    return this.parent.tokens;
  }

  get terminated(): boolean {
    return this.parent.terminated;
  }

  get disposed(): boolean {
    return this.parent.disposed;
  }

  view(): BetaManagedAgentsSessionThread {
    return { ...this.thread };
  }

  emit(ev: EmitInput): StoredEvent {
    const stored = { id: this.state.ids.next('sevt'), ...ev, processed_at: '' } as StoredEvent;
    this.store(stored);
    if (ev.type === 'agent.message') this.lastReply = (ev.content as Array<{ text?: string }>).map((b) => b.text ?? '').join('\n');
    const blocking =
      ev.type === 'agent.custom_tool_use' || ((ev.type === 'agent.tool_use' || ev.type === 'agent.mcp_tool_use') && ev.evaluated_permission === 'ask');
    if (blocking) this.crossPost(stored);
    return stored;
  }

  /** A copy on the primary stream, same id, marked with this thread. */
  private crossPost(ev: StoredEvent): void {
    this.parent.store({ ...ev, session_thread_id: this.thread.id });
  }

  /** `session.thread_status_*`, on this thread's stream and cross-posted to the primary. */
  private status(s: 'running' | 'idle' | 'terminated', extra: Record<string, unknown> = {}): void {
    this.thread.status = s;
    this.thread.updated_at = this.state.clock.iso();
    const ev = {
      id: this.state.ids.next('sevt'),
      type: `session.thread_status_${s}`,
      session_thread_id: this.thread.id,
      agent_name: this.thread.agent.name,
      ...extra,
      processed_at: '',
    } as StoredEvent;
    this.store(ev);
    this.crossPost(ev);
  }

  /** Runs one turn of this thread on a message from `fromThreadId`; resolves with its last reply. */
  async run(content: Array<{ type: 'text'; text: string }>, fromThreadId: string, signal: AbortSignal): Promise<string> {
    this.lastReply = '';
    const trigger = this.emit({
      type: 'agent.thread_message_received',
      from_session_thread_id: fromThreadId,
      from_agent_name: this.parent.session.agent.name,
      content,
    });
    this.status('running');
    await runTurn(this, trigger, signal);
    return this.lastReply;
  }

  flow(): Promise<void> {
    return this.parent.flow();
  }

  /** The session's status is the primary thread's business; a retrying error only shows here. */
  setStatus(): void {}

  budgetReached(): boolean {
    return this.parent.budgetReached();
  }

  endTurn(stop: TurnStop): void {
    this.gate.clear();
    this.status('idle', { stop_reason: { type: stop }, stop_details: null });
  }

  terminate(): void {
    if (this.thread.status === 'terminated') return;
    if (this.parent.terminated) {
      this.thread.status = 'terminated';
      this.store({
        id: this.state.ids.next('sevt'),
        type: 'session.thread_status_terminated',
        session_thread_id: this.thread.id,
        agent_name: this.thread.agent.name,
        processed_at: '',
      });
      this.endStreams();
      return;
    }
    this.parent.terminate();
  }

  awaitAction(id: string, kind: PendingKind): void {
    this.gate.awaitAction(id, kind);
  }

  waitForActions(ids: string[], signal: AbortSignal): Promise<void> {
    return this.gate.wait(ids, signal);
  }

  takeResolution(id: string): Resolution | undefined {
    return this.gate.takeResolution(id);
  }
}
