/**
 * The HTTP server: request log, admin routes, faults, auth, beta check, body parsing, dispatch.
 * docs/api-behaviour.md, "Wire". A handler exception becomes a 500 `api_error` and never kills the server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ApiError, HANDLED, Query, Router, defaultErrorType, readBody, sendError, sendJson, type RequestLogEntry, type RouteContext } from './wire/http.js';
import { FaultTable } from './wire/faults.js';
import { foreignRequest } from './wire/guard.js';
import { requestId as newRequestId } from './wire/ids.js';
import { State, defaultSettings } from './runtime/state.js';
import type { EmulatorSettings } from './runtime/types.js';
import type { Emulator } from './routes/context.js';
import { registerAgentRoutes } from './routes/agents.js';
import { registerEnvironmentRoutes } from './routes/environments.js';
import { registerSessionRoutes } from './routes/sessions.js';
import { registerSessionPartRoutes } from './routes/session-parts.js';
import { registerEventRoutes } from './routes/events.js';
import { registerVaultRoutes } from './routes/vaults.js';
import { registerMemoryRoutes } from './routes/memory.js';
import { registerDreamRoutes } from './routes/dreams.js';
import { registerFileRoutes } from './routes/files.js';
import { seed, seedOptions, type SeedOptions, type SeedResult } from './routes/seed.js';
import { registerSkillRoutes } from './routes/skills.js';
import { fireSchedules, registerDeploymentRoutes } from './routes/deployments.js';
import { wireRequest, wireResponse } from './contract/wire-hooks.js';
import { readingsSchema } from './runtime/readings.js';

export const MANAGED_BETA = 'managed-agents-2026-04-01';
export const MEMORY_BETA = 'agent-memory-2026-07-22';
export const DREAMS_BETA = 'dreaming-2026-04-21';
export type { RequestLogEntry } from './wire/http.js';

export interface ServerOptions {
  apiKey?: string;
  /** Bound to a non-loopback interface on purpose: any Host is accepted, and admin routes need the key too. */
  remote?: boolean;
  settings?: Partial<EmulatorSettings>;
}

