import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './pricing.js';
import { isLoopbackHost } from './loopback.js';

/**
 * Configuration: defaults < environment < CLI flags. One module, validated with zod.
 *
 * `MANAGED_AGENTS_*` variables win over `ANTHROPIC_*` ones because MCP clients such as Claude Code
 * pass their own environment to the server, and their `ANTHROPIC_BASE_URL` may point at a model
 * gateway rather than the Managed Agents API. A key is only ever sent to a base URL of its own
 * family (see `resolveEndpoint`; docs/api-behaviour.md, "MCP clients"), so an inherited gateway URL never receives a key set for us.
 */

/** The one list of toolsets: config, the tool registry (its order is tools/list's order), the help text and the tests read it. */
export const TOOLSETS = ['core', 'agents', 'environments', 'sessions', 'vaults', 'memory', 'files', 'skills', 'deployments'] as const;
export type Toolset = (typeof TOOLSETS)[number];
export const DEFAULT_TOOLSETS: Toolset[] = ['core'];

/**
 * Who answers a remote agent's tool confirmations and policy loosenings (docs/approval.md,
 * docs/security.md): `auto` (the default) asks the person when the client can show a form and
 * lets the model decide when it cannot, `human` always needs the person (a client that cannot
 * ask allows nothing), `model` lets the model decide, `deny` refuses every one (unattended use).
 */
export const APPROVALS = ['auto', 'human', 'model', 'deny'] as const;
export type Approval = (typeof APPROVALS)[number];

/** Said at start-up: who will allow the remote agent's tool calls (docs/approval.md). */
export function approvalNote(a: Approval): string {
  return {
    auto: 'approval: auto: the person allows each remote tool call when the MCP client can show a form (elicitation); with a client that cannot, the model decides. --approval human requires the person; --approval deny refuses all (unattended runs such as claude -p, which cancels every form)',
    human: 'approval: human: only the person allows a remote tool call or a looser permission policy; a client that cannot show a form allows nothing',
    model: 'approval: model: the model answers the remote agent\'s tool confirmations, and may loosen permission policies',
    deny: 'approval: deny: every remote tool call that needs confirmation is refused, and no permission policy may be loosened',
  }[a];
}

/** Logged at start-up without a key: the variable this server prefers comes first. */
export const NO_KEY_WARNING =
  'no API key: set MANAGED_AGENTS_API_KEY (or ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN) in the server\'s env; API tools return an error until then (or use --emulator)';

export interface Config {
  apiKey?: string;
  authToken?: string;
  baseURL?: string;
  /** The variable the key (or token) came from, and the flag/variable of the base URL: for the start-up log. */
  keySource?: string;
  baseURLSource?: string;
  /** A base URL that was set but not used, because it pairs with the other key family. */
  ignoredBaseURL?: string;
  /** Why a key that is set is not used (it would go to a base URL of the other family). */
  keyRefused?: string;
  /** Allow a plain-http base URL to a host other than this machine (the key travels in clear text). */
  allowInsecureHttp: boolean;
  /** Start the local emulator in-process and point the client at it. */
  emulator: boolean;
  readOnly: boolean;
  /** Toolsets whose tools are listed; empty when `--tools` alone names the tools (docs/toolsets.md). */
  toolsets: Toolset[];
  /** Tools named by `--tools`, added to the toolsets' (checked against the registry at start-up). */
  tools: string[];
  /** Tools named by `--exclude-tools`: removed whatever else selects them. */
  excludeTools: string[];
  /** Start with the selection plus list_toolsets / enable_toolset, and add toolsets on request. */
  dynamicToolsets: boolean;
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
  approval: Approval;
  /** Serve MCP over Streamable HTTP (stateless) instead of stdio (docs/http.md). */
  http?: HttpConfig;
  /**
   * The directory local file paths resolve against; nothing outside it is read or written
   * (docs/local-files.md). Null under --http without an explicit root: the files would be the
   * server's, not the caller's, so local file access is off.
   */
  filesRoot: string | null;
  /** Cap on one local file uploaded, attached or downloaded, in bytes. */
  maxFileBytes: number;
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
  /** Connections held at once (src/http-guard.ts); past it new ones are refused. */
  maxConnections?: number;
  /** Time to receive a whole request, headers and body (src/http-guard.ts default; tests shorten it). */
  receiveTimeoutMs?: number;
}

export class ConfigError extends Error {}

export const MIN_OUTPUT_CHARS = 4000;

