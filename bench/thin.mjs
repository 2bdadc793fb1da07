// Figure 11 — against the thin-server floor (bench/thin-server.mjs): the thinnest server a user
// could pick instead, on the same SDKs (the MCP SDK v2's `serveStdio`, as the product), with the
// same default tools' names and arguments. In one run, alternated so machine load hits all alike,
// reported as ratios ours / thin, the ones the targets gate; the same server on the MCP SDK's v1
// line (bench/thin-server-v1.mjs, 2025 revisions only) runs beside them in every part, its ratio
// ours / v1 printed next to each as a reference:
// - per call: `get_session` and `list_agents` medians, rounds alternating which server goes first,
//   each timed from the client (the MCP SDK client: parsing the result, and validating it against
//   an output schema where one is listed, are costs the user pays too), over both client
//   generations: the MCP SDK's v1 client (2025 revisions, `initialize`) for all servers, then the v2
//   client negotiating MCP 2026-07-28 (`_meta` on every request, as Claude Code speaks) for ours and
//   the thin server (the v1 thin server cannot speak it; `before` joins if it can);
// - memory: idle RSS after start-up and `tools/list`, and peak RSS (VmHWM) of a fresh process over
//   200 calls (get_session and list_agents alternating), the worst of three per server;
// - start-up: spawn → tools/list, ours (the shipped bin) with its code cache written and on a first
//   run (no cache yet) against the thin server;
// - tools/list tokens, as sent and the model-visible part, of each.
// With `before` (an older bin, `npm run bench -- --only thin --before OLD.mjs`), that bin joins the
// per-call rounds and the memory runs as one more server, so before and after come from one run.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { API_KEY, BUNDLE, call, callModern, childEnv, connectModern, connectServer, fixtures, memOf, newSession, summarize, withRssSampling } from './lib.mjs';
import { startOnce } from './startup.mjs';
import { listTokens } from '../dist/mcp/server.js';

export const THIN = fileURLToPath(new URL('./thin-server.mjs', import.meta.url));
export const THIN_V1 = fileURLToPath(new URL('./thin-server-v1.mjs', import.meta.url));

const median = (xs) => summarize(xs).median;
/** Fresh processes per server for the peak-RSS figure. */
const PEAK_RUNS = 3;

/**
 * Times `tool` through each connection in `up` with `callFn`, after WARM_UP calls each: `rounds`
 * rounds of `perRound` calls, each server taking each place in turn and every other round the order
 * reversed, so machine load hits all alike. Returns each server's median per call, in ms.
 */
/** Calls each server makes before the timed rounds. */
const WARM_UP = 200;

async function alternated(up, callFn, tool, args, rounds, perRound) {
  const times = Object.fromEntries(Object.keys(up).map((k) => [k, []]));
  // Warm-up, the same for every server: a server runs for a whole session, so what counts is the
  // call once V8 has optimised its path, not the first few dozen (30 calls left some of either
  // server's code unoptimised, and the ratio then moved with which server had warmed more).
  for (const k of Object.keys(up)) for (let i = 0; i < WARM_UP; i++) await callFn(up[k].client, tool, args);
  for (let r = 0; r < rounds; r++) {
    const keys = Object.keys(up);
    const order = keys.map((_, j) => keys[(r + j) % keys.length]);
    if (r % 2) order.reverse();
    for (const k of order) {
      for (let i = 0; i < perRound; i++) {
        const t = performance.now();
        await callFn(up[k].client, tool, args);
        times[k].push(performance.now() - t);
      }
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, median(xs)]));
}

const argsFor = (tool, sessionId) => (tool === 'get_session' ? { session_id: sessionId } : {});

