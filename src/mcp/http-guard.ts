/**
 * What an HTTP caller cannot do to the server (docs/http.md, docs/security.md), apart from the
 * transport: hold a socket open by trickling a request, open connections without end, make the
 * server drain a body it has already refused, or read another caller's state. Kept apart from
 * src/mcp/http.ts, which only calls these hooks.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Headers must arrive within this; slow-loris clients are cut off. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request (headers and body) must arrive within this; the response may then stream for minutes. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Connections one replica holds at once, unless --http-max-connections says otherwise. */
export const DEFAULT_MAX_CONNECTIONS = 256;

/**
 * Bounds on receiving: Node's `headersTimeout` and `requestTimeout` cover only the receipt of a
 * request (not the streamed response), so a long turn is unaffected while a body trickled one byte
 * every few seconds is cut off. `maxConnections` refuses sockets past the cap.
 */
export function limitServer(server: Server, maxConnections: number, receiveMs = REQUEST_TIMEOUT_MS): void {
  server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, receiveMs);
  server.requestTimeout = receiveMs;
  server.maxConnections = maxConnections;
}

/** For `http.createServer`: Node checks both timeouts on this period (30 s by default), fixed at creation. */
export function serverOptions(receiveMs = REQUEST_TIMEOUT_MS): { connectionsCheckingInterval: number } {
  return { connectionsCheckingInterval: Math.min(1_000, Math.ceil(receiveMs / 4)) };
}

/**
 * An answer given before the body was read (a refusal): the connection is closed once it is
 * sent, without reading (draining) the rest of the body.
 */
export function closeIfUnread(req: IncomingMessage, res: ServerResponse): void {
  res.on('finish', () => {
    if (!req.complete) req.socket.destroy();
  });
  const writeHead = res.writeHead.bind(res);
  // Said to the client too, so it does not try to reuse the connection.
  res.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
    if (!req.complete && !res.headersSent) res.setHeader('connection', 'close');
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}

/**
 * Reads the body within `ms` (the request's own deadline): past it, the socket is destroyed and
 * undefined returned.
 */
export async function readWithin(req: IncomingMessage, ms: number, maxBytes: number): Promise<Buffer | 'too-large' | undefined> {
  const timer = setTimeout(() => req.socket.destroy(), ms);
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) return 'too-large';
      chunks.push(chunk as Buffer);
    }
    return req.complete ? Buffer.concat(chunks) : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * State kept per caller: each bearer token (named by its place in the token list, never by the
 * token) has its own, and callers without a token (loopback only) share one. Bounded: the least recently used caller's state goes first.
 */
export function perCaller<T>(make: () => T, max = 1_000): (caller: string) => T {
  const states = new Map<string, T>();
  return (caller) => {
    let s = states.get(caller);
    if (s) states.delete(caller);
    else s = make();
    states.set(caller, s);
    if (states.size > max) states.delete(states.keys().next().value!);
    return s;
  };
}
