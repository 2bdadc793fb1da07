/**
 * HTTP mode's front door, against the built bin: bearer auth, the refusal to listen beyond
 * loopback without a token, Host/Origin checks, health and readiness probes, clean shutdown.
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, CLI, TOKEN, freePort, httpClient, spawnBin, spawnReplica, type Proc } from './http-procs.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_agents', arguments: {} } };

/** Raw request (node:http, so Host can be set), body read whole. */
function raw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {}) {
  return new Promise<{ status: number; headers: Record<string, any>; body: string }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...opts.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (b) => (body += b));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body === undefined ? undefined : JSON.stringify(opts.body));
  });
}

describe('HTTP mode: auth, Host/Origin, probes, shutdown', () => {
  let emulator: Proc;
  let replica: Proc;
  let base: string;

  beforeAll(async () => {
    emulator = await spawnBin(['emulator', '--port', '0']);
    replica = await spawnReplica(emulator.url);
    base = replica.url.replace(/\/mcp$/, '');
  }, 30_000);

  afterAll(async () => {
    for (const p of [replica, emulator]) p?.child.kill('SIGTERM');
    await Promise.all([replica?.exited, emulator?.exited]);
  });

  it('401 with WWW-Authenticate without a token and with a wrong one; 200 with the right one', async () => {
    const none = await raw(replica.url, { body: INIT });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="managed-agents-mcp"');
    const wrong = await raw(replica.url, { body: INIT, headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    const basic = await raw(replica.url, { body: INIT, headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } });
    expect(basic.status).toBe(401);
    const right = await raw(replica.url, { body: INIT, headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(right.body).toMatch(/agent\(s\)/);
    // The MCP SDK client with a wrong token cannot even initialize.
    await expect(httpClient(replica.url, 'not-the-token-0123456789')).rejects.toThrow();
  });

  it('the Anthropic key is neither needed from callers nor returned to them', async () => {
    const mcp = await httpClient(replica.url);
    const r = await mcp.call('create_agent', { name: 'k', model: 'claude-haiku-4-5' });
    expect(r.isError).toBeFalsy();
    await mcp.close();
    for (const path of ['/healthz', '/readyz']) expect((await raw(base + path, { method: 'GET' })).body).not.toContain(API_KEY);
  });

  it('rejects a foreign Host (DNS rebinding) and a foreign Origin with 403, before auth', async () => {
    const host = await raw(replica.url, { body: INIT, headers: { host: 'evil.example:80', authorization: `Bearer ${TOKEN}` } });
    expect(host.status).toBe(403);
    expect(host.body).toMatch(/Host not allowed/);
    const origin = await raw(replica.url, { body: INIT, headers: { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` } });
    expect(origin.status).toBe(403);
    expect(origin.body).toMatch(/Origin not allowed/);
    const local = await raw(replica.url, { body: INIT, headers: { host: 'localhost:1', origin: 'http://localhost:3000', authorization: `Bearer ${TOKEN}` } });
    expect(local.status).toBe(200);
  });

  it('--http-allowed-hosts / origins replace the loopback defaults', async () => {
    const r = await spawnReplica(emulator.url, {
      MANAGED_AGENTS_HTTP_ALLOWED_HOSTS: 'mcp.example.com',
      MANAGED_AGENTS_HTTP_ALLOWED_ORIGINS: 'https://app.example.com',
    });
    try {
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await raw(r.url, { body: INIT, headers: { ...auth, host: 'mcp.example.com' } })).status).toBe(200);
      expect((await raw(r.url, { body: INIT, headers: { ...auth, host: '127.0.0.1' } })).status).toBe(403);
      const o = { ...auth, host: 'mcp.example.com' };
      expect((await raw(r.url, { body: INIT, headers: { ...o, origin: 'https://app.example.com' } })).status).toBe(200);
      expect((await raw(r.url, { body: INIT, headers: { ...o, origin: 'http://localhost:3000' } })).status).toBe(403);
    } finally {
      r.child.kill('SIGTERM');
      await r.exited;
    }
  });

  it('refuses to listen beyond loopback without a token, and refuses short tokens', () => {
    const open = spawnSync(process.execPath, [CLI, '--http', '0.0.0.0:0', '--emulator'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(open.status).toBe(2);
    expect(open.stderr).toMatch(/Refusing to serve HTTP on 0\.0\.0\.0 without a bearer token/);
    expect(open.stdout).toBe('');
    const short = spawnSync(process.execPath, [CLI, '--http', '0'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', MANAGED_AGENTS_HTTP_TOKENS: 'abc' },
    });
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 16 characters/);
  });

  it('--help lists the HTTP flags and their environment variables', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    // The help wraps its lines: compare with the breaks as spaces.
    const text = help.stdout.replace(/\s+/g, ' ');
    for (const s of [
      '--http [HOST:]PORT',
      '--http-token-file',
      '--http-allowed-hosts',
      '--http-allowed-origins',
      'MANAGED_AGENTS_HTTP_TOKENS',
      'MANAGED_AGENTS_HTTP_TOKEN_FILE',
      '(env MANAGED_AGENTS_HTTP;',
    ]) {
      expect(text).toContain(s);
    }
  });

  it('/healthz needs no token; /readyz is 200 with the API up, 503 with it unreachable or no key', async () => {
    const h = await raw(`${base}/healthz`, { method: 'GET' });
    expect([h.status, JSON.parse(h.body)]).toEqual([200, { status: 'ok' }]);
    const r = await raw(`${base}/readyz`, { method: 'GET' });
    expect([r.status, JSON.parse(r.body)]).toEqual([200, { status: 'ready' }]);

    const dead = await spawnReplica(`http://127.0.0.1:${await freePort()}`);
    const noKey = await spawnReplica(emulator.url, { MANAGED_AGENTS_API_KEY: '' });
    try {
      const d = await raw(dead.url.replace(/\/mcp$/, '/readyz'), { method: 'GET' });
      expect([d.status, JSON.parse(d.body)]).toEqual([503, { status: 'unready', reason: 'API unreachable' }]);
      const n = await raw(noKey.url.replace(/\/mcp$/, '/readyz'), { method: 'GET' });
      expect([n.status, JSON.parse(n.body)]).toEqual([503, { status: 'unready', reason: 'no API key configured' }]);
      expect((await raw(dead.url.replace(/\/mcp$/, '/healthz'), { method: 'GET' })).status).toBe(200);
    } finally {
      for (const p of [dead, noKey]) p.child.kill('SIGTERM');
      await Promise.all([dead.exited, noKey.exited]);
    }
  });

  it('GET and DELETE /mcp are 405 (stateless: no session stream); unknown paths 404', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const get = await raw(replica.url, { method: 'GET', headers: auth });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await raw(replica.url, { method: 'DELETE', headers: auth })).status).toBe(405);
    expect((await raw(`${base}/nope`, { method: 'GET', headers: auth })).status).toBe(404);
  });

  it('SIGTERM while a turn is being followed: the call ends and the process exits 0 within 1 s', async () => {
    const r = await spawnReplica(emulator.url);
    const mcp = await httpClient(r.url);
    const agent = (await mcp.call('create_agent', { name: 's', model: 'claude-haiku-4-5' })).structuredContent;
    const session = (await mcp.call('start_session', { agent_id: agent.agent_id })).structuredContent;
    const inFlight = mcp.call('send_message', { session_id: session.session_id, text: '/sleep 30000', timeout_s: 60 }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((res) => setTimeout(res, 500));
    const t0 = Date.now();
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
    // It ended (with an error result or a dropped stream), rather than hanging until the turn ends.
    const hung = new Promise((res) => setTimeout(() => res('still running'), 3000));
    expect(await Promise.race([inFlight, hung])).not.toBe('still running');
    await mcp.close().catch(() => {});
  });
});
