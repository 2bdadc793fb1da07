/**
 * Choosing tools against the built bin (docs/toolsets.md): the MCP Inspector CLI (one call per
 * process) sees what --dynamic-toolsets, --tools and --exclude-tools list and what enable_toolset
 * adds; the MCP SDK client over stdio sees a newly enabled tool announced, listed and callable;
 * the allow and deny lists hold over --http too; an unknown name stops the start.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { CLI, httpClient, spawnBin } from './http-procs.js';

const run = promisify(execFile);
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
const toolsOf = (toolset: string) => ALL_TOOLS.filter((t) => t.toolset === toolset).map((t) => t.name);

/** One Inspector CLI call against the bin with --emulator; returns its parsed stdout. */
async function inspector(serverArgs: string[], method: string[]): Promise<any> {
  const { stdout } = await run('npx', ['--no-install', 'mcp-inspector', '--cli', process.execPath, CLI, '--emulator', ...serverArgs, '--method', ...method], {
    env: ENV,
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

describe('choosing tools, against the built bin', () => {
  it('the Inspector CLI lists the dynamic start, calls enable_toolset, and sees --tools / --exclude-tools', { timeout: 120_000 }, async () => {
    const [start, enabled, chosen] = await Promise.all([
      inspector(['--dynamic-toolsets'], ['tools/list', '--strict']),
      inspector(['--dynamic-toolsets'], ['tools/call', '--tool-name', 'enable_toolset', '--tool-arg', 'toolset=memory']),
      inspector(['--toolsets', 'vaults', '--tools', 'get_file', '--exclude-tools', 'send_message,create_vault'], ['tools/list']),
    ]);
    expect(start.tools.map((t: any) => t.name)).toEqual([...toolsOf('core'), 'list_toolsets', 'enable_toolset']);
    expect(enabled.structuredContent).toMatchObject({ added: toolsOf('memory'), enabled: true });
    expect(chosen.tools.map((t: any) => t.name)).toEqual(
      [...toolsOf('core'), ...toolsOf('vaults'), 'get_file'].filter((n) => n !== 'send_message' && n !== 'create_vault'),
    );
  });

  it('over stdio, a newly enabled tool is announced with tools/list_changed, then listed and callable', { timeout: 60_000 }, async () => {
    const client = new Client({ name: 'e2e', version: '0' });
    let changed = 0;
    let announced!: () => void;
    const notified = new Promise<void>((r) => (announced = r));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
      announced();
    });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [CLI, '--emulator', '--dynamic-toolsets'], env: ENV, stderr: 'pipe' }));
    try {
      const before = (await client.listTools()).tools.map((t) => t.name);
      expect(before).not.toContain('create_memory_store');
      const r: any = await client.callTool({ name: 'enable_toolset', arguments: { toolset: 'memory' } });
      expect(r.structuredContent.added).toEqual(toolsOf('memory'));
      await notified;
      const after = (await client.listTools()).tools.map((t) => t.name);
      expect(after).toEqual([...before.slice(0, -2), ...toolsOf('memory'), ...before.slice(-2)]);
      const store: any = await client.callTool({ name: 'create_memory_store', arguments: { name: 'e2e' } });
      expect(store.isError, JSON.stringify(store.content)).toBeFalsy();
      expect(store.structuredContent.memory_store_id).toMatch(/^memstore_/);
      expect(changed).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('over --http, --tools and --exclude-tools choose the list of every request', { timeout: 60_000 }, async () => {
    const bin = await spawnBin(['--http', '127.0.0.1:0', '--emulator', '--tools', 'get_session,list_sessions,list_vaults', '--exclude-tools', 'list_sessions']);
    try {
      const c = await httpClient(`${bin.url}`);
      try {
        expect((await c.client.listTools()).tools.map((t) => t.name)).toEqual(['get_session', 'list_vaults']);
        expect((await c.call('list_vaults', {})).isError).toBeFalsy();
      } finally {
        await c.close();
      }
    } finally {
      bin.child.kill('SIGTERM');
      await bin.exited;
    }
  });

  it('an unknown tool name, or --dynamic-toolsets with --http, stops the start (exit 2) with the reason', () => {
    const typo = spawnSync(process.execPath, [CLI, '--emulator', '--exclude-tools', 'archive_sesion'], { env: ENV, encoding: 'utf8', input: '' });
    expect(typo.status).toBe(2);
    expect(typo.stdout).toBe('');
    expect(typo.stderr).toMatch(/^managed-agents-mcp: Unknown tool 'archive_sesion' in --exclude-tools\. Did you mean archive_session\? Valid: /);
    const http = spawnSync(process.execPath, [CLI, '--http', '127.0.0.1:0', '--dynamic-toolsets'], { env: ENV, encoding: 'utf8', input: '' });
    expect(http.status).toBe(2);
    expect(http.stderr).toMatch(/--dynamic-toolsets needs one server per client/);
  });
});
