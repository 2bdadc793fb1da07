import { z } from 'zod';
import type { BoundApi, Effect } from '../../api/client.js';
import type { Config, Toolset } from '../../config.js';
import type { Logger } from '../../log.js';
import type { DefaultEnvironment } from './default-environment.js';
import type { UnseenTurns } from '../../turns/unseen.js';

/**
 * Tools are data: one `defineTool({...})` literal each. `kind` alone derives the MCP annotations,
 * so they cannot disagree with what the tool does; the server, the filters, the README table and
 * the tests all read these objects.
 */
export type ToolKind = 'read' | 'create' | 'update' | 'delete' | 'action' | 'approve';

/**
 * What each kind can cause, which the annotations state (docs/approval.md#annotations):
 * - read: changes nothing;
 * - create: adds something new, losing nothing;
 * - update: overwrites what was there (a memory's content, an agent's permission policies, a
 *   session's budget): destructive, and repeating it changes nothing more;
 * - delete: removes or archives, irreversibly;
 * - action: drives a session (sends a message, a result, an interrupt);
 * - approve: lets the remote agent run a tool call it asked permission for: anything that tool can
 *   do, so destructive.
 */

/**
 * What a kind's requests do to the API's state: the one answer to "does this tool write?", which
 * decides its retry policy (src/api/client.ts) and its errors' retry advice (src/api/errors.ts).
 * Updates and deletes are idempotent (repeating one cannot double its effect), creates and
 * actions (sends) are not.
 */
export function effectOf(kind: ToolKind): Effect {
  if (kind === 'read') return 'read';
  if (kind === 'update' || kind === 'delete') return 'idempotent';
  return 'write';
}

/**
 * A context's `progress` when the caller asked for none: code that builds progress messages (the
 * turn engine, one per event) skips building them.
 */
export const NO_PROGRESS = (_message: string): void => {};

export interface ToolContext {
  /** The API, bound to this tool's kind: `call` for its own requests, `lookup` for reads on the way. */
  api: BoundApi;
  config: Config;
  log: Logger;
  /** Aborts when the client cancels the call or disconnects, or the server shuts down. */
  signal: AbortSignal;
  /** Sends an MCP progress notification when the caller asked for progress; `NO_PROGRESS` otherwise. */
  progress(message: string): void;
  defaultEnvironment: DefaultEnvironment;
  /**
   * Asks the person through the client (form mode); absent when the client cannot. On MCP 2025-era
   * clients an `elicitation/create` request; on 2026-07-28 the call ends with an input-required
   * result and the retried call runs the handler again, where the same ask returns the answer
   * (src/mcp/ask.ts). So code before an ask runs again on the retry: reads are fine, a write must be
   * followed by `checkpoint` before the ask (docs/approval.md, "Asking across rounds").
   */
  elicit?: (form: ElicitForm, timeoutMs: number) => Promise<ElicitAnswer>;
  /** What the call saved with `checkpoint` in earlier rounds, verified (2026-07-28 rounds only). */
  resumed?: Record<string, unknown>;
  /**
   * Saves a part of where a retried call resumes (JSON), after a side effect and before an ask;
   * absent where asks need no rounds. `onceAcrossRounds` is the usual way to use it.
   */
  checkpoint?(part: Record<string, unknown>): void;
  /** Turns that went on unseen, per session (this server's memory). */
  unseen: UnseenTurns;
  /** Lists and enables toolsets at run time: only under --dynamic-toolsets (docs/toolsets.md). */
  toolsets?: ToolsetSwitch;
}

/**
 * Runs a side effect once per call, however many rounds of asking the person the call takes
 * (MCP 2026-07-28 re-runs the handler with each answer): a retried call gets what the first run
 * saved, as JSON, instead of running `run` again (docs/approval.md, "Asking across rounds").
 */
export async function onceAcrossRounds<T>(ctx: ToolContext, part: string, run: () => Promise<T>): Promise<T> {
  if (ctx.resumed && part in ctx.resumed) return ctx.resumed[part] as T;
  const value = await run();
  ctx.checkpoint?.({ [part]: value ?? null });
  return value;
}

export interface ToolsetState {
  name: Toolset;
  /** Every tool of it that the filters permit is listed. */
  enabled: boolean;
  /** Its tools that the filters (--read-only, --exclude-tools) permit. */
  tools: string[];
  /** What those tools cost the model: names, descriptions, input schemas, characters / 4. */
  tokens: number;
}

