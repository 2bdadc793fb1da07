import { parseArgs } from 'node:util';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_PRICE_TABLE, type PriceTable } from './shared/pricing.js';
import { isLoopbackHost } from './shared/loopback.js';

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

/**
 * How to give the server a key, in one wording for the start-up warning and the tool error: the
 * variable the README recommends comes first.
 */
export const SET_KEY = "set MANAGED_AGENTS_API_KEY (or ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN) in the MCP server's env";

/** Logged at start-up without a key. */
export const NO_KEY_WARNING = `no API key: ${SET_KEY}; API tools return an error until then (or use --emulator)`;

/** Said at start-up: who will allow the remote agent's tool calls (docs/approval.md). */
export function approvalNote(a: Approval): string {
  return {
    auto: 'approval: auto: the person allows each remote tool call when the MCP client can show a form (elicitation); with a client that cannot, the model decides. --approval human requires the person; --approval deny refuses all (unattended runs such as claude -p, which cancels every form)',
    human: 'approval: human: only the person allows a remote tool call or a looser permission policy; a client that cannot show a form allows nothing',
    model: "approval: model: the model answers the remote agent's tool confirmations, and may loosen permission policies",
    deny: 'approval: deny: every remote tool call that needs confirmation is refused, and no permission policy may be loosened',
  }[a];
}

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
  /** Cap on each half of a tool result (structured JSON, text), in characters (≈ tokens × 4). */
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
  /** Connections held at once (src/mcp/http-guard.ts); past it new ones are refused. */
  maxConnections?: number;
  /** Time to receive a whole request, headers and body (src/mcp/http-guard.ts default; tests shorten it). */
  receiveTimeoutMs?: number;
}

export class ConfigError extends Error {}

export const MIN_OUTPUT_CHARS = 4000;

/** Where the documentation is read online; the package ships the same pages in its docs/ folder. */
export const DOCS_URL = 'https://github.com/managed-agents-mcp/managed-agents-mcp#readme';

/** The defaults, stated once: parsing, `--help`, the README's flag table and the tool descriptions read them. */
export const DEFAULTS = {
  turnTimeoutS: 45,
  maxRetries: 2,
  maxOutputChars: 12_000,
  maxFileBytes: 32 * 1024 * 1024,
  approval: 'auto' as Approval,
  baseURL: 'https://api.anthropic.com',
};

export interface FlagSpec {
  type: 'boolean' | 'string';
  /** The value's placeholder in `--help` (string flags). */
  value?: string;
  /** The flag's environment variable; a boolean one is on when set to 1, true, yes or on. */
  env?: string;
  /** The default, as a user reads it. */
  default?: string;
  help: string;
  short?: string;
}

/**
 * Every flag, once: `parseArgs`' options, `--help`, the README's flag table (`npm run docs`) and
 * the checks of `server.json` and `mcpb/manifest.json` (test/server/config.test.ts) derive from it.
 */
