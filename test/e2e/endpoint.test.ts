/**
 * Key routing through the spawned bin: the start-up line on stderr names the host that receives
 * the key and where the key and the URL came from (never the key), and the key really goes there.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { capture } from '../setup/capture.js';

const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
const CANARY = 'sk-ant-e2e-canary-secret-9f8e7d6c5b4a';

let emu: EmulatorHandle;
beforeAll(async () => {
  emu = await startEmulator({ port: 0, apiKey: CANARY });
});
afterAll(async () => {
  await emu?.close();
});

async function connect(args: string[], env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env: { PATH: process.env.PATH ?? '', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d) => {
    stderr += d;
    capture(String(d));
  });
  const client = new Client({ name: 'e2e-endpoint', version: '0' });
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

describe('key routing, through the bin', () => {
  it('MANAGED_AGENTS_API_KEY goes to --base-url, never to the inherited ANTHROPIC_BASE_URL, and stderr says so', async () => {
    const s = await connect(['--base-url', emu.url], { MANAGED_AGENTS_API_KEY: CANARY, ANTHROPIC_BASE_URL: 'https://gateway.invalid' });
    try {
      // The emulator only accepts CANARY: a result proves the key reached the named host.
      const r: any = await s.client.callTool({ name: 'list_agents', arguments: {} });
      capture(JSON.stringify(r));
      expect(r.isError).toBeFalsy();
      const host = new URL(emu.url).host;
      expect(s.stderr()).toContain(`info: the key from MANAGED_AGENTS_API_KEY is sent to http://${host} (from --base-url)`);
      expect(s.stderr()).toContain('warn: ANTHROPIC_BASE_URL is ignored');
      expect(s.stderr()).not.toContain(CANARY);
    } finally {
      await s.client.close();
    }
  });

  it('an ANTHROPIC_API_KEY is not sent to --base-url: every API tool says why', async () => {
    const before = (await (await fetch(`${emu.url}/_emulator/requests`)).json()).next_index as number;
    const s = await connect(['--base-url', emu.url], { ANTHROPIC_API_KEY: CANARY });
    try {
      const r: any = await s.client.callTool({ name: 'list_agents', arguments: {} });
      capture(JSON.stringify(r));
      expect(r.isError).toBe(true);
      expect(r.content[0].text).toMatch(/--base-url is set, but the only key is ANTHROPIC_API_KEY.*Set MANAGED_AGENTS_API_KEY/);
      expect(s.stderr()).toContain('warn: no key is used: --base-url is set, but the only key is ANTHROPIC_API_KEY');
      const after = await (await fetch(`${emu.url}/_emulator/requests?since=${before}`)).json();
      expect(after.data).toEqual([]);
    } finally {
      await s.client.close();
    }
  });

  it('plain http to another host: exit 2 with the reason, unless --allow-insecure-http', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', MANAGED_AGENTS_API_KEY: CANARY } });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('exit', (code) => resolve({ code, stderr }));
        child.stdin.end();
      });
    const refused = await run(['--base-url', 'http://api.example.com']);
    capture(refused.stderr);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--base-url is plain http to api\.example\.com, which would send the API key unencrypted/);
    expect(refused.stderr).not.toContain(CANARY);
    const allowed = await run(['--base-url', 'http://api.example.com', '--allow-insecure-http']);
    capture(allowed.stderr);
    expect(allowed.code).toBe(0); // started, then stdin closed
    expect(allowed.stderr).toContain('the key from MANAGED_AGENTS_API_KEY is sent to http://api.example.com (from --base-url)');
  });
});
