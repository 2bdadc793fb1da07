/**
 * Processes for the HTTP-mode tests, started as deployed: the built bin (replicas, emulator), and
 * Debian's nginx in front of them (scripts/nginx.mjs, shared with bench/http.mjs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { capture } from '../setup/capture.js';

export { NGINX, freePort, startNginx, type Nginx } from '../../scripts/nginx.mjs';

export const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
/** The upstream key (a canary: it must never reach a caller) and the callers' bearer token. */
export const API_KEY = 'sk-ant-e2e-canary-secret-9f8e7d6c5b4a';
export const TOKEN = 'canary-http-bearer-token-7a6b5c4d3e2f';

if (!existsSync(CLI)) throw new Error('dist/managed-agents-mcp.mjs is missing: run `npm run build` first (npm test does)');

export interface Proc {
  child: ChildProcess;
  /** First stdout line: the URL the process serves. */
  url: string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Spawns the bin and resolves with the URL it prints first on stdout. */
export function spawnBin(args: string[], env: Record<string, string> = {}): Promise<Proc> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (b) => {
    stderr += b;
    capture(String(b));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b) => {
      stdout += b;
      capture(String(b));
      const nl = stdout.indexOf('\n');
      if (nl >= 0) resolve({ child, url: stdout.slice(0, nl).trim(), stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`bin exited (${code}) before printing its URL:\n${stderr}`)));
  });
}

export function spawnReplica(emulatorUrl: string, extraEnv: Record<string, string> = {}): Promise<Proc> {
  return spawnBin(['--http', '127.0.0.1:0', '--base-url', emulatorUrl], {
    MANAGED_AGENTS_API_KEY: API_KEY,
    MANAGED_AGENTS_HTTP_TOKENS: TOKEN,
    MANAGED_AGENTS_TOOLSETS: 'all',
    ...extraEnv,
  });
}

export interface HttpClient {
  client: Client;
  /** The replica (host:port) that answered the last response, from nginx's X-Upstream. */
  lastUpstream(): string | undefined;
  /** Forgets the last upstream, to see which replica takes the next request. */
  resetUpstream(): void;
  call(name: string, args: Record<string, unknown>, opts?: { timeout?: number; onprogress?: (p: any) => void }): Promise<any>;
  close(): Promise<void>;
}

export async function httpClient(mcpUrl: string, token = TOKEN): Promise<HttpClient> {
  let upstream: string | undefined;
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      // nginx lists every replica it tried ("dead:port, live:port"): the last one answered.
      upstream = res.headers.get('x-upstream')?.split(',').at(-1)?.trim() ?? upstream;
      return res;
    },
  });
  const client = new Client({ name: 'e2e-http', version: '0' });
  await client.connect(transport);
  return {
    client,
    lastUpstream: () => upstream,
    resetUpstream: () => void (upstream = undefined),
    async call(name, args, opts = {}) {
      const r: any = await client.callTool({ name, arguments: args }, undefined, {
        timeout: opts.timeout ?? 60_000,
        ...(opts.onprogress ? { onprogress: opts.onprogress } : {}),
      });
      capture(JSON.stringify(r));
      return r;
    },
    close: () => client.close(),
  };
}