export const FLAGS = {
  emulator: { type: 'boolean', env: 'MANAGED_AGENTS_EMULATOR', help: 'start the local emulator in-process and use it (no key, no spend)' },
  'base-url': {
    type: 'string',
    value: 'URL',
    env: 'MANAGED_AGENTS_BASE_URL',
    default: DEFAULTS.baseURL,
    help: 'API endpoint; ANTHROPIC_BASE_URL is used instead only with an ANTHROPIC_* key',
  },
  'allow-insecure-http': {
    type: 'boolean',
    env: 'MANAGED_AGENTS_ALLOW_INSECURE_HTTP',
    help: 'allow a plain http:// base URL to a host other than this machine (the key would travel unencrypted)',
  },
  'read-only': { type: 'boolean', env: 'MANAGED_AGENTS_READ_ONLY', help: 'expose only tools that change nothing' },
  toolsets: {
    type: 'string',
    value: 'LIST',
    env: 'MANAGED_AGENTS_TOOLSETS',
    default: DEFAULT_TOOLSETS.join(','),
    help: `toolsets to list, comma-separated: ${TOOLSETS.join(', ')}, or all (core is always on)`,
  },
  tools: { type: 'string', value: 'LIST', env: 'MANAGED_AGENTS_TOOLS', help: 'tools to add by name; without --toolsets, only these (no core)' },
  'exclude-tools': { type: 'string', value: 'LIST', env: 'MANAGED_AGENTS_EXCLUDE_TOOLS', help: 'tools to remove, whatever selects them' },
  'dynamic-toolsets': {
    type: 'boolean',
    env: 'MANAGED_AGENTS_DYNAMIC_TOOLSETS',
    help: 'start with the selection plus list_toolsets and enable_toolset, which adds a toolset when the model asks (stdio only; docs/toolsets.md)',
  },
  'default-environment': { type: 'string', value: 'ID', env: 'MANAGED_AGENTS_DEFAULT_ENVIRONMENT', help: 'environment used when start_session gets none' },
  timeout: {
    type: 'string',
    value: 'S',
    env: 'MANAGED_AGENTS_TIMEOUT_S',
    default: String(DEFAULTS.turnTimeoutS),
    help: 'seconds a turn is followed before returning timed_out (a call may ask for another with timeout_s)',
  },
  'max-retries': {
    type: 'string',
    value: 'N',
    env: 'MANAGED_AGENTS_MAX_RETRIES',
    default: String(DEFAULTS.maxRetries),
    help: 'retries of requests that are safe to repeat',
  },
  approval: {
    type: 'string',
    value: 'WHO',
    env: 'MANAGED_AGENTS_APPROVAL',
    default: DEFAULTS.approval,
    help: "who allows the agent's tool calls and looser permission policies: auto (the person when the client can show a form, else the model), human (only the person; a client that cannot ask allows nothing), model, or deny (refuse all; for unattended runs such as claude -p); docs/approval.md",
  },
  'price-table': {
    type: 'string',
    value: 'FILE',
    env: 'MANAGED_AGENTS_PRICE_TABLE',
    default: 'built in',
    help: 'JSON price table merged over the built-in one (docs/pricing.md)',
  },
  'max-output-chars': {
    type: 'string',
    value: 'N',
    default: String(DEFAULTS.maxOutputChars),
    help: `cap on each half of a tool result, in characters (at least ${MIN_OUTPUT_CHARS})`,
  },
  'files-root': {
    type: 'string',
    value: 'DIR',
    env: 'MANAGED_AGENTS_FILES_ROOT',
    default: 'working directory (--http: none)',
    help: 'the only directory local files are read from and written to; must exist (docs/local-files.md)',
  },
  'max-file-bytes': {
    type: 'string',
    value: 'N',
    env: 'MANAGED_AGENTS_MAX_FILE_BYTES',
    default: String(DEFAULTS.maxFileBytes),
    help: 'cap on one local file uploaded, attached or downloaded',
  },
  http: {
    type: 'string',
    value: '[HOST:]PORT',
    env: 'MANAGED_AGENTS_HTTP',
    default: 'off (stdio)',
    help: 'serve MCP over Streamable HTTP (stateless) at /mcp instead of stdio; HOST defaults to 127.0.0.1 (docs/http.md)',
  },
  'http-token-file': {
    type: 'string',
    value: 'FILE',
    env: 'MANAGED_AGENTS_HTTP_TOKEN_FILE',
    help: 'bearer tokens callers must send, one per line (or comma-separated in MANAGED_AGENTS_HTTP_TOKENS); required unless HOST is loopback',
  },
  'http-allowed-hosts': {
    type: 'string',
    value: 'LIST',
    env: 'MANAGED_AGENTS_HTTP_ALLOWED_HOSTS',
    default: 'loopback names',
    help: 'Host names accepted, comma-separated (* for any)',
  },
  'http-allowed-origins': {
    type: 'string',
    value: 'LIST',
    env: 'MANAGED_AGENTS_HTTP_ALLOWED_ORIGINS',
    default: 'loopback origins',
    help: 'browser Origins accepted, comma-separated (* for any)',
  },
  'http-max-connections': {
    type: 'string',
    value: 'N',
    env: 'MANAGED_AGENTS_HTTP_MAX_CONNECTIONS',
    default: '256',
    help: 'connections held at once under --http; more are refused',
  },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  version: { type: 'boolean', short: 'v', help: 'print the version' },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;

/** Variables with no flag: credentials stay out of process lists, the code cache is the bin's own (src/bin.ts), and the SDK reads its tracing switch itself (src/api/client.ts). */
export const ENV_ONLY: readonly { env: string; default?: string; help: string }[] = [
  { env: 'MANAGED_AGENTS_API_KEY', help: 'API key, sent only to --base-url, MANAGED_AGENTS_BASE_URL or the default endpoint (the one to use)' },
  { env: 'ANTHROPIC_API_KEY', help: 'API key, read when MANAGED_AGENTS_API_KEY is not set; sent only to ANTHROPIC_BASE_URL or the default endpoint' },
  { env: 'ANTHROPIC_AUTH_TOKEN', help: 'OAuth token, if no key; paired like ANTHROPIC_API_KEY' },
  { env: 'ANTHROPIC_BASE_URL', help: 'API endpoint for an ANTHROPIC_* key only (ignored with MANAGED_AGENTS_API_KEY)' },
  { env: 'MANAGED_AGENTS_HTTP_TOKENS', help: 'bearer tokens for --http, comma-separated' },
  {
    env: 'MANAGED_AGENTS_CODE_CACHE',
    default: '$XDG_CACHE_HOME/managed-agents-mcp or ~/.cache/managed-agents-mcp',
    help: 'where the bin keeps its V8 code cache, which makes later starts faster (off: none; docs/performance.md)',
  },
  {
    env: 'ANTHROPIC_OPEN_TELEMETRY',
    default: 'unset: spans only with a tracer provider registered',
    help: "the Anthropic SDK's OpenTelemetry spans of each API request, read as the SDK documents (false: none); unset, they are made only when the process has a tracer provider (docs/performance.md)",
  },
];

/** `parseArgs`' options, from the table. */
const PARSE_OPTIONS = Object.fromEntries(Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type, ...('short' in f ? { short: f.short } : {}) }])) as {
  [K in FlagName]: { type: (typeof FLAGS)[K]['type']; short?: string };
};

