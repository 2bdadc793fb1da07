import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './pricing.js';

/**
 * Configuration: defaults < environment < CLI flags. One module, validated with zod.
 *
 * `MANAGED_AGENTS_*` variables win over `ANTHROPIC_*` ones because MCP clients such as Claude Code
 * pass their own environment to the server, and their `ANTHROPIC_BASE_URL` may point at a model
 * gateway rather than the Managed Agents API (mcp-notes.md).
 */

export const TOOLSETS = ['core', 'agents', 'environments', 'sessions', 'vaults', 'memory', 'files'] as const;
export type Toolset = (typeof TOOLSETS)[number];
export const DEFAULT_TOOLSETS: Toolset[] = ['core'];

export interface Config {
  apiKey?: string;
  authToken?: string;
  baseURL?: string;
  /** Start the local emulator in-process and point the client at it. */
  emulator: boolean;
  readOnly: boolean;
  toolsets: Toolset[];
  defaultEnvironmentId?: string;
  /** Default wait for a turn, in seconds (kept under common MCP client timeouts). */
  turnTimeoutS: number;
  /** Upper bound callers may ask for with `timeout_s`. */
  maxTurnTimeoutS: number;
  /** Retries for requests the server may safely repeat. */
  maxRetries: number;
  /** Longest `retry-after` we will sleep through before giving up with an error. */
  maxRetryAfterS: number;
  /** Cap on a tool result's size, in characters (≈ tokens × 4). */
  maxOutputChars: number;
  priceTable: PriceTable;
  /**
   * Seconds without an event before the stream is reopened and reconciled with history. The SDK
   * swallows pings, so a quiet healthy stream looks the same as a stalled one: reopening costs a
   * GET and a history read, cheap next to a turn lost to a dead connection.
   */
  streamStallS: number;
  /** Serve MCP over Streamable HTTP (stateless) instead of stdio (docs/http.md). */
  http?: HttpConfig;
}

export interface HttpConfig {
  host: string;
  port: number;
  /** Bearer tokens callers must present; empty only on loopback. */
  tokens: string[];
  /** Host header names accepted (DNS-rebinding guard); `*` accepts any. */
  allowedHosts: string[];
  /** Origin header values accepted when one is sent; empty: loopback origins only; `*` accepts any. */
  allowedOrigins: string[];
}

export class ConfigError extends Error {}

export const USAGE = `Usage: managed-agents-mcp [options]            stdio MCP server for Claude Managed Agents
       managed-agents-mcp emulator [--port N] [--host H]   run the local API emulator

Options:
  --emulator                 start the local emulator in-process and use it (no key, no spend)
  --base-url URL             API base URL (env MANAGED_AGENTS_BASE_URL, ANTHROPIC_BASE_URL)
  --read-only                expose only tools that do not change state (env MANAGED_AGENTS_READ_ONLY=1)
  --toolsets LIST            comma-separated: core (default), agents, environments, sessions,
                             vaults, memory, files, or all (env MANAGED_AGENTS_TOOLSETS)
  --default-environment ID   environment used when start_session gets none (env MANAGED_AGENTS_DEFAULT_ENVIRONMENT)
  --timeout S                default seconds a turn is followed before returning (default 45)
  --max-retries N            retries for safe requests (default 2)
  --price-table FILE         JSON price table overriding the built-in one (env MANAGED_AGENTS_PRICE_TABLE)
  --max-output-chars N       cap on one tool result (default 40000)
  --http [HOST:]PORT         serve MCP over Streamable HTTP (stateless) at /mcp instead of stdio;
                             HOST defaults to 127.0.0.1 (env MANAGED_AGENTS_HTTP). See docs/http.md
  --http-token-file FILE     bearer tokens callers must send, one per line (env MANAGED_AGENTS_HTTP_TOKEN_FILE,
                             or the tokens comma-separated in MANAGED_AGENTS_HTTP_TOKENS); required
                             unless HOST is loopback
  --http-allowed-hosts LIST  Host names accepted, comma-separated (default: loopback names; * for any)
                             (env MANAGED_AGENTS_HTTP_ALLOWED_HOSTS)
  --http-allowed-origins LIST  Origins accepted from browsers (default: loopback origins; * for any)
                             (env MANAGED_AGENTS_HTTP_ALLOWED_ORIGINS)
  -h, --help                 show this help
  -v, --version              print the version

Credentials come from the environment only (never a flag, so they stay out of process lists):
  MANAGED_AGENTS_API_KEY or ANTHROPIC_API_KEY, or ANTHROPIC_AUTH_TOKEN.`;

const priceTableSchema = z.object({
  models: z.record(z.string(), z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() })),
  runtime_per_hour: z.number().nonnegative().optional(),
  cache_read_multiplier: z.number().nonnegative().optional(),
  cache_write_5m_multiplier: z.number().nonnegative().optional(),
  cache_write_1h_multiplier: z.number().nonnegative().optional(),
});

function loadPriceTable(file: string): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read price table ${file}: ${(err as Error).message}`);
  }
  const parsed = priceTableSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid price table ${file}: ${parsed.error.issues[0]?.message}`);
  const { models, ...rest } = parsed.data;
  // An override adds to and replaces entries of the built-in table; it does not have to restate it.
  return { ...DEFAULT_PRICE_TABLE, ...stripUndefined(rest), models: { ...DEFAULT_PRICE_TABLE.models, ...models } };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

