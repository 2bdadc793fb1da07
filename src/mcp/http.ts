/**
 * Team deployment: MCP over Streamable HTTP, stateless (docs/http.md).
 *
 * Every POST /mcp gets a fresh McpServer from the MCP SDK's `createMcpHandler`, which serves MCP
 * 2026-07-28 requests (per-request `_meta`, no handshake) and 2025-era ones (its stateless legacy
 * form) from the same factory, over one shared API client. Nothing about a turn lives in this
 * process: the Managed Agents API holds it, so any replica behind a load balancer can answer any
 * request and `wait_for_turn {after_event_id}` resumes a turn wherever it lands.
 *
 * Before MCP sees a request: the Host (and Origin, when a browser sends one) must be on the
 * allow-list (DNS rebinding), then a bearer token must match one configured (constant time).
 * `/healthz` and `/readyz` skip both: probes carry neither, and they reveal nothing.
 */
import { UnseenTurns } from '../turns/unseen.js';
import { closeIfUnread, DEFAULT_MAX_CONNECTIONS, limitServer, perCaller, readWithin, REQUEST_TIMEOUT_MS, serverOptions } from './http-guard.js';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createMcpHandler, DEFAULT_MAX_REQUEST_BODY_SIZE, validateHostHeader, type AuthInfo } from '@modelcontextprotocol/server';
import { APIError, NoCredentialsError } from '../api/client.js';
import type { Config, HttpConfig } from '../config.js';
import { isLoopbackHost } from '../shared/loopback.js';
import type { Logger } from '../log.js';
import { createServer } from './server.js';
import { createProcessDeps, type ProcessDeps } from './deps.js';

/**
 * Largest JSON-RPC body accepted: the MCP SDK's default (4 MiB; a batch of tool calls with long
 * messages fits easily). Enforced while reading, before anything is buffered past it.
 */
const MAX_BODY_BYTES = DEFAULT_MAX_REQUEST_BODY_SIZE;
/** /readyz asks the API at most this often; probes in between get the cached answer. */
const READY_CACHE_MS = 5_000;
const READY_TIMEOUT_MS = 3_000;

export interface HttpServerOptions {
  config: Config & { http: HttpConfig };
  log: Logger;
  baseURL?: string;
  apiKey?: string;
  /** Aborted on shutdown: in-flight tool calls end. */
  shutdownSignal: AbortSignal;
  /** What the process built from its configuration (src/mcp/deps.ts); built here when absent. */
  deps?: ProcessDeps;
}

export interface HttpServerHandle {
  /** e.g. http://127.0.0.1:8080/mcp */
  url: string;
  port: number;
  /** Stops accepting, waits for open responses (which the shutdown signal is ending), then resolves. */
  close(): Promise<void>;
}

