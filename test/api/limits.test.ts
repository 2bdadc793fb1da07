/**
 * The byte caps of src/api/limits.ts: the SSE event counter must reset at every event boundary
 * wherever the network splits the bytes (or a long healthy stream would trip it), and must trip
 * on one event over the cap; through the real SDK against the emulator, a capped client follows a
 * stream many times its per-event cap and refuses a body over its body cap.
 */
import Anthropic from '@anthropic-ai/sdk';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_STREAM, limitedFetch, ResponseTooLargeError, ResponseTooSlowError, sseEventCounter } from '../../src/api/limits.js';
import { startEmulator } from '../../src/emulator/index.js';
import { SESSION_ID, startHostileUpstream } from '../reliability/hostile-upstream.mjs';

const enc = new TextEncoder();

/** Feeds `bytes` to a fresh counter in pieces cut at `cuts`; returns the first error, if any. */
function feed(limit: number, bytes: Uint8Array, cuts: number[]): Error | undefined {
  const check = sseEventCounter(limit, () => 'GET /test');
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    if (to <= from) continue;
    const err = check(bytes.subarray(from, to));
    if (err) return err;
    from = to;
  }
  return undefined;
}

const frame = (data: string, eol: string) => `event: agent.message${eol}data: ${data}${eol}${eol}`;

describe('SSE event counter', () => {
  it('never trips on events under the cap, with LF or CRLF framing, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 0, maxLength: 60 }), { minLength: 1, maxLength: 40 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(), { maxLength: 30 }),
        (datas, eol, cuts) => {
          // Each event is at most ~100 bytes; together they are far over the 128-byte cap.
          const bytes = enc.encode(datas.map((d) => frame(d.replace(/[\r\n]/g, ' '), eol)).join('') + frame('x'.repeat(90), eol).repeat(5));
          return feed(128, bytes, cuts) === undefined;
        },
      ),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it('trips on one event over the cap, split across lines or in one line without an end', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (cuts, eol) => {
        const manyLines = enc.encode(`event: agent.message${eol}` + `data: ${'y'.repeat(40)}${eol}`.repeat(10));
        const oneLine = enc.encode(`event: agent.message${eol}data: ${'z'.repeat(500)}`);
        return feed(128, manyLines, cuts) instanceof ResponseTooLargeError && feed(128, oneLine, cuts) instanceof ResponseTooLargeError;
      }),
      { seed: 20261126, numRuns: 200 },
    );
  });
});