/** One `--help` entry: the head, then the text wrapped under column 29 within 100 columns. */
function helpRow(head: string, text: string): string {
  const lines: string[] = [];
  // A long head takes its own line; the text starts in the same column on the next.
  let line = head.length < 29 ? head.padEnd(29) : `${head}\n${' '.repeat(29)}`;
  let width = 29;
  for (const w of text.split(' ')) {
    if (width + w.length > 100 && width > 29) {
      lines.push(line.trimEnd());
      line = ' '.repeat(29);
      width = 29;
    }
    line += `${w} `;
    width += w.length + 1;
  }
  lines.push(line.trimEnd());
  return lines.join('\n');
}

function flagUsage(name: string, f: FlagSpec): string {
  const head = `  ${f.short ? `-${f.short}, ` : ''}--${name}${f.value ? ` ${f.value}` : ''}`;
  const extra = [f.env && `env ${f.env}${f.type === 'boolean' ? '=1' : ''}`, f.default && `default ${f.default}`].filter(Boolean).join('; ');
  return helpRow(head, `${f.help}${extra ? ` (${extra})` : ''}`);
}

export const USAGE = `Usage: managed-agents-mcp [options]            MCP server for Claude Managed Agents (stdio, or --http)
       managed-agents-mcp emulator [--port N] [--host H] [--allow-remote]   run the local API emulator

Options (a flag wins over its environment variable):
${Object.entries(FLAGS)
  .map(([name, f]) => flagUsage(name, f))
  .join('\n')}

Emulator: loopback only (127.0.0.1:4010 by default; --port 0 picks a free port). --allow-remote
permits a non-loopback --host, and then clients must present the key in MANAGED_AGENTS_EMULATOR_KEY.

Environment only (credentials are never flags, so they stay out of process lists):
${ENV_ONLY.map((e) => helpRow(`  ${e.env}`, `${e.help}${e.default ? ` (default ${e.default})` : ''}`)).join('\n')}

Documentation: ${DOCS_URL}`;

/** The one line a configuration error ends with: the cause stays on screen. */
export const SEE_HELP = 'Run managed-agents-mcp --help for the options.';

/** The README's flag table, generated from FLAGS and ENV_ONLY (`npm run docs`; a test fails if stale). */
export const FLAGS_START = '<!-- flags:start (generated by `npm run docs` from src/config.ts; a test fails if stale) -->';
export const FLAGS_END = '<!-- flags:end -->';
export function flagTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = Object.entries(FLAGS as Record<string, FlagSpec>)
    .filter(([name]) => name !== 'help' && name !== 'version')
    .map(
      ([name, f]) =>
        `| \`--${name}${f.value ? ` ${f.value}` : ''}\` | ${f.env ? `\`${f.env}\`` : ''} | ${f.default ? cell(f.default) : f.type === 'boolean' ? 'off' : '–'} | ${cell(f.help)} |`,
    );
  const envRows = ENV_ONLY.map((e) => `|  | \`${e.env}\` | ${e.default ? cell(e.default) : '–'} | ${cell(e.help)} |`);
  return [FLAGS_START, '| flag | environment | default | meaning |', '|---|---|---|---|', ...rows, ...envRows, FLAGS_END].join('\n');
}

