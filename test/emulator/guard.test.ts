/**
 * The emulator is a local tool: loopback only unless opened on purpose (and then with a key), a
 * foreign Host (DNS rebinding) or Origin (a web page) is refused on every route, admin routes
 * included, and the CLI says in one line when its port is busy.
 */
import { request } from 'node:http';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmulatorConfigError, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { capture } from '../setup/capture.js';

const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
const KEY = 'sk-ant-emulator-guard-test';
const API_HEADERS = { authorization: `Bearer ${KEY}`, 'anthropic-beta': 'managed-agents-2026-04-01', 'content-type': 'application/json' };

/** A raw HTTP request with any Host and Origin (fetch would not let us set Host). */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string) {
  const u = new URL(url);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let emu: EmulatorHandle;
let host: string;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  host = new URL(emu.url).host;
});
afterAll(async () => {
  await emu?.close();
});

async function agentCount(): Promise<number> {
  const r = await raw(emu.url, 'GET', '/v1/agents', { ...API_HEADERS, host });
  expect(r.status).toBe(200);
  return r.body.data.length;
}

describe('who may call the emulator', () => {
  it('binds loopback and prints the address it really listens on', () => {
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.port).toBe(Number(new URL(emu.url).port));
  });

  it('answers requests addressed to loopback names, with no Origin or its own', async () => {
    const port = new URL(emu.url).port;
    for (const h of [host, `localhost:${port}`, `[::1]:${port}`, `127.0.0.1`]) {
      expect((await raw(emu.url, 'GET', '/v1/agents', { ...API_HEADERS, host: h })).status).toBe(200);
    }
    expect((await raw(emu.url, 'GET', '/v1/agents', { ...API_HEADERS, host, origin: `http://${host}` })).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding), on API and admin routes', async () => {
    const created = await raw(emu.url, 'POST', '/v1/agents', { ...API_HEADERS, host }, JSON.stringify({ name: 'keep', model: 'claude-sonnet-4-6' }));
    expect(created.status).toBe(200);
    const before = await agentCount();
    for (const h of ['evil.example', `evil.example:${new URL(emu.url).port}`, '127.0.0.1.evil.example', '10.0.0.1']) {
      const r = await raw(emu.url, 'GET', '/v1/agents', { ...API_HEADERS, host: h });
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ type: 'permission_error' });
      expect(r.body.error.message).toMatch(/is not a loopback name/);
      expect((await raw(emu.url, 'POST', '/_emulator/reset', { host: h })).status).toBe(403);
    }
    expect(await agentCount()).toBe(before);
  });

  it("a web page's text/plain POST cannot reset state or install faults", async () => {
    const before = await agentCount();
    expect(before).toBeGreaterThan(0);
    for (const origin of ['http://evil.example', 'null', 'http://localhost:3000', `https://${host}`]) {
      const headers = { host, origin, 'content-type': 'text/plain' };
      const reset = await raw(emu.url, 'POST', '/_emulator/reset', headers, '');
      expect(reset.status).toBe(403);
      expect(reset.body.error.message).toMatch(/cross-origin requests are refused/);
      const faults = await raw(emu.url, 'POST', '/_emulator/faults', headers, JSON.stringify({ rules: [{ status: 500 }] }));
      expect(faults.status).toBe(403);
      expect((await raw(emu.url, 'GET', '/v1/agents', { ...API_HEADERS, host, origin })).status).toBe(403);
    }
    expect(await agentCount()).toBe(before);
    expect((await raw(emu.url, 'GET', '/_emulator/faults', { host })).body.rules).toEqual([]);
  });

  it('a non-loopback host needs allowRemote, and then a key, which admin routes require too', async () => {
    for (const h of ['0.0.0.0', '::']) {
      await expect(startEmulator({ port: 0, host: h })).rejects.toThrow(EmulatorConfigError);
      await expect(startEmulator({ port: 0, host: h, allowRemote: true })).rejects.toThrow(/MANAGED_AGENTS_EMULATOR_KEY/);
    }
    const open = await startEmulator({ port: 0, host: '0.0.0.0', allowRemote: true, apiKey: KEY });
    try {
      expect(open.url).toBe(`http://0.0.0.0:${open.port}`);
      const target = `http://127.0.0.1:${open.port}`;
      // Any Host is fine (it is reachable by name from elsewhere), the key is not optional.
      expect((await raw(target, 'GET', '/v1/agents', { ...API_HEADERS, host: 'emulator.lan' })).status).toBe(200);
      expect((await raw(target, 'GET', '/v1/agents', { ...API_HEADERS, authorization: 'Bearer wrong', host: 'emulator.lan' })).status).toBe(401);
      expect((await raw(target, 'POST', '/_emulator/reset', { host: 'emulator.lan' })).status).toBe(401);
      expect((await raw(target, 'POST', '/_emulator/reset', { host: 'emulator.lan', authorization: `Bearer ${KEY}` })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('the emulator command', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'emulator', ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
      let stdout = '';
      let stderr = '';
      // Started: stop it once it has printed its URL and its banner.
      const stopWhenUp = () => stdout.includes('\n') && stderr.includes('Ctrl-C to stop') && child.kill('SIGTERM');
      child.stdout.on('data', (d) => {
        stdout += d;
        stopWhenUp();
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        stopWhenUp();
      });
      child.on('exit', (code) => {
        capture(stderr);
        resolve({ code, stdout, stderr });
      });
    });

  it('on a busy port: one line suggesting --port 0, no stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await run(['--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`managed-agents-mcp emulator: port ${port} is in use; pass --port 0 to pick a free one\n`);
    } finally {
      busy.close();
    }
  });

  it('refuses a non-loopback --host in one line; --allow-remote needs the key', async () => {
    const r = await run(['--host', '0.0.0.0', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--allow-remote/);
    const noKey = await run(['--host', '0.0.0.0', '--port', '0', '--allow-remote']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/MANAGED_AGENTS_EMULATOR_KEY/);
    const opened = await run(['--host', '0.0.0.0', '--port', '0', '--allow-remote'], { MANAGED_AGENTS_EMULATOR_KEY: KEY });
    expect(opened.stdout).toMatch(/^http:\/\/0\.0\.0\.0:\d+\n$/);
    expect(opened.stderr).not.toContain(KEY);
  });

  it('--port 0 prints the loopback URL it listens on', async () => {
    const r = await run(['--port', '0']);
    expect(r.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(r.stderr).toContain('MANAGED_AGENTS_BASE_URL=http://127.0.0.1:');
  });
});