function positiveNumber(name: string, v: string | undefined, fallback: number, { integer = false } = {}): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`${name} must be a ${integer ? 'whole ' : ''}number ≥ 0, got '${v}'`);
  }
  return n;
}

function parseToolsets(v: string | undefined): Toolset[] {
  if (!v) return [...DEFAULT_TOOLSETS];
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return [...TOOLSETS];
  for (const n of names) {
    if (!(TOOLSETS as readonly string[]).includes(n)) {
      throw new ConfigError(`Unknown toolset '${n}'. Known: ${TOOLSETS.join(', ')}, all`);
    }
  }
  // `core` is the product: it is always on.
  return Array.from(new Set<Toolset>(['core', ...(names as Toolset[])]));
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): Config | { help: true } | { version: true } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        emulator: { type: 'boolean' },
        'base-url': { type: 'string' },
        'read-only': { type: 'boolean' },
        toolsets: { type: 'string' },
        'default-environment': { type: 'string' },
        timeout: { type: 'string' },
        'max-retries': { type: 'string' },
        'price-table': { type: 'string' },
        'max-output-chars': { type: 'string' },
        http: { type: 'string' },
        'http-token-file': { type: 'string' },
        'http-allowed-hosts': { type: 'string' },
        'http-allowed-origins': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  const f = parsed.values;
  if (f.help) return { help: true };
  if (f.version) return { version: true };

  const priceFile = f['price-table'] ?? env.MANAGED_AGENTS_PRICE_TABLE;
  const turnTimeoutS = positiveNumber('--timeout', f.timeout ?? env.MANAGED_AGENTS_TIMEOUT_S, 45);
  if (turnTimeoutS <= 0) throw new ConfigError('--timeout must be > 0');
  return {
    apiKey: env.MANAGED_AGENTS_API_KEY || env.ANTHROPIC_API_KEY || undefined,
    authToken: env.ANTHROPIC_AUTH_TOKEN || undefined,
    baseURL: f['base-url'] ?? (env.MANAGED_AGENTS_BASE_URL || env.ANTHROPIC_BASE_URL || undefined),
    emulator: Boolean(f.emulator) || truthy(env.MANAGED_AGENTS_EMULATOR),
    readOnly: Boolean(f['read-only']) || truthy(env.MANAGED_AGENTS_READ_ONLY),
    toolsets: parseToolsets(f.toolsets ?? env.MANAGED_AGENTS_TOOLSETS),
    defaultEnvironmentId: f['default-environment'] ?? (env.MANAGED_AGENTS_DEFAULT_ENVIRONMENT || undefined),
    turnTimeoutS,
    maxTurnTimeoutS: Math.max(turnTimeoutS, 600),
    maxRetries: positiveNumber('--max-retries', f['max-retries'] ?? env.MANAGED_AGENTS_MAX_RETRIES, 2, { integer: true }),
    maxRetryAfterS: 30,
    maxOutputChars: positiveNumber('--max-output-chars', f['max-output-chars'], 40_000, { integer: true }),
    priceTable: priceFile ? loadPriceTable(priceFile) : DEFAULT_PRICE_TABLE,
    streamStallS: 20,
    http: parseHttp(f, env),
  };
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

function parseHttp(f: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): HttpConfig | undefined {
  const spec = (f.http as string | undefined) ?? (env.MANAGED_AGENTS_HTTP || undefined);
  if (spec === undefined) return undefined;
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`--http takes [HOST:]PORT, got '${spec}'`);
  const host = m[1] ?? m[2] ?? '127.0.0.1';
  const tokenFile = (f['http-token-file'] as string | undefined) ?? (env.MANAGED_AGENTS_HTTP_TOKEN_FILE || undefined);
  let tokens = list(env.MANAGED_AGENTS_HTTP_TOKENS) ?? [];
  if (tokenFile) {
    try {
      tokens = [...tokens, ...(list(readFileSync(tokenFile, 'utf8')) ?? [])];
    } catch (err) {
      throw new ConfigError(`Cannot read --http-token-file ${tokenFile}: ${(err as Error).message}`);
    }
  }
  // A short token can be guessed; callers are machines, so ask for a generated one.
  if (tokens.some((t) => t.length < 16)) throw new ConfigError('HTTP bearer tokens must be at least 16 characters (e.g. `openssl rand -hex 32`)');
  if (!isLoopbackHost(host) && tokens.length === 0) {
    throw new ConfigError(
      `Refusing to serve HTTP on ${host} without a bearer token: set MANAGED_AGENTS_HTTP_TOKENS or --http-token-file (docs/http.md)`,
    );
  }
  return {
    host,
    port,
    tokens,
    allowedHosts: list((f['http-allowed-hosts'] as string | undefined) ?? env.MANAGED_AGENTS_HTTP_ALLOWED_HOSTS) ?? LOOPBACK_HOSTS,
    allowedOrigins: list((f['http-allowed-origins'] as string | undefined) ?? env.MANAGED_AGENTS_HTTP_ALLOWED_ORIGINS) ?? [],
  };
}

/** A config for tests and embedding: the defaults with overrides. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const base = parseConfig([], {}) as Config;
  return { ...base, ...overrides };
}
