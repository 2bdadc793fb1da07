/**
 * Fault injection (POST /_emulator/faults). Rules are evaluated in order; the first matching rule
 * with `times` remaining applies to the request and uses one of its `times`.
 */
import { z } from 'zod';
import { parseBody } from '../contract/validate.js';
import { ERROR_TYPES } from './http.js';

const match = z.strictObject({ method: z.string().optional(), path: z.string().optional() }).optional();
const base = { match, times: z.number().int().min(1).optional() };

export const faultRule = z.union([
  z.strictObject({
    ...base,
    status: z.number().int().min(400).max(599),
    retry_after_s: z.number().min(0).optional(),
    message: z.string().optional(),
    /** The body's `error.type` (default: the one of the status). */
    error_type: z.enum(ERROR_TYPES).optional(),
    /** The body's `error.details.error_code`: any code, known to the SDK or not (docs/emulator.md, "Faults"). */
    error_code: z.string().min(1).max(100).optional(),
  }),
  z.strictObject({ ...base, latency_ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ ...base, drop_stream_after_events: z.number().int().min(0) }),
  /** (JSON responses) the request is handled — the API acts — then the body is cut after that many bytes. */
  z.strictObject({ ...base, drop_body_after_bytes: z.number().int().min(0) }),
  z.strictObject({ ...base, stall_stream_ms: z.number().int().min(0).max(600_000), after_events: z.number().int().min(0).optional() }),
]);

/**
 * A fault rule as a plain type: the package's one declaration file (`managed-agents-mcp/emulator`)
 * carries no zod types, so a consumer needs no zod to compile against it. Checked against the
 * schema's output below.
 */
interface FaultBase {
  match?: { method?: string; path?: string };
  times?: number;
}
export type FaultRule = FaultBase &
  (
    | { status: number; retry_after_s?: number; message?: string; error_type?: (typeof ERROR_TYPES)[number]; error_code?: string }
    | { latency_ms: number }
    | { drop_stream_after_events: number }
    | { drop_body_after_bytes: number }
    | { stall_stream_ms: number; after_events?: number }
  );
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
/** Fails to compile when FaultRule and the schema disagree. */
export type FaultRuleMatchesSchema = AssertTrue<Same<FaultRule, z.output<typeof faultRule>>>;

const faultsBody = z.strictObject({ rules: z.array(faultRule) });

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  pattern: RegExp | undefined;
  hits: number;
}

function globToRegExp(path: string): RegExp {
  // `*` matches exactly one path segment; `**` matches any remainder.
  const escaped = path
    .split('/')
    .map((seg) => (seg === '**' ? '.*' : seg === '*' ? '[^/]+' : seg.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')))
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export class FaultTable {
  private rules: ActiveRule[] = [];

  set(body: unknown): { rules: FaultRule[] } {
    const parsed = parseBody('faults', faultsBody, body);
    this.rules = parsed.rules.map((rule) => ({
      rule,
      remaining: rule.times ?? Infinity,
      pattern: rule.match?.path ? globToRegExp(rule.match.path) : undefined,
      hits: 0,
    }));
    return parsed;
  }

  clear(): void {
    this.rules = [];
  }

  list() {
    return this.rules.map((r) => ({ ...r.rule, remaining: Number.isFinite(r.remaining) ? r.remaining : null, hits: r.hits }));
  }

  /** Finds (and consumes) the first matching rule. Stream-only rules match only stream requests. */
  take(method: string, path: string, isStream: boolean): FaultRule | undefined {
    for (const r of this.rules) {
      if (r.remaining <= 0) continue;
      const m = r.rule.match;
      if (m?.method && m.method.toUpperCase() !== method) continue;
      if (r.pattern && !r.pattern.test(path)) continue;
      if (('drop_stream_after_events' in r.rule || 'stall_stream_ms' in r.rule) && !isStream) continue;
      if ('drop_body_after_bytes' in r.rule && isStream) continue;
      r.remaining -= 1;
      r.hits += 1;
      return r.rule;
    }
    return undefined;
  }
}
