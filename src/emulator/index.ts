/**
 * The local Claude Managed Agents API emulator (docs/emulator.md).
 *
 *   const emu = await startEmulator({ port: 0 });
 *   const client = new Anthropic({ apiKey: 'test', baseURL: emu.url });
 *   ...
 *   await emu.close();
 */
import type { AddressInfo } from 'node:net';
import { createEmulatorServer } from './server.js';
import { isLoopbackHost } from '../shared/loopback.js';
import type { Readings } from './runtime/readings.js';
import type { SeedOptions } from './routes/seed.js';

export interface EmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; loopback (127.0.0.1) by default. Another one needs `allowRemote` and `apiKey`. */
  host?: string;
  /** Allow a non-loopback `host` (`0.0.0.0`, `::`, a LAN address): the emulator is then reachable by others. */
  allowRemote?: boolean;
  /** If set, only this key is accepted; otherwise any non-empty key is. */
  apiKey?: string;
  /** Interval of `event: ping` keep-alives on streams (default 15000 ms). */
  pingIntervalMs?: number;
  /** Extra latency at the start of every scripted model step (default 0 ms). */
  stepDelayMs?: number;
  /** Readings of behaviour the documentation leaves open (docs/emulator.md "Readings"); defaults otherwise. */
  readings?: Partial<Readings>;
  /** Sessions to create before listening: finished, backdated, with usage (docs/emulator.md "Seeding"). */
  seed?: SeedOptions;
}

export interface EmulatorHandle {
  /** Base URL to hand to the SDK as `baseURL`: the address it really listens on, e.g. `http://127.0.0.1:43121`. */
  url: string;
  port: number;
  /** Ends open streams, timers and sleeping turns, then stops listening. */
  close(): Promise<void>;
}

/** A host the emulator will not bind as asked (a non-loopback one without opt-in, or without a key). */
export class EmulatorConfigError extends Error {}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const remote = !isLoopbackHost(host);
  if (remote && !opts.allowRemote) {
    throw new EmulatorConfigError(
      `--host ${host} is not a loopback address: the emulator would be open to the network. Pass --allow-remote (and a key) if that is meant.`,
    );
  }
  if (remote && !opts.apiKey)
    throw new EmulatorConfigError(`--host ${host} opens the emulator to the network: set a key clients must present (MANAGED_AGENTS_EMULATOR_KEY).`);
  const { server, shutdown, seed } = createEmulatorServer({
    apiKey: opts.apiKey,
    remote,
    settings: { pingIntervalMs: opts.pingIntervalMs, stepDelayMs: opts.stepDelayMs, readings: opts.readings as Readings | undefined },
  });
  if (opts.seed) await seed(opts.seed);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address } = server.address() as AddressInfo;
  const urlHost = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown();
        server.close(() => resolve());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}

export { MANAGED_BETA, MEMORY_BETA, type RequestLogEntry } from './server.js';
export type { FaultRule } from './wire/faults.js';
export { MAX_SEED_SESSIONS, SEED_MODELS, type SeedOptions, type SeedResult } from './routes/seed.js';
export { parseScript, ERROR_TYPES } from './runtime/scripted-agent.js';
export { DEFAULT_READINGS, READINGS, readingsFromNames, type Readings, type ReadingName } from './runtime/readings.js';