export const USAGE = `Usage: managed-agents-mcp [options]            stdio MCP server for Claude Managed Agents
       managed-agents-mcp emulator [--port N] [--host H] [--allow-remote]   run the local API emulator

Options:
  --emulator                 start the local emulator in-process and use it (no key, no spend)
                             (env MANAGED_AGENTS_EMULATOR=1)
  --base-url URL             API base URL (env MANAGED_AGENTS_BASE_URL; ANTHROPIC_BASE_URL only
                             with ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN)
  --allow-insecure-http      allow an http:// base URL that is not this machine (env
                             MANAGED_AGENTS_ALLOW_INSECURE_HTTP=1): the key would travel unencrypted
  --read-only                expose only tools that do not change state (env MANAGED_AGENTS_READ_ONLY=1)
  --toolsets LIST            comma-separated: core (default), ${TOOLSETS.slice(1).join(', ')},
                             or all (env MANAGED_AGENTS_TOOLSETS)
  --tools LIST               tools to add by name; without --toolsets, only these (and no core)
                             (env MANAGED_AGENTS_TOOLS)
  --exclude-tools LIST       tools to remove, whatever selects them (env MANAGED_AGENTS_EXCLUDE_TOOLS)
  --dynamic-toolsets         start with the selection plus list_toolsets and enable_toolset, which
                             adds a toolset when the model asks (stdio only; env
                             MANAGED_AGENTS_DYNAMIC_TOOLSETS=1). See docs/toolsets.md
  --default-environment ID   environment used when start_session gets none (env MANAGED_AGENTS_DEFAULT_ENVIRONMENT)
  --timeout S                default seconds a turn is followed before returning (default 45)
                             (env MANAGED_AGENTS_TIMEOUT_S)
  --max-retries N            retries for safe requests (default 2) (env MANAGED_AGENTS_MAX_RETRIES)
  --approval WHO             who allows the agent's tool calls: auto (default: the person when the
                             client can show a form, else the model), human (only the person; a
                             client that cannot ask allows nothing), model, or deny (refuse all;
                             for unattended runs such as claude -p) (env MANAGED_AGENTS_APPROVAL)
  --price-table FILE         JSON price table overriding the built-in one (env MANAGED_AGENTS_PRICE_TABLE)
  --max-output-chars N       cap on one tool result (default 40000, at least 4000)
  --files-root DIR           the only directory local files are read from and written to (default:
                             the working directory; under --http, none: local files off) (env
                             MANAGED_AGENTS_FILES_ROOT). See docs/local-files.md
  --max-file-bytes N         cap on one local file uploaded, attached or downloaded (default 33554432,
                             32 MiB) (env MANAGED_AGENTS_MAX_FILE_BYTES)
  --http [HOST:]PORT         serve MCP over Streamable HTTP (stateless) at /mcp instead of stdio;
                             HOST defaults to 127.0.0.1 (env MANAGED_AGENTS_HTTP). See docs/http.md
  --http-token-file FILE     bearer tokens callers must send, one per line (env MANAGED_AGENTS_HTTP_TOKEN_FILE,
                             or the tokens comma-separated in MANAGED_AGENTS_HTTP_TOKENS); required
                             unless HOST is loopback
  --http-allowed-hosts LIST  Host names accepted, comma-separated (default: loopback names; * for any)
                             (env MANAGED_AGENTS_HTTP_ALLOWED_HOSTS)
  --http-allowed-origins LIST  Origins accepted from browsers (default: loopback origins; * for any)
                             (env MANAGED_AGENTS_HTTP_ALLOWED_ORIGINS)
  --http-max-connections N   connections held at once; more are refused (default 256)
                             (env MANAGED_AGENTS_HTTP_MAX_CONNECTIONS)
  -h, --help                 show this help
  -v, --version              print the version

Emulator: loopback only (127.0.0.1:4010 by default; --port 0 picks a free port). --allow-remote
permits a non-loopback --host, and then clients must present the key in MANAGED_AGENTS_EMULATOR_KEY.

Credentials come from the environment only (never a flag, so they stay out of process lists):
  MANAGED_AGENTS_API_KEY (sent to --base-url, MANAGED_AGENTS_BASE_URL or the default endpoint), or
  ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN (sent to ANTHROPIC_BASE_URL or the default endpoint).`;

function parseApproval(v: string | undefined): Approval {
  if (v === undefined || v === '') return 'auto';
  if ((APPROVALS as readonly string[]).includes(v)) return v as Approval;
  throw new ConfigError(`--approval must be one of ${APPROVALS.join(', ')}, got '${v}'`);
}

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

function positiveNumber(name: string, v: string | undefined, fallback: number, { integer = false, min = 0 } = {}): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`${name} must be a ${integer ? 'whole ' : ''}number ≥ ${min}, got '${v}'`);
  }
  return n;
}

