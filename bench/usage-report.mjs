// Figure 9: usage_report over an emulator holding 5,000 finished sessions (seeded: 8 agents over 4
// models, 30 days; docs/emulator.md "Seeding"). Wall time of the call at the client, requests the
// emulator served for it, sessions read and the result's tokens; next to it, the same walk of the
// sessions list made directly with the SDK (the floor: the emulator's pages and the JSON).
import { API_KEY, BUNDLE, call, connectServer, summarize } from './lib.mjs';
import Anthropic from '@anthropic-ai/sdk';

export async function benchUsageReport({ sessions = 5000, rounds = 5 } = {}) {
  const { startEmulator } = await import('../dist/emulator/index.js');
  const t0 = performance.now();
  const emu = await startEmulator({ port: 0, seed: { sessions, agents: 8, days: 30, seed: 1 } });
  const seedMs = performance.now() - t0;
  const sdk = new Anthropic({ apiKey: API_KEY, baseURL: emu.url, maxRetries: 0 });
  const server = await connectServer(emu, { cli: BUNDLE, args: ['--toolsets', 'core,sessions'] });
  const logLength = async () => (await (await fetch(`${emu.url}/_emulator/requests`)).json()).next_index;
  try {
    const groups = ['agent', 'day', 'model'];
    const wall = [];
    const direct = [];
    const perCall = [];
    await call(server.client, 'usage_report', { max_sessions: 500 }); // warm-up
    for (let i = 0; i < rounds; i++) {
      const group_by = groups[i % groups.length];
      const before = await logLength();
      const t = performance.now();
      const r = await call(server.client, 'usage_report', { group_by });
      wall.push(performance.now() - t);
      const requests = (await logLength()) - before;
      const chars = Math.max(JSON.stringify(r.structuredContent).length, r.content[0].text.length);
      perCall.push({
        group_by,
        requests,
        sessions: r.structuredContent.totals.sessions,
        groups: r.structuredContent.groups.length,
        tokens: chars / 4,
        incomplete: Boolean(r.structuredContent.incomplete),
      });

      const d = performance.now();
      let n = 0;
      for await (const _ of sdk.beta.sessions.list({ limit: 100, include_archived: true })) n++;
      direct.push(performance.now() - d);
      if (n !== sessions) throw new Error(`direct walk read ${n} sessions, expected ${sessions}`);
    }
    const wallS = summarize(wall);
    const directS = summarize(direct);
    return { sessions, seedMs, wall: wallS, direct: directS, ratio: wallS.median / directS.median, perCall };
  } finally {
    await server.close();
    await emu.close();
  }
}
