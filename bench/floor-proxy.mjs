// The floor of any stdio proxy on this machine, for figure 2: a child that reads one JSON line
// `{id, path}` from stdin, makes the GET with Node's own fetch (no SDK, no MCP, no validation),
// and writes `{id, body}` back as one line. What it adds over a direct SDK call is the price of the
// extra process and its two extra pipe hops, which no MCP server can avoid.
//
// Run as a child: `node bench/floor-proxy.mjs <base-url> <api-key>`; `floorClient(child)` drives it.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [base, key] = process.argv.slice(2);
  const headers = { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'managed-agents-2026-04-01' };
  createInterface({ input: process.stdin }).on('line', async (line) => {
    const { id, path } = JSON.parse(line);
    const res = await fetch(`${base}${path}`, { headers });
    const body = await res.json();
    process.stdout.write(`${JSON.stringify({ id, body })}\n`);
  });
}

/** Starts the floor proxy; `get(path)` resolves with the response body. */
export function startFloorProxy(base, key) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), base, key], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pending = new Map();
  let next = 0;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const { id, body } = JSON.parse(line);
    pending.get(id)?.(body);
    pending.delete(id);
  });
  return {
    get: (path) =>
      new Promise((resolve) => {
        const id = next++;
        pending.set(id, resolve);
        child.stdin.write(`${JSON.stringify({ id, path })}\n`);
      }),
    close: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.stdin.end();
      child.kill('SIGTERM');
    }),
  };
}
