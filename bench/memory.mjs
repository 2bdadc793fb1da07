// Figure 5 — memory: peak RSS of the server child (VmHWM from /proc/<pid>/status, cross-checked
// by sampling VmRSS every 5 ms) while following a turn of N events (send_message "/events N") and
// while paging a history of N events with list_events (limit 200, to the end). Each measurement
// runs in a fresh server process after a small warm-up, so VmHWM is that operation's peak.
import { spawn } from 'node:child_process';
import { API_KEY, call, childEnv, connectServer, fixtures, memOf, newSession, runDirectTurn, summarize, withRssSampling } from './lib.mjs';

async function freshServer(emu, cli, warmSession) {
  const srv = await connectServer(emu, { cli });
  // Warm-up: load and JIT the turn and list paths once, so the baseline is a working server.
  await call(srv.client, 'send_message', { session_id: warmSession, text: '/events 20' });
  await call(srv.client, 'list_events', { session_id: warmSession, limit: 200 });
  return srv;
}

async function followTurn(emu, sdk, fx, cli, warm, n) {
  const srv = await freshServer(emu, cli, warm);
  try {
    const sessionId = await newSession(sdk, fx);
    const base = memOf(srv.pid);
    const t = performance.now();
    const r = await withRssSampling(srv.pid, () => call(srv.client, 'send_message', { session_id: sessionId, text: `/events ${n}` }));
    const ms = performance.now() - t;
    if (r.value.structuredContent?.stop_reason !== 'end_turn' || r.value.structuredContent.events_seen < n) {
      throw new Error(`the /events ${n} turn did not complete: ${JSON.stringify(r.value.structuredContent).slice(0, 300)}`);
    }
    return { base: base.rss, peak: Math.max(r.hwm, r.sampledPeak), ms };
  } finally {
    await srv.close();
  }
}

async function pageHistory(emu, cli, warm, sessionId, n) {
  const srv = await freshServer(emu, cli, warm);
  try {
    const base = memOf(srv.pid);
    const t = performance.now();
    let pages = 0;
    let events = 0;
    const r = await withRssSampling(srv.pid, async () => {
      // A page cut by the output cap (12,000 characters per half by default) says where to go on
      // with `next_after_event_id` instead of `next_page`, as a model would follow it.
      let from = {};
      do {
        const x = await call(srv.client, 'list_events', { session_id: sessionId, limit: 200, ...from });
        const sc = x.structuredContent;
        from = sc.next_page ? { page: sc.next_page } : sc.next_after_event_id ? { after_event_id: sc.next_after_event_id } : undefined;
        events += sc.events?.length ?? 0;
        pages++;
      } while (from);
    });
    if (events < n) throw new Error(`paged only ${events} of ${n} events`);
    return { base: base.rss, peak: Math.max(r.hwm, r.sampledPeak), ms: performance.now() - t, pages, events };
  } finally {
    await srv.close();
  }
}

export async function benchMemory({ emu, sdk, cli, reps = 3, turnSizes = [1_000, 10_000], historySizes = [10_000, 100_000] }) {
  const fx = await fixtures(sdk);
  const warm = await newSession(sdk, fx);
  const histories = {};
  for (const n of historySizes) {
    histories[n] = await newSession(sdk, fx);
    await runDirectTurn(sdk, histories[n], `/events ${n}`);
  }
  const rows = [];
  const turn = Object.fromEntries(turnSizes.map((n) => [n, []]));
  const hist = Object.fromEntries(historySizes.map((n) => [n, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const n of turnSizes) turn[n].push(await followTurn(emu, sdk, fx, cli, warm, n));
    for (const n of historySizes) hist[n].push(await pageHistory(emu, cli, warm, histories[n], n));
  }
  const row = (kind, label, n, xs) => ({
    kind,
    label,
    n,
    peak: summarize(xs.map((x) => x.peak)),
    growth: summarize(xs.map((x) => x.peak - x.base)),
    base: summarize(xs.map((x) => x.base)),
    ms: summarize(xs.map((x) => x.ms)),
    pages: xs[0].pages,
  });
  for (const n of turnSizes) rows.push(row('turn', `following a ${n.toLocaleString('en-US')}-event turn`, n, turn[n]));
  for (const n of historySizes) rows.push(row('history', `paging a ${n.toLocaleString('en-US')}-event history`, n, hist[n]));
  return rows;
}

/**
 * Diagnostic: the V8 heap still live after the last garbage collection during the operation, from
 * `node --trace-gc` (which writes to stdout, so this run speaks raw JSON-RPC and sets the trace
 * lines aside). RSS includes heap the GC has reserved but not filled; this is what is retained.
 */
async function liveHeap(emu, cli, op) {
  const child = spawn(process.execPath, ['--trace-gc', cli, '--base-url', emu.url], {
    env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }),
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let buf = '';
  let after; // heap size after each GC, MiB
  let recording = false;
  const waits = new Map();
  child.stdout.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; ) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('{')) {
        const m = JSON.parse(line);
        waits.get(m.id)?.(m);
      } else if (recording) {
        const g = /(?:Scavenge|Mark-Compact|Mark-Sweep)[^:]*?\s([\d.]+) \([\d.]+\) -> ([\d.]+) \(/.exec(line);
        if (g) (after ??= []).push(Number(g[2]));
      }
    }
  });
  let id = 0;
  const rpc = (method, params) =>
    new Promise((resolve, reject) => {
      const my = ++id;
      const timer = setTimeout(() => reject(new Error(`${method} timed out`)), 120_000);
      waits.set(my, (m) => {
        clearTimeout(timer);
        if (m.error || m.result?.isError) reject(new Error(JSON.stringify(m.error ?? m.result.content)));
        else resolve(m.result);
      });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: my, method, params })}\n`);
    });
  try {
    await rpc('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } });
    child.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    const tool = (name, args) => rpc('tools/call', { name, arguments: args });
    recording = true;
    await op(tool);
    return after ? summarize(after).median : NaN;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function benchLiveHeap({ emu, sdk, cli, turnSizes = [1_000, 10_000, 100_000], historySizes = [10_000, 100_000] }) {
  const fx = await fixtures(sdk);
  const out = { turn: {}, history: {} };
  for (const n of turnSizes) {
    const s = await newSession(sdk, fx);
    out.turn[n] = await liveHeap(emu, cli, (tool) => tool('send_message', { session_id: s, text: `/events ${n}` }));
  }
  for (const n of historySizes) {
    const s = await newSession(sdk, fx);
    await runDirectTurn(sdk, s, `/events ${n}`);
    out.history[n] = await liveHeap(emu, cli, async (tool) => {
      let page;
      do {
        const r = await tool('list_events', { session_id: s, limit: 200, ...(page ? { page } : {}) });
        page = r.structuredContent.next_page;
      } while (page);
    });
  }
  return out;
}