function parseToolsets(v: string | undefined, toolsNamed: boolean): Toolset[] {
  // `--tools` alone means exactly those tools: the default toolset is not added to them.
  if (!v) return toolsNamed ? [] : [...DEFAULT_TOOLSETS];
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
        'allow-insecure-http': { type: 'boolean' },
        'read-only': { type: 'boolean' },
        toolsets: { type: 'string' },
        tools: { type: 'string' },
        'exclude-tools': { type: 'string' },
        'dynamic-toolsets': { type: 'boolean' },
        'default-environment': { type: 'string' },
        timeout: { type: 'string' },
        'max-retries': { type: 'string' },
        'price-table': { type: 'string' },
        'max-output-chars': { type: 'string' },
        approval: { type: 'string' },
        'files-root': { type: 'string' },
        'max-file-bytes': { type: 'string' },
        http: { type: 'string' },
        'http-token-file': { type: 'string' },
        'http-allowed-hosts': { type: 'string' },
        'http-allowed-origins': { type: 'string' },
        'http-max-connections': { type: 'string' },
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
  const emulator = Boolean(f.emulator) || truthy(env.MANAGED_AGENTS_EMULATOR);
  const allowInsecureHttp = Boolean(f['allow-insecure-http']) || truthy(env.MANAGED_AGENTS_ALLOW_INSECURE_HTTP);
  const endpoint = resolveEndpoint(f['base-url'], env);
  // The in-process emulator replaces the endpoint (and the key), so its URL is not checked.
  if (!emulator) checkTransport(endpoint, allowInsecureHttp);
  const tools = list(f.tools ?? env.MANAGED_AGENTS_TOOLS) ?? [];
  const dynamicToolsets = Boolean(f['dynamic-toolsets']) || truthy(env.MANAGED_AGENTS_DYNAMIC_TOOLSETS);
  const http = parseHttp(f, env);
  // Stateless HTTP builds a fresh server for every request, so a toolset enabled in one call would
  // be gone in the next: refused rather than half working (docs/toolsets.md).
  if (dynamicToolsets && http) throw new ConfigError('--dynamic-toolsets needs one server per client, which stateless --http has not: choose the tools with --toolsets / --tools instead (docs/toolsets.md)');
  return {
    ...endpoint,
    allowInsecureHttp,
    emulator,
    readOnly: Boolean(f['read-only']) || truthy(env.MANAGED_AGENTS_READ_ONLY),
    toolsets: parseToolsets(f.toolsets ?? env.MANAGED_AGENTS_TOOLSETS, tools.length > 0),
    tools,
    excludeTools: list(f['exclude-tools'] ?? env.MANAGED_AGENTS_EXCLUDE_TOOLS) ?? [],
    dynamicToolsets,
    defaultEnvironmentId: f['default-environment'] ?? (env.MANAGED_AGENTS_DEFAULT_ENVIRONMENT || undefined),
    turnTimeoutS,
    maxTurnTimeoutS: Math.max(turnTimeoutS, 600),
    maxRetries: positiveNumber('--max-retries', f['max-retries'] ?? env.MANAGED_AGENTS_MAX_RETRIES, 2, { integer: true }),
    maxRetryAfterS: 30,
    // Below ~1,000 tokens a single turn digest or a truncation note no longer fits.
    maxOutputChars: positiveNumber('--max-output-chars', f['max-output-chars'], 40_000, { integer: true, min: MIN_OUTPUT_CHARS }),
    priceTable: priceFile ? loadPriceTable(priceFile) : DEFAULT_PRICE_TABLE,
    streamStallS: 20,
    approval: parseApproval(f.approval ?? env.MANAGED_AGENTS_APPROVAL),
    http,
    filesRoot: filesRootOf(f['files-root'] ?? (env.MANAGED_AGENTS_FILES_ROOT || undefined), Boolean(http)),
    maxFileBytes: positiveNumber('--max-file-bytes', f['max-file-bytes'] ?? env.MANAGED_AGENTS_MAX_FILE_BYTES, 32 * 1024 * 1024, { integer: true, min: 1 }),
  };
}

/** The files root: as given, else the working directory — except under --http, where it must be given. */
function filesRootOf(given: string | undefined, http: boolean): string | null {
  if (given !== undefined) return path.resolve(given);
  return http ? null : path.resolve('.');
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

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
    ...maxConnectionsOf((f['http-max-connections'] as string | undefined) ?? (env.MANAGED_AGENTS_HTTP_MAX_CONNECTIONS || undefined)),
  };
}

function maxConnectionsOf(v: string | undefined): { maxConnections?: number } {
  if (v === undefined) return {};
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 100_000) throw new ConfigError(`--http-max-connections takes a whole number from 1 to 100000, got '${v}'`);
  return { maxConnections: n };
}

type Endpoint = Pick<Config, 'apiKey' | 'authToken' | 'baseURL' | 'keySource' | 'baseURLSource' | 'ignoredBaseURL' | 'keyRefused'>;

