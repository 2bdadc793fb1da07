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

/**
 * Who answers a remote agent's tool confirmations (docs/approval.md): `human` asks the person
 * through MCP elicitation when the client supports it (else the model decides), `model` always
 * returns them to the model, `deny` refuses every one (unattended use).
 */
export const APPROVALS = ['human', 'model', 'deny'] as const;
export type Approval = (typeof APPROVALS)[number];

/** Logged at start-up without a key: the variable this server prefers comes first. */
export const NO_KEY_WARNING =
  'no API key: set MANAGED_AGENTS_API_KEY (or ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN) in the server\'s env; API tools return an error until then (or use --emulator)';

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
  approval: Approval;
}

export class ConfigError extends Error {}

export const USAGE = `Usage: managed-agents-mcp [options]            stdio MCP server for Claude Managed Agents
       managed-agents-mcp emulator [--port N] [--host H]   run the local API emulator

Options:
  --emulator                 start the local emulator in-process and use it (no key, no spend)
                             (env MANAGED_AGENTS_EMULATOR=1)
  --base-url URL             API base URL (env MANAGED_AGENTS_BASE_URL, ANTHROPIC_BASE_URL)
  --read-only                expose only tools that do not change state (env MANAGED_AGENTS_READ_ONLY=1)
  --toolsets LIST            comma-separated: core (default), agents, environments, sessions,
                             vaults, memory, files, or all (env MANAGED_AGENTS_TOOLSETS)
  --default-environment ID   environment used when start_session gets none (env MANAGED_AGENTS_DEFAULT_ENVIRONMENT)
  --timeout S                default seconds a turn is followed before returning (default 45)
                             (env MANAGED_AGENTS_TIMEOUT_S)
  --max-retries N            retries for safe requests (default 2) (env MANAGED_AGENTS_MAX_RETRIES)
  --approval WHO             who answers the agent's tool confirmations: human (default: ask the
                             person via the client when it can, else the model decides), model, or
                             deny (refuse all) (env MANAGED_AGENTS_APPROVAL)
  --price-table FILE         JSON price table overriding the built-in one (env MANAGED_AGENTS_PRICE_TABLE)
  --max-output-chars N       cap on one tool result (default 40000)
  -h, --help                 show this help
  -v, --version              print the version

Credentials come from the environment only (never a flag, so they stay out of process lists):
  MANAGED_AGENTS_API_KEY or ANTHROPIC_API_KEY, or ANTHROPIC_AUTH_TOKEN.`;

function parseApproval(v: string | undefined): Approval {
  if (v === undefined || v === '') return 'human';
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
        approval: { type: 'string' },
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
    approval: parseApproval(f.approval ?? env.MANAGED_AGENTS_APPROVAL),
  };
}

/** A config for tests and embedding: the defaults with overrides. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  const base = parseConfig([], {}) as Config;
  return { ...base, ...overrides };
}
