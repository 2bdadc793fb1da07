/**
 * 5-field POSIX cron in an IANA timezone, as deployments use it (SDK
 * resources/beta/deployments.d.ts, `BetaManagedAgentsCronScheduleParams`; docs/emulator.md,
 * "Deployments"): minute hour day-of-month month day-of-week, with `*`, lists, ranges and steps
 * (and the usual month/day names); day-of-week 0–7 where 0 and 7 are Sunday. Extended syntax
 * (seconds or year fields, `L`, `W`, `#`, `?`, `@daily`) is refused, as the SDK says.
 *
 * Matching is literal wall-clock in the timezone: a local time skipped by a spring-forward change
 * never fires, one that occurs twice on a fall-back day fires twice (both instants are returned).
 * As POSIX has it, when both day fields are restricted a day matches if either does.
 */

export interface Cron {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Both day fields restricted: either may match (POSIX). */
  dayOr: boolean;
  timezone: string;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  base?: number;
}

const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, base: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAYS, base: 0 },
];

export class CronError extends Error {}

function value(f: Field, s: string): number {
  const named = f.names?.indexOf(s.toLowerCase()) ?? -1;
  if (named >= 0) return named + f.base!;
  if (!/^\d{1,2}$/.test(s)) throw new CronError(`${f.name}: '${s}' is not a number${f.names ? ' or a name' : ''}`);
  const n = Number(s);
  if (n < f.min || n > f.max) throw new CronError(`${f.name}: ${n} is outside ${f.min}-${f.max}`);
  return n;
}

function parseField(f: Field, text: string): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) throw new CronError(`${f.name}: '${part}' is not a value, range or step`);
    const step = m[2] !== undefined ? Number(m[2]) : 1;
    if (step < 1) throw new CronError(`${f.name}: step must be at least 1`);
    let lo: number;
    let hi: number;
    if (m[1] === '*') [lo, hi] = [f.min, f.max];
    else if (m[1]!.includes('-')) {
      const [a, b, ...rest] = m[1]!.split('-');
      if (rest.length || a === undefined || b === undefined) throw new CronError(`${f.name}: '${m[1]}' is not a range`);
      [lo, hi] = [value(f, a), value(f, b)];
      if (lo > hi) throw new CronError(`${f.name}: range ${m[1]} runs backwards`);
    } else {
      lo = value(f, m[1]!);
      hi = m[2] !== undefined ? f.max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses an expression and checks the timezone; throws CronError with what is wrong. */
export function parseCron(expression: string, timezone: string): Cron {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) throw new CronError(`predefined shortcuts such as '${trimmed}' are not supported`);
  if (/[LW#?]/i.test(trimmed.replace(/[a-z]{3}/gi, (w) => (MONTHS.includes(w.toLowerCase()) || DAYS.includes(w.toLowerCase()) ? '' : w)))) {
    throw new CronError('the extended characters L, W, # and ? are not supported');
  }
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) throw new CronError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [minutes, hours, days, months, weekdays] = parts.map((p, i) => parseField(FIELDS[i]!, p)) as Set<number>[];
  if (weekdays!.delete(7)) weekdays!.add(0);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new CronError(`timezone: '${timezone}' is not an IANA timezone`);
  }
  if (!timezone) throw new CronError('timezone: required');
  return {
    minutes: minutes!,
    hours: hours!,
    days: days!,
    months: months!,
    weekdays: weekdays!,
    timezone,
    dayOr: parts[2] !== '*' && parts[4] !== '*',
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock fields of an instant in a timezone. */
function wall(ms: number, tz: string): { y: number; mo: number; d: number; h: number; mi: number } {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { y: p.year!, mo: p.month!, d: p.day!, h: p.hour!, mi: p.minute! };
}

/** The timezone's offset from UTC at an instant, in ms. */
function offset(ms: number, tz: string): number {
  const w = wall(ms, tz);
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) - Math.floor(ms / 60_000) * 60_000;
}

/** The instants (0, 1 or 2) at which the wall clock of `tz` reads this local time. */
function instants(y: number, mo: number, d: number, h: number, mi: number, tz: string): number[] {
  const local = Date.UTC(y, mo - 1, d, h, mi);
  const out = new Set<number>();
  // The offsets in force within a day either side cover any transition near this time.
  for (const probe of [local - 86_400_000, local, local + 86_400_000]) {
    const t = local - offset(probe, tz);
    const w = wall(t, tz);
    if (w.y === y && w.mo === mo && w.d === d && w.h === h && w.mi === mi) out.add(t);
  }
  return [...out].sort((a, b) => a - b);
}

function dayMatches(c: Cron, y: number, mo: number, d: number): boolean {
  if (!c.months.has(mo)) return false;
  const dom = c.days.has(d);
  const dow = c.weekdays.has(new Date(Date.UTC(y, mo - 1, d)).getUTCDay());
  return c.dayOr ? dom || dow : dom && dow;
}

/**
 * The first `count` fire times strictly after `afterMs` (and at most `untilMs`, when given), in
 * order. Looks at most ~8 years ahead, so an impossible date (Feb 30) yields nothing.
 */
export function nextRuns(c: Cron, afterMs: number, count: number, untilMs = Infinity): number[] {
  const out: number[] = [];
  const start = wall(afterMs, c.timezone);
  // Walk local calendar days from the day before (a fall-back repeat can lie behind the wall date).
  let day = Date.UTC(start.y, start.mo - 1, start.d) - 86_400_000;
  const hours = [...c.hours].sort((a, b) => a - b);
  const minutes = [...c.minutes].sort((a, b) => a - b);
  for (let i = 0; i < 3000 && out.length < count && day - 86_400_000 <= untilMs; i++, day += 86_400_000) {
    const dt = new Date(day);
    const [y, mo, d] = [dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate()];
    if (!dayMatches(c, y, mo, d)) continue;
    // Away from a transition one offset serves the whole day; near one, each time is solved exactly.
    const steady = offset(day - 86_400_000, c.timezone) === offset(day + 2 * 86_400_000, c.timezone) ? offset(day, c.timezone) : undefined;
    const times: number[] = [];
    for (const h of hours) {
      for (const mi of minutes) {
        const local = Date.UTC(y, mo - 1, d, h, mi);
        if (steady !== undefined) times.push(local - steady);
        else times.push(...instants(y, mo, d, h, mi, c.timezone));
      }
    }
    for (const t of times.sort((a, b) => a - b)) {
      if (t <= afterMs) continue;
      if (t > untilMs) return out;
      out.push(t);
      if (out.length >= count) return out;
    }
  }
  return out;
}