/**
 * Pairs a key with the base URL of its own family only: `MANAGED_AGENTS_API_KEY` with `--base-url`,
 * `MANAGED_AGENTS_BASE_URL` or the default endpoint; `ANTHROPIC_API_KEY` / `ANTHROPIC_AUTH_TOKEN`
 * with `ANTHROPIC_BASE_URL` or the default. An MCP client hands its own `ANTHROPIC_*` environment
 * to the server, so mixing families would send a key to a host nobody chose for it. A URL set for
 * our family with only an `ANTHROPIC_*` key is refused rather than swapped for the default
 * endpoint: the user meant that URL (often the emulator), and real spend is the wrong surprise.
 */
export function resolveEndpoint(flagURL: string | undefined, env: NodeJS.ProcessEnv): Endpoint {
  const ours = flagURL !== undefined ? { url: flagURL, from: '--base-url' } : env.MANAGED_AGENTS_BASE_URL ? { url: env.MANAGED_AGENTS_BASE_URL, from: 'MANAGED_AGENTS_BASE_URL' } : undefined;
  const theirs = env.ANTHROPIC_BASE_URL ? { url: env.ANTHROPIC_BASE_URL, from: 'ANTHROPIC_BASE_URL' } : undefined;
  if (env.MANAGED_AGENTS_API_KEY) {
    return {
      apiKey: env.MANAGED_AGENTS_API_KEY,
      keySource: 'MANAGED_AGENTS_API_KEY',
      baseURL: ours?.url,
      baseURLSource: ours?.from,
      ignoredBaseURL: theirs?.from,
    };
  }
  const key = env.ANTHROPIC_API_KEY
    ? { apiKey: env.ANTHROPIC_API_KEY, keySource: 'ANTHROPIC_API_KEY' }
    : env.ANTHROPIC_AUTH_TOKEN
      ? { authToken: env.ANTHROPIC_AUTH_TOKEN, keySource: 'ANTHROPIC_AUTH_TOKEN' }
      : undefined;
  const url = ours ?? theirs;
  if (key && ours) {
    return {
      baseURL: ours.url,
      baseURLSource: ours.from,
      keyRefused:
        `${ours.from} is set, but the only key is ${key.keySource}, which is sent only to ANTHROPIC_BASE_URL or the default endpoint. ` +
        `Set MANAGED_AGENTS_API_KEY for ${ours.from} (any value for the emulator), or unset ${ours.from}.`,
    };
  }
  return { ...key, baseURL: url?.url, baseURLSource: url?.from };
}

/** A plain-http URL would carry the key in clear text: only to this machine, unless allowed. */
function checkTransport(endpoint: Endpoint, allowInsecureHttp: boolean): void {
  if (endpoint.baseURL === undefined) return;
  let url: URL;
  try {
    url = new URL(endpoint.baseURL);
  } catch {
    throw new ConfigError(`${endpoint.baseURLSource} is not a URL: '${endpoint.baseURL}'`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol !== 'http:') throw new ConfigError(`${endpoint.baseURLSource} must be an http(s) URL, got ${url.protocol}`);
  if (isLoopbackHost(url.hostname) || allowInsecureHttp) return;
  throw new ConfigError(
    `${endpoint.baseURLSource} is plain http to ${url.host}, which would send the API key unencrypted. ` +
      'Use https, or pass --allow-insecure-http (MANAGED_AGENTS_ALLOW_INSECURE_HTTP=1) if that is really meant.',
  );
}

/**
 * The start-up lines saying which host receives the key and where each came from (never the key
 * itself): a user can see at once when a key would go somewhere unexpected.
 */
export function describeEndpoint(c: Config): { level: 'info' | 'warn'; text: string }[] {
  const host = c.baseURL ? safeHost(c.baseURL) : 'https://api.anthropic.com';
  const urlFrom = c.baseURLSource ? `from ${c.baseURLSource}` : 'the default endpoint';
  const lines: { level: 'info' | 'warn'; text: string }[] = [];
  if (c.keyRefused) lines.push({ level: 'warn', text: `no key is used: ${c.keyRefused}` });
  else if (c.keySource) lines.push({ level: 'info', text: `the key from ${c.keySource} is sent to ${host} (${urlFrom})` });
  else lines.push({ level: 'warn', text: NO_KEY_WARNING });
  if (c.ignoredBaseURL) {
    lines.push({ level: 'warn', text: `${c.ignoredBaseURL} is ignored: it pairs only with ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN, and the key comes from ${c.keySource}` });
  }
  return lines;
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** A config for tests and embedding: the defaults with overrides. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const base = parseConfig([], {}) as Config;
  return { ...base, ...overrides };
}
