/**
 * Where Anthropic's documentation leaves the API's behaviour open, the emulator can play each
 * reading (docs/emulator.md "Readings"), so the server is tested to pass under all of them.
 * The default of each is the emulator's original behaviour.
 */
import { z } from 'zod';

export const READINGS = {
  /** A `user.message` sent while a turn runs is streamed at once with `processed_at: null`. */
  'queued-echo': { queuedEcho: 'at-once' },
  /** A `user.message` sent while actions are pending is refused with a 409, not queued. */
  'refuse-while-pending': { sendWhilePending: 'refuse' },
  /** Interrupting an idle session emits nothing (no idle). */
  'interrupt-idle-noop': { idleInterrupt: 'no-op' },
  /** Usage reports cache writes as a flat `cache_creation_input_tokens`, not the nested object. */
  'flat-cache-usage': { cacheUsage: 'flat' },
  /** No `ping` frames on streams, even during long tool runs. */
  'no-pings': { pings: 'off' },
} as const;

export const readingsSchema = z.strictObject({
  queuedEcho: z.enum(['when-processed', 'at-once']),
  sendWhilePending: z.enum(['queue', 'refuse']),
  idleInterrupt: z.enum(['emit-idle', 'no-op']),
  cacheUsage: z.enum(['nested', 'flat']),
  pings: z.enum(['on', 'off']),
});

/**
 * The readings as a plain type: the package's one declaration file carries no zod types, so a
 * consumer needs no zod to compile against it. Checked against the schema's output below.
 */
export interface Readings {
  queuedEcho: 'when-processed' | 'at-once';
  sendWhilePending: 'queue' | 'refuse';
  idleInterrupt: 'emit-idle' | 'no-op';
  cacheUsage: 'nested' | 'flat';
  pings: 'on' | 'off';
}
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type AssertTrue<T extends true> = T;
/** Fails to compile when Readings and the schema disagree. */
export type ReadingsMatchSchema = AssertTrue<Same<Readings, z.output<typeof readingsSchema>>>;

export const DEFAULT_READINGS: Readings = {
  queuedEcho: 'when-processed',
  sendWhilePending: 'queue',
  idleInterrupt: 'emit-idle',
  cacheUsage: 'nested',
  pings: 'on',
};

export type ReadingName = keyof typeof READINGS;

/** Readings from names (`"queued-echo,no-pings"`, as in the EMULATOR_READING variable of the tests). */
export function readingsFromNames(names: string | readonly string[] | undefined): Readings {
  const list =
    typeof names === 'string'
      ? names
          .split(',')
          .map((n) => n.trim())
          .filter(Boolean)
      : [...(names ?? [])];
  const out: Readings = { ...DEFAULT_READINGS };
  for (const n of list) {
    if (n === 'default') continue;
    const r = READINGS[n as ReadingName];
    if (!r) throw new Error(`unknown emulator reading '${n}' (known: ${Object.keys(READINGS).join(', ')})`);
    Object.assign(out, r);
  }
  return out;
}
