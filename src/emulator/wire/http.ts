/**
 * Wire helpers: the error envelope, query parsing, body reading and a tiny router.
 * docs/api-behaviour.md, "Wire" and "Errors".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The API's error types (the SDK's `ErrorType` in resources/shared.d.ts). */
export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'rate_limit_error',
  'timeout_error',
  'api_error',
  'overloaded_error',
  'request_too_large',
  'memory_precondition_failed_error',
  'memory_path_conflict_error',
  'conflict_error',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** Thrown by handlers; turned into the `{type:'error', error, request_id}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: ErrorType,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly extraError?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: Record<string, unknown>) => new ApiError(400, 'invalid_request_error', message, details);
export const notFound = (kind: string, id: string) => new ApiError(404, 'not_found_error', `${kind} not found: '${id}'`);
/** Semantic 409s use invalid_request_error (docs/api-behaviour.md, "Errors") and carry x-should-retry: false. */
export const conflict = (message: string, type: ErrorType = 'invalid_request_error') => new ApiError(409, type, message);

export function defaultErrorType(status: number): ErrorType {
  if (status === 400 || status === 409 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'billing_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 504 || status === 408) return 'timeout_error';
  if (status === 529) return 'overloaded_error';
  return 'api_error';
}

/** Query string parsed the way the SDK encodes it: `k[]=a&k[]=b` and repeated `k=a&k=b` both give `['a','b']`. */
export class Query {
  private readonly map = new Map<string, string[]>();

  constructor(search: string) {
    const params = new URLSearchParams(search);
    for (const [rawKey, value] of params) {
      const key = rawKey.endsWith('[]') ? rawKey.slice(0, -2) : rawKey;
      const list = this.map.get(key);
      if (list) list.push(value);
      else this.map.set(key, [value]);
    }
  }

  get(key: string): string | undefined {
    const list = this.map.get(key);
    return list ? list[list.length - 1] : undefined;
  }

  getAll(key: string): string[] {
    return this.map.get(key) ?? [];
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  toObject(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of this.map) out[k] = v.length === 1 ? v[0]! : v;
    return out;
  }

  bool(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw badRequest(`${key}: expected boolean, got '${v}'`);
  }

  int(key: string, min: number, max: number): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw badRequest(`${key}: expected an integer between ${min} and ${max}, got '${v}'`);
    }
    return n;
  }

  enumOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      throw badRequest(`${key}: expected one of ${values.join(', ')}, got '${v}'`);
    }
    return v as T;
  }

  /** An RFC 3339 timestamp filter like `created_at[gte]`, as epoch ms. */
  time(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    const t = Date.parse(v);
    if (Number.isNaN(t)) throw badRequest(`${key}: expected an RFC 3339 timestamp, got '${v}'`);
    return t;
  }
}

export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    req.resume();
    throw new ApiError(413, 'request_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new ApiError(413, 'request_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function errorBody(err: ApiError, requestId: string) {
  return {
    type: 'error' as const,
    error: {
      type: err.errorType,
      message: err.message,
      ...(err.details ? { details: err.details } : {}),
      ...(err.extraError ?? {}),
    },
    request_id: requestId,
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: ApiError, requestId: string, headers: Record<string, string> = {}) {
  const extra: Record<string, string> = { ...headers };
  if (err.status === 409) extra['x-should-retry'] = 'false';
  sendJson(res, err.status, errorBody(err, requestId), extra);
}

export type BetaFamily = 'managed' | 'memory' | 'dreams' | 'none';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Raw (still percent-encoded) path. */
  rawPath: string;
  params: Record<string, string>;
  query: Query;
  body: unknown;
  rawBody: Buffer;
  requestId: string;
  /** Stream faults that matched this request (applied by the SSE writer). */
  streamFault?: { dropAfterEvents?: number; stallMs?: number; stallAfterEvents?: number };
}

/** Returned by handlers that wrote the response themselves (SSE). */
export const HANDLED = Symbol('handled');
export type HandlerResult = unknown | typeof HANDLED;
export type Handler = (ctx: RouteContext) => HandlerResult | Promise<HandlerResult>;

export interface Route {
  method: string;
  segments: string[];
  beta: BetaFamily;
  /** Whether this route is a stream (used by stream faults). */
  stream?: boolean;
  handler: Handler;
}

export class Router {
  readonly routes: Route[] = [];

  add(method: string, pattern: string, beta: BetaFamily, handler: Handler, opts: { stream?: boolean } = {}) {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), beta, handler, stream: opts.stream });
  }

  /** Matches on raw segments, decoding each one separately so an encoded `/` stays inside its segment. */
  match(method: string, rawPath: string): { route: Route; params: Record<string, string> } | 'method' | undefined {
    const parts = rawPath.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.routes) {
      if (route.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = route.segments[i]!;
        let part: string;
        try {
          part = decodeURIComponent(parts[i]!);
        } catch {
          ok = false;
          break;
        }
        if (seg.startsWith(':')) params[seg.slice(1)] = part;
        else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { route, params };
    }
    return pathMatched ? 'method' : undefined;
  }
}

/** One entry of the request log (`GET /_emulator/requests`). */
export interface RequestLogEntry {
  method: string;
  /** Raw path, still percent-encoded. */
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  time: string;
}