export async function benchThin({ emu, sdk, rounds = 40, perRound = 10, startRuns = 10, before }) {
  const fx = await fixtures(sdk);
  const sessionId = await newSession(sdk, fx);
  for (let i = 0; i < 3; i++) await sdk.beta.agents.create({ name: `thin-bench-${i}`, model: 'claude-sonnet-4-6' });
  const servers = { ours: BUNDLE, thin: THIN, thinV1: THIN_V1, ...(before ? { before } : {}) };
  const out = { calls: {}, callsModern: {}, memory: {}, startup: {}, tokens: {} };

  // Per call, all servers up at once, rounds alternating the order.
  const up = {};
  for (const [k, cli] of Object.entries(servers)) up[k] = await connectServer(emu, { cli });
  try {
    for (const [k, srv] of Object.entries(up)) {
      const { tools } = await srv.client.listTools();
      out.tokens[k] = { tools: tools.length, ...listTokens(tools) };
      out.memory[k] = { idle: memOf(srv.pid).rss };
    }
    for (const tool of ['get_session', 'list_agents']) {
      const m = await alternated(up, call, tool, argsFor(tool, sessionId), rounds, perRound);
      out.calls[tool] = { ours: m.ours, thin: m.thin, ratio: m.ours / m.thin, thinV1: m.thinV1, ratioV1: m.ours / m.thinV1 };
      if (before) Object.assign(out.calls[tool], { before: m.before, ratioBefore: m.before / m.thin });
    }
  } finally {
    for (const srv of Object.values(up)) await srv.close();
  }

  // Per call over MCP 2026-07-28 (the v2 client), the same rounds; connectModern throws unless that
  // revision is negotiated. An older bin that cannot speak it is left out, not a failure.
  const modern = {};
  try {
    modern.ours = await connectModern(emu, { cli: BUNDLE });
    modern.thin = await connectModern(emu, { cli: THIN });
    if (before) {
      try {
        modern.before = await connectModern(emu, { cli: before });
      } catch (err) {
        out.beforeModern = err.message;
      }
    }
    // tools/list first, as a client does (and the v2 client caches it for output-schema checks).
    for (const srv of Object.values(modern)) await srv.client.listTools();
    for (const tool of ['get_session', 'list_agents']) {
      const m = await alternated(modern, callModern, tool, argsFor(tool, sessionId), rounds, perRound);
      out.callsModern[tool] = { ours: m.ours, thin: m.thin, ratio: m.ours / m.thin };
      if (modern.before) Object.assign(out.callsModern[tool], { before: m.before, ratioBefore: m.before / m.thin });
    }
  } finally {
    for (const srv of Object.values(modern)) await srv.close();
  }

  // Peak RSS over 200 calls, each server a fresh process, alternated; the worst of PEAK_RUNS each
  // (VmHWM counts start-up too). The idle figure is the worst seen after tools/list, here or above.
  for (let run = 0; run < PEAK_RUNS; run++)
    for (const k of Object.keys(servers)) {
      const srv = await connectServer(emu, { cli: servers[k] });
      try {
        await srv.client.listTools();
        out.memory[k].idle = Math.max(out.memory[k].idle, memOf(srv.pid).rss);
        const r = await withRssSampling(srv.pid, async () => {
          for (let i = 0; i < 100; i++) {
            await call(srv.client, 'get_session', { session_id: sessionId });
            await call(srv.client, 'list_agents', {});
          }
        });
        const peak = Math.max(r.hwm, r.sampledPeak);
        out.memory[k].peak = Math.max(out.memory[k].peak ?? 0, peak);
      } finally {
        await srv.close();
      }
    }

  // Start-up: the thin servers have no code cache of their own; ours with its cache and without.
  const cache = join(mkdtempSync(join(tmpdir(), 'mam-thin-cache-')), 'cache');
  const warmEnv = childEnv({ MANAGED_AGENTS_API_KEY: API_KEY, MANAGED_AGENTS_CODE_CACHE: cache });
  const primer = spawn(process.execPath, [BUNDLE, '--base-url', emu.url], { stdio: ['pipe', 'ignore', 'ignore'], env: warmEnv });
  await new Promise((r) => setTimeout(r, 2_000));
  primer.kill();
  if (!readdirSync(cache).some((f) => f.endsWith('.v8'))) throw new Error('the bin wrote no code cache');
  const variants = {
    warm: [[BUNDLE, '--base-url', emu.url], warmEnv],
    first: [[BUNDLE, '--base-url', emu.url], childEnv({ MANAGED_AGENTS_API_KEY: API_KEY, MANAGED_AGENTS_CODE_CACHE: 'off' })],
    thin: [[THIN, '--base-url', emu.url], childEnv({ MANAGED_AGENTS_API_KEY: API_KEY })],
    thinV1: [[THIN_V1, '--base-url', emu.url], childEnv({ MANAGED_AGENTS_API_KEY: API_KEY })],
  };
  const starts = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let i = 0; i < startRuns; i++) {
    const keys = Object.keys(variants);
    for (let j = 0; j < keys.length; j++) {
      const k = keys[(i + j) % keys.length];
      starts[k].push((await startOnce(...variants[k])).list);
    }
  }
  const [warm, first, thin, thinV1] = [median(starts.warm), median(starts.first), median(starts.thin), median(starts.thinV1)];
  out.startup = { warm, first, thin, ratioWarm: warm / thin, ratioFirst: first / thin, thinV1, ratioWarmV1: warm / thinV1, ratioFirstV1: first / thinV1 };
  return out;
}
