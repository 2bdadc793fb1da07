// Instructions per tool call, counted by valgrind (callgrind) in the server process: a measure that
// the load of a shared machine does not move, unlike wall or even CPU time. For each bin: start
// the server under callgrind with instrumentation off, warm it up, switch instrumentation on for
// `calls` calls, and read the instruction count (Ir) of that stretch only.
//
//   node bench/instructions.mjs [--calls 100] [--tool get_session|ping] BIN...
//
// Needs valgrind. Slow (the server runs some 50× slower under it); not part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { API_KEY, childEnv, fixtures, fmt, newSession, sdkFor, startEmu } from './lib.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { calls: { type: 'string', default: '100' }, tool: { type: 'string', default: 'get_session' } },
});
const calls = Number(values.calls);
const emu = await startEmu();
const sdk = sdkFor(emu);
const sessionId = await newSession(sdk, await fixtures(sdk));
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
    const one =
      values.tool === 'ping'
        ? () => client.ping({ timeout: 600_000 })
        : async () => {
            const r = await client.callTool({ name: values.tool, arguments: { session_id: sessionId } }, undefined, { timeout: 600_000 });
            if (r.isError) throw new Error(r.content[0].text);
          };
    for (let i = 0; i < 30; i++) await one();
    const ctl = (...a) => execFileSync('callgrind_control', [...a, String(transport.pid)], { stdio: 'ignore' });
    ctl('-z');
    ctl('-i', 'on');
    for (let i = 0; i < calls; i++) await one();
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
