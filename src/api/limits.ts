/**
 * Byte bounds on what the API sends, enforced while reading (docs/bounds.md).
 *
 * The SDK buffers a whole JSON response before parsing it, and its SSE parser keeps appending to
 * one string until it sees a line ending: a misbehaving upstream (a proxy, a gateway, a bug) can
 * make either grow without bound. So the client's `fetch` counts the bytes of every response body
 * and fails once a cap is passed — before the SDK holds more than the cap: while the transport
 * reads a plain request's body whole (whole-request.ts), or in a stream wrapped around the body of
 * a request through Node's `fetch`.
 *
 * - A response body (every list, get, create): at most MAX_BODY_BYTES. A history page of 1,000
 *   events is usually well under 1 MiB; the cap leaves room for pages of large tool results.
 * - An event stream has no total (it lives as long as the turn), but one SSE event — the bytes
 *   between two blank lines, so also any single line — is at most MAX_SSE_EVENT_BYTES. Events sent
 *   by this server are text and usually a few KiB; the cap leaves room for an image or a document
 *   that another client put in a user.message.
 * - Time: a body (not a stream) that has not arrived whole within MAX_BODY_MS of its headers fails,
 *   so a proxy that trickles bytes cannot hold a call (the SDK's own timeout ends at the headers
 *   through `fetch`, and covers a plain request's body too, which the transport reads in `fetch`).
 */

import { ResponseTooLargeError, ResponseTooSlowError } from './limit-errors.js';
import { failing, hrefOf, isEventStream, isPlainRequest, NULL_BODY, transportUsable, wholeRequest } from './whole-request.js';

export const MAX_BODY_BYTES = 32 * 1024 * 1024;
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024;
export const MAX_BODY_MS = 60_000;

const LF = 0x0a;
const CR = 0x0d;

export { ResponseLimitError, ResponseTooLargeError, ResponseTooSlowError } from './limit-errors.js';

type Fetch = typeof globalThis.fetch;

export interface ResponseLimits {
  bodyBytes: number;
  sseEventBytes: number;
  bodyMs: number;
}

const DEFAULT_LIMITS: ResponseLimits = { bodyBytes: MAX_BODY_BYTES, sseEventBytes: MAX_SSE_EVENT_BYTES, bodyMs: MAX_BODY_MS };

/**
 * Set to `true` in the `fetchOptions` of a request that opens an event stream (the seam's
 * `eventStream` calls, which the turn engine makes). Such a request gets no signal of its own here:
 * a stream has no time bound on its body, and the SDK's signal, which the turn aborts to close the
 * stream, reaches `fetch` directly (docs/performance.md, "Concurrency").
 */
export const EVENT_STREAM = Symbol('eventStream');
type StreamInit = RequestInit & { [EVENT_STREAM]?: boolean };

/**
 * A `fetch` for the SDK client whose response bodies fail once they pass `limits`. A plain request
 * (a JSON body or none, not an event stream) goes through undici's own client and is read whole
 * there, within the same bounds (whole-request.ts); the rest (event streams, file uploads) through
 * `inner`, Node's `fetch` unless one is given. A given `inner` takes every request, and so does
 * Node's `fetch` when Node is told to use the environment's proxy (`transportUsable`).
 */
