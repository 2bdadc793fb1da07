/**
 * The bin's V8 code cache (src/bin.ts, docs/performance.md "Start-up"): written after the first
 * start, used by the next, and refused when it is not the user's own — it is code the server runs.
 * Every start here serves the MCP protocol end to end (the emulator, a tool call through the SDK).
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
if (!existsSync(BIN)) throw new Error('dist/managed-agents-mcp.mjs is missing: run `npm run build` first (npm test does)');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cacheDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mam-code-cache-'));
  dirs.push(d);
  return join(d, 'cache');
}

/** Starts the bin with `--emulator`, lists the tools and calls one; returns what the bin said about its cache. */
async function serve(cache: string, { stayMs = 0 } = {}): Promise<string> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, '--emulator'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MANAGED_AGENTS_CODE_CACHE: cache, NODE_DEBUG: 'managed-agents-mcp' },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (b) => (stderr += b));
  const client = new Client({ name: 'code-cache-test', version: '1.0.0' });
  await client.connect(transport);
  try {
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('create_agent');
    const r = await client.callTool({ name: 'list_agents', arguments: {} });
    expect(r.isError).toBeFalsy();
    if (stayMs) await new Promise((res) => setTimeout(res, stayMs));
  } finally {
    await client.close();
  }
  return /code cache (\w+)/.exec(stderr)?.[1] ?? `(no report) ${stderr}`;
}

const files = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8')) : []);

describe('the code cache', { timeout: 60_000 }, () => {
  it('is written, private, after the first start has run a while, and used by the next', async () => {
    const dir = cacheDir();
    expect(await serve(dir, { stayMs: 1_500 })).toBe('miss');
    const [file] = files(dir);
    expect(file).toBeDefined();
    if (process.platform !== 'win32') {
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, file!)).mode & 0o777).toBe(0o600);
    }
    expect(await serve(dir)).toBe('hit');
  });

  it('is not written by a start that ends at once', async () => {
    const dir = cacheDir();
    expect(await serve(dir)).toBe('miss');
    expect(files(dir)).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('is refused when others may write it, and then left alone', async () => {
    const dir = cacheDir();
    await serve(dir, { stayMs: 1_500 });
    const file = join(dir, files(dir)[0]!);
    chmodSync(file, 0o666);
    expect(await serve(dir, { stayMs: 1_500 })).toBe('refused');
    expect(statSync(file).mode & 0o777).toBe(0o666);
    chmodSync(file, 0o600);
    chmodSync(dir, 0o777);
    expect(await serve(dir)).toBe('refused');
  });

  it('is rejected by V8 when it is not V8 code cache data, and rewritten', async () => {
    const dir = cacheDir();
    await serve(dir, { stayMs: 1_500 });
    const file = join(dir, files(dir)[0]!);
    writeFileSync(file, Buffer.alloc(4096, 0x41));
    expect(await serve(dir, { stayMs: 1_500 })).toBe('rejected');
    expect(await serve(dir)).toBe('hit');
  });

  it('is not used or written when turned off', async () => {
    const dir = cacheDir();
    expect(await serve('off', { stayMs: 1_500 })).toBe('off');
    expect(existsSync(dir)).toBe(false);
  });
});
