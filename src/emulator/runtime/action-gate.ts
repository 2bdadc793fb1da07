/**
 * The actions one thread waits on (docs/api-behaviour.md, "Events"; docs/multi-agent.md): tool uses registered as blocking, the
 * answers received for them, and the wait itself. The session's primary thread and each subagent
 * thread own one; what "blocked" and "resumed" emit differs per thread (session status events on
 * the primary, `session.thread_status_*` on a subagent), so those are callbacks.
 */
import type { PendingKind, Resolution } from './types.js';

export interface GateSignals {
  /** The thread idles with `requires_action` listing `open` (re-sent after a partial answer). */
  blocked(open: string[]): void;
  /** Every awaited action is answered: the thread runs again. */
  resumed(): void;
}

export class ActionGate {
  private readonly pending = new Map<string, PendingKind>();
  private readonly resolutions = new Map<string, Resolution>();
  private awaiting: { ids: Set<string>; resolve: () => void } | null = null;

  constructor(private readonly signals: GateSignals) {}

  kindOf(id: string): PendingKind | undefined {
    return this.pending.get(id);
  }

  openIds(): IterableIterator<[string, PendingKind]> {
    return this.pending.entries();
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  awaitAction(id: string, kind: PendingKind): void {
    this.pending.set(id, kind);
  }

  takeResolution(id: string): Resolution | undefined {
    const r = this.resolutions.get(id);
    this.resolutions.delete(id);
    return r;
  }

  /** Blocks until every id is resolved: one `blocked` listing the open ids, `resumed` at the end. */
  async wait(ids: string[], signal: AbortSignal): Promise<void> {
    const open = ids.filter((id) => !this.resolutions.has(id));
    if (open.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.awaiting = {
        ids: new Set(open),
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.signals.blocked(open);
    });
    this.awaiting = null;
    this.signals.resumed();
  }

  /** Lists `ids` as waited on (`blocked`), then runs on without waiting for them (`resumed`). */
  announce(ids: string[]): void {
    this.signals.blocked(ids);
    this.signals.resumed();
  }

  resolve(id: string, res: Resolution): void {
    this.pending.delete(id);
    this.resolutions.set(id, res);
    const w = this.awaiting;
    if (!w) return;
    w.ids.delete(id);
    if (w.ids.size === 0) w.resolve();
    else this.signals.blocked([...w.ids]);
  }

  clear(): void {
    this.pending.clear();
    this.resolutions.clear();
    this.awaiting = null;
  }
}