export function createEmulatorServer(opts: ServerOptions): { server: Server; emu: Emulator; shutdown(): void; seed(opts: SeedOptions): Promise<SeedResult> } {
  const settings = defaultSettings(opts.settings);
  const emu: Emulator = { state: new State(settings), faults: new FaultTable(), log: [], timers: new Set() };
  const router = new Router();
  registerAgentRoutes(router, emu);
  registerEnvironmentRoutes(router, emu);
  registerSessionRoutes(router, emu);
  registerSessionPartRoutes(router, emu);
  registerEventRoutes(router, emu);
  registerVaultRoutes(router, emu);
  registerMemoryRoutes(router, emu);
  registerDreamRoutes(router, emu);
  registerFileRoutes(router, emu);
  registerSkillRoutes(router, emu);
  registerDeploymentRoutes(router, emu);

  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      console.error('[emulator] unexpected failure:', err);
      if (!res.headersSent) sendError(res, new ApiError(500, 'api_error', 'internal emulator error'), 'req_unknown');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        emu.timers.delete(t);
        resolve();
      }, ms);
      t.unref();
      emu.timers.add(t);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rid = newRequestId();
    res.setHeader('request-id', rid);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
    const query = new Query(q >= 0 ? rawUrl.slice(q + 1) : '');

    const foreign = foreignRequest(req, opts.remote ?? false);
    if (foreign) return sendError(res, new ApiError(403, 'permission_error', foreign), rid);
    if (rawPath.startsWith('/_emulator')) {
      if (opts.remote) {
        try {
          checkAuth(req, opts.apiKey);
        } catch (err) {
          return sendError(res, err as ApiError, rid);
        }
      }
      return handleAdmin(req, res, method, rawPath, query, rid);
    }

    const entry: RequestLogEntry = { method, path: rawPath, query: query.toObject(), status: 0, time: new Date().toISOString() };
    emu.log.push(entry);
    const record = () => {
      if (res.headersSent && entry.status === 0) entry.status = res.statusCode;
    };
    res.on('finish', record);
    res.on('close', record);

    const matched = router.match(method, rawPath);
    const route = typeof matched === 'object' ? matched.route : undefined;
    const fault = emu.faults.take(method, rawPath, route?.stream ?? false);
    let streamFault: RouteContext['streamFault'];
    let cutBodyAt: number | undefined;
    if (fault) {
      if ('status' in fault) {
        const headers: Record<string, string> = {};
        if (fault.retry_after_s !== undefined) headers['retry-after'] = String(fault.retry_after_s);
        const type = fault.error_type ?? defaultErrorType(fault.status);
        const details = fault.error_code ? { error_code: fault.error_code } : undefined;
        sendError(res, new ApiError(fault.status, type, fault.message ?? `Emulated fault: ${fault.status} ${type}`, details), rid, headers);
        record();
        return;
      }
      if ('latency_ms' in fault) await sleep(fault.latency_ms);
      if ('drop_stream_after_events' in fault) streamFault = { dropAfterEvents: fault.drop_stream_after_events };
      if ('drop_body_after_bytes' in fault) cutBodyAt = fault.drop_body_after_bytes;
      if ('stall_stream_ms' in fault) streamFault = { stallMs: fault.stall_stream_ms, stallAfterEvents: fault.after_events ?? 0 };
    }

    try {
      checkAuth(req, opts.apiKey);
      if (matched === undefined) throw new ApiError(404, 'not_found_error', `no route for ${method} ${rawPath}`);
      if (matched === 'method') throw new ApiError(405, 'invalid_request_error', `method ${method} is not allowed on ${rawPath}`);
      checkBeta(req, matched.route.beta);
      let rawBody: Buffer = Buffer.alloc(0);
      let body: unknown;
      if (method !== 'GET' && method !== 'HEAD') {
        rawBody = await readBody(req);
        const ct = String(req.headers['content-type'] ?? '');
        if (rawBody.length > 0 && !ct.startsWith('multipart/')) {
          try {
            body = JSON.parse(rawBody.toString('utf8'));
          } catch {
            throw new ApiError(400, 'invalid_request_error', 'request body is not valid JSON');
          }
        }
      }
      const ctx: RouteContext = { req, res, method, rawPath, params: matched.params, query, body, rawBody, requestId: rid, streamFault };
      const result = await matched.route.handler(ctx);
      const pattern = `/${matched.route.segments.join('/')}`;
      wireRequest({ method, route: pattern, query: query.toObject(), body, multipart: body === undefined && rawBody.length > 0 });
      if (result !== HANDLED && cutBodyAt !== undefined) sendCut(res, wireResponse(method, pattern, result), cutBodyAt);
      else if (result !== HANDLED) sendJson(res, 200, wireResponse(method, pattern, result));
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err, rid);
      else {
        console.error(`[emulator] ${method} ${rawPath} failed:`, err);
        sendError(res, new ApiError(500, 'api_error', 'internal emulator error (see the emulator log)'), rid);
      }
    }
    record();
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, method: string, path: string, query: Query, rid: string) {
    try {
      const readJson = async () => {
        const raw = await readBody(req);
        if (raw.length === 0) return {};
        try {
          return JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          throw new ApiError(400, 'invalid_request_error', 'request body is not valid JSON');
        }
      };
      const key = `${method} ${path.replace(/\/$/, '')}`;
      switch (key) {
        case 'POST /_emulator/faults':
          return sendJson(res, 200, { rules: emu.faults.set(await readJson()).rules });
        case 'GET /_emulator/faults':
          return sendJson(res, 200, { rules: emu.faults.list() });
        case 'DELETE /_emulator/faults':
          emu.faults.clear();
          return sendJson(res, 200, { rules: [] });
        case 'POST /_emulator/reset':
          emu.state.shutdown();
          emu.state = new State(settings);
          emu.faults.clear();
          emu.log.length = 0;
          return sendJson(res, 200, { reset: true });
        case 'POST /_emulator/seed':
          return sendJson(res, 200, await seed(router, emu, seedOptions(await readJson())));
        case 'GET /_emulator/settings':
          return sendJson(res, 200, { readings: settings.readings });
        case 'POST /_emulator/settings': {
          // Partial: only the readings named change (docs/emulator.md "Readings").
          const body = (await readJson()) as { readings?: unknown };
          const r = readingsSchema.partial().safeParse(body?.readings ?? {});
          if (!r.success)
            throw new ApiError(400, 'invalid_request_error', `readings: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
          Object.assign(settings.readings, r.data);
          return sendJson(res, 200, { readings: settings.readings });
        }
        case 'GET /_emulator/requests': {
          const since = query.int('since', 0, Number.MAX_SAFE_INTEGER) ?? 0;
          return sendJson(res, 200, { data: emu.log.slice(since), next_index: emu.log.length });
        }
        case 'DELETE /_emulator/requests':
          emu.log.length = 0;
          return sendJson(res, 200, { data: [] });
        case 'POST /_emulator/deployments/tick': {
          // Scheduled deployments fire only here, up to `now` (default: the wall clock), so tests
          // are deterministic (docs/emulator.md, "Deployments").
          const body = (await readJson()) as { now?: unknown };
          const now = body?.now === undefined ? Date.now() : typeof body.now === 'string' ? Date.parse(body.now) : NaN;
          if (Number.isNaN(now)) throw new ApiError(400, 'invalid_request_error', 'now: expected an RFC 3339 timestamp');
          return sendJson(res, 200, { data: fireSchedules(emu, now) });
        }
        case 'GET /_emulator/health': {
          // Open SSE connections per session: lets tests check that a client closed its stream.
          const open_streams: Record<string, number> = {};
          for (const [id, rt] of emu.state.sessions) if (rt.streams.size) open_streams[id] = rt.streams.size;
          return sendJson(res, 200, { ok: true, open_streams });
        }
        default:
          throw new ApiError(404, 'not_found_error', `no admin route for ${method} ${path}`);
      }
    } catch (err) {
      if (err instanceof ApiError) sendError(res, err, rid);
      else sendError(res, new ApiError(500, 'api_error', String(err)), rid);
    }
  }

  function shutdown(): void {
    emu.state.shutdown();
    for (const t of emu.timers) clearTimeout(t);
    emu.timers.clear();
    for (const s of sockets) s.destroy();
  }

  return { server, emu, shutdown, seed: (o) => seed(router, emu, o) };
}

function checkAuth(req: IncomingMessage, apiKey: string | undefined): void {
  const auth = req.headers.authorization;
  let key: string | undefined;
  if (typeof auth === 'string' && /^Bearer\s+/i.test(auth)) key = auth.replace(/^Bearer\s+/i, '').trim();
  const xKey = req.headers['x-api-key'];
  if (!key && typeof xKey === 'string') key = xKey.trim();
  if (!key) {
    throw new ApiError(401, 'authentication_error', 'missing API key: send `Authorization: Bearer <key>` or `x-api-key`');
  }
  if (apiKey !== undefined && key !== apiKey) throw new ApiError(401, 'authentication_error', 'invalid x-api-key');
}

function checkBeta(req: IncomingMessage, family: 'managed' | 'memory' | 'dreams' | 'none'): void {
  if (family === 'none') return;
  const raw = req.headers['anthropic-beta'];
  const values = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const accepted = family === 'managed' ? [MANAGED_BETA] : family === 'dreams' ? [DREAMS_BETA] : [MEMORY_BETA, MANAGED_BETA];
  if (!values.some((v) => accepted.includes(v))) {
    throw new ApiError(
      400,
      'invalid_request_error',
      `this endpoint requires the anthropic-beta header to include ${accepted.map((a) => `'${a}'`).join(' or ')}`,
    );
  }
}

/** A 200 whose body stops after `bytes` of its declared length: the connection drops mid-body. */
function sendCut(res: ServerResponse, body: unknown, bytes: number): void {
  const text = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': text.length });
  res.write(text.subarray(0, Math.min(bytes, text.length - 1)), () => res.destroy());
}
