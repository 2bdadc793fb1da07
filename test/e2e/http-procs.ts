/**
 * Processes for the HTTP-mode tests, started as deployed: the built bin (replicas, emulator) and
 * Debian's nginx in the foreground with a generated config under a temp prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { capture } from '../setup/capture.js';

export const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
export const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'].find((p) => existsSync(p));
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
    ANTHROPIC_API_KEY: API_KEY,
    MANAGED_AGENTS_HTTP_TOKENS: TOKEN,
    MANAGED_AGENTS_TOOLSETS: 'all',
    ...extraEnv,
  });
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

export interface Nginx {
  url: string;
  stop(): Promise<void>;
}

/**
 * nginx in front of the replicas: round robin, HTTP/1.1 with keep-alive upstream, no buffering
 * (progress streams over SSE), long read timeout (turns), and a dead replica skipped after one
 * failed connect (a POST whose connect failed was never sent, so nginx may pass it on).
 * `X-Upstream` tells the test which replica answered.
 */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  if (!NGINX) throw new Error('nginx is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'mam-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const port = await freePort();
  const servers = upstreams.map((u) => `server ${new URL(u).host} max_fails=1 fail_timeout=60s;`).join('\n    ');
  const conf = `
daemon off;
master_process on;
worker_processes 1;
${process.getuid?.() === 0 ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream mcp {
    ${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mcp;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_buffering off;
      proxy_cache off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Ready when it accepts connections.
  for (let i = 0; ; i++) {
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      () => true,
      () => false,
    );
    if (up) break;
    if (i > 100 || child.exitCode !== null) throw new Error(`nginx did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface HttpClient {
  client: Client;
  /** The replica (host:port) that answered the last response, from nginx's X-Upstream. */
  lastUpstream(): string | undefined;
  call(name: string, args: Record<string, unknown>, opts?: { timeout?: number }): Promise<any>;
  close(): Promise<void>;
}

export async function httpClient(mcpUrl: string, token = TOKEN): Promise<HttpClient> {
  let upstream: string | undefined;
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      upstream = res.headers.get('x-upstream') ?? upstream;
      return res;
    },
  });
  const client = new Client({ name: 'e2e-http', version: '0' });
  await client.connect(transport);
  return {
    client,
    lastUpstream: () => upstream,
    async call(name, args, opts = {}) {
      const r: any = await client.callTool({ name, arguments: args }, undefined, { timeout: opts.timeout ?? 60_000 });
      capture(JSON.stringify(r));
      return r;
    },
    close: () => client.close(),
  };
}
