/**
 * The secrets this server must never print: API keys, tokens and credential values, registered as
 * they become known, and `redact`, which replaces them in any text. No I/O: the logger, the error
 * funnel and the formatters (src/format/) all use it, and the formatters stay pure.
 */

const secrets = new Set<string>();
/** Secrets under SHORT characters: redacted only as whole tokens, or every "abc" in a reply would go. */
const SHORT = 8;
const shortSecrets = new Set<string>();
let shortPattern: RegExp | undefined;

/** Registers a value (API key, token, credential secret) that must never be printed. */
export function registerSecret(value: string | undefined | null): void {
  if (!value || !value.trim()) return;
  if (value.length >= SHORT) return void secrets.add(value);
  if (shortSecrets.has(value)) return;
  shortSecrets.add(value);
  const alternatives = [...shortSecrets].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  shortPattern = new RegExp(`(?<![A-Za-z0-9_-])(?:${alternatives})(?![A-Za-z0-9_-])`, 'g');
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  if (shortPattern) out = out.replace(shortPattern, '[REDACTED]');
  // Anthropic key shapes, even ones we were never told about.
  return out.replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, 'sk-ant-[REDACTED]');
}

/**
 * The first `n` characters of `text`, redacted before the cut: a secret straddling a size cap must
 * not leave its prefix behind (redacting after the cut no longer recognises it).
 */
export function redactedHead(text: string, n: number): string {
  return redact(text).slice(0, n);
}
