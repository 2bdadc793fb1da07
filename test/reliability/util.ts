/**
 * Helpers for the reliability suite: the emulator's request log and fault routes, a hang bound,
 * and a harness variant that also exposes the emulator's in-process state (open stream counts),
 * which the HTTP admin routes do not report.
 */
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createEmulatorServer, type Emulator, type RequestLogEntry } from '../../src/emulator/server.js';
import { defaultConfig, type Config } from '../../src/config.js';
import { createServer } from '../../src/server.js';
import { captureLogger, TEST_KEY, type Harness } from '../helpers.js';
import { capture } from '../setup/capture.js';

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

export interface StateHarness extends Harness {
  /** The emulator's in-process state: `emu.state.sessions.get(id)?.streams.size` is the open stream count. */
  emu: Emulator;
}

/** Like `harness()` from test/helpers.ts, with the emulator built here so its state is reachable. */
export async function stateHarness(overrides: Partial<Config> = {}): Promise<StateHarness> {
  const { server: http, emu, shutdown: stopEmu } = createEmulatorServer({ settings: { pingIntervalMs: 200 } });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const config = defaultConfig({ apiKey: TEST_KEY, baseURL: url, streamStallS: 2, turnTimeoutS: 20, ...overrides });
  const shutdown = new AbortController();
  const { server } = createServer({ config, log: captureLogger(), shutdownSignal: shutdown.signal });
  const [ct, st] = InMemoryTransport.createLinkedPair();
  await server.connect(st);
  const client = new Client({ name: 'test', version: '0.0.0' });
  await client.connect(ct);
  return {
    client,
    url,
    config,
    emu,
    async call(name, args, opts = {}) {
      const r = await client.callTool({ name, arguments: args }, undefined, {
        // As in harness(): everything the product returns goes to the secret scan.
        onprogress: (p) => {
          capture(JSON.stringify(p));
          opts.onprogress?.(p);
        },
        timeout: opts.timeout ?? 60_000,
        signal: opts.signal,
      });
      capture(JSON.stringify(r));
      return r;
    },
    async admin(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return text ? JSON.parse(text) : undefined;
    },
    async close() {
      shutdown.abort();
      await client.close();
      await server.close();
      stopEmu();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections?.();
      });
    },
  };
}
