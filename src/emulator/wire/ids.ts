/**
 * Id and timestamp helpers.
 *
 * Ids are `<prefix>_01` + a fixed-width base-36 counter + a short random tail, so ids of one kind
 * sort lexicographically in creation order. Pagination relies on this (keyset cursors by id), and
 * event ids (`sevt_`) are therefore unique and monotonic across the whole emulator.
 */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export class IdFactory {
  private counter = 0;

  next(prefix: string): string {
    this.counter += 1;
    const seq = this.counter.toString(36).padStart(10, '0');
    const bytes = randomBytes(8);
    let tail = '';
    for (const b of bytes) tail += ALPHABET[b % ALPHABET.length];
    return `${prefix}_01${seq}${tail}`;
  }
}

/** A clock that never goes backwards: every call returns a time ≥ the previous one. */
export class MonotonicClock {
  private last = 0;

  nowMs(): number {
    const t = Date.now();
    if (t > this.last) this.last = t;
    return this.last;
  }

  iso(): string {
    return new Date(this.nowMs()).toISOString();
  }
}

export function requestId(): string {
  return `req_01${randomBytes(12).toString('hex')}`;
}
