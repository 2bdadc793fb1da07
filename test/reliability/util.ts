/**
 * Helpers for the reliability suite: the emulator's request log and fault routes, and a hang bound.
 */
import type { RequestLogEntry } from '../../src/emulator/server.js';
import type { Harness } from '../helpers.js';

export type LogEntry = RequestLogEntry;

/** The emulator's request log from `since` on (admin requests are not in it). */
export async function requests(h: Pick<Harness, 'admin'>, since = 0): Promise<{ data: LogEntry[]; next: number }> {
  const r = await h.admin('GET', `/_emulator/requests?since=${since}`);
  return { data: r.data as LogEntry[], next: r.next_index as number };
}

/** Index of the next request to be logged: pass it to `requests` to see only what follows. */
export async function mark(h: Pick<Harness, 'admin'>): Promise<number> {
  return (await requests(h)).next;
}

export async function setFaults(h: Pick<Harness, 'admin'>, rules: unknown[]): Promise<void> {
  const r = await h.admin('POST', '/_emulator/faults', { rules });
  if (!Array.isArray(r?.rules) || r.rules.length !== rules.length) throw new Error(`faults not accepted: ${JSON.stringify(r)}`);
}

export async function clearFaults(h: Pick<Harness, 'admin'>): Promise<void> {
  await h.admin('DELETE', '/_emulator/faults');
}

/** Rejects if `p` has not settled within `ms`: a bound against hangs, not a speed check. */
export async function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms} ms (hang)`)), ms);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Milliseconds between consecutive log entries (the log records arrival times, ms resolution). */
export function gaps(entries: LogEntry[]): number[] {
  const t = entries.map((e) => Date.parse(e.time));
  return t.slice(1).map((v, i) => v - t[i]!);
}

/** Polls `cond` every 20 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