export interface ToolsetSwitch {
  list(): ToolsetState[];
  /** Registers the toolset's permitted tools not yet listed (none again: idempotent) and announces them. */
  enable(name: Toolset): { added: string[]; calls: string[]; state: ToolsetState };
}

export interface ElicitForm {
  message: string;
  /** A flat object of primitive properties (MCP form mode). */
  requestedSchema: { type: 'object'; properties: Record<string, Record<string, unknown>>; required?: string[] };
}

export interface ElicitAnswer {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, unknown>;
}

export interface ToolResult<O> {
  structured: O;
  text: string;
}

export interface ToolDef<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  toolset: Toolset;
  kind: ToolKind;
  input: I;
  output: O;
  /** The result is small by construction: no `truncated` field is advertised for it. */
  bounded?: true;
  /**
   * The credential values among the arguments (keys, tokens, secret values): redacted from every
   * result, error and log from the call on. Only these: an argument merely named `token` (in
   * `metadata`, say) is data, not a secret.
   */
  secrets?(args: z.infer<z.ZodObject<I>>): (string | undefined)[];
  handler(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<ToolResult<z.infer<z.ZodObject<O>>>>;
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}

export type AnyTool = ToolDef<any, any>;

const strictInputs = new WeakMap<AnyTool, z.ZodObject>();

/**
 * The tool's input as the server parses it. Strict: a misspelled argument (`timeout` for
 * `timeout_s`) would otherwise be dropped silently and the call run with the default, so unknown
 * names are refused with the valid ones.
 */
export function inputSchemaOf(tool: AnyTool): z.ZodObject {
  let schema = strictInputs.get(tool);
  if (!schema) {
    const valid = Object.keys(tool.input).join(', ');
    schema = z.strictObject(tool.input, {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `Unknown argument${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `'${k}'`).join(', ')}. Valid: ${valid}`
          : undefined,
    });
    strictInputs.set(tool, schema);
  }
  return schema;
}

/**
 * A tool as one line a model can call it from: `name(arg, opt?: number, kind?: "a"|"b") — what it
 * does`, with the description of each object argument (its shape). enable_toolset returns these:
 * Claude Code shows newly listed tools to the model one request late, so the result itself must
 * say how to call them (docs/toolsets.md).
 */
export function callLine(tool: AnyTool): string {
  const schema = z.toJSONSchema(inputSchemaOf(tool), { target: 'draft-7', io: 'input' }) as JsonSchemaNode;
  const required = new Set(schema.required ?? []);
  const args = Object.entries(schema.properties ?? {}).map(([name, p]) => {
    const type = typeName(p);
    const shape = /object/.test(type) && p.description ? ` (${p.description.replace(/\.$/, '')})` : '';
    return `${name}${required.has(name) ? '' : '?'}${type === 'string' ? '' : `: ${type}`}${shape}`;
  });
  return `${tool.name}(${args.join(', ')}) — ${tool.description}`;
}

interface JsonSchemaNode {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  items?: JsonSchemaNode;
  anyOf?: JsonSchemaNode[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  description?: string;
}

function typeName(s: JsonSchemaNode): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join('|');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return [...new Set(s.anyOf.map(typeName))].join('|');
  if (s.type === 'array') return `[${s.items ? typeName(s.items) : ''}]`;
  if (s.type === 'integer') return 'number';
  if (s.type === 'boolean') return 'bool';
  return s.type ?? 'any';
}

export interface Annotations {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
}

/**
 * Only what differs from the spec's defaults (readOnly false, destructive true, idempotent false,
 * openWorld true) is sent: every tools/list byte is paid for in the client's context.
 */
export function annotationsFor(tool: AnyTool): Annotations {
  switch (tool.kind) {
    case 'read':
      return { readOnlyHint: true };
    case 'delete':
    case 'update':
      return { destructiveHint: true, idempotentHint: true };
    case 'approve':
      return { destructiveHint: true };
    case 'create':
    case 'action':
      return { destructiveHint: false };
  }
}

// ---- shared input pieces -------------------------------------------------------------------

/**
 * API ids are opaque, but every real one is `prefix_` + letters and digits. Rejecting anything
 * else up front gives a clear error and guarantees an id can never leave its URL path segment
 * (`/`, `..`, `%2e`, `?`, `#`, whitespace).
 */
