// Instructions per tool call, counted by valgrind (callgrind) in the server process: a measure that
// the load of a shared machine does not move, unlike wall or even CPU time. For each bin: start
// the server under callgrind with instrumentation off, warm it up, switch instrumentation on for
// `calls` calls, and read the instruction count (Ir) of that stretch only.
//
//   node bench/instructions.mjs [--calls 100] [--tool get_session|send_message|ping] [--concurrent N] BIN...
//
// `send_message` makes one-reply turns (`/reply ok`), `--concurrent N` of them at a time, each on a
// session of its own, as in figure 4 of `npm run bench`; the count is then per turn.
//
// Needs valgrind. Slow (the server runs some 50× slower under it); not part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { API_KEY, childEnv, fixtures, fmt, newSession, sdkFor, startEmu } from './lib.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    calls: { type: 'string', default: '100' },
    tool: { type: 'string', default: 'get_session' },
    concurrent: { type: 'string', default: '1' },
  },
});
const concurrent = Math.max(1, Number(values.concurrent));
const calls = Math.ceil(Number(values.calls) / concurrent) * concurrent;
// Under valgrind a server is some 50× slower, so a pooled connection can sit idle past the
// emulator's keep-alive time (Node's default, 5 s) and be closed as it is reused: a server that does
// not retry (bench/floor-mcp.mjs) then fails the call. The emulator keeps idle connections longer.
const createServer = http.createServer;
http.createServer = (...a) => Object.assign(createServer(...a), { keepAliveTimeout: 600_000 });
syncBuiltinESMExports();
const emu = await startEmu();
const sdk = sdkFor(emu);
const fx = await fixtures(sdk);
const sessionIds = [];
for (let i = 0; i < concurrent; i++) sessionIds.push(await newSession(sdk, fx));
try {
  for (const bin of positionals) {
    const dir = mkdtempSync(join(tmpdir(), 'mam-cg-'));
    const transport = new StdioClientTransport({
      command: 'valgrind',
      args: ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${dir}/cg.%p`, process.execPath, bin, '--base-url', emu.url],
      env: childEnv({ MANAGED_AGENTS_API_KEY: API_KEY }),
      stderr: 'ignore',
    });
    const client = new Client({ name: 'instructions', version: '1.0.0' });
    await client.connect(transport, { timeout: 600_000 });
    const args = (id) => (values.tool === 'send_message' ? { session_id: id, text: '/reply ok' } : { session_id: id });
    const callOne = async (id) => {
      const r = await client.callTool({ name: values.tool, arguments: args(id) }, undefined, { timeout: 600_000 });
      if (r.isError) throw new Error(r.content[0].text);
    };
    // `concurrent` calls at once, on a session each.
    const one = values.tool === 'ping' ? () => client.ping({ timeout: 600_000 }) : () => Promise.all(sessionIds.map(callOne));
    // Warm-up: 30 calls, and at least 3 rounds of concurrent ones (the JIT and the connection pool).
    for (let i = 0; i < Math.max(concurrent > 1 ? 3 : 1, Math.ceil(30 / concurrent)); i++) await one();
    const ctl = (...a) => execFileSync('callgrind_control', [...a, String(transport.pid)], { stdio: 'ignore' });
    ctl('-z');
    ctl('-i', 'on');
    for (let i = 0; i < calls / concurrent; i++) await one();
    ctl('-i', 'off');
    ctl('-d');
    await client.close();
    let ir = 0;
    for (const f of readdirSync(dir)) {
      const m = /^totals: (\d+)/m.exec(readFileSync(join(dir, f), 'utf8'));
      if (m) ir += Number(m[1]);
    }
    if (process.env.KEEP_CG) process.stderr.write(`kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${fmt(ir / calls / 1e6, 3)} M instructions per ${values.tool}  ${bin}\n`);
  }
} finally {
  await emu.close();
}
