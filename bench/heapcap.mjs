// Figure 5, the decisive check: a server whose V8 old space is capped at 36 MiB follows a
// 200,000-event turn and then pages 600,000 events of history with list_events. RSS peaks move
// with V8's heap sizing; a process that retained anything per event would run out of memory
// here. It either survives (memory bounded by a constant) or it does not.
// Why not less: the server's own heap after a full GC is 13–16 MB (code, the bundle's source, both SDKs'
// and every tool's schemas), and V8 ends a process whose old space stays above ~80 % of its limit
// while collecting; under 20 MiB that left ~3 MB for a turn's transients, and the bin died within
// seconds in some runs and not others (docs/bounds.md). Under 32, ~10 MB were left: still less than
// 50 bytes kept per event of the turn, or 17 per event paged. The bundled HTTP client
// (src/api/whole-request.ts) added ~2 MB to that resident heap, so 36 leaves the same ~10 MB.
import { spawn } from 'node:child_process';
import { API_KEY, childEnv, fixtures, newSession } from './lib.mjs';

export async function benchHeapCap({ emu, sdk, cli, capMiB = 36, turnEvents = 200_000, rounds = 3 }) {
  const fx = await fixtures(sdk);
  const session = await newSession(sdk, fx);
  const child = spawn(process.execPath, [`--max-old-space-size=${capMiB}`, cli, '--base-url', emu.url], {
    env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }),
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let exit = null;
  const waits = new Map();
  child.on('exit', (code, signal) => {
    exit = `${code ?? ''}${signal ?? ''}`;
    for (const w of waits.values()) w({});
  });
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; ) {
      const m = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      waits.get(m.id)?.(m);
    }
  });
  let id = 0;
  const rpc = (method, params) =>
    new Promise((resolve) => {
      const my = ++id;
      waits.set(my, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: my, method, params })}\n`);
    });
  try {
    await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    const t0 = performance.now();
    const turn = await rpc('tools/call', { name: 'send_message', arguments: { session_id: session, text: `/events ${turnEvents}`, timeout_s: 300 } });
    const turnMs = performance.now() - t0;
    const seen = turn.result?.structuredContent?.events_seen ?? 0;
    let pages = 0;
    let events = 0;
    for (let r = 0; r < rounds && exit === null; r++) {
      let page;
      for (;;) {
        const res = await rpc('tools/call', { name: 'list_events', arguments: { session_id: session, limit: 200, ...(page ? { page } : {}) } });
        if (exit !== null || !res.result) break;
        pages++;
        events += res.result.structuredContent.count;
        page = res.result.structuredContent.next_page;
        if (!page) break;
      }
    }
    return { capMiB, turnEvents: seen, turnMs, pages, events, survived: exit === null };
  } finally {
    child.kill('SIGTERM');
  }
}