function parseApproval(v: string | undefined): Approval {
  if (v === undefined || v === '') return DEFAULTS.approval;
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
  const names = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.includes('all')) return [...TOOLSETS];
  for (const n of names) {
    if (!(TOOLSETS as readonly string[]).includes(n)) {
      const near = nearest(n, [...TOOLSETS, 'all']);
      throw new ConfigError(`Unknown toolset '${n}'.${near ? ` Did you mean ${near}?` : ''} Known: ${TOOLSETS.join(', ')}, all`);
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
      options: PARSE_OPTIONS,
    });
  } catch (err) {
    throw new ConfigError(parseArgsMessage(err as Error & { code?: string }, Object.keys(FLAGS)));
  }
  const f = parsed.values;
  if (f.help) return { help: true };
  if (f.version) return { version: true };
  /** A flag's value, else its environment variable's (FLAGS names it). */
  const value = (name: FlagName, { emptyEnvUnset = false } = {}): string | undefined => {
    const flag = f[name];
    if (typeof flag === 'string') return flag;
    const spec: FlagSpec = FLAGS[name];
    const fromEnv = spec.env ? env[spec.env] : undefined;
    return emptyEnvUnset && fromEnv === '' ? undefined : fromEnv;
  };
  const on = (name: FlagName): boolean => {
    const spec: FlagSpec = FLAGS[name];
    return Boolean(f[name]) || (spec.env !== undefined && truthy(env[spec.env]));
  };

  const priceFile = value('price-table');
  const turnTimeoutS = positiveNumber('--timeout', value('timeout'), DEFAULTS.turnTimeoutS);
  if (turnTimeoutS <= 0) throw new ConfigError('--timeout must be > 0');
  const emulator = on('emulator');
  const allowInsecureHttp = on('allow-insecure-http');
  const endpoint = resolveEndpoint(f['base-url'], env);
  // The in-process emulator replaces the endpoint (and the key), so its URL is not checked.
  if (!emulator) checkTransport(endpoint, allowInsecureHttp);
  const tools = list(value('tools')) ?? [];
  const dynamicToolsets = on('dynamic-toolsets');
  const http = parseHttp(f, env);
  // Stateless HTTP builds a fresh server for every request, so a toolset enabled in one call would
  // be gone in the next: refused rather than half working (docs/toolsets.md).
  if (dynamicToolsets && http)
    throw new ConfigError(
      '--dynamic-toolsets needs one server per client, which stateless --http has not: choose the tools with --toolsets / --tools instead (docs/toolsets.md)',
    );
  return {
    ...endpoint,
    allowInsecureHttp,
    emulator,
    readOnly: on('read-only'),
    toolsets: parseToolsets(value('toolsets'), tools.length > 0),
    tools,
    excludeTools: list(value('exclude-tools')) ?? [],
    dynamicToolsets,
    defaultEnvironmentId: value('default-environment', { emptyEnvUnset: true }),
    turnTimeoutS,
    maxTurnTimeoutS: Math.max(turnTimeoutS, 600),
    maxRetries: positiveNumber('--max-retries', value('max-retries'), DEFAULTS.maxRetries, { integer: true }),
    maxRetryAfterS: 30,
    // Below ~1,000 tokens a single turn digest or a truncation note no longer fits. 12,000: the
    // smallest relay measured (Codex CLI cuts a result past about that), docs/clients.md.
    maxOutputChars: positiveNumber('--max-output-chars', value('max-output-chars'), DEFAULTS.maxOutputChars, { integer: true, min: MIN_OUTPUT_CHARS }),
    priceTable: priceFile ? loadPriceTable(priceFile) : DEFAULT_PRICE_TABLE,
    streamStallS: 20,
    approval: parseApproval(value('approval')),
    http,
    filesRoot: filesRootOf(value('files-root', { emptyEnvUnset: true }), Boolean(http)),
    maxFileBytes: positiveNumber('--max-file-bytes', value('max-file-bytes'), DEFAULTS.maxFileBytes, { integer: true, min: 1 }),
  };
}

