/**
 * The npm package as a user installs it: `npm pack` of the built dist/, installed offline into an
 * empty project (it has no runtime dependencies), then its bin is run and its emulator entry is
 * imported and typechecked from the outside. `.ci/run` also packs from scratch with `prepack`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, installTarball, packTarball, type Packed } from '../../scripts/pack.mjs';

let packed: Packed;
let dir: string;
const work = mkdtempSync(path.join(os.tmpdir(), 'mam-pack-test-'));

beforeAll(() => {
  packed = packTarball(work);
  dir = installTarball(packed.tarball);
}, 120_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('npm package', { timeout: 120_000 }, () => {
  it('ships the bundled bin, the emulator entry with its types, LICENSE and server.json, and nothing to install', () => {
    for (const f of [
      'dist/managed-agents-mcp.mjs',
      'dist/managed-agents-mcp.cjs',
      'dist/emulator.mjs',
      'dist/emulator.d.ts',
      'LICENSE',
      'README.md',
      'server.json',
    ]) {
      expect(packed.files).toContain(f);
    }
    // What --help, the start-up lines and the README point at is in the package too.
    const docs = [
      ...readFileSync(path.join(ROOT, 'README.md'), 'utf8')
        .replace(/<!--[\s\S]*?-->/g, '')
        .matchAll(/\]\((docs\/[\w-]+\.md)/g),
    ].map((m) => m[1]!);
    expect(docs.length).toBeGreaterThan(5);
    for (const f of new Set(docs)) expect(packed.files).toContain(f);
    for (const m of readFileSync(path.join(ROOT, 'src/config.ts'), 'utf8').matchAll(/docs\/[\w-]+\.md/g)) expect(packed.files).toContain(m[0]);
    // Unbundled tsc output would need the runtime dependencies the package no longer declares.
    expect(packed.files.filter((f) => f.endsWith('.js'))).toEqual([]);
    const installed = JSON.parse(readFileSync(path.join(dir, 'node_modules/managed-agents-mcp/package.json'), 'utf8'));
    expect(installed.dependencies).toBeUndefined();
    expect(installed.license).toBe('MIT');
    expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 managed-agents-mcp contributors\n/);
  });

  it('the installed bin serves MCP over stdio with --emulator', async () => {
    const client = new Client({ name: 'pack-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: path.join(dir, 'node_modules/.bin/managed-agents-mcp'), args: ['--emulator'], stderr: 'ignore' }));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_agent', 'start_session', 'send_message', 'session_usage']));
      const r = await client.callTool({ name: 'create_agent', arguments: { name: 'from-tarball', model: 'claude-sonnet-4-6' } });
      expect(r.isError).toBeFalsy();
      expect((r.structuredContent as { agent_id: string }).agent_id).toMatch(/^agent_/);
    } finally {
      await client.close();
    }
  });

  it("`import { startEmulator } from 'managed-agents-mcp/emulator'` works from a plain ESM script", async () => {
    writeFileSync(
      path.join(dir, 'start.mjs'),
      "import { startEmulator } from 'managed-agents-mcp/emulator';\n" +
        'const emu = await startEmulator({ port: 0 });\n' +
        'console.log(emu.url);\n' +
        "process.stdin.on('end', () => emu.close()).resume();\n",
    );
    const child = spawn(process.execPath, ['start.mjs'], { cwd: dir, stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code) => reject(new Error(`start.mjs exited with ${code}`)));
        child.stdout.once('data', (b) => resolve(String(b).trim()));
      });
      const sdk = new Anthropic({ apiKey: 'sk-ant-pack-test', baseURL: url, maxRetries: 0 });
      const agent = await sdk.beta.agents.create({ name: 'via-entry', model: 'claude-sonnet-4-6' });
      expect(agent.id).toMatch(/^agent_/);
      expect((await sdk.beta.agents.retrieve(agent.id)).name).toBe('via-entry');
    } finally {
      child.stdin.end();
      child.kill();
    }
  });

  it('a strict TypeScript project compiles against the entry without skipLibCheck, with neither zod nor the SDK installed', () => {
    // One self-contained declaration file (api-extractor.json rolls it up): nothing for the
    // consumer's compiler to resolve beyond it, so a project without zod or @anthropic-ai/sdk
    // compiles, and skipLibCheck is not needed to hide its errors.
    const dts = readFileSync(path.join(dir, 'node_modules/managed-agents-mcp/dist/emulator.d.ts'), 'utf8');
    expect(dts).not.toMatch(/^\s*(import|export .* from)\b/m);
    expect(packed.files.filter((f) => f.endsWith('.d.ts'))).toEqual(['dist/emulator.d.ts']);
    mkdirSync(path.join(dir, 'node_modules/@types'), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules/@types/node'), path.join(dir, 'node_modules/@types/node'), 'dir');
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        files: ['use.ts'],
      }),
    );
    writeFileSync(
      path.join(dir, 'use.ts'),
      [
        "import { startEmulator, MANAGED_BETA, type EmulatorHandle, type EmulatorOptions, type FaultRule } from 'managed-agents-mcp/emulator';",
        'const opts: EmulatorOptions = { port: 0, stepDelayMs: 5 };',
        'const emu: EmulatorHandle = await startEmulator(opts);',
        'const url: string = emu.url;',
        'const beta: string = MANAGED_BETA;',
        "const rule: FaultRule = { status: 529, times: 1, match: { path: '/v1/agents' } };",
        '// @ts-expect-error the port is a number (fails if the entry were typed `any`)',
        "void startEmulator({ port: '4010' });",
        '// @ts-expect-error status is a number (fails if the rule were typed `any`)',
        "const bad: FaultRule = { status: '529' };",
        'console.log(url, beta, rule, bad);',
        'await emu.close();',
        'export {};',
      ].join('\n'),
    );
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
