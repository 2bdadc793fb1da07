/**
 * What a tool call leaves behind once it has ended (docs/bounds.md, "What retained memory"): the
 * server's shutdown signal lives as long as the process, so anything a call hangs on it stays for
 * good. Through the protocol: many calls leave no entry on it, and a call in flight is still
 * aborted by it.
 */
import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsInFlightCount } from '../../src/mcp/call-signal.js';
import { agentAndSession, harness, ok, type Harness } from '../helpers.js';

/** Entries Node keeps on `signal` for the signals derived from it by AbortSignal.any (its internal set of dependants). */
function dependants(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((s) => s.description === 'kDependantSignals');
  return key ? ((signal as any)[key] as Set<unknown>).size : 0;
}

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

describe('the shutdown signal across many calls', () => {
  it('the inspection sees what AbortSignal.any leaves on a long-lived signal (on this Node)', () => {
    const probe = new AbortController();
    const derived = Array.from({ length: 3 }, () => AbortSignal.any([probe.signal]));
    expect(derived).toHaveLength(3);
    expect(dependants(probe.signal)).toBe(3);
  });

  it('200 list_events calls leave nothing on it: no derived signals, one listener, no call in flight', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/events 50\n/reply done' }));
    const signal = h.shutdown.signal;
    const before = getEventListeners(signal, 'abort').length;
    let page: string | undefined;
    for (let i = 0; i < 200; i++) {
      const r = ok(await h.call('list_events', { session_id, limit: 5, ...(page ? { page } : {}) }));
      page = r.next_page;
    }
    expect(dependants(signal)).toBe(0);
    // One listener for the whole server (it was added by the first call), not one per call.
    expect(getEventListeners(signal, 'abort').length).toBeLessThanOrEqual(Math.max(before, 1));
    expect(callsInFlightCount(signal)).toBe(0);
  });

  it('a call in flight is still aborted by shutdown, and leaves the set when it ends', async () => {
    const own = await harness();
    try {
      const { session_id } = await agentAndSession(own);
      const call = own.call('send_message', { session_id, text: '/sleep 25000\n/reply late', timeout_s: 25 });
      for (let i = 0; i < 100 && callsInFlightCount(own.shutdown.signal) === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(callsInFlightCount(own.shutdown.signal)).toBe(1);
      own.shutdown.abort();
      const r = await call;
      // Ended by the abort, not by the 25 s turn: no reply, and the call has left the set.
      expect(JSON.stringify(r)).not.toContain('late');
      expect(callsInFlightCount(own.shutdown.signal)).toBe(0);
    } finally {
      await own.close();
    }
  });
});
