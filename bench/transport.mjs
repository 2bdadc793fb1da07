// The HTTP client under the SDK (src/api/whole-request.ts): the same SDK call through the
// server's transport (undici's request, the body read whole within the bounds) and through Node's
// fetch with the same bounds (`limitedFetch` given `fetch` as its inner client: the path before),
// in one process against the emulator, in alternated blocks; the process's CPU time per call.
//
//   node bench/transport.mjs [--rounds 16] [--block 500]
import { parseArgs } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import { limitedFetch } from '../dist/api/limits.js';
import { API_KEY, fixtures, fmt, newSession, sdkFor, startEmuProcess, summarize } from './lib.mjs';

export async function benchTransport({ rounds = 16, block = 500 } = {}) {
  const emu = await startEmuProcess();
  try {
    const sdk = sdkFor(emu);
    const sessionId = await newSession(sdk, await fixtures(sdk));
    const client = (fetch) => new Anthropic({ apiKey: API_KEY, baseURL: emu.url, maxRetries: 0, fetch });
    const ways = { transport: client(limitedFetch()), fetch: client(limitedFetch(undefined, (u, i) => fetch(u, i))) };
    const cpu = { transport: [], fetch: [] };
    const run = async (c, n) => {
      const t = process.cpuUsage();
      for (let i = 0; i < n; i++) await c.beta.sessions.retrieve(sessionId);
      const u = process.cpuUsage(t);
      return (u.user + u.system) / n;
    };
    for (let i = 0; i < 4; i++) for (const k in ways) await run(ways[k], block);
    for (let r = 0; r < rounds; r++) {
      const keys = Object.keys(ways);
      if (r % 2) keys.reverse();
      for (const k of keys) cpu[k].push(await run(ways[k], block));
    }
    const ratios = cpu.transport.map((x, i) => x / cpu.fetch[i]);
    return { transport: summarize(cpu.transport).median, fetch: summarize(cpu.fetch).median, ratio: summarize(ratios).median };
  } finally {
    await emu.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '16' }, block: { type: 'string', default: '500' } } });
  const r = await benchTransport({ rounds: Number(values.rounds), block: Number(values.block) });
  process.stdout.write(
    `sessions.retrieve, CPU per call: through the transport ${fmt(r.transport)} µs, through fetch ${fmt(r.fetch)} µs; transport / fetch ${r.ratio.toFixed(2)}× (median of per-round ratios)\n`,
  );
}
