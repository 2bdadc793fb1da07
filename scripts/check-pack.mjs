// CI: the package as a user gets it. Removes dist/ so that `npm pack` must build it (`prepack`),
// installs the tarball into an empty directory without the registry (it has no runtime
// dependencies), lists the installed bin's tools through the MCP Inspector CLI with --emulator,
// and imports the `managed-agents-mcp/emulator` entry from a plain ESM script.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, installTarball, packTarball } from './pack.mjs';

const fail = (msg) => {
  console.error(`check-pack: ${msg}`);
  process.exit(1);
};

rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
const packed = packTarball(mkdtempSync(path.join(os.tmpdir(), 'mam-pack-')), { build: true });
for (const f of ['dist/managed-agents-mcp.mjs', 'dist/managed-agents-mcp.cjs', 'dist/emulator.mjs', 'dist/emulator.d.ts', 'LICENSE', 'server.json']) {
  if (!packed.files.includes(f)) fail(`${f} is missing from the tarball`);
}
console.log(`packed ${path.basename(packed.tarball)}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} KiB`);

const dir = installTarball(packed.tarball);
const manifest = JSON.parse(readFileSync(path.join(dir, 'node_modules/managed-agents-mcp/package.json'), 'utf8'));
if (manifest.dependencies) fail(`the package has runtime dependencies: ${Object.keys(manifest.dependencies)}`);
const bin = path.join(dir, 'node_modules/.bin/managed-agents-mcp');

const list = JSON.parse(
  execFileSync('npx', ['--no-install', 'mcp-inspector', '--cli', bin, '--emulator', '--method', 'tools/list'], { cwd: ROOT, encoding: 'utf8' }),
);
const names = list.tools.map((t) => t.name);
for (const n of ['create_agent', 'start_session', 'send_message', 'session_usage']) if (!names.includes(n)) fail(`tool ${n} missing`);
console.log(`installed bin, tools/list through the MCP Inspector CLI: ${names.length} tools`);

const url = execFileSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    "const { startEmulator } = await import('managed-agents-mcp/emulator'); const e = await startEmulator(); console.log(e.url); await e.close();",
  ],
  { cwd: dir, encoding: 'utf8' },
).trim();
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(url)) fail(`the emulator entry printed '${url}'`);
console.log(`import 'managed-agents-mcp/emulator' from the installed package: started at ${url}`);
rmSync(dir, { recursive: true, force: true });
