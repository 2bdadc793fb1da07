/**
 * A live session event stream with a pull interface that can wait with a deadline.
 *
 * Why not a plain `for await`: the turn engine must notice a stalled stream (no event for a
 * while) and its own timeout without losing the iterator's pending read, so `next(ms)` races the
 * read against a timer and keeps the read for the next call.
 */
import type { Api, StreamEvent } from '../api/client.js';

export type StreamRead = { kind: 'event'; event: StreamEvent } | { kind: 'quiet' } | { kind: 'end' } | { kind: 'error'; error: unknown };

export interface LiveStream {
  next(waitMs: number): Promise<StreamRead>;
  close(): void;
}

/**
 * The reason a stream is closed with. Shared and not an `Error`: an abort made without a reason
 * creates a `DOMException`, whose stack trace is captured and then formatted during the teardown,
 * a fifth of what closing a turn's stream cost (docs/performance.md, "Concurrency"). Nothing reads
 * it: a closed stream is not read again. The SDK's iterator ends quietly on any reason named
 * `AbortError`.
 */
const CLOSED = Object.freeze({ name: 'AbortError', message: 'The turn closed its event stream.' });

/**
 * Opens the stream and resolves once the response headers have arrived: from then on every event
 * the session emits is delivered on it (the stream has no replay, docs/api-behaviour.md, "Streaming").
 * `signal` (the turn's) aborts the request while it opens and the stream after; `close` aborts the
 * SDK's own controller for the request, the one hop between it and `fetch`.
 */
export async function openStream(api: Api, sessionId: string, signal: AbortSignal, maxRetries?: number): Promise<LiveStream> {
  const stream = await api.read((c, o) => c.beta.sessions.events.stream(sessionId, {}, o), signal, { maxRetries, eventStream: true });
  const it = stream[Symbol.asyncIterator]();
  let pending: Promise<StreamRead> | null = null;
  let closed = false;

  const read = (): Promise<StreamRead> =>
    it.next().then(
      (r) => (r.done ? { kind: 'end' } : { kind: 'event', event: r.value }),
      // The SDK throws JSON.parse's SyntaxError for a frame that is not JSON: name it for the reader.
      (error) => ({ kind: 'error', error: error instanceof SyntaxError ? new Error(`a malformed event frame (${error.message})`) : error }),
    );

  return {
    async next(waitMs) {
      if (closed) return { kind: 'end' };
      pending ??= read();
      let timer: NodeJS.Timeout | undefined;
      const quiet = new Promise<StreamRead>((resolve) => {
        timer = setTimeout(() => resolve({ kind: 'quiet' }), Math.max(0, waitMs));
      });
      const r = await Promise.race([pending, quiet]);
      clearTimeout(timer);
      if (r.kind !== 'quiet') pending = null;
      return r;
    },
    close() {
      if (closed) return;
      closed = true;
      stream.controller.abort(CLOSED);
    },
  };
}
