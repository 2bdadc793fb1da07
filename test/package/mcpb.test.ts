/**
 * The .mcpb bundle (scripts/build-mcpb.mjs): built with Anthropic's `mcpb` CLI, unpacked and
 * configured with the same library code MCP Bundle hosts use (@anthropic-ai/mcpb), then its server
 * is started over stdio exactly as the resolved mcp_config says, plus the emulator switch.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getMcpConfigForManifest, unpackExtension, validateManifest } from '@anthropic-ai/mcpb';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/pack.mjs';

const work = mkdtempSync(path.join(os.tmpdir(), 'mam-mcpb-test-'));
const unpacked = path.join(work, 'unpacked');
let manifest: any;

beforeAll(async () => {
  const bundle = path.join(work, 'managed-agents-mcp.mcpb');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-mcpb.mjs'), bundle], { stdio: ['ignore', 'ignore', 'inherit'] });
  expect(await unpackExtension({ mcpbPath: bundle, outputDir: unpacked, silent: true })).toBe(true);
  manifest = JSON.parse(readFileSync(path.join(unpacked, 'manifest.json'), 'utf8'));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Starts the bundle's server as a host would, with `userConfig` as the user's settings. */
async function listBundleTools(userConfig: Record<string, string | boolean>) {
  const cfg = await getMcpConfigForManifest({ manifest, extensionPath: unpacked, systemDirs: {}, userConfig, pathSeparator: path.sep });
  if (!cfg) throw new Error('the host would not start the server (required settings missing)');
  expect(cfg.command).toBe('node');
  const client = new Client({ name: 'mcpb-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: cfg.args ?? [],
      // The user's key is passed through; MANAGED_AGENTS_EMULATOR keeps the test off the real API.
      env: { PATH: process.env.PATH ?? '', ...cfg.env, MANAGED_AGENTS_EMULATOR: '1' },
      stderr: 'ignore',
    }),
  );
  try {
    return { env: cfg.env ?? {}, tools: (await client.listTools()).tools };
  } finally {
    await client.close();
  }
}

describe('.mcpb bundle', { timeout: 120_000 }, () => {
  it('holds a manifest that mcpb validates, and the server', () => {
    expect(validateManifest(path.join(unpacked, 'manifest.json'))).toBe(true);
    expect(manifest.version).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    expect(readFileSync(path.join(unpacked, manifest.server.entry_point), 'utf8')).toBe(readFileSync(path.join(ROOT, 'dist/managed-agents-mcp.mjs'), 'utf8'));
    // The bin is a loader: the server bundle it runs sits beside it.
    expect(readFileSync(path.join(unpacked, path.dirname(manifest.server.entry_point), 'managed-agents-mcp.cjs'), 'utf8')).toBe(
      readFileSync(path.join(ROOT, 'dist/managed-agents-mcp.cjs'), 'utf8'),
    );
  });

  it('asks for the API key as a required, sensitive setting, and toolsets and read-only mode as settings', () => {
    expect(manifest.user_config.api_key).toMatchObject({ type: 'string', sensitive: true, required: true });
    expect(manifest.user_config.toolsets).toMatchObject({ type: 'string', default: 'core' });
    expect(manifest.user_config.read_only).toMatchObject({ type: 'boolean', default: false });
  });

  it('a host without the key does not start it', async () => {
    await expect(listBundleTools({})).rejects.toThrow(/required settings missing/);
  });

  it('starts with the defaults: the core tools, the key passed as MANAGED_AGENTS_API_KEY', async () => {
    const { env, tools } = await listBundleTools({ api_key: 'sk-ant-mcpb-test-key' });
    expect(env).toEqual({ MANAGED_AGENTS_API_KEY: 'sk-ant-mcpb-test-key', MANAGED_AGENTS_TOOLSETS: 'core', MANAGED_AGENTS_READ_ONLY: 'false' });
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['create_agent', 'send_message', 'session_usage']));
    expect(names).not.toContain('list_vaults');
  });

  it('passes the toolsets and read-only settings through to the server', async () => {
    const { tools } = await listBundleTools({ api_key: 'sk-ant-mcpb-test-key', toolsets: 'all', read_only: true });
    const names = tools.map((t) => t.name);
    expect(names).toContain('list_vaults');
    expect(names).not.toContain('create_agent');
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });
});
