/**
 * The global output cap: the last line of defence behind each tool's own paging and clipping.
 * Claude Code refuses results over 25,000 tokens and swaps ones over ~50,000 characters for a
 * file path (docs/api-behaviour.md, "MCP clients"), so nothing may leave the server bigger than `maxChars`.
 *
 * When a result is too big, the longest arrays lose items from the end and the longest strings
 * are clipped, until it fits; `truncated` then says what happened and how to narrow the request.
 * Secrets are redacted first: a secret cut in half by a clip would no longer be recognised.
 */
import { redact } from './secrets.js';

export const TRUNCATED_FIELD = 'truncated';

export interface Capped {
  /** Redacted and within the cap. */
  structured: Record<string, unknown>;
  text: string;
  /** `structured` serialized, when it was measured unchanged. */
  json?: string;
}

const size = (v: unknown) => JSON.stringify(v)?.length ?? 0;

export function capResult(rawStructured: Record<string, unknown>, rawText: string, maxChars: number, withField = true): Capped {
  const rawJson = JSON.stringify(rawStructured) ?? '';
  const json = redact(rawJson);
  // A copy only when something was found.
  const structured: Record<string, unknown> = json === rawJson ? rawStructured : JSON.parse(json);
  const text = redact(rawText);
  // Each half stands alone (a client may relay only one: docs/clients.md), so each gets the cap.
  const textCap = maxChars;
  const outText =
    text.length > textCap
      ? `${text.slice(0, textCap)}\n[… ${text.length - textCap} more characters cut: narrow the request (smaller limit, filters, or a page cursor)]`
      : text;
  if (json.length <= maxChars) return { structured, text: outText, json };

  const copy = structuredClone(structured);
  let dropped = 0;
  let clipped = 0;
  for (let guard = 0; size(copy) > maxChars && guard < 10_000; guard++) {
    const target = largest(copy);
    if (!target) break;
    const { holder, key, value } = target;
    if (Array.isArray(value)) {
      const keep = Math.max(0, Math.floor(value.length / 2));
      dropped += value.length - keep;
      value.length = keep;
    } else if (typeof value === 'string') {
      const keep = Math.max(0, Math.floor(value.length / 2));
      clipped += value.length - keep;
      holder[key] = `${value.slice(0, keep)}…`;
    } else break;
  }
  const parts = [];
  if (dropped) parts.push(`${dropped} list item(s) dropped`);
  if (clipped) parts.push(`${clipped} characters clipped`);
  const note = `Result over the ${maxChars}-character cap: ${parts.join(', ')}. Narrow the request (smaller limit, filters such as types, or view=compact) and page with the cursor.`;
  if (withField) copy[TRUNCATED_FIELD] = note;
  return { structured: copy, text: `${outText}\n[${note}]` };
}

interface Slot {
  holder: any;
  key: string | number;
  value: unknown;
  weight: number;
}

/** The heaviest array or string anywhere in the value. */
function largest(root: Record<string, unknown>): Slot | undefined {
  let best: Slot | undefined;
  const visit = (holder: any, key: string | number, value: unknown) => {
    if (typeof value === 'string' || (Array.isArray(value) && value.length > 0)) {
      const weight = size(value);
      if (!best || weight > best.weight) best = { holder, key, value, weight };
    }
    if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(value, Array.isArray(value) ? Number(k) : k, v);
    }
  };
  for (const [k, v] of Object.entries(root)) visit(root, k, v);
  return best;
}
