/** The emulator's cron (src/emulator/runtime/cron.ts): wall-clock matching in a timezone, DST included. */
import { describe, expect, it } from 'vitest';
import { CronError, nextRuns, parseCron } from '../../src/emulator/runtime/cron.js';

const iso = (ms: number[]) => ms.map((t) => new Date(t).toISOString());
const at = (s: string) => Date.parse(s);

describe('cron', () => {
  it('skips a local time that a spring-forward change removes', () => {
    const c = parseCron('30 2 * * *', 'America/New_York');
    expect(iso(nextRuns(c, at('2026-03-07T00:00:00Z'), 3))).toEqual([
      '2026-03-07T07:30:00.000Z', // 02:30 EST
      '2026-03-09T06:30:00.000Z', // 8 March has no 02:30; 02:30 EDT on the 9th
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('fires twice at a local time that a fall-back change repeats', () => {
    const c = parseCron('30 1 * * *', 'America/New_York');
    expect(iso(nextRuns(c, at('2026-10-31T12:00:00Z'), 3))).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T06:30:00.000Z', // 01:30 EST
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('reads lists, ranges, steps, names and 7 as Sunday; restricted day fields match either', () => {
    const c = parseCron('0,30 9-10/1 * jan-mar 7', 'UTC');
    expect(iso(nextRuns(c, at('2026-01-01T00:00:00Z'), 5))).toEqual([
      '2026-01-04T09:00:00.000Z',
      '2026-01-04T09:30:00.000Z',
      '2026-01-04T10:00:00.000Z',
      '2026-01-04T10:30:00.000Z',
      '2026-01-11T09:00:00.000Z',
    ]);
    // The 13th, or any Friday (POSIX: either day field may match when both are restricted).
    const either = parseCron('0 0 13 * fri', 'UTC');
    expect(iso(nextRuns(either, at('2026-02-01T00:00:00Z'), 3))).toEqual(['2026-02-06T00:00:00.000Z', '2026-02-13T00:00:00.000Z', '2026-02-20T00:00:00.000Z']);
    expect(nextRuns(parseCron('0 0 30 2 *', 'UTC'), at('2026-01-01T00:00:00Z'), 5)).toEqual([]);
    expect(iso(nextRuns(parseCron('*/20 * * * *', 'UTC'), at('2026-01-01T00:00:00Z'), 3, at('2026-01-01T00:40:00Z')))).toEqual([
      '2026-01-01T00:20:00.000Z',
      '2026-01-01T00:40:00.000Z',
    ]);
  });

  it('refuses extended syntax, shortcuts, out-of-range values and unknown timezones', () => {
    for (const [expr, tz] of [
      ['0 9 * * 1#2', 'UTC'],
      ['0 9 L * *', 'UTC'],
      ['0 9 ? * *', 'UTC'],
      ['0 9 * * 1W', 'UTC'],
      ['@hourly', 'UTC'],
      ['0 0 9 * * *', 'UTC'],
      ['0 24 * * *', 'UTC'],
      ['5-1 * * * *', 'UTC'],
      ['*/0 * * * *', 'UTC'],
      ['0 9 * * *', 'Nowhere/Else'],
    ]) {
      expect(() => parseCron(expr!, tz!), `${expr} ${tz}`).toThrow(CronError);
    }
  });
});
