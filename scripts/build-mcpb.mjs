// `npm run bundle:mcpb`: the .mcpb bundle (a zip of manifest.json and the server) for one-click
// install in Claude Desktop and other MCP Bundle hosts, built with Anthropic's own `mcpb` CLI.
// The server is the self-contained bin (dist/managed-agents-mcp.mjs and the server bundle it runs,
// dist/managed-agents-mcp.cjs), so the bundle needs no node_modules. mcpb/manifest.json is the
// manifest; its version must match package.json.
//
//   node scripts/build-mcpb.mjs [OUT]    (default dist/managed-agents-mcp-<version>.mcpb)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'dist/managed-agents-mcp.mjs');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'mcpb/manifest.json'), 'utf8'));

export function buildMcpb(out = path.join(ROOT, `dist/managed-agents-mcp-${pkg.version}.mcpb`)) {
  if (manifest.version !== pkg.version) throw new Error(`mcpb/manifest.json version ${manifest.version} ≠ package.json ${pkg.version}`);
  if (!existsSync(BIN)) throw new Error('dist/managed-agents-mcp.mjs is missing: run `npm run build` first');
  const stage = mkdtempSync(path.join(os.tmpdir(), 'mam-mcpb-'));
  try {
    mkdirSync(path.join(stage, 'server'));
    copyFileSync(BIN, path.join(stage, 'server/managed-agents-mcp.mjs'));
    // The bin is a loader; the server it runs sits beside it (scripts/bundle.mjs).
    copyFileSync(path.join(ROOT, 'dist/managed-agents-mcp.cjs'), path.join(stage, 'server/managed-agents-mcp.cjs'));
    // The bin loads the emulator (`--emulator`) from its own bundle beside it (scripts/bundle.mjs).
    copyFileSync(path.join(ROOT, 'dist/emulator.mjs'), path.join(stage, 'server/emulator.mjs'));
    for (const f of ['LICENSE', 'README.md']) copyFileSync(path.join(ROOT, f), path.join(stage, f));
    writeFileSync(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2));
    const mcpb = (...args) => execFileSync('npx', ['--no-install', 'mcpb', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    mcpb('validate', path.join(stage, 'manifest.json'));
    mcpb('pack', stage, path.resolve(out));
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  return path.resolve(out);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = buildMcpb(process.argv[2]);
  process.stderr.write(`built ${path.relative(process.cwd(), file)}\n`);
}