export async function startHttpServer(opts: HttpServerOptions): Promise<HttpServerHandle> {
  const { config, log, shutdownSignal } = opts;
  const http = config.http;
  // One API client, default environment and request-state key for all the per-request servers.
  const deps = opts.deps ?? createProcessDeps(config, { log, baseURL: opts.baseURL, apiKey: opts.apiKey });
  const { api } = deps;
  // One per caller (bearer token) on this replica: a turn that ended unseen is mentioned by that caller's next call.
  const unseenFor = perCaller(() => new UnseenTurns());
  const tokenDigests = http.tokens.map(digest);
  const mcp = createMcpHandler(
    // The caller is the token's place (clientId), set below only once the token matched.
    (ctx) => createServer({ config, log, ...deps, shutdownSignal, elicitation: false, unseen: unseenFor(ctx.authInfo?.clientId ?? '') }).server,
    { legacy: 'stateless', maxRequestBodySize: MAX_BODY_BYTES, onerror: (err) => log.warn(`http: ${err.message}`) },
  );
  const ready = readiness(() =>
    api.read((c, o) => c.beta.agents.list({ limit: 1 }, { ...o, timeout: READY_TIMEOUT_MS }), AbortSignal.timeout(READY_TIMEOUT_MS), {
      maxRetries: 0,
    }),
  );

  async function handleMcp(req: IncomingMessage, res: ServerResponse, auth: AuthInfo | undefined): Promise<void> {
    if (req.method !== 'POST') {
      // Stateless: no session to resume with GET, none to end with DELETE.
      res.setHeader('allow', 'POST');
      return sendJsonRpcError(res, 405, -32000, 'Method not allowed: this server is stateless, POST only');
    }
    const body = await readJson(req, res, http.receiveTimeoutMs ?? REQUEST_TIMEOUT_MS);
    if (body === undefined) return;
    // Aborted when the caller goes away: on 2026-07-28 closing the response is how a call is cancelled.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    const request = new Request(`http://${headers.get('host') || 'localhost'}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: gone.signal,
    });
    const response = await mcp.fetch(request, { parsedBody: body, authInfo: auth });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return void res.end();
    Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  const httpServer = createHttpServer(serverOptions(http.receiveTimeoutMs), (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    closeIfUnread(req, res);
    const route = async () => {
      if (path === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz' && req.method === 'GET') {
        const r = await ready();
        return sendJson(res, r.ok ? 200 : 503, r.ok ? { status: 'ready' } : { status: 'unready', reason: r.reason });
      }
      const refusal = checkHostAndOrigin(req, http);
      if (refusal) return sendJson(res, 403, { error: refusal });
      let auth: AuthInfo | undefined;
      if (tokenDigests.length > 0) {
        const presented = bearer(req);
        const which = presented ? matchingToken(presented, tokenDigests) : -1;
        if (which < 0) {
          res.setHeader('www-authenticate', presented ? 'Bearer realm="managed-agents-mcp", error="invalid_token"' : 'Bearer realm="managed-agents-mcp"');
          return sendJson(res, 401, { error: presented ? 'invalid bearer token' : 'bearer token required' });
        }
        // Who is calling, for what must stay theirs (an ask's request state): the token's place, never the token.
        auth = { token: '', clientId: `token-${which + 1}`, scopes: [] };
      }
      if (path === '/mcp') return handleMcp(req, res, auth);
      return sendJson(res, 404, { error: 'not found: MCP is served at /mcp' });
    };
    route().catch((err) => {
      log.error(`http ${req.method} ${path}: ${(err as Error).message}`);
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal server error');
      else res.destroy();
    });
  });
  // Bounds on receiving a request and on connections (http-guard.ts); responses stream for minutes.
  limitServer(httpServer, http.maxConnections ?? DEFAULT_MAX_CONNECTIONS, http.receiveTimeoutMs);
  httpServer.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(http.port, http.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = http.host.includes(':') ? `[${http.host}]` : http.host === '0.0.0.0' ? '127.0.0.1' : http.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}/mcp`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeIdleConnections();
      });
      return closing;
    },
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/**
 * The index of the token presented, or -1. Compares against every token, digests of equal length,
 * so timing says nothing about any of them.
 */
function matchingToken(presented: string, tokenDigests: Buffer[]): number {
  const d = digest(presented);
  let found = -1;
  tokenDigests.forEach((t, i) => {
    if (timingSafeEqual(d, t) && found < 0) found = i;
  });
  return found;
}

function bearer(req: IncomingMessage): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** A Host value's hostname as a URL parser reads it (lower case, IPv4 normalised, IPv6 in brackets). */
function hostnameOf(host: string): string {
  const h = host.trim();
  try {
    // A bare IPv6 address (an allow-list entry such as ::1) is written in brackets in a URL.
    return new URL(`http://${/^[^[].*:.*:/.test(h) ? `[${h}]` : h}`).hostname;
  } catch {
    return host;
  }
}

/**
 * DNS rebinding guard: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
 * The Host check is the MCP SDK's; the Origin check is ours, stricter (docs/http.md).
 */
function checkHostAndOrigin(req: IncomingMessage, http: HttpConfig): string | undefined {
  if (!http.allowedHosts.includes('*')) {
    const checked = validateHostHeader(req.headers.host, http.allowedHosts.map(hostnameOf));
    if (!checked.ok) return `Host not allowed: ${checked.hostname ?? checked.hostHeader ?? '(none)'}`;
  }
  const origin = req.headers.origin;
  if (origin === undefined || http.allowedOrigins.includes('*')) return undefined;
  if (http.allowedOrigins.length > 0) return http.allowedOrigins.includes(origin) ? undefined : `Origin not allowed: ${origin}`;
  let hostname: string;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    return `Origin not allowed: ${origin}`;
  }
  return isLoopbackHost(hostname) ? undefined : `Origin not allowed: ${origin}`;
}

type Readiness = { ok: true } | { ok: false; reason: string };

/** One upstream probe at a time, its answer cached for a few seconds. */
function readiness(probe: () => Promise<unknown>): () => Promise<Readiness> {
  let last: { at: number; result: Promise<Readiness> } | undefined;
  return () => {
    if (last && Date.now() - last.at < READY_CACHE_MS) return last.result;
    const result = probe().then(
      (): Readiness => ({ ok: true }),
      (err): Readiness => ({ ok: false, reason: describeUpstreamError(err) }),
    );
    last = { at: Date.now(), result };
    return result;
  };
}

/** Status and kind only: never the message, which could quote a request. */
function describeUpstreamError(err: unknown): string {
  if (err instanceof NoCredentialsError) return 'no API key configured';
  if (err instanceof APIError && err.status) return `API answered ${err.status}`;
  if ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError') return 'API did not answer in time';
  return 'API unreachable';
}

async function readJson(req: IncomingMessage, res: ServerResponse, receiveMs: number): Promise<unknown> {
  const body = await readWithin(req, receiveMs, MAX_BODY_BYTES);
  if (body === undefined) return undefined;
  if (body === 'too-large') {
    sendJsonRpcError(res, 413, -32600, `Request body over ${MAX_BODY_BYTES} bytes`);
    return undefined;
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    sendJsonRpcError(res, 400, -32700, 'Parse error: the body is not JSON');
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}

function sendJsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null });
}