export function limitedFetch(limits: ResponseLimits = DEFAULT_LIMITS, given?: Fetch): Fetch {
  const inner = given ?? ((input, init) => fetch(input, init));
  const whole = !given && transportUsable();
  return async (input, init) => {
    const stream = (init as StreamInit | undefined)?.[EVENT_STREAM] === true;
    if (whole && !stream && isPlainRequest(init))
      return wholeRequest(input, init, limits, (res, where) => withBody(res, countedEvents(res.body!, sseEventCounter(limits.sseEventBytes, where))));
    // Our own signal, following the SDK's, so the time bound can end the body's read.
    let ac: AbortController | undefined;
    if (!stream) {
      ac = new AbortController();
      const outer = init?.signal;
      if (outer?.aborted) ac.abort(outer.reason);
      else outer?.addEventListener('abort', () => ac!.abort(outer.reason), { once: true });
    }
    const res = await inner(input, ac ? { ...init, signal: ac.signal } : init);
    if (!res.body || NULL_BODY.has(res.status)) return res;
    // The route names a request in an error only: the URL is parsed then, not for every request.
    const method = init?.method ?? 'GET';
    const href = hrefOf(input);
    const where = () => routeOf(method, href);
    const sse = isEventStream(res.headers.get('content-type') ?? '');
    if (sse) return withBody(res, countedEvents(res.body, sseEventCounter(limits.sseEventBytes, where)));
    // Asked for a stream, answered with a body (an error): no signal of ours to end its read, so the
    // time bound ends the counted body instead.
    if (!ac) return rebuild(res, counted(res.body, bodyCounter(limits.bodyBytes, where), { ms: limits.bodyMs, where }));
    // A stream lives as long as the turn (the engine watches it for stalls); a body must end.
    // Aborting once the body is read does nothing; before, the read fails with this reason.
    abortLater(new WeakRef(ac), limits.bodyMs, method, href);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared <= limits.bodyBytes) return res; // HTTP framing ends the body there: nothing to count
    if (declared > limits.bodyBytes) {
      const route = where();
      // Not read at all. The error comes from reading the body, not from fetch: the SDK would
      // report a rejected fetch as a connection error (and a read would be retried).
      await res.body.cancel().catch(() => {});
      const err = new ResponseTooLargeError('a response body', limits.bodyBytes, route);
      return rebuild(res, failing(err));
    }
    return rebuild(res, counted(res.body, bodyCounter(limits.bodyBytes, where)));
  };
}

/**
 * Aborts the controller `weak` points at after `ms`, if it is still alive. The timer outlives most
 * responses by far, so it must hold nothing else: it holds the controller weakly and the method and
 * URL (strings: the SDK passes the URL as one), and it is made here, not inside `limitedFetch`, because a closure keeps every variable
 * of its scope that any sibling closure uses (V8 shares one context per scope), and the abort
 * listener there uses `ac` and `outer`. Made inline, this timer held the controller strongly after
 * all, and with it (through the signals' listeners) the fetch's request and response, for the whole
 * `ms`: a server paging fast under a small heap ran out of memory (docs/bounds.md). While the body
 * is being read, the SDK's signal (whose listener holds `ac`) keeps the controller alive. The route
 * is held as two strings and named only if the timer fires.
 */
function abortLater(weak: WeakRef<AbortController>, ms: number, method: string, href: string): void {
  setTimeout(() => weak.deref()?.abort(new ResponseTooSlowError(ms, routeOf(method, href))), ms).unref();
}

/** `GET /v1/sessions/…`: a request as an error names it. */
function routeOf(method: string, href: string): string {
  return `${method} ${URL.canParse(href) ? new URL(href).pathname : href}`;
}

/**
 * `body`, failing with `check`'s error once it returns one, and with ResponseTooSlowError if
 * `deadline` is given and the body has not ended by then. A pull-based wrapper, not
 * `pipeThrough(new TransformStream(...))`: a pipe runs its own promise machinery per chunk and per
 * stage of a teardown; this costs one read per read and no read-ahead (docs/performance.md,
 * "Concurrency"). An event stream's body is counted by `countedEvents` instead.
 */
