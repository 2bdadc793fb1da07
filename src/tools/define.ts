import { z } from 'zod';
import type { Api } from '../api/client.js';
import type { Config, Toolset } from '../config.js';
import type { Logger } from '../log.js';
import type { DefaultEnvironment } from './default-environment.js';

/**
 * Tools are data: one `defineTool({...})` literal each. `kind` alone derives the MCP annotations,
 * so they cannot disagree with what the tool does; the server, the filters, the README table and
 * the tests all read these objects.
 */
export type ToolKind = 'read' | 'create' | 'update' | 'delete' | 'action';

export interface ToolContext {
  api: Api;
  config: Config;
  log: Logger;
  /** Aborts when the client cancels the call or disconnects, or the server shuts down. */
  signal: AbortSignal;
  /** Sends an MCP progress notification when the caller asked for progress; a no-op otherwise. */
  progress(message: string): void;
  defaultEnvironment: DefaultEnvironment;
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
  handler(args: z.infer<z.ZodObject<I>>, ctx: ToolContext): Promise<ToolResult<z.infer<z.ZodObject<O>>>>;
}

export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(def: ToolDef<I, O>): ToolDef<I, O> {
  return def;
}

export type AnyTool = ToolDef<any, any>;

export interface Annotations {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export function annotationsFor(tool: AnyTool): Annotations {
  const k = tool.kind;
  return {
    title: tool.title,
    readOnlyHint: k === 'read',
    destructiveHint: k === 'delete',
    idempotentHint: k === 'read' || k === 'delete' || k === 'update',
    openWorldHint: true,
  };
}

// ---- shared input pieces -------------------------------------------------------------------

/**
 * API ids are opaque, but every real one is `prefix_` + letters and digits. Rejecting anything
 * else up front gives a clear error and guarantees an id can never leave its URL path segment
 * (`/`, `..`, `%2e`, `?`, `#`, whitespace).
 */
export const idSchema = (what: string, example: string) =>
  z
    .string()
    .min(1, `${what} is empty`)
    .max(128, `${what} is too long`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, `${what} must be an id like ${example} (letters, digits, _ and - only)`);

export const sessionId = idSchema('session_id', 'sesn_01…').describe('Session id (sesn_…), from start_session or list_sessions.');
export const limitSchema = (max: number, dflt: number) =>
  z.number().int().min(1).max(max).optional().describe(`Items per page (1–${max}, default ${dflt}).`);
export const pageSchema = z
  .string()
  .min(1)
  .max(2048)
  .optional()
  .describe('Cursor from a previous result\'s next_page, to fetch the following page.');
export const metadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .optional()
  .describe('Up to 16 string key/value pairs (keys ≤ 64 chars, values ≤ 512).');

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
