/**
 * One thread's event history and its live streams. Every stored event gets `processed_at`, is
 * appended to the history and written to every open stream in the same order (docs/api-behaviour.md, "Streaming").
 */
import type { SseConnection } from '../wire/sse.js';
import type { RuntimeStore, StoredEvent } from './types.js';

export class EventLog {
  readonly history: StoredEvent[] = [];
  /** processed_at as epoch ms, parallel to `history` (non-decreasing, so binary-searchable). */
  readonly times: number[] = [];
  readonly streams = new Set<SseConnection>();

  constructor(readonly state: RuntimeStore) {}

  /** Stamps `processed_at`, appends to history and writes to every open stream. */
  store(ev: StoredEvent): void {
    const ms = this.state.clock.nowMs();
    ev.processed_at = new Date(ms).toISOString();
    this.history.push(ev);
    this.times.push(ms);
    for (const conn of this.streams) conn.send(ev);
  }

  addStream(conn: SseConnection): void {
    this.streams.add(conn);
  }

  removeStream(conn: SseConnection): void {
    this.streams.delete(conn);
  }

  endStreams(): void {
    for (const conn of [...this.streams]) conn.end();
  }
}
