// Where a tool call's time goes inside the server: runs the server under `node --cpu-prof`, makes
// `calls` get_session calls over stdio (after a warm-up), and summarises the CPU profile by self
// time per package/file and per function. Also prints the server's CPU time per call (from
// /proc/<pid>/stat, the whole measured loop divided by the call count), which machine load barely
// moves, unlike wall time.
//
//   node bench/profile.mjs [--bin dist/cli.js] [--calls 2000] [--top 30] [--tool get_session]
//                          [--concurrent N]
//
// `--concurrent N` makes the calls N at a time, each on a session of its own (`send_message`
// turns then overlap as in figure 4 of `npm run bench`).
//
// The default bin is an unminified bundle built on the fly (in a temporary directory), so function
// names in the profile are readable; `--bin dist/managed-agents-mcp.mjs` profiles the shipped one.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { API_KEY, childEnv, cpuMsOf, fixtures, newSession, sdkFor, startEmu } from './lib.mjs';

const { values } = parseArgs({
  options: {
    bin: { type: 'string' },
    calls: { type: 'string', default: '2000' },
    top: { type: 'string', default: '30' },
    tool: { type: 'string', default: 'get_session' },
    // Only the CPU time per call, without the profiler's own cost.
    'no-prof': { type: 'boolean', default: false },
    keep: { type: 'string' },
    concurrent: { type: 'string', default: '1' },
  },
});
const calls = Number(values.calls);
const concurrent = Math.max(1, Number(values.concurrent));
const moduleLines = new Map();
const top = Number(values.top);

let bin = values.bin;
if (!bin) {
  const { build } = await import('esbuild');
  bin = join(mkdtempSync(join(tmpdir(), 'mam-prof-bin-')), 'profile-bundle.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('../dist/cli.js', import.meta.url))],
    outfile: bin,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
  });
}

const emu = await startEmu();
const sdk = sdkFor(emu);
const dir = mkdtempSync(join(tmpdir(), 'mam-prof-'));
try {
  const fx = await fixtures(sdk);
  const sessionIds = [];
  for (let i = 0; i < concurrent; i++) sessionIds.push(await newSession(sdk, fx));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [...(values['no-prof'] ? [] : ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100']), bin, '--base-url', emu.url],
    env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }),
    stderr: 'ignore',
  });
  const client = new Client({ name: 'profile', version: '1.0.0' });
  await client.connect(transport);
  // get_session and send_message (a one-reply turn) on the bench's session; any other tool takes
  // its arguments as JSON after its name: --tool 'list_agents {"limit": 5}'.
  const argsFor = (sessionId) =>
    values.tool === 'get_session'
      ? { session_id: sessionId }
      : values.tool === 'send_message'
        ? { session_id: sessionId, text: '/reply ok' }
        : JSON.parse(values.tool.split(' ').slice(1).join(' ') || '{}');
  const name = values.tool.split(' ')[0];
  const one = async () => {
    const rs = await Promise.all(sessionIds.map((id) => client.callTool({ name, arguments: argsFor(id) })));
    for (const r of rs) if (r.isError) throw new Error(r.content[0].text);
  };
  const rounds = Math.ceil(calls / concurrent);
  for (let i = 0; i < Math.ceil(200 / concurrent); i++) await one();
  const cpu0 = cpuMsOf(transport.pid);
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) await one();
  const wall = performance.now() - t0;
  const cpu = cpuMsOf(transport.pid) - cpu0;
  const made = rounds * concurrent;
  // Ping alone: the protocol's own share.
  const p0 = cpuMsOf(transport.pid);
  const tp = performance.now();
  for (let i = 0; i < calls; i++) await client.ping();
  const pingWall = performance.now() - tp;
  const pingCpu = cpuMsOf(transport.pid) - p0;
  await client.close();
  await new Promise((r) => setTimeout(r, 300));
  process.stdout.write(
    `${name} × ${made}${concurrent > 1 ? ` (${concurrent} at a time)` : ''}: server CPU ${(cpu / made).toFixed(3)} ms/call, wall ${(wall / made).toFixed(3)} ms/call\n`,
  );
  process.stdout.write(`ping × ${calls}: server CPU ${(pingCpu / calls).toFixed(3)} ms/call, wall ${(pingWall / calls).toFixed(3)} ms/call\n`);

  if (!values['no-prof']) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    if (values.keep) copyFileSync(join(dir, file), values.keep);
    summarise(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await emu.close();
}

