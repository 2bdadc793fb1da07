// Cold install-and-start of the npm package, as a first-time `npx` user sees it: a fresh, empty
// npm cache per run, then (1) `npx --yes --package=<tarball> managed-agents-mcp --version` and
// (2) the same command with --emulator under an MCP client, spawn → tools/list answered.
// Not part of `npm run bench` (it depends on the network when the package has dependencies).
//
//   node bench/install.mjs [--runs N] [TARBALL...]    (default: `npm pack` of the current dist/)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { packTarball } from '../scripts/pack.mjs';
import { fmt, summarize } from './lib.mjs';

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '3' } }, allowPositionals: true });
const runs = Number(values.runs);
const tmp = (p) => mkdtempSync(path.join(os.tmpdir(), p));
const tarballs = positionals.length ? positionals.map((t) => path.resolve(t)) : [packTarball(tmp('mam-bench-pack-')).tarball];

/** One cold run: a new cache and a new working directory, so nothing is reused. */
async function cold(tarball, fn) {
  const cache = tmp('mam-bench-cache-');
  const cwd = tmp('mam-bench-cwd-');
  const env = { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' };
  try {
    const t0 = performance.now();
    await fn({ cwd, env, args: ['--yes', `--package=${tarball}`, 'managed-agents-mcp'] });
    return performance.now() - t0;
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

for (const tarball of tarballs) {
  const version = [];
  const list = [];
  for (let i = 0; i < runs; i++) {
    version.push(await cold(tarball, ({ cwd, env, args }) => execFileSync('npx', [...args, '--version'], { cwd, env, stdio: 'ignore' })));
    list.push(
      await cold(tarball, async ({ cwd, env, args }) => {
        const client = new Client({ name: 'bench-install', version: '1.0.0' });
        await client.connect(new StdioClientTransport({ command: 'npx', args: [...args, '--emulator'], cwd, env, stderr: 'ignore' }));
        await client.listTools();
        await client.close();
      }),
    );
  }
  const row = (what, xs) => {
    const s = summarize(xs);
    return `${what}: median ${fmt(s.median / 1000, 2)} s (min ${fmt(s.min / 1000, 2)}, max ${fmt(s.max / 1000, 2)}, ${s.n} runs)`;
  };
  console.log(`${path.basename(tarball)} (${tarball})`);
  console.log(`  ${row('cold npx --version', version)}`);
  console.log(`  ${row('cold npx --emulator, spawn → tools/list', list)}`);
}
