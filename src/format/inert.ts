/**
 * Upstream text made inert (docs/approval.md#fences, docs/security.md): the lowest layer, so the
 * API's error texts (src/api/errors.ts) and the fences (src/format/fence.ts) share one rule.
 */

/** Format characters (Cf) and the Unicode line/paragraph separators. */
const FORMAT_CHARS = /[\p{Cf}\u2028\u2029]/gu;
/** Dash punctuation plus the minus sign, hyphen bullet, box-drawing lines and the katakana bar. */
const DASHES = /[\p{Pd}\u2212\u2043\u2500\u2501\u23af\u30fc\uff70]/gu;
const DASH_RUN = /-{3,}/g;

/** Makes agent text inert: visible format characters, plain dashes, no run of three or more. */
export function neutralize(text: string): string {
  return text
    .replace(FORMAT_CHARS, (c) => `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
    .replace(DASHES, '-')
    .replace(DASH_RUN, (run) => run.split('').join(' '));
}

/**
 * Upstream text (a title, a name, a path, an API error message) inside one of our own lines: one
 * line, quoted as a JSON string (line breaks and quotes escaped, so it cannot start a line or end
 * the quote), format characters visible, clipped in the middle. The one function for it
 * (docs/security.md): a title cannot start a line that reads like the server's own words.
 */
export function quoted(text: string, max = 300): string {
  const t = text.length > max ? `${text.slice(0, Math.ceil(max * 0.7))} […] ${text.slice(-Math.floor(max * 0.3))}` : text;
  return JSON.stringify(neutralize(t));
}
