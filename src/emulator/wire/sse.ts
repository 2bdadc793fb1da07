/**
 * One SSE connection (docs/api-behaviour.md, "Streaming"): `event: <type>\ndata: <json>\n\n` frames (the SDK silently drops
 * frames without an `event:` line), `event: ping` keep-alives, optional `event_start`/`event_delta`
 * previews, backpressure tracking and the per-connection stream faults.
 */
import type { ServerResponse } from 'node:http';
import { wireEvent } from '../contract/wire-hooks.js';

export interface StreamFault {
  dropAfterEvents?: number;
  stallMs?: number;
  stallAfterEvents?: number;
}

export interface SseOptions {
  requestId: string;
  pingIntervalMs: number;
  /** Event types previewed with event_start/event_delta on this connection. */
  deltas: ReadonlySet<string>;
  fault?: StreamFault;
  onClose: (conn: SseConnection) => void;
}

interface StoredLike {
  id: string;
  type: string;
  content?: unknown;
}

export class SseConnection {
  private eventsWritten = 0;
  private closed = false;
  private stalled = false;
  private stallQueue: string[] = [];
  private stallQueueBytes = 0;
  private pingTimer?: NodeJS.Timeout;
  private stallTimer?: NodeJS.Timeout;
  private drainWaiters: Array<() => void> = [];

  constructor(
    private readonly res: ServerResponse,
    private readonly opts: SseOptions,
  ) {}

  start(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'request-id': this.opts.requestId,
    });
    this.res.flushHeaders();
    this.res.on('close', () => this.finish());
    this.res.on('drain', () => this.wakeDrainWaiters());
    // 0 = no pings (the `no-pings` reading, docs/emulator.md "Readings").
    if (this.opts.pingIntervalMs > 0) {
      this.pingTimer = setInterval(() => {
        if (!this.stalled) this.write('event: ping\ndata: {}\n\n');
      }, this.opts.pingIntervalMs);
      this.pingTimer.unref();
    }
    const f = this.opts.fault;
    if (f?.dropAfterEvents === 0) this.drop();
    else if (f?.stallMs && (f.stallAfterEvents ?? 0) === 0) this.beginStall(f.stallMs);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes written but not yet flushed to the socket, plus frames held back by a stall. */
  get buffered(): number {
    return this.res.writableLength + this.stallQueueBytes;
  }

  send(event: StoredLike): void {
    if (this.closed) return;
    let text = '';
    if (this.opts.deltas.has(event.type) && (event.type === 'agent.message' || event.type === 'agent.thinking')) {
      text += frame('event_start', { type: 'event_start', event: { id: event.id, type: event.type } });
      if (event.type === 'agent.message' && Array.isArray(event.content)) {
        event.content.forEach((block: { type?: string; text?: string }, index: number) => {
          if (block?.type !== 'text' || typeof block.text !== 'string') return;
          const mid = Math.ceil(block.text.length / 2);
          for (const part of [block.text.slice(0, mid), block.text.slice(mid)]) {
            if (!part) continue;
            text += frame('event_delta', {
              type: 'event_delta',
              event_id: event.id,
              delta: { type: 'content_delta', index, content: { type: 'text', text: part } },
            });
          }
        });
      }
    }
    text += frame(event.type, event);
    this.write(text);
    this.eventsWritten += 1;
    const f = this.opts.fault;
    if (f?.dropAfterEvents !== undefined && this.eventsWritten >= f.dropAfterEvents) this.drop();
    else if (f?.stallMs && f.stallAfterEvents !== undefined && f.stallAfterEvents > 0 && this.eventsWritten === f.stallAfterEvents) {
      this.beginStall(f.stallMs);
    }
  }

  /** Sends an in-stream error (`event: error`), which the SDK raises as an APIError. */
  sendError(body: unknown): void {
    this.write(frame('error', body));
  }

  /** Resolves once the socket buffer has drained (or the connection closed). */
  waitDrain(): Promise<void> {
    if (this.closed || this.buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Graceful end (session terminated or deleted). */
  end(): void {
    if (this.closed) return;
    this.flushStall();
    this.res.end();
    this.finish();
  }

  /** Abrupt close: the client sees a connection reset / premature end of the body. */
  destroy(): void {
    if (this.closed) return;
    this.res.destroy();
    this.finish();
  }

  private drop(): void {
    // Let the bytes already written reach the socket, then cut it without ending the chunked body.
    const sock = this.res.socket;
    this.finish();
    setImmediate(() => {
      sock?.destroy();
      this.res.destroy();
    });
  }

  private beginStall(ms: number): void {
    this.stalled = true;
    this.stallTimer = setTimeout(() => {
      this.stalled = false;
      this.flushStall();
    }, ms);
    this.stallTimer.unref();
  }

  private flushStall(): void {
    if (this.stallQueue.length === 0) return;
    const text = this.stallQueue.join('');
    this.stallQueue = [];
    this.stallQueueBytes = 0;
    if (!this.closed) this.res.write(text);
    this.wakeDrainWaiters();
  }

  private write(text: string): void {
    if (this.closed) return;
    if (this.stalled) {
      this.stallQueue.push(text);
      this.stallQueueBytes += text.length;
      return;
    }
    this.res.write(text);
  }

  private wakeDrainWaiters(): void {
    if (!this.closed && (this.stalled || this.buffered > 0)) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.stallTimer);
    this.stallQueue = [];
    this.stallQueueBytes = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    this.opts.onClose(this);
  }
}

export function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(event === 'error' ? data : wireEvent(data))}\n\n`;
}
