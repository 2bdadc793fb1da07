// HTTP mode (docs/http.md): `get_session` calls per second through nginx with one replica and
// with two, and the per-call latency over HTTP (direct to a replica, and through nginx) next to
// stdio, all against one emulator in a process of its own. Printed, never asserted.
//
//   node bench/http.mjs            # after `npm run build`; also part of `npm run bench`
import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { NGINX, startNginx } from '../scripts/nginx.mjs';
import { API_KEY, BUNDLE, call, childEnv, connectServer, fixtures, fmt, newSession, sdkFor, startEmuProcess, summarize } from './lib.mjs';

const TOKEN = 'bench-http-token-0123456789abcdef';

async function startReplica(emuUrl) {
  const child = spawn(process.execPath, [BUNDLE, '--http', '127.0.0.1:0', '--base-url', emuUrl], {
    env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY, MANAGED_AGENTS_HTTP_TOKENS: TOKEN }),
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const url = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`replica exited (${code})`)));
    child.stdout.once('data', (b) => resolve(String(b).split('\n')[0].trim()));
  });
  return { url, close: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

async function httpClient(url) {
  const client = new Client({ name: 'bench-http', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
  return client;
}

/** Sequential per-call latency of `get_session` over a connected client. */
async function latency(client, sessionId, { calls, warmup }) {
  const once = async () => {
    const t = performance.now();
    const r = await call(client, 'get_session', { session_id: sessionId });
    if (!JSON.stringify(r.structuredContent).includes(sessionId)) throw new Error('get_session returned another session');
    return performance.now() - t;
  };
  for (let i = 0; i < warmup; i++) await once();
  const xs = [];
  for (let i = 0; i < calls; i++) xs.push(await once());
  return summarize(xs);
}

/** Calls per second with `inFlight` calls kept open, over `clients` HTTP clients. */
async function throughput(url, sessionId, { total, inFlight, clients: nClients = 4 }) {
  const clients = await Promise.all(Array.from({ length: nClients }, () => httpClient(url)));
  let next = 0;
  const worker = async (w) => {
    while (next < total) {
      next++;
      await call(clients[w % nClients], 'get_session', { session_id: sessionId });
    }
  };
  // Warm every path (replicas, keep-alive connections) before timing.
  await Promise.all(Array.from({ length: inFlight }, (_, w) => call(clients[w % nClients], 'get_session', { session_id: sessionId })));
  const t = performance.now();
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  const s = (performance.now() - t) / 1000;
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  return total / s;
}

export async function benchHttp({ calls = 200, warmup = 30, total = 600, inFlight = 16 } = {}) {
  if (!NGINX) return { skipped: 'nginx is not installed (apt-get install nginx-light)' };
  const emu = await startEmuProcess();
  const replicas = [];
  const proxies = [];
  try {
    const sdk = sdkFor(emu);
    const sessionId = await newSession(sdk, await fixtures(sdk));
    const stdio = await connectServer(emu, { cli: BUNDLE });
    const out = {};
    try {
      out.stdio = await latency(stdio.client, sessionId, { calls, warmup });
    } finally {
      await stdio.close();
    }
    replicas.push(await startReplica(emu.url), await startReplica(emu.url));
    const direct = await httpClient(replicas[0].url);
    out.httpDirect = await latency(direct, sessionId, { calls, warmup });
    await direct.close();
    for (const n of [1, 2]) {
      const ng = await startNginx(replicas.slice(0, n).map((r) => r.url));
      proxies.push(ng);
      const c = await httpClient(`${ng.url}/mcp`);
      out[`nginx${n}`] = {
        latency: await latency(c, sessionId, { calls, warmup }),
        perSecond: await throughput(`${ng.url}/mcp`, sessionId, { total, inFlight }),
      };
      await c.close();
    }
    out.addedOverStdioMs = out.nginx1.latency.median - out.stdio.median;
    out.ratioOverStdio = out.nginx1.latency.median / out.stdio.median;
    out.scaling = out.nginx2.perSecond / out.nginx1.perSecond;
    out.inFlight = inFlight;
    out.total = total;
    return out;
  } finally {
    await Promise.allSettled([...proxies.map((p) => p.stop()), ...replicas.map((r) => r.close())]);
    await emu.close();
  }
}

/** Table rows (measure, ours, baseline, ratio) for bench/run.mjs and the standalone run. */
export function httpRows(r) {
  if (r.skipped) return [[`HTTP mode: skipped, ${r.skipped}`, '', '', '']];
  const lat = (s) => `${fmt(s.median, 2)} ms (${fmt(s.p10, 2)}–${fmt(s.p90, 2)})`;
  return [
    [
      '`get_session` per call, HTTP through nginx, 1 replica (sequential)',
      lat(r.nginx1.latency),
      `stdio ${lat(r.stdio)}`,
      `${fmt(r.ratioOverStdio, 2)}×, +${fmt(r.addedOverStdioMs, 2)} ms`,
    ],
    [
      '`get_session` per call, HTTP direct to a replica (no nginx)',
      lat(r.httpDirect),
      `stdio ${lat(r.stdio)}`,
      `+${fmt(r.httpDirect.median - r.stdio.median, 2)} ms`,
    ],
    ['`get_session` per call, HTTP through nginx, 2 replicas (sequential)', lat(r.nginx2.latency), '', ''],
    [`calls/s through nginx, ${r.inFlight} in flight, ${r.total} calls: 1 replica`, `${fmt(r.nginx1.perSecond, 0)}/s`, '', ''],
    [
      `calls/s through nginx, ${r.inFlight} in flight, ${r.total} calls: 2 replicas`,
      `${fmt(r.nginx2.perSecond, 0)}/s`,
      `1 replica ${fmt(r.nginx1.perSecond, 0)}/s`,
      `${fmt(r.scaling, 2)}×`,
    ],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  setTimeout(() => (process.stderr.write('bench/http.mjs: over 5 minutes, giving up\n'), process.exit(1)), 5 * 60_000).unref();
  const r = await benchHttp();
  for (const [measure, ours, baseline, ratio] of httpRows(r))
    process.stdout.write(`${measure}: ${ours}${baseline ? `  vs ${baseline}` : ''}${ratio ? `  → ${ratio}` : ''}\n`);
  process.exit(0);
}
