/**
 * The HTTP client under the SDK for a plain request: a JSON body or none, answered with a body
 * that the SDK reads whole (every get, list, create, update and event send; not an event stream,
 * not a file upload). The SDK still builds the request and reads the answer, through its `fetch`
 * option; only the transport differs.
 *
 * Why not Node's `fetch`: it is undici behind the WHATWG fetch machinery (a Request, a Headers
 * guard, a web ReadableStream the body is pulled through, an AbortController per request), which
 * cost about 30 % of an SDK call's CPU against the emulator (docs/performance.md, "The HTTP
 * client"). undici's own `request` is the same HTTP/1.1 client without that layer: the body
 * arrives as Node buffers, is read here within the byte and time bounds of limits.ts, and the SDK
 * gets a Response made from the bytes.
 *
 * What stays as it was:
 * - the bounds: a body over `bodyBytes` (declared or counted) or slower than `bodyMs` is not read
 *   further, and the SDK's read of the Response fails with the same errors as before;
 * - how a failure reads: the request itself (connection, TLS, the SDK's timeout, the call's
 *   cancellation) rejects as `fetch` would, so the SDK classifies it the same way; a body that
 *   fails while it is read becomes a Response whose body fails, never a rejected fetch (the SDK
 *   would call that a connection error, and a read would be retried);
 * - no redirect is followed (the API sends none; a 3xx reaches the SDK as an error status), and
 *   no compression is asked for, so none needs undoing.
 *
 * undici is loaded at the first request, not at start-up (docs/performance.md, "Start-up"); its
 * internal modules are imported directly because its index also loads fetch, WebSocket, the cache
 * stores and the mock agent, which this server never uses.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { ResponseLimitError, ResponseTooLargeError, ResponseTooSlowError } from './limit-errors.js';
import type { ResponseLimits } from './limits.js';

type RequestFn = (this: Dispatcher, opts: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>;
interface Loaded {
  agent: Dispatcher;
  request: RequestFn;
}

/** Statuses whose Response may not have a body (limits.ts reads it too). */
export const NULL_BODY = new Set([101, 204, 205, 304]);

/** Set once loaded, so that later requests skip an `await`; `loading` makes concurrent first requests share one load. */
let loaded: Loaded | undefined;
let loading: Promise<Loaded> | undefined;

/** One keep-alive pool for the process, as Node's fetch has. */
function load(): Promise<Loaded> {
  loading ??= Promise.all([import('undici/lib/dispatcher/agent.js'), import('undici/lib/api/api-request.js')]).then(([a, r]) => {
    loaded = { agent: new a.default(), request: r.default };
    return loaded;
  });
  return loading;
}

/**
 * Whether this process may use the transport: not when Node is told to route its own HTTP through
 * the proxy of HTTP_PROXY / HTTPS_PROXY (NODE_USE_ENV_PROXY, or --use-env-proxy, from Node 22.21
 * and 24.5), which Node's `fetch` honours and undici's own client would not.
 */
export function transportUsable(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): boolean {
  const flag = env.NODE_USE_ENV_PROXY;
  const viaOptions = /(^|\s)--use-env-proxy\b/.test(env.NODE_OPTIONS ?? '') || execArgv.includes('--use-env-proxy');
  return !(flag && flag !== '0') && !viaOptions;
}

