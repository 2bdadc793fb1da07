// Shared helpers for `npm run bench`: statistics, the emulator, spawning the built server under a
// real MCP client (either generation: the v1 SDK's for the 2025 revisions, the v2 client's for MCP
// 2026-07-28), and reading a child's memory from /proc. Plain ESM, no build step.
import { readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { StdioClientTransport as ModernStdioClientTransport } from '@modelcontextprotocol/client/stdio';
import Anthropic from '@anthropic-ai/sdk';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const BUNDLE = fileURLToPath(new URL('../dist/managed-agents-mcp.mjs', import.meta.url));
export const REFERENCE = fileURLToPath(new URL('../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url));
/** A minimal MCP server on both SDKs (figures 2 and 4): the floor of a server made of these parts. */
export const FLOOR_MCP = fileURLToPath(new URL('./floor-mcp.mjs', import.meta.url));
export const API_KEY = 'bench-key';
export const MODEL = 'claude-sonnet-4-6';

// ---------------------------------------------------------------- statistics

export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** median, p10, p90, min, max and n of a sample. */
export function summarize(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), min: s[0], max: s.at(-1) };
}

export const fmt = (x, digits = 1) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- emulator, SDK, server

/** The emulator runs in the bench process, so its CPU is not counted inside the server's. */
export async function startEmu() {
  const { startEmulator } = await import('../dist/emulator/index.js');
  return startEmulator({ port: 0 });
}

/**
 * The emulator in a process of its own (the product's `emulator` subcommand), so that its event
 * loop does not share one with the bench's MCP client: with 50 concurrent turns, the two together
 * otherwise set the floor of what is measured.
 */
export async function startEmuProcess() {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BUNDLE, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (b) => resolve(String(b).split('\n')[0].trim()));
  });
  return {
    url,
    pid: child.pid,
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

export function sdkFor(emu) {
  return new Anthropic({ apiKey: API_KEY, baseURL: emu.url, maxRetries: 0 });
}

/** A clean environment for a server child: no key or base URL leaking in from the shell. */
export function childEnv(extra = {}) {
  const env = {};
  for (const k of ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'TMPDIR']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return { ...env, ...extra };
}

/** The revision Claude Code opens stdio connections with (docs/mcp-revisions.md). */
export const MODERN = '2026-07-28';

/** Spawns `node <cli> --base-url <emu.url> ...args` on a stdio transport of `Transport`'s kind and connects `client`. */
async function connectWith(Transport, client, emu, { cli = CLI, args = [] } = {}) {
  const transport = new Transport({
    command: process.execPath,
    args: [cli, '--base-url', emu.url, ...args],
    env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }),
    stderr: 'pipe',
  });
  let tail = '';
  transport.stderr?.on('data', (d) => {
    tail = (tail + d).slice(-4000);
  });
  await client.connect(transport);
  return {
    client,
    pid: transport.pid,
    stderrTail: () => tail,
    async close() {
      await client.close().catch(() => {});
    },
  };
}

/**
 * Spawns `node <cli> --base-url <emu.url> ...args` under the MCP SDK (v1) client over stdio and
 * connects with `initialize` (a 2025 revision). Returns { client, pid, close(), stderrTail() }.
 */
export function connectServer(emu, opts) {
  return connectWith(StdioClientTransport, new Client({ name: 'bench', version: '1.0.0' }), emu, opts);
}

/**
 * The same over MCP 2026-07-28, as Claude Code connects: the v2 client (`@modelcontextprotocol/client`)
 * negotiating the revision (`server/discover`, then a `_meta` envelope on every request, no
 * `initialize`). Throws, closing the child, when the server settles on any other revision, so a
 * 2025-only server can never be timed as if it were on this path.
 */
export async function connectModern(emu, opts) {
  const client = new ModernClient({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  const srv = await connectWith(ModernStdioClientTransport, client, emu, opts);
  const revision = client.getNegotiatedProtocolVersion();
  if (revision !== MODERN) {
    await srv.close();
    throw new Error(`${opts?.cli ?? CLI} negotiated MCP ${revision ?? 'nothing'} with the v2 client, not ${MODERN}`);
  }
  return srv;
}

const checked = (name, r) => {
  if (r.isError) throw new Error(`${name} failed: ${r.content?.[0]?.text}`);
  return r;
};

/** Calls a tool through the v1 client and throws on an error result (a benchmark must not time failures). */
export async function call(client, name, args, opts) {
  return checked(name, await client.callTool({ name, arguments: args }, undefined, { timeout: 600_000, ...opts }));
}

/** The same through the v2 client of `connectModern` (its `callTool` takes no result schema). */
export async function callModern(client, name, args, opts) {
  return checked(name, await client.callTool({ name, arguments: args }, { timeout: 600_000, ...opts }));
}

/** An agent and an environment to run sessions in, made directly through the SDK. */
export async function fixtures(sdk) {
  const agent = await sdk.beta.agents.create({ name: 'bench', model: MODEL });
  const env = await sdk.beta.environments.create({ name: 'bench-env' });
  return { agentId: agent.id, envId: env.id };
}

export async function newSession(sdk, fx) {
  const s = await sdk.beta.sessions.create({ agent: fx.agentId, environment_id: fx.envId });
  return s.id;
}

/** Sends a message directly and waits (on the event stream, no polling) for the turn's end_turn idle. */
export async function runDirectTurn(sdk, sessionId, text) {
  const stream = await sdk.beta.sessions.events.stream(sessionId);
  const sent = await sdk.beta.sessions.events.send(sessionId, {
    events: [{ type: 'user.message', content: [{ type: 'text', text }] }],
  });
  const echo = sent.data?.at(-1)?.id;
  let started = !echo;
  try {
    for await (const ev of stream) {
      if (ev.id === echo) started = true;
      if (started && ev.type === 'session.status_idle' && ev.stop_reason?.type !== 'requires_action') return ev;
      if (ev.type === 'session.status_terminated') throw new Error('terminated');
    }
  } finally {
    stream.controller.abort();
  }
  throw new Error('stream ended before idle');
}

// ---------------------------------------------------------------- memory

/** VmRSS and VmHWM (peak RSS) of a process, in MiB, from /proc/<pid>/status. */
export function memOf(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples VmRSS every `everyMs` while `fn` runs; returns fn's value, the sampled peak and VmHWM. */
export async function withRssSampling(pid, fn, everyMs = 5) {
  let peak = memOf(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memOf(pid).rss);
    } catch {}
  }, everyMs);
  try {
    const value = await fn();
    const m = memOf(pid);
    return { value, sampledPeak: Math.max(peak, m.rss), hwm: m.hwm };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------- machine

export function machine() {
  const cpus = os.cpus();
  let nproc = cpus.length;
  try {
    nproc = os.availableParallelism?.() ?? nproc;
  } catch {}
  let memTotal = '';
  if (existsSync('/proc/meminfo')) {
    const kb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]);
    if (kb) memTotal = `${(kb / 1024 / 1024).toFixed(1)} GiB`;
  }
  return {
    nproc,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memTotal,
  };
}

const CLK_TCK = 100; // Linux's USER_HZ for /proc/<pid>/stat

/** CPU time (user + system) a process has used so far, in ms (clock-tick resolution, usually 10 ms). */
export function cpuMsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the ")" the fields start at "state" (field 3): utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}
