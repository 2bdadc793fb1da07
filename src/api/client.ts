/**
 * The one seam to the Managed Agents API: the only module that imports `@anthropic-ai/sdk` at run
 * time. Tools get an `Api`, call `api.read(...)` / `api.write(...)` with a function of the SDK
 * client, and inherit the retry policy below.
 *
 * Why our own retry loop instead of the SDK's (`maxRetries`): the SDK retries every method the same
 * way, including creates and event sends after a 500 or a dropped connection, when the request may
 * already have taken effect (api-contract.md §6.3) — a retried `agents.create` can leave two agents,
 * a retried `user.message` makes the agent read the message twice. So the SDK client runs with
 * `maxRetries: 0` and:
 *   - reads (and idempotent operations) retry on connection errors, 408, 429 and ≥ 500;
 *   - writes retry only when the API provably did not act: 429 and 529 (rejected before processing)
 *     and a connection that was refused (never reached the server).
 * Both honour `retry-after-ms` / `retry-after`; a wait longer than `maxRetryAfterS` is not slept
 * through but reported, so a tool call never hangs on a server that says "come back in an hour".
 */
import Anthropic, { APIError, APIConnectionError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { limitedFetch } from './limits.js';

export type Client = Anthropic;
export { APIError, APIConnectionError, APIUserAbortError };
export type RequestOpts = { signal?: AbortSignal; maxRetries?: number; timeout?: number };

export type { Stream } from '@anthropic-ai/sdk/core/streaming';
export type {
  BetaManagedAgentsSessionEvent as SessionEvent,
  BetaManagedAgentsStreamSessionEvents as StreamEvent,
  BetaManagedAgentsEventParams as EventParams,
  BetaManagedAgentsSessionStatusIdleEvent as IdleEvent,
  BetaManagedAgentsSpanModelUsage as ModelUsage,
  EventListParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/events';
export type {
  BetaManagedAgentsSession as Session,
  BetaManagedAgentsSessionUsage as SessionUsage,
  SessionCreateParams,
  SessionListParams,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
export type { BetaManagedAgentsAgent as Agent, AgentCreateParams } from '@anthropic-ai/sdk/resources/beta/agents/agents';
export type {
  BetaEnvironment as Environment,
  EnvironmentCreateParams,
} from '@anthropic-ai/sdk/resources/beta/environments/environments';

export class NoCredentialsError extends Error {
  constructor() {
    super(
      'No API key is configured. Set ANTHROPIC_API_KEY (or MANAGED_AGENTS_API_KEY) in the MCP server\'s env, ' +
        'or start the server with --emulator to use the local emulator (no key, no spend).',
    );
  }
}

/** A retry-after longer than we are willing to wait: surfaced to the caller rather than slept through. */
export class RetryLaterError extends Error {
  constructor(
    readonly cause: APIError,
    readonly retryAfterS: number,
  ) {
    super(`The API asked to retry after ${Math.ceil(retryAfterS)} s`);
  }
}

export type CallKind = 'read' | 'write';

export interface CallOptions {
  /** Overrides config.maxRetries (the turn engine runs its own reconnect loop). */
  maxRetries?: number;
}

export interface Api {
  readonly client: Client;
  readonly baseURL: string;
  /** Idempotent call: retried on transient failures. */
  read<T>(fn: (c: Client, opts: RequestOpts) => PromiseLike<T>, signal?: AbortSignal, callOpts?: CallOptions): Promise<T>;
  /** Non-idempotent call (create, send): retried only when the API cannot have acted on it. */
  write<T>(fn: (c: Client, opts: RequestOpts) => PromiseLike<T>, signal?: AbortSignal, callOpts?: CallOptions): Promise<T>;
}

export interface ApiOptions {
  config: Config;
  log: Logger;
  /** Overrides config.baseURL (the in-process emulator). */
  baseURL?: string;
  /** Overrides config.apiKey (the in-process emulator accepts any key). */
  apiKey?: string;
  /** Test hook: sleep used for backoff. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new APIUserAbortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Seconds the server asked us to wait, from `retry-after-ms` or `retry-after` (seconds or HTTP date). */
export function retryAfterSeconds(err: APIError): number | undefined {
  const h = err.headers;
  if (!h) return undefined;
  const ms = h.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms) / 1000;
  const ra = h.get('retry-after');
  if (!ra) return undefined;
  if (Number.isFinite(Number(ra))) return Number(ra);
  const date = Date.parse(ra);
  return Number.isFinite(date) ? Math.max(0, (date - Date.now()) / 1000) : undefined;
}

function connectionRefused(err: unknown): boolean {
  // Node's fetch wraps the socket error: APIConnectionError → TypeError('fetch failed') → {code}.
  let e: any = err;
  for (let i = 0; i < 5 && e; i++) {
    if (e.code === 'ECONNREFUSED') return true;
    e = e.cause;
  }
  return false;
}

export function isRetryable(kind: CallKind, err: unknown): boolean {
  if (err instanceof APIUserAbortError) return false;
  if (err instanceof APIConnectionError) return kind === 'read' || connectionRefused(err);
  if (!(err instanceof APIError) || err.status === undefined) return false;
  const explicit = err.headers?.get('x-should-retry');
  if (explicit === 'false') return false;
  if (kind === 'write') return err.status === 429 || err.status === 529;
  if (explicit === 'true') return true;
  return err.status === 408 || err.status === 429 || err.status >= 500;
}

const SSE_PARSE_LOG = /^(Could not parse message into JSON|From chunk)/;

export function createApi(opts: ApiOptions): Api {
  const { config, log } = opts;
  const apiKey = opts.apiKey ?? config.apiKey;
  const baseURL = opts.baseURL ?? config.baseURL;
  const wait = opts.sleep ?? sleep;
  let client: Client | undefined;
  if (apiKey || config.authToken) {
    client = new Anthropic({
      apiKey: apiKey ?? null,
      authToken: apiKey ? null : (config.authToken ?? null),
      baseURL: baseURL ?? null,
      maxRetries: 0,
      // Up to the response headers only; an open event stream is not subject to it.
      timeout: 60_000,
      // Response bodies and SSE events are capped while they are read (limits.ts).
      fetch: limitedFetch(),
      logLevel: 'warn',
      logger: {
        // The SDK logs each unparsable SSE frame twice before throwing; the turn engine reports
        // the error once per turn, so these per-frame lines are dropped.
        error: (msg: string) => (SSE_PARSE_LOG.test(msg) ? undefined : log.error(`sdk: ${msg}`)),
        warn: (msg: string) => log.warn(`sdk: ${msg}`),
        info: () => {},
        debug: () => {},
      },
    });
  }

  async function call<T>(
    kind: CallKind,
    fn: (c: Client, o: RequestOpts) => PromiseLike<T>,
    signal?: AbortSignal,
    callOpts: CallOptions = {},
  ): Promise<T> {
    if (!client) throw new NoCredentialsError();
    const maxRetries = callOpts.maxRetries ?? config.maxRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(client, { signal, maxRetries: 0 });
      } catch (err) {
        if (signal?.aborted) throw err;
        if (attempt >= maxRetries || !isRetryable(kind, err)) throw err;
        const asked = err instanceof APIError ? retryAfterSeconds(err) : undefined;
        if (asked !== undefined && asked > config.maxRetryAfterS) throw new RetryLaterError(err as APIError, asked);
        // The SDK's own schedule: min(0.5 s · 2^n, 8 s), minus up to 25 % jitter.
        const backoff = Math.min(0.5 * 2 ** attempt, 8) * (1 - Math.random() * 0.25);
        const delayS = asked !== undefined && asked > 0 ? asked : backoff;
        log.warn(`retrying ${kind} after ${describeForLog(err)} in ${delayS.toFixed(2)} s (attempt ${attempt + 2})`);
        await wait(delayS * 1000, signal);
      }
    }
  }

  return {
    get client() {
      if (!client) throw new NoCredentialsError();
      return client;
    },
    baseURL: client?.baseURL ?? baseURL ?? 'https://api.anthropic.com',
    read: (fn, signal, o) => call('read', fn, signal, o),
    write: (fn, signal, o) => call('write', fn, signal, o),
  };
}

function describeForLog(err: unknown): string {
  if (err instanceof APIError && err.status !== undefined) return `HTTP ${err.status}`;
  if (err instanceof APIConnectionError) return 'a connection error';
  return (err as Error)?.name ?? 'an error';
}