/** The URL a `fetch` was called with, as a string. */
export function hrefOf(input: string | URL | globalThis.Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** A `Content-Type` that announces an event stream. */
export function isEventStream(contentType: string): boolean {
  return /^text\/event-stream/i.test(contentType);
}

/** A request the SDK makes with a body this client sends as is: a string (JSON) or none. */
export function isPlainRequest(init: RequestInit | undefined): boolean {
  const body = init?.body;
  return body === undefined || body === null || typeof body === 'string';
}

/**
 * Sends a plain request and reads its body whole, within `limits`. `init.signal` (the SDK's, which
 * follows the call's) ends both: the SDK's timeout therefore covers the body too, and a body it
 * cuts short rejects as the SDK's timeout, or as the call's cancellation.
 */
export async function wholeRequest(
  input: string | URL | globalThis.Request,
  init: RequestInit | undefined,
  limits: ResponseLimits,
  /** An event stream answered (a request not marked as one): its bounds, on the body as it is read. */
  asStream: (res: Response, where: () => string) => Response,
): Promise<Response> {
  const href = hrefOf(input);
  const url = new URL(href);
  const method = init?.method ?? 'GET';
  const where = () => `${method} ${url.pathname}`;
  const { agent, request } = loaded ?? (await load());
  const headers = headerList(init?.headers);
  const wantsJson = acceptsJson(headers);
  let res: Dispatcher.ResponseData;
  try {
    res = await request.call(agent, {
      origin: url.origin,
      path: url.pathname + url.search,
      method: method as Dispatcher.HttpMethod,
      headers,
      body: (init?.body as string | null | undefined) ?? null,
      signal: init?.signal ?? undefined,
    });
  } catch (err) {
    throw asFetchError(err, init?.signal, 'fetch failed');
  }
  let body: BodyInit | null = null;
  if (method === 'HEAD' || NULL_BODY.has(res.statusCode)) res.body.resume();
  else if (isEventStream(String(res.headers['content-type'] ?? ''))) {
    return asStream(made(Readable.toWeb(res.body) as ReadableStream<Uint8Array>, res, href), where);
  } else {
    const declared = Number(res.headers['content-length'] ?? NaN);
    if (declared > limits.bodyBytes) {
      // Not read at all.
      res.body.destroy();
      body = failing(new ResponseTooLargeError('a response body', limits.bodyBytes, where()));
    } else {
      const timer = setTimeout(() => res.body.destroy(new ResponseTooSlowError(limits.bodyMs, where())), limits.bodyMs);
      try {
        const bytes = await readAll(res.body, limits.bodyBytes, where);
        if (wantsJson && JSON_TYPE.test(String(res.headers['content-type'] ?? ''))) return new JsonResponse(bytes, responseInit(res), href);
        body = bytes as unknown as BodyInit;
      } catch (err) {
        // Ended by the signal: the request failed, as a fetch whose signal fired does.
        if (init?.signal?.aborted) throw err;
        body = failing(err instanceof ResponseLimitError ? err : asFetchError(err, undefined, 'terminated'));
      } finally {
        clearTimeout(timer);
      }
    }
  }
  return made(body, res, href);
}

type Head = { statusCode: number; headers: Dispatcher.ResponseData['headers'] };

function responseInit(res: Head): ResponseInit {
  return { status: res.statusCode, headers: responseHeaders(res.headers) };
}

function made(body: BodyInit | null, res: Head, href: string): Response {
  const out = new Response(body, responseInit(res));
  // The SDK names a failed request by the Response's URL (origin and path only).
  Object.defineProperty(out, 'url', { value: href });
  return out;
}

/** A JSON media type (`application/json`, `…+json`), as the SDK decides to call `json()`. */
const JSON_TYPE = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * The answer to a request that asked for JSON (the SDK's `Accept: application/json`; a file
 * download asks for `application/binary` and gets a plain Response), with a JSON body already read
 * whole: `json()` and `text()` decode the bytes directly. A plain Response would copy them into a
 * web stream and read them back out of it, which was about 17 µs of each call. What the SDK reads
 * of a JSON answer is its status, headers, URL and `json()` or `text()` (`body` is only passed to
 * bookkeeping that accepts none, so it is null here, as for a body already handed over).
 */
class JsonResponse extends Response {
  #bytes: Buffer;
  #used = false;
  readonly #url: string;

  constructor(bytes: Buffer, init: ResponseInit, url: string) {
    super(null, init);
    this.#bytes = bytes;
    this.#url = url;
  }

  override get url(): string {
    return this.#url;
  }

  override get body(): null {
    return null;
  }

  override get bodyUsed(): boolean {
    return this.#used;
  }

  #take(): Buffer {
    if (this.#used) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#bytes;
  }

  override async text(): Promise<string> {
    return UTF8.decode(this.#take());
  }

  override async json(): Promise<unknown> {
    return JSON.parse(UTF8.decode(this.#take()));
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const b = this.#take();
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
  }

  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  override async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  override clone(): Response {
    if (this.#used) throw new TypeError('Response.clone: Body has already been consumed.');
    return new JsonResponse(this.#bytes, { status: this.status, statusText: this.statusText, headers: this.headers }, this.#url);
  }
}

/** What `Response.text()` does with the bytes: UTF-8, a leading BOM dropped, bad sequences replaced. */
const UTF8 = new TextDecoder();

/** The body's bytes, or a rejection once it passes `limit` (the rest is not read). */
function readAll(body: Readable, limit: number, where: () => string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    body.on('data', (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total <= limit) return void chunks.push(chunk);
      const err = new ResponseTooLargeError('a response body', limit, where());
      body.destroy(err);
      reject(err);
    });
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total)));
    body.once('error', reject);
  });
}

/**
 * A failure as Node's `fetch` reports it, which is what the SDK reads (a `TypeError` whose cause is
 * the socket's error: "fetch failed" for the request, "terminated" for a body cut off), so that a
 * dropped connection is an `APIConnectionError` either way; the signal's own reason when it fired.
 */
function asFetchError(err: unknown, signal: AbortSignal | null | undefined, message: string): Error {
  return signal?.aborted ? (err as Error) : new TypeError(message, { cause: err });
}

/** A body whose read fails with `err`: how the SDK learns that reading stopped (limits.ts too). */
export function failing(err: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({ start: (c) => c.error(err) });
}

/** The SDK's headers (a Headers, or a plain record) as undici's flat name/value list. */
function headerList(h: HeadersInit | undefined): string[] {
  const out: string[] = [];
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => out.push(k, v));
  else if (Array.isArray(h)) for (const [k, v] of h) out.push(k!, v!);
  else for (const k of Object.keys(h)) out.push(k, (h as Record<string, string>)[k]!);
  return out;
}

/** The request's `Accept` asks for JSON (every SDK request but a file download). */
function acceptsJson(list: string[]): boolean {
  for (let i = 0; i < list.length; i += 2) if (list[i]!.toLowerCase() === 'accept') return list[i + 1]!.includes('application/json');
  return false;
}

function responseHeaders(h: Record<string, string | string[] | undefined>): [string, string][] {
  const out: [string, string][] = [];
  for (const k of Object.keys(h)) {
    const v = h[k];
    if (Array.isArray(v)) for (const one of v) out.push([k, one]);
    else if (v !== undefined) out.push([k, v]);
  }
  return out;
}
