/**
 * The one seam to the Managed Agents API: the only module that imports `@anthropic-ai/sdk` at run
 * time. A tool's handler gets a `BoundApi` already bound to the effect of its kind (see
 * `effectOf` in src/tools/support/define.ts), so "may this be retried?" is answered once, by the kind; the
 * turn engine uses the unbound `Api`, deciding per request (its stream opens and history reads are
 * reads, its sends writes).
 *
 * Why our own retry loop instead of the SDK's (`maxRetries`): the SDK retries every method the same
 * way, including creates and event sends after a 500 or a dropped connection, when the request may
 * already have taken effect (docs/api-behaviour.md, "Retries") — a retried `agents.create` can leave
 * two agents, a retried `user.message` makes the agent read the message twice. So the SDK client
 * runs with `maxRetries: 0` and:
 *   - reads retry on connection errors, 408, 429 and ≥ 500;
 *   - idempotent changes (update and delete kinds: archive, delete, update with the agent's
 *     version or a session's fields) retry the same way: repeating one cannot double its effect.
 *     The cost is that a retry after an unseen success can report 404 or 409; the error text then
 *     says an earlier attempt may have taken effect;
 *   - writes (create and action kinds: creates, event sends) retry only when the API provably did
 *     not act: 429 and 529 (rejected before processing) and a connection that was refused (never
 *     reached the server).
 * All honour `retry-after-ms` / `retry-after`; a wait longer than `maxRetryAfterS` is not slept
 * through but reported, so a tool call never hangs on a server that says "come back in an hour".
 *
 * Every failure that leaves `call` carries its facts (`failureOf`): the effect, how many retries
 * were made and the failed request's method and path, so the error text can say truthfully whether
 * retrying helps and name the list tool of the resource that failed, not guess from a tool's name.
 */
import Anthropic, {
  type ClientOptions,
  APIError,
  APIConnectionError,
  APIUserAbortError,
  BadRequestError,
  ConflictError,
  NotFoundError,
} from '@anthropic-ai/sdk';
import { SET_KEY, type Config } from '../config.js';
import type { Logger } from '../log.js';
import { codeAdvice } from './error-codes.js';
import { EVENT_STREAM, limitedFetch } from './limits.js';