function counted(
  body: ReadableStream<Uint8Array>,
  check: (chunk: Uint8Array) => Error | undefined,
  deadline?: { ms: number; where: () => string },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, err: Error) => {
    clearTimeout(timer);
    controller.error(err);
    reader.cancel(err).catch(() => {});
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (deadline) timer = setTimeout(() => fail(controller, new ResponseTooSlowError(deadline.ms, deadline.where())), deadline.ms).unref();
      },
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          clearTimeout(timer);
          return controller.close();
        }
        const err = check(value);
        if (!err) return controller.enqueue(value);
        fail(controller, err);
      },
      cancel: (reason) => {
        clearTimeout(timer);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * An event stream's body, failing with `check`'s error once it returns one. Not a `ReadableStream`
 * around the response's: the SDK reads an event stream's body through its async iterator (and the
 * `locked` flag) only, and a second stream cost its own read, promises and teardown for every chunk
 * of every turn (docs/performance.md, "Concurrency"). This reads the response's stream directly,
 * one read per chunk; the per-event cap's tests in test/api/limits.test.ts fail if the SDK reads
 * it another way.
 */
function countedEvents(body: ReadableStream<Uint8Array>, check: (chunk: Uint8Array) => Error | undefined): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let failed: Error | undefined;
  const chunks: AsyncIterator<Uint8Array> = {
    async next() {
      if (failed) throw failed;
      const r = await reader.read();
      if (r.done) return r;
      failed = check(r.value);
      if (!failed) return r;
      reader.cancel(failed).catch(() => {});
      throw failed;
    },
    async return() {
      await reader.cancel().catch(() => {});
      return { done: true, value: undefined };
    },
  };
  return { locked: false, [Symbol.asyncIterator]: () => chunks } as unknown as ReadableStream<Uint8Array>;
}

/**
 * `res` reading `body` instead of its own. An event stream's Response is kept and `body` shadowed
 * on it: the SDK reads an event stream from `response.body` and nothing else (the per-event cap's
 * tests in test/api/limits.test.ts fail if a new SDK reads it another way), and building a new
 * Response (its headers copied, another stream to tear down on close) cost a fifth of opening and
 * closing a turn's stream (docs/performance.md, "Concurrency").
 */
function withBody(res: Response, body: ReadableStream<Uint8Array>): Response {
  Object.defineProperty(res, 'body', { value: body });
  return res;
}

/**
 * `res` with another body, as a new Response: a body the SDK reads with `json()` or `text()` is
 * read from the Response's own stream, which a shadowed `body` does not replace.
 */
function rebuild(res: Response, body: ReadableStream<Uint8Array>): Response {
  const out = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperty(out, 'url', { value: res.url });
  return out;
}

function bodyCounter(limit: number, where: () => string): (chunk: Uint8Array) => Error | undefined {
  let total = 0;
  return (chunk) => {
    total += chunk.byteLength;
    return total > limit ? new ResponseTooLargeError('a response body', limit, where()) : undefined;
  };
}

/**
 * Counts the bytes of the SSE event being received: they reset at a blank line (`\n\n` or
 * `\r\n\r\n`, the SDK's event boundary). Only LF is searched for (native `indexOf`), so a stream
 * framed by bare CRs counts as one event; the API frames with LF.
 */
export function sseEventCounter(limit: number, where: () => string): (chunk: Uint8Array) => Error | undefined {
  let event = 0; // bytes of the current event, including its finished lines
  let line = 0; // bytes of the current line so far
  let lastByte = -1; // the line's last byte, to recognise "\r\n" as an empty line
  return (chunk) => {
    let pos = 0;
    for (;;) {
      const lf = chunk.indexOf(LF, pos);
      const end = lf === -1 ? chunk.byteLength : lf;
      if (end > pos) {
        line += end - pos;
        lastByte = chunk[end - 1]!;
      }
      if (lf === -1) break;
      const blank = line === 0 || (line === 1 && lastByte === CR);
      event = blank ? 0 : event + line + 1;
      if (event > limit) return new ResponseTooLargeError('one event-stream event', limit, where());
      line = 0;
      lastByte = -1;
      pos = lf + 1;
    }
    return event + line > limit ? new ResponseTooLargeError('one event-stream event', limit, where()) : undefined;
  };
}