describe('limitedFetch through the SDK, against the emulator', () => {
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
  });
  afterAll(async () => emu.close());
  const client = (bodyBytes: number, sseEventBytes: number, bodyMs = 60_000, baseURL = emu.url) =>
    new Anthropic({ apiKey: 'sk-ant-limits-test-key-000000', baseURL, maxRetries: 0, fetch: limitedFetch({ bodyBytes, sseEventBytes, bodyMs }) });

  /** A session that has run one turn of `/events n`, followed on a stream of client `c`; returns its events. */
  async function turnOfEvents(c: Anthropic, n: number) {
    const agent = await c.beta.agents.create({ name: 'limits', model: 'claude-sonnet-4-6' });
    const env = await c.beta.environments.create({ name: 'limits' });
    const session = await c.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    const stream = await c.beta.sessions.events.stream(session.id);
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: `/events ${n}` }] }] });
    const events: unknown[] = [];
    for await (const ev of stream) {
      events.push(ev);
      if (ev.type === 'session.status_idle') break;
    }
    return { sessionId: session.id, events };
  }

  it('follows a stream of many events whose total is far over the per-event cap', async () => {
    const { events } = await turnOfEvents(client(1 << 20, 4096), 2000);
    expect(events.length).toBeGreaterThan(2000);
    expect(JSON.stringify(events).length).toBeGreaterThan(20 * 4096);
  });

  it('refuses a body over the cap with ResponseTooLargeError, and the next request works', async () => {
    const { sessionId } = await turnOfEvents(client(1 << 20, 4096), 500);
    const small = client(8 * 1024, 4096);
    const err = await small.beta.sessions.events.list(sessionId, { limit: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect(String((err as Error).message)).toMatch(/sent a response body over .* \(GET \/v1\/sessions\/sesn_\w+\/events\)/);
    const ok = await small.beta.sessions.events.list(sessionId, { limit: 5 });
    expect(ok.data).toHaveLength(5);
  });

  it('once a body is read, its time bound keeps nothing of the request alive (a fast pager under a small heap)', async () => {
    // The bound's timer runs for bodyMs after every response; what it holds stays that long.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const signals: WeakRef<AbortSignal>[] = [];
    const c = new Anthropic({
      apiKey: 'sk-ant-limits-test-key-000000',
      baseURL: emu.url,
      maxRetries: 0,
      fetch: limitedFetch({ bodyBytes: 1 << 20, sseEventBytes: 4096, bodyMs: 60_000 }, (url, init) => {
        signals.push(new WeakRef(init!.signal!));
        return fetch(url, init);
      }),
    });
    for (let i = 0; i < 20; i++) expect((await c.beta.agents.list({ limit: 1 })).data).toBeDefined();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 10));
      gc();
    }
    expect(signals).toHaveLength(20);
    expect(signals.filter((s) => s.deref()).length).toBe(0);
  });

  it('ends a body that trickles in (headers, then a byte every 100 ms) at its time bound', async () => {
    const up = await startHostileUpstream('list-trickle');
    try {
      // The first response declares a Content-Length, the second does not.
      for (const page of [undefined, 'page_1']) {
        const t0 = Date.now();
        const err = await client(1 << 20, 4096, 500, up.url)
          .beta.sessions.events.list(SESSION_ID, { page })
          .catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ResponseTooSlowError);
        expect(String((err as Error).message)).toMatch(/had not arrived whole after 0\.5 s \(GET \/v1\/sessions\/sesn_\w+\/events\)/);
        // A bound, not a speed check: without it the call never ends.
        expect(Date.now() - t0).toBeLessThan(10_000);
      }
    } finally {
      await up.close();
    }
  });

  describe('a request marked as an event stream (no signal of its own)', () => {
    const asStream = { fetchOptions: { [EVENT_STREAM]: true } as Record<symbol, boolean> as never };
    const drain = async (c: Anthropic) => {
      const stream = await c.beta.sessions.events.stream(SESSION_ID, {}, asStream);
      for await (const _ of stream);
    };

    it('still caps one event', async () => {
      const up = await startHostileUpstream('stream-50mb-event');
      try {
        const err = await drain(client(1 << 20, 64 * 1024, 60_000, up.url)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ResponseTooLargeError);
        expect(String((err as Error).message)).toMatch(/one event-stream event over .* \(GET \/v1\/sessions\/sesn_\w+\/events\/stream\)/);
        expect(up.counts.bytesSent).toBeLessThan(20 * 1024 * 1024);
      } finally {
        await up.close();
      }
    });

    it('answered with a body instead (200 or an error status) that trickles in, ends it at the time bound', async () => {
      const up = await startHostileUpstream('stream-trickle-json');
      try {
        for (let open = 0; open < 2; open++) {
          const t0 = Date.now();
          const err = await drain(client(1 << 20, 4096, 500, up.url)).catch((e: unknown) => e);
          // The 200 is read as a stream and fails with the bound's error; the SDK reads an error
          // status's body as text and reports what the read failed with inside its APIError.
          if (open === 0) expect(err).toBeInstanceOf(ResponseTooSlowError);
          else expect((err as { status?: number }).status).toBe(400);
          expect(String((err as Error).message)).toMatch(/had not arrived whole after 0\.5 s \(GET \/v1\/sessions\/sesn_\w+\/events\/stream\)/);
          expect(Date.now() - t0).toBeLessThan(10_000);
        }
        expect(up.counts.streamOpens).toBe(2);
      } finally {
        await up.close();
      }
    });
  });
});