export type Client = Anthropic;
export { APIError, APIConnectionError, APIUserAbortError, BadRequestError, ConflictError, NotFoundError };
type MergedRequestInit = NonNullable<ClientOptions['fetchOptions']>;
export type RequestOpts = { signal?: AbortSignal; maxRetries?: number; timeout?: number; fetchOptions?: MergedRequestInit };

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
export type {
  BetaManagedAgentsCredential as Credential,
  CredentialCreateParams,
} from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
export type { BetaManagedAgentsVault as Vault } from '@anthropic-ai/sdk/resources/beta/vaults/vaults';
export type { BetaFileMetadata as FileMetadata } from '@anthropic-ai/sdk/resources/beta/files';
export type {
  BetaManagedAgentsMemory as Memory,
  BetaManagedAgentsMemoryListItem as MemoryListItem,
} from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
export type { BetaManagedAgentsMemoryStore as MemoryStore } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
export type { BetaManagedAgentsMemoryVersion as MemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
export type { BetaSkill as Skill } from '@anthropic-ai/sdk/resources/beta/skills/skills';
export type { BetaSkillVersion as SkillVersion } from '@anthropic-ai/sdk/resources/beta/skills/versions';
export type { BetaManagedAgentsDeployment as Deployment, DeploymentCreateParams, DeploymentUpdateParams } from '@anthropic-ai/sdk/resources/beta/deployments';
export type { BetaManagedAgentsDeploymentRun as DeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
export type { BetaDream as Dream, DreamCreateParams } from '@anthropic-ai/sdk/resources/beta/dreams';

export class NoCredentialsError extends Error {
  constructor(why?: string) {
    super(why ?? `No API key is configured: ${SET_KEY}, or start the server with --emulator to use the local emulator (no key, no spend).`);
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

/**
 * What a request does to the API's state, which decides how it may be retried: `read` and
 * `idempotent` on any transient failure, `write` only when the API provably did not act.
 */
export type Effect = 'read' | 'idempotent' | 'write';

export interface CallOptions {
  /** Overrides config.maxRetries (the turn engine runs its own reconnect loop). */
  maxRetries?: number;
  /** The request opens an event stream: `fetch` then adds no signal of its own (limits.ts, EVENT_STREAM). */
  eventStream?: boolean;
}

export type ApiCall<T> = (c: Client, opts: RequestOpts) => PromiseLike<T>;

export interface Api {
  readonly client: Client;
  readonly baseURL: string;
  /** A call with the retry policy of `effect`. */
  call<T>(effect: Effect, fn: ApiCall<T>, signal?: AbortSignal, callOpts?: CallOptions): Promise<T>;
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

export function isRetryable(effect: Effect, err: unknown): boolean {
  if (err instanceof APIUserAbortError) return false;
  if (err instanceof APIConnectionError) return effect !== 'write' || connectionRefused(err);
  if (!(err instanceof APIError) || err.status === undefined) return false;
  const explicit = err.headers?.get('x-should-retry');
  if (explicit === 'false') return false;
  // A code that fails until something else changes (a spend limit's 429), or asks for minutes
  // (storage_not_ready), is not retried inside the call (error-codes.ts).
  const coded = codeAdvice(err.errorCode);
  if (coded && coded.retry !== 'soon') return false;
  if (effect === 'write') return err.status === 429 || err.status === 529;
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
      // A request's, up to the whole body for a plain request (read whole by the transport:
      // whole-request.ts), up to the response headers for the rest; an open event stream is not
      // subject to it.
      timeout: 60_000,
      // Response bodies and SSE events are capped while they are read (limits.ts); each request's
      // method and path are noted for the failure facts of the call that made it.
      fetch: noted(limitedFetch()),
      // No spans unless this process has an OpenTelemetry tracer provider to record them, or the
      // environment asks for them: without one, each span is a no-op that costs every request
      // (docs/performance.md, "The HTTP client").
      ...(tracing() ? {} : { openTelemetry: false }),
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

  async function call<T>(effect: Effect, fn: ApiCall<T>, signal?: AbortSignal, callOpts: CallOptions = {}): Promise<T> {
    if (!client) throw new NoCredentialsError(config.keyRefused);
    const maxRetries = callOpts.maxRetries ?? config.maxRetries;
    for (let attempt = 0; ; attempt++) {
      const slot: RequestSlot = {};
      try {
        const init: SlotInit = { [SLOT]: slot };
        if (callOpts.eventStream) init[EVENT_STREAM] = true;
        const fetchOptions = init as MergedRequestInit;
        return await fn(client!, { signal, maxRetries: 0, fetchOptions });
      } catch (err) {
        const facts = { effect, retries: attempt, method: slot.method, path: pathOf(slot.href) };
        if (signal?.aborted) throw noteFailure(err, facts);
        if (attempt >= maxRetries || !isRetryable(effect, err)) throw noteFailure(err, facts);
        const asked = err instanceof APIError ? retryAfterSeconds(err) : undefined;
        if (asked !== undefined && asked > config.maxRetryAfterS) throw noteFailure(new RetryLaterError(err as APIError, asked), facts);
        // The SDK's own schedule: min(0.5 s · 2^n, 8 s), minus up to 25 % jitter.
        const backoff = Math.min(0.5 * 2 ** attempt, 8) * (1 - Math.random() * 0.25);
        const delayS = asked !== undefined && asked > 0 ? asked : backoff;
        log.warn(`retrying ${effect} after ${describeForLog(err)} in ${delayS.toFixed(2)} s (attempt ${attempt + 2})`);
        await wait(delayS * 1000, signal);
      }
    }
  }

  return {
    get client() {
      if (!client) throw new NoCredentialsError(config.keyRefused);
      return client;
    },
    baseURL: client?.baseURL ?? baseURL ?? 'https://api.anthropic.com',
    call,
    read: (fn, signal, o) => call('read', fn, signal, o),
    write: (fn, signal, o) => call('write', fn, signal, o),
  };
}

/** A tool's view of the API: its own requests carry the effect of its kind. */
export interface BoundApi {
  /** The tool's own request, retried as its kind allows and aborted with the tool call. */
  call<T>(fn: ApiCall<T>): Promise<T>;
  /** A read on the way to the tool's request (a lookup before or after a write): retried as a read. */
  lookup<T>(fn: ApiCall<T>): Promise<T>;
  /** The seam itself, for the turn engine, which decides per request. */
  readonly seam: Api;
}

export function bindApi(api: Api, effect: Effect, signal: AbortSignal): BoundApi {
  return {
    call: (fn) => api.call(effect, fn, signal),
    lookup: (fn) => api.call('read', fn, signal),
    seam: api,
  };
}

// ---- failure facts ---------------------------------------------------------------------------

/**
 * The request a call is making, filled in by the client's fetch. It travels in the request's own
 * options (the SDK passes `fetchOptions` through to `fetch`), not in an AsyncLocalStorage: one
 * active storage makes Node 20 run a hook on every promise the process creates, and an API call
 * through undici creates dozens (docs/performance.md).
 */
interface RequestSlot {
  method?: string;
  href?: string;
}
const SLOT = Symbol('requestSlot');
type SlotInit = RequestInit & { [SLOT]?: RequestSlot; [EVENT_STREAM]?: boolean };

/** The client's `fetch`: notes each request in the slot of the call that makes it. */
function noted(inner: typeof fetch): typeof fetch {
  return (url, init) => {
    const slot = (init as SlotInit | undefined)?.[SLOT];
    if (slot) {
      slot.method = init?.method ?? (url instanceof Request ? url.method : 'GET');
      slot.href = url instanceof Request ? url.url : String(url);
    }
    return inner(url, init);
  };
}

/**
 * Whether the SDK should trace: when an OpenTelemetry tracer provider is registered (the API's
 * global, which an instrumented process sets up before it loads this server), or when
 * ANTHROPIC_OPEN_TELEMETRY is set (the SDK then reads it, as it documents).
 */
function tracing(): boolean {
  const otel = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
  return otel?.trace !== undefined || process.env.ANTHROPIC_OPEN_TELEMETRY !== undefined;
}

/** The path of a request URL, parsed only for a failure. */
function pathOf(href: string | undefined): string | undefined {
  return href !== undefined && URL.canParse(href) ? new URL(href).pathname : undefined;
}

/** The resources of the API's paths, named by their collection segment. */
export const RESOURCES = [
  'agents',
  'environments',
  'sessions',
  'events',
  'vaults',
  'credentials',
  'memory_stores',
  'memories',
  'memory_versions',
  'files',
  'threads',
  'resources',
  'skills',
  'deployments',
  'deployment_runs',
  'dreams',
] as const;
export type Resource = (typeof RESOURCES)[number];

/** What is known about a failed call, beyond the error itself. */
export interface FailureFacts {
  effect: Effect;
  /** Retries this server made before giving up (0: the first attempt's error). */
  retries: number;
  method?: string;
  /** Path of the failed request, e.g. /v1/sessions/sesn_1/events. */
  path?: string;
  /** The resource the failure is about, when the handler knows better than the path. */
  resource?: Resource;
}

const failures = new WeakMap<object, FailureFacts>();

function noteFailure<E>(err: E, facts: FailureFacts): E {
  if (err && typeof err === 'object') failures.set(err, { ...failures.get(err), ...facts });
  return err;
}

export function failureOf(err: unknown): FailureFacts | undefined {
  return err && typeof err === 'object' ? failures.get(err) : undefined;
}

/** Records which resource a failure is about (a handler that knows which of its ids failed). */
export function blame<E>(err: E, resource: Resource): E {
  if (err && typeof err === 'object') failures.set(err, { effect: 'read', retries: 0, ...failures.get(err), resource });
  return err;
}

function describeForLog(err: unknown): string {
  if (err instanceof APIError && err.status !== undefined) return `HTTP ${err.status}`;
  if (err instanceof APIConnectionError) return 'a connection error';
  return (err as Error)?.name ?? 'an error';
}
