// The hostile-upstream cases, run against the built bin as a separate process (so its peak RSS is
// its own), over stdio with the MCP SDK client. Shared by test/reliability/hostile.test.ts, which
// asserts the bounds, and bench/hostile.mjs, which prints the figures.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { SESSION_ID, startHostileUpstream } from './hostile-upstream.mjs';

export const BIN = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));

const waitFor = (timeout_s) => ({ tool: 'wait_for_turn', args: { session_id: SESSION_ID, timeout_s } });
const after = { tool: 'list_events', args: { session_id: SESSION_ID, after_event_id: 'sevt_missing01' } };
const start = { tool: 'start_session', args: { agent_id: 'agent_hostile01' } };

/**
 * Each case: an upstream mode, the call made, and the timeout that bounds it (seconds). `digest`:
 * the call ends with a timed-out digest rather than an error.
 */
export const CASES = [
  ...['list-self-cursor', 'list-fresh-empty', 'list-fresh-one'].flatMap((mode) => [
    { mode, ...waitFor(3), timeoutS: 3 },
    { mode, ...after, timeoutS: 0 },
    { mode, ...start, timeoutS: 0 },
  ]),
  { mode: 'list-50mb', tool: 'list_events', args: { session_id: SESSION_ID, limit: 200 }, timeoutS: 0 },
  { mode: 'stream-close', ...waitFor(5), timeoutS: 5 },
  { mode: 'stream-malformed', ...waitFor(5), timeoutS: 5 },
  // Each reopen brings a new event, so no backoff: the per-turn cap ends it (time to spare for it).
  { mode: 'stream-one-then-close', ...waitFor(15), timeoutS: 15 },
  { mode: 'stream-300mb-line', ...waitFor(5), timeoutS: 5 },
  { mode: 'stream-50mb-event', ...waitFor(5), timeoutS: 5 },
  // A 200 that is not an event stream and never ends reads as a quiet stream: the call's own
  // deadline ends it (the body's 60 s bound is shown in test/api/limits.test.ts).
  { mode: 'stream-trickle-json', ...waitFor(5), timeoutS: 5, digest: true },
];

export const label = (c) =>
  `${c.tool}${c.args.timeout_s ? ` {timeout_s: ${c.args.timeout_s}}` : c.args.after_event_id ? ' {after_event_id}' : c.tool === 'start_session' ? ' without environment' : ''} vs ${c.mode}`;

/** Peak RSS (VmHWM) of a live process, in MiB. */
export function peakRssMiB(pid) {
  const kb = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

/**
 * Runs one case on a fresh upstream and a fresh server: the call, then `get_session` to show the
 * server still answers. Returns the figures; never throws for a tool error (that is the point).
 */
export async function runCase(c, { bin = BIN } = {}) {
  const up = await startHostileUpstream(c.mode);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      MANAGED_AGENTS_BASE_URL: up.url,
      MANAGED_AGENTS_API_KEY: 'sk-ant-hostile-dummy-key-0000',
    },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => {
    stderr += d;
  });
  const client = new Client({ name: 'hostile', version: '0.0.0' });
  try {
    await client.connect(transport);
    const pid = transport.pid;
    const linesBefore = stderr.split('\n').length;
    const t0 = performance.now();
    const r = await client.callTool({ name: c.tool, arguments: c.args }, undefined, { timeout: 120_000 });
    const ms = performance.now() - t0;
    const stderrLines = stderr.split('\n').length - linesBefore;
    const requests = up.counts.requests;
    const streamOpens = up.counts.streamOpens;
    const rss = peakRssMiB(pid);
    const next = await client.callTool({ name: 'get_session', arguments: { session_id: SESSION_ID } }, undefined, { timeout: 30_000 });
    return {
      ...c,
      label: label(c),
      ms,
      isError: !!r.isError,
      text: String(r.content?.[0]?.text ?? ''),
      requests,
      lists: up.counts.lists,
      streamOpens,
      reopens: Math.max(0, streamOpens - 1),
      bytesSent: up.counts.bytesSent,
      malformedFrames: up.counts.malformedFrames,
      byRoute: { ...up.counts.byRoute },
      peakRssMiB: rss,
      stderrLines,
      nextOk: !next.isError && next.structuredContent?.session_id === SESSION_ID,
      stderrTail: stderr.slice(-2000),
    };
  } finally {
    await client.close().catch(() => {});
    await up.close();
  }
}