/** Self time by "file" (node internals, a package, or our src/ module) and by function. */
function summarise(profile) {
  const { nodes, samples, timeDeltas } = profile;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFile = new Map();
  const byFn = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const where = placeOf(n.callFrame);
    const fn = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
    byFile.set(where, (byFile.get(where) ?? 0) + us);
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
  }
  const idle = self.size ? [...byFn].filter(([k]) => k.startsWith('(idle)')).reduce((a, [, v]) => a + v, 0) : 0;
  const busy = total - idle;
  const show = (title, m) => {
    process.stdout.write(`\n${title} (self time, % of the ${(busy / 1000).toFixed(0)} ms not idle)\n`);
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${(us / 1000).toFixed(1).padStart(8)} ms ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${k}\n`);
    }
  };
  const byGroup = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const g = groupOf(n.callFrame.functionName, placeOf(n.callFrame));
    if (g) byGroup.set(g, (byGroup.get(g) ?? 0) + us);
  }
  show('by group', byGroup);
  show('by file', byFile);
  show('by function', byFn);

  // Inclusive: each sample counts once for every distinct function on its stack.
  const parent = new Map();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      const where = placeOf(n.callFrame);
      if (where.startsWith('(') || where.startsWith('node:')) continue;
      const fn = `${n.callFrame.functionName || '(anonymous)'} ${where}:${n.callFrame.lineNumber + 1}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      incl.set(fn, (incl.get(fn) ?? 0) + us);
    }
  }
  show('by function, inclusive (package and src frames only)', incl);
}

/** Coarse groups of self time: who is paying for what. */
function groupOf(fn, where) {
  if (fn === '(idle)') return undefined;
  if (/^write(Latin1|Utf8)String$|^writev?Buffer$/.test(fn)) return 'socket and pipe writes (the write system calls)';
  if (where.includes('undici') || where.startsWith('wasm')) return "undici (Node's fetch, its HTTP parser)";
  if (where === '@anthropic-ai/sdk' || where === '@opentelemetry/api') return 'Anthropic SDK (request building, response parsing, tracing)';
  if (where === 'zod') return 'zod (MCP message and tool input/output validation)';
  if (where === '@modelcontextprotocol/sdk') return 'MCP SDK (transport, dispatch)';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (/abort_controller|event_target|js_transferable/.test(where)) return 'AbortSignal / EventTarget';
  if (/async_hooks/.test(where)) return 'async hooks (AsyncLocalStorage)';
  if (/streams|stream_base|node:net|node:events|node:buffer|encoding/.test(where)) return 'Node streams, sockets, buffers';
  if (/^(dist|src)\//.test(where)) return 'this server (dist/)';
  if (where.startsWith('node:')) return 'other Node internals (timers, microtasks, URL, modules)';
  return 'other (V8 native, program)';
}

/**
 * In the unminified bundle every module sits in one file: esbuild's `// path` comments are lost in
 * the profile, so functions are attributed by line to the module the bundle placed there.
 */
function placeOf(frame) {
  const url = frame.url;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.endsWith('profile-bundle.mjs')) return moduleAt(path, frame.lineNumber);
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0)
    return path
      .slice(nm + 13)
      .split('/')
      .slice(0, path.slice(nm + 13).startsWith('@') ? 2 : 1)
      .join('/');
  return path.replace(/^.*\/(dist|src)\//, '$1/');
}

function moduleAt(path, line) {
  let marks = moduleLines.get(path);
  if (!marks) {
    marks = [];
    readFileSync(path, 'utf8')
      .split('\n')
      .forEach((l, i) => {
        const m = /^\/\/ (.+\.(?:m?js|cjs|ts))$/.exec(l);
        if (m) marks.push([i, m[1].replace(/^node_modules\/(@[^/]+\/[^/]+|[^/]+)\/.*$/, '$1')]);
      });
    moduleLines.set(path, marks);
  }
  let lo = 0;
  let hi = marks.length - 1;
  let found = '(bundle)';
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid][0] <= line) {
      found = marks[mid][1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