/**
 * `parseArgs`' error, with the nearest flag for an unknown one (`--emulater`: did you mean
 * `--emulator`?) instead of its advice about positional arguments, which this CLI takes none of.
 */
export function parseArgsMessage(err: Error & { code?: string }, names: string[]): string {
  const unknown = err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-{1,2}[^']*)'/.exec(err.message)?.[1] : undefined;
  if (!unknown) return err.message;
  const near = nearest(unknown.replace(/^-+/, '').split('=')[0]!, names);
  return `Unknown option '${unknown}'.${near ? ` Did you mean --${near}?` : ''}`;
}

/** The closest name by edit distance, when it is close enough to be a typo. */
export function nearest(name: string, names: readonly string[]): string | undefined {
  let best: { n: string; d: number } | undefined;
  for (const n of names) {
    const d = editDistance(name, n);
    if (!best || d < best.d) best = { n, d };
  }
  return best && best.d <= Math.max(2, Math.floor(name.length / 4)) ? best.n : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Start-up checks that read the disk, for the CLI (parseConfig stays usable with paths that exist
 * only later): a files root that is missing or not a directory would fail every file call instead.
 */
export function checkFilesRoot(c: Pick<Config, 'filesRoot'>): void {
  if (c.filesRoot === null) return;
  let st;
  try {
    st = statSync(c.filesRoot);
  } catch (err) {
    throw new ConfigError(
      `--files-root ${c.filesRoot} cannot be used (${(err as NodeJS.ErrnoException).code}): create it, or point --files-root / MANAGED_AGENTS_FILES_ROOT at a directory`,
    );
  }
  if (!st.isDirectory()) throw new ConfigError(`--files-root ${c.filesRoot} is not a directory: point --files-root / MANAGED_AGENTS_FILES_ROOT at a directory`);
}

/** What `--emulator` leaves unused, said at start-up rather than dropped silently. */
export function ignoredByEmulator(c: Config): string | undefined {
  if (!c.emulator || !c.baseURLSource) return undefined;
  return `${c.baseURLSource} is ignored: --emulator points the server at the local emulator (and sends it no key)`;
}

/** The files root: as given, else the working directory — except under --http, where it must be given. */
function filesRootOf(given: string | undefined, http: boolean): string | null {
  if (given !== undefined) return path.resolve(given);
  return http ? null : path.resolve('.');
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

function list(v: string | undefined): string[] | undefined {
  return v === undefined
    ? undefined
    : v
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
}

function parseHttp(f: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): HttpConfig | undefined {
  const spec = (f.http as string | undefined) ?? (env[FLAGS.http.env] || undefined);
  if (spec === undefined) return undefined;
  const m = /^(?:(?:\[([^\]]+)\]|([^:[\]]+)):)?(\d{1,5})$/.exec(spec.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`--http takes [HOST:]PORT, got '${spec}'`);
  const host = m[1] ?? m[2] ?? '127.0.0.1';
  const tokenFile = (f['http-token-file'] as string | undefined) ?? (env[FLAGS['http-token-file'].env] || undefined);
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
    throw new ConfigError(`Refusing to serve HTTP on ${host} without a bearer token: set MANAGED_AGENTS_HTTP_TOKENS or --http-token-file (docs/http.md)`);
  }
  return {
    host,
    port,
    tokens,
    allowedHosts: list((f['http-allowed-hosts'] as string | undefined) ?? env[FLAGS['http-allowed-hosts'].env]) ?? LOOPBACK_HOSTS,
    allowedOrigins: list((f['http-allowed-origins'] as string | undefined) ?? env[FLAGS['http-allowed-origins'].env]) ?? [],
    ...maxConnectionsOf((f['http-max-connections'] as string | undefined) ?? (env[FLAGS['http-max-connections'].env] || undefined)),
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
  const ours =
    flagURL !== undefined
      ? { url: flagURL, from: '--base-url' }
      : env.MANAGED_AGENTS_BASE_URL
        ? { url: env.MANAGED_AGENTS_BASE_URL, from: 'MANAGED_AGENTS_BASE_URL' }
        : undefined;
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
    lines.push({
      level: 'warn',
      text: `${c.ignoredBaseURL} is ignored: it pairs only with ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN, and the key comes from ${c.keySource}`,
    });
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
