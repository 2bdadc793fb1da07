// Figure 1 — start-up: spawn → `initialize` answered → `tools/list` answered, over raw JSON-RPC
// on stdio (no client library in the timed path), for our built server, the shipped bin with its
// code cache and without, and the reference server, interleaved round by round so machine noise
// hits all of them alike.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE, CLI, REFERENCE, ROOT, API_KEY, childEnv, cpuMsOf, memOf, summarize } from './lib.mjs';

export function startOnce(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start-up of ${args[0]} took over 10 s`));
    }, 10_000);
    let buf = '';
    const pending = new Map();
    child.stdout.on('data', (d) => {
      buf += d;
      for (let i; (i = buf.indexOf('\n')) >= 0; ) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        pending.get(m.id)?.(m);
      }
    });
    child.on('error', reject);
    let done = false;
    child.once('exit', (code) => {
      if (done) return;
      clearTimeout(timer);
      reject(new Error(`${args[0]} exited (${code}) before answering tools/list`));
    });
    const req = (id, method, params) =>
      new Promise((res) => {
        pending.set(id, res);
        child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      });
    (async () => {
      const init = await req(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'bench', version: '1.0.0' },
      });
      const tInit = performance.now() - t0;
      if (!init.result) throw new Error(`initialize failed: ${JSON.stringify(init)}`);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      const list = await req(2, 'tools/list', {});
      const tList = performance.now() - t0;
      if (!list.result?.tools?.length) throw new Error(`tools/list failed: ${JSON.stringify(list)}`);
      clearTimeout(timer);
      done = true;
      let rss = NaN;
      let cpu = NaN;
      try {
        rss = memOf(child.pid).rss;
        cpu = cpuMsOf(child.pid);
      } catch {}
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      child.kill('SIGTERM');
      await exited;
      resolve({ init: tInit, list: tList, tools: list.result.tools.length, rss, cpu });
    })().catch((e) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    });
  });
}

export async function benchStartup({ runs = 15, emuUrl, before }) {
  const variants = [
    { key: 'ours', label: 'ours (dist/cli.js)', args: [CLI, '--base-url', emuUrl], env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }) },
    { key: 'reference', label: 'reference (server-everything stdio)', args: [REFERENCE, 'stdio'], env: childEnv() },
  ];
  if (existsSync(BUNDLE)) {
    // The bin's code cache (src/bin.ts) in a directory of this run's own, written by one start
    // that runs long enough (the cache is written a second after start-up); and the same bin
    // with the cache off, as on its very first start.
    const cache = join(mkdtempSync(join(tmpdir(), 'mam-bench-cache-')), 'cache');
    const env = childEnv({ MANAGED_AGENTS_API_KEY: API_KEY, MANAGED_AGENTS_CODE_CACHE: cache });
    const primer = spawn(process.execPath, [BUNDLE, '--base-url', emuUrl], { stdio: ['pipe', 'ignore', 'ignore'], env });
    await new Promise((r) => setTimeout(r, 2_000));
    primer.kill();
    if (!readdirSync(cache).some((f) => f.endsWith('.v8'))) throw new Error('the bin wrote no code cache');
    variants.push({ key: 'bundled', label: 'ours bundled (dist/managed-agents-mcp.mjs)', args: [BUNDLE, '--base-url', emuUrl], env });
    variants.push({
      key: 'cold',
      label: 'ours bundled, no code cache',
      args: [BUNDLE, '--base-url', emuUrl],
      env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY, MANAGED_AGENTS_CODE_CACHE: 'off' }),
    });
  }
  if (before)
    variants.push({ key: 'before', label: `before (${before})`, args: [before, '--base-url', emuUrl], env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }) });
  // Warm the OS file cache once for each, untimed.
  for (const v of variants) await startOnce(v.args, v.env);
  const samples = Object.fromEntries(variants.map((v) => [v.key, { init: [], list: [], rss: [], cpu: [], tools: 0 }]));
  for (let i = 0; i < runs; i++) {
    // Rotate the order every round so no variant always runs first or last.
    const order = variants.map((_, j) => variants[(i + j) % variants.length]);
    for (const v of order) {
      const r = await startOnce(v.args, v.env);
      samples[v.key].init.push(r.init);
      samples[v.key].list.push(r.list);
      samples[v.key].rss.push(r.rss);
      samples[v.key].cpu.push(r.cpu);
      samples[v.key].tools = r.tools;
    }
  }
  const out = { imports: importTimes() };
  for (const v of variants) {
    out[v.key] = {
      label: v.label,
      init: summarize(samples[v.key].init),
      list: summarize(samples[v.key].list),
      rss: summarize(samples[v.key].rss),
      cpu: summarize(samples[v.key].cpu),
      tools: samples[v.key].tools,
      raw: samples[v.key].list,
    };
  }
  // Ratio per round (same round = same machine state), then its median and spread.
  const ratios = (key) => samples[key].list.map((t, i) => t / samples.reference.list[i]);
  out.ratio = summarize(ratios('ours'));
  if (samples.bundled) out.ratioBundled = summarize(ratios('bundled'));
  if (samples.cold) out.ratioCold = summarize(ratios('cold'));
  // CPU time (all threads, /proc ticks of 10 ms) to the same point: less moved by machine load.
  const cpuRatios = (key) => summarize(samples[key].cpu.map((t, i) => t / samples.reference.cpu[i]));
  if (samples.bundled) out.cpuRatioBundled = cpuRatios('bundled');
  if (samples.before) {
    out.ratioBefore = summarize(ratios('before'));
    out.cpuRatioBefore = cpuRatios('before');
  }
  return out;
}

/** Where start-up goes: the time to import each big dependency in a fresh node process (5 runs). */
function importTimes(runs = 5) {
  const modules = ['@anthropic-ai/sdk', '@modelcontextprotocol/sdk/server/mcp.js', 'zod'];
  const out = {};
  for (const m of modules) {
    const xs = [];
    for (let i = 0; i < runs; i++) {
      const code = `const t = performance.now(); await import(${JSON.stringify(m)}); process.stdout.write(String(performance.now() - t));`;
      xs.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' })));
    }
    out[m] = summarize(xs);
  }
  return out;
}