// A refinement, not .regex(): the check is the same, but it stays out of the JSON Schema that
// every client pays for in tools/list.
const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const idSchema = (what: string, example: string) =>
  z
    .string()
    .max(128)
    .refine((v) => ID.test(v), `${what} must be an id like ${example} (1–128 letters, digits, _ or -)`);

export const sessionId = idSchema('session_id', 'sesn_01…').describe('sesn_… id.');
/**
 * A page size. The default is stated once, as the schema's `default`: tools/list shows it, and the
 * parsed arguments carry it, so a handler reads `a.limit` and cannot send another number
 * (test/server/page-size-defaults.test.ts).
 */
export const limitSchema = (max: number, dflt: number) => z.number().int().min(1).max(max).default(dflt).describe('Page size.');
export const pageSchema = z.string().max(4096).optional().describe('A next_page.');

/**
 * Fields whose default is a setting of the server (`timeout_s`: the `--timeout`), which a static
 * schema cannot state: tools/list adds it as the field's `default` for the server's config when it
 * renders the list (`listedTools` in src/mcp/server.ts; test/server/turn-timeout-default.test.ts).
 */
const configDefaults = new WeakMap<z.ZodType, (config: Config) => unknown>();

export function defaultFromConfig<T extends z.ZodType>(schema: T, of: (config: Config) => unknown): T {
  configDefaults.set(schema, of);
  return schema;
}

/** The defaults a tool's input takes from `config`, by field name (none for most tools). */
export function configDefaultsOf(tool: AnyTool, config: Config): [string, unknown][] {
  return Object.entries(tool.input).flatMap(([k, v]) => {
    const of = configDefaults.get(v as z.ZodType);
    return of ? [[k, of(config)] as [string, unknown]] : [];
  });
}

/** A time filter's value, as the API's `created_at[...]` params take it. */
export const rfc3339 = z
  .string()
  .max(40)
  .refine(
    (v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)),
    'expected an RFC 3339 time like 2026-11-22T10:00:00Z',
  );
/** The API's metadata limits (16 pairs, keys ≤ 64, values ≤ 512 characters). */
export const metadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, 'metadata: at most 16 keys, keys ≤ 64 chars, values ≤ 512 chars')
  // Listed as a plain object: the description says what it holds, the check above is the server's.
  .meta({ additionalProperties: true })
  .optional()
  .describe('Key/value strings.');

/**
 * The result of a list tool: the items under `key` (kept even when empty: output schemas require
 * it), `next_page` only when there is more, and a text of one line per item.
 */
export function listResult<K extends string, T>(
  key: K,
  items: T[],
  next: string | null | undefined,
  head: string,
  line: (item: T) => string,
): ToolResult<{ [P in K]: T[] } & { next_page?: string }> {
  const structured = { [key]: items, ...(next ? { next_page: next } : {}) } as { [P in K]: T[] } & { next_page?: string };
  const text = [head, ...items.map(line), ...(next ? [`more: pass page=${next}`] : [])].join('\n');
  return { structured, text };
}

/**
 * A free-form JSON object. zod renders `z.unknown()` values as `additionalProperties: {}`, which
 * schema checkers (the MCP Inspector's portability check) flag as "constrains nothing"; this says
 * what is meant: any object.
 */
export const freeObject = () => z.record(z.string(), z.unknown()).meta({ additionalProperties: true });

/**
 * A result schema as the server checks each result against it, derived from its one definition:
 * nested objects (and arrays of them) are free objects, which keeps the check cheap. Its static
 * type stays the full definition's, so the handler's result is still checked against that by the
 * compiler. (Output schemas are not listed: src/mcp/server.ts, `listedTools`.)
 */
export function advertised<T extends z.ZodType>(schema: T): T {
  return coarse(schema) as T;
}

function coarse(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodOptional) return coarse(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodArray && schema.element instanceof z.ZodObject) return z.array(freeObject());
  if (schema instanceof z.ZodObject) return freeObject();
  return schema;
}

export function advertisedShape<S extends z.ZodRawShape>(shape: S): S {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, coarse(v as z.ZodType)])) as unknown as S;
}

/** Drops null, undefined, empty arrays and empty objects, recursively: results carry no noise. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact).filter((v) => v !== undefined) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === null || v === undefined) continue;
      const c = compact(v);
      if (Array.isArray(c) && c.length === 0) continue;
      if (c && typeof c === 'object' && !Array.isArray(c) && Object.keys(c).length === 0) continue;
      out[k] = c;
    }
    return out as T;
  }
  return value;
}
