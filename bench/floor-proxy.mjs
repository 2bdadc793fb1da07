// The floors of a stdio proxy on this machine, for figure 2: a child that reads one JSON line
// `{id, session}` from stdin, fetches the session and writes `{id, body}` back as one line,
// with no MCP and no checks. Two modes:
// - `fetch`: the GET made with Node's own fetch. What it adds over a direct SDK call is the price
//   of the extra process and its two pipe hops, which no stdio server can avoid;
// - `sdk`: `sessions.retrieve` made with the Anthropic SDK, as this server must make it. What it
//   adds is the least any stdio server built on the SDK adds.
//
// Run as a child: `node bench/floor-proxy.mjs <base-url> <api-key> [fetch|sdk]`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [base, key, mode = 'fetch'] = process.argv.slice(2);
  const headers = { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'managed-agents-2026-04-01' };
  const { default: Anthropic } = mode === 'sdk' ? await import('@anthropic-ai/sdk') : {};
  const sdk = Anthropic && new Anthropic({ apiKey: key, baseURL: base, maxRetries: 0 });
  createInterface({ input: process.stdin }).on('line', async (line) => {
    const { id, session } = JSON.parse(line);
    const body = sdk ? await sdk.beta.sessions.retrieve(session) : await (await fetch(`${base}/v1/sessions/${session}?beta=true`, { headers })).json();
    process.stdout.write(`${JSON.stringify({ id, body })}\n`);
  });
}

/** Starts a floor proxy; `get(session)` resolves with the session. */
export function startFloorProxy(base, key, mode = 'fetch') {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), base, key, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map();
  let next = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const { id, body } = JSON.parse(line);
    pending.get(id)?.(body);
    pending.delete(id);
  });
  return {
    get: (session) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ id, session })}\n`);
      }),
    close: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.stdin.end();
        child.kill('SIGTERM');
      }),
  };
}
