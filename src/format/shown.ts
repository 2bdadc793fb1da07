/**
 * The one renderer for remote text shown to a person (the approval and policy forms,
 * docs/security.md): what the person reads is what will run.
 *
 * - Every value is quoted, and inside the quotes nothing is invisible: `\n`, `\r`, `\t`, `\\`,
 *   `\"` as in JSON; every other control, format (bidi overrides, zero-width), private-use,
 *   surrogate, line/paragraph separator and non-ASCII space character as `<U+XXXX>`.
 * - Runs of three or more of the same blank, escaped or dash character become one mark with the
 *   count (`[40×" "]`, `[12×\n]`, `[30×-]`): padding cannot push the payload out of sight, and
 *   nothing can draw the form's own frame lines. Look-alike dashes are plain `-`.
 * - A value longer than the budget is shown head AND tail with its total length, so the end of a
 *   command (where a payload hides behind padding) is always on screen.
 */

const ESCAPED = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Zs}]/u;
const DASH = /[\p{Pd}\u2212\u2043\u2500-\u257f\u23af\u30fc\uff70]/u;
const RUN = 3;

function codePoint(c: string): string {
  return `<U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** One character as the person sees it. */
function glyph(c: string): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case ' ':
      return ' ';
  }
  if (ESCAPED.test(c)) return codePoint(c);
  if (DASH.test(c)) return '-';
  return c;
}

/** The inside of the quotes as pieces, each with the source characters it stands for. */
function pieces(text: string): { out: string; n: number }[] {
  const chars = Array.from(text);
  const list: { out: string; n: number }[] = [];
  for (let i = 0; i < chars.length; ) {
    const g = glyph(chars[i]!);
    let j = i + 1;
    while (j < chars.length && glyph(chars[j]!) === g) j++;
    const n = j - i;
    const countable = g === ' ' || g === '-' || g !== chars[i] || g.startsWith('\\');
    if (n >= RUN && countable) list.push({ out: `[${n}×${g === ' ' ? '" "' : g}]`, n });
    else for (let k = 0; k < n; k++) list.push({ out: g, n: 1 });
    i = j;
  }
  return list;
}

const join = (ps: { out: string }[]) => ps.map((p) => p.out).join('');

/**
 * `text` quoted and made visible, fitted to about `max` shown characters: when longer, its head
 * and its tail, with the total length and how much of the middle is not shown. Runs are counted
 * before the cut, so padding costs a few characters, not the budget.
 */
export function shown(text: string, max = 1000): string {
  const ps = pieces(text);
  const width = ps.reduce((w, p) => w + p.out.length, 0);
  if (width <= max) return `"${join(ps)}"`;
  const take = (from: { out: string; n: number }[], room: number) => {
    const got: { out: string; n: number }[] = [];
    for (let w = 0; got.length < from.length && w + from[got.length]!.out.length <= room; w += from[got.length]!.out.length) got.push(from[got.length]!);
    return got;
  };
  const head = take(ps, Math.ceil(max * 0.6));
  const tail = take(ps.slice(head.length).reverse(), max - Math.ceil(max * 0.6)).reverse();
  const total = ps.reduce((n, p) => n + p.n, 0);
  const hidden = total - head.reduce((n, p) => n + p.n, 0) - tail.reduce((n, p) => n + p.n, 0);
  return `"${join(head)}" … [${total.toLocaleString('en-US')} characters in all; ${hidden.toLocaleString('en-US')} in the middle not shown] … "${join(tail)}"`;
}

/** A name (agent, tool, server) shown in a sentence: quoted and visible, short. */
export function shownName(text: string): string {
  return shown(text, 120);
}

/**
 * A tool input as the API stored it: one `key: value` line per field, each value through `shown`
 * (non-strings as JSON), at most `fields` lines, the rest named by count.
 */
export function shownInput(input: unknown, perValue = 1000, fields = 24): string {
  if (input === undefined || input === null) return '(no input)';
  if (typeof input !== 'object' || Array.isArray(input)) return shown(typeof input === 'string' ? input : JSON.stringify(input), perValue);
  const entries = Object.entries(input as Record<string, unknown>);
  if (!entries.length) return '(no input)';
  const lines = entries.slice(0, fields).map(([k, v]) => `${shown(k, 80)}: ${shown(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), perValue)}`);
  if (entries.length > fields) lines.push(`[${entries.length - fields} more field(s) not shown: deny unless you know why]`);
  return lines.join('\n');
}
