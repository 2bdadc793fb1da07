/**
 * Every call ends, bounded, against an upstream that breaks the API contract (docs/bounds.md):
 * looping or endless page cursors, streams that close at once or send garbage, and bodies far
 * over the byte caps. Each case spawns the built bin (its peak RSS is its own) pointed at
 * test/reliability/hostile-upstream.mjs and calls one tool over stdio, then get_session to show
 * the server still answers. The bounds asserted are correctness bounds, not speed targets: the
 * figures themselves are printed by `npm run bench` (bench/hostile.mjs).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { capture } from '../setup/capture.js';
import { BIN, CASES, runCase, type HostileCase } from './hostile-cases.mjs';

if (!existsSync(BIN)) throw new Error('dist/managed-agents-mcp.mjs is missing: run `npm run build` first (npm test does)');

/** The most requests one call may make against any of these upstreams. */
const MAX_REQUESTS = 1_000;
/** "A few dozen" stream reopens in a 5 s call, not thousands. */
const MAX_REOPENS = 24;
/** A stream that brings one new event per open is reopened without backoff, up to the per-turn cap. */
const MAX_REOPENS_PER_TURN = 50;
const MAX_PEAK_RSS_MIB = 400;
/** A call without a timeout_s of its own: its page walks stop after 30 s (src/api/paging.ts). */
const NO_TIMEOUT_S = 30;

/** Endless pages end at the page cap, or at the call's deadline on a slow machine: both say so. */
const ENDLESS = /after \d+ pages in one call without reaching its end|the call's time ran out after \d+ pages/;

/** What the error must say, per upstream mode. */
const CLEAR: Record<HostileCase['mode'], RegExp> = {
  'list-self-cursor': /next_page cursor it had already returned/,
  'list-fresh-empty': ENDLESS,
  'list-fresh-one': ENDLESS,
  'list-50mb': /response body over 32 MiB/,
  'list-trickle': /had not arrived whole after 60 s/,
  'stream-close': /Lost the event stream .* the stream closed without a new event/,
  'stream-malformed': /Lost the event stream .* a malformed event frame/,
  'stream-one-then-close': /Lost the event stream .* after 50 reopen\(s\)/,
  'stream-300mb-line': /Lost the event stream .* one event-stream event over 16 MiB/,
  'stream-50mb-event': /Lost the event stream .* one event-stream event over 16 MiB/,
  // The digest says where to pick up.
  'stream-trickle-json': /timed out waiting[\s\S]*Call wait_for_turn \{"session_id":"sesn_hostile01","after_event_id":"sevt_run1"\}/,
};

describe('against a hostile upstream, every call ends bounded with a clear error', () => {
  for (const c of CASES) {
    const name = `${c.tool} ${JSON.stringify(c.args)} vs ${c.mode}`;
    it(name, { timeout: 120_000 }, async () => {
      const r = await runCase(c);
      capture(r.text);
      capture(r.stderrTail);
      const figures = `${r.label}: ${Math.round(r.ms)} ms, ${r.requests} requests, ${r.reopens} reopens, peak RSS ${r.peakRssMiB.toFixed(0)} MiB`;
      expect(r.isError, figures).toBe(!c.digest);
      expect(r.text).toMatch(CLEAR[c.mode]);
      // What to do next is part of a clear error.
      if (r.isError) expect(r.text).toMatch(/\nNext: \S/);
      expect(r.ms, figures).toBeLessThanOrEqual(((c.timeoutS || NO_TIMEOUT_S) + 10) * 1000);
      expect(r.requests, figures).toBeLessThanOrEqual(MAX_REQUESTS);
      expect(r.reopens, figures).toBeLessThanOrEqual(c.mode === 'stream-one-then-close' ? MAX_REOPENS_PER_TURN : MAX_REOPENS);
      expect(r.peakRssMiB, figures).toBeLessThan(MAX_PEAK_RSS_MIB);
      expect(r.nextOk, `the server must keep answering after: ${r.stderrTail}`).toBe(true);
      if (c.tool === 'start_session') {
        // The lookup failed, so nothing may have been created.
        expect(r.byRoute['POST /v1/environments'] ?? 0).toBe(0);
        expect(r.byRoute['POST /v1/sessions'] ?? 0).toBe(0);
      }
      if (c.mode.startsWith('stream-')) {
        // The stream was reopened: the bound is what ends the call, not a first failure. (A 16 MiB
        // read per open leaves time for fewer reopens than an empty stream does.)
        if (!c.digest) expect(r.reopens).toBeGreaterThanOrEqual(/close|malformed/.test(c.mode) ? 2 : 1);
        // One stream failure logged per turn, whatever the number of bad frames.
        expect(r.stderrLines, r.stderrTail).toBeLessThanOrEqual(3);
      }
      if (c.mode === 'stream-malformed') expect(r.malformedFrames).toBeGreaterThan(r.stderrLines);
    });
  }
});
