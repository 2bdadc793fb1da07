/**
 * What an HTTP caller cannot do to the server (docs/http.md): hold a socket by trickling a body,
 * make it drain a refused body, open connections past the cap, or consume another caller's
 * unseen-turn note. Against startHttpServer on loopback with the emulator; verdicts from the
 * sockets themselves and from what each caller reads.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { startEmulator } from '../../src/emulator/index.js';
import { startHttpServer, type HttpServerHandle } from '../../src/mcp/http.js';
import { captureLogger, ok, TEST_KEY, ASK_BASH_TOOLS } from '../helpers.js';

const A = 'token-of-caller-a-0123456789';
const B = 'token-of-caller-b-0123456789';
const RECEIVE_MS = 1_500;

let emu: Awaited<ReturnType<typeof startEmulator>>;
let server: HttpServerHandle;
const shutdown = new AbortController();

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  const config = defaultConfig({ apiKey: TEST_KEY, baseURL: emu.url, streamStallS: 2 });
  server = await startHttpServer({
    config: {
      ...config,
      http: { host: '127.0.0.1', port: 0, tokens: [A, B], allowedHosts: ['127.0.0.1'], allowedOrigins: [], maxConnections: 16, receiveTimeoutMs: RECEIVE_MS },
    },
    log: captureLogger(),
    shutdownSignal: shutdown.signal,
  });
});
afterAll(async () => {
  shutdown.abort();
  await server?.close();
  await emu?.close();
});

/** A raw socket to the server, recording what it received and when it closed. */
function socket(): Promise<{ s: Socket; got: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    let got = '';
    const t0 = Date.now();
    s.on('data', (b) => (got += b));
    s.on('error', () => {});
    const closed = new Promise<number>((r) => s.on('close', () => r(Date.now() - t0)));
    s.once('connect', () => resolve({ s, got: () => got, closed }));
    s.once('error', reject);
  });
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<'open'>((r) => setTimeout(() => r('open'), ms))]);

function head(token: string | undefined, length: number): string {
  return (
    `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n` +
    `${token ? `authorization: Bearer ${token}\r\n` : ''}content-length: ${length}\r\n\r\n`
  );
}

describe('receiving a request is bounded', () => {
  it.each([[A], [undefined]])('a body trickled one byte at a time (token %s) is cut off', async (token) => {
    const c = await socket();
    c.s.write(head(token, 1000));
    const drip = setInterval(() => c.s.writable && c.s.write('{'), 300);
    try {
      const r = await within(c.closed, RECEIVE_MS * 4);
      expect(r).not.toBe('open');
    } finally {
      clearInterval(drip);
      c.s.destroy();
    }
  });

  it('an early refusal closes the connection without reading the rest of the body', async () => {
    const c = await socket();
    c.s.write(head(undefined, 50_000_000));
    c.s.write('{"jsonrpc":"2.0"');
    const r = await within(c.closed, 1_000);
    expect(c.got()).toMatch(/^HTTP\/1.1 401/);
    expect(c.got()).toMatch(/connection: close/i);
    expect(r).not.toBe('open');
  });

  it('connections past the cap are refused; the first ones stay open', async () => {
    const held = await Promise.all(Array.from({ length: 16 }, () => socket()));
    await new Promise((r) => setTimeout(r, 100));
    const extra = await socket();
    try {
      expect(await within(extra.closed, 1_000)).not.toBe('open');
      expect(await within(held[0]!.closed, 100)).toBe('open');
    } finally {
      for (const c of [...held, extra]) c.s.destroy();
      await Promise.all(held.map((c) => c.closed));
      // The server counts a connection gone on its own side of the close: let it catch up.
      await new Promise((r) => setTimeout(r, 200));
    }
  });
});

async function client(token: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { authorization: `Bearer ${token}` } } });
  const c = new Client({ name: 'guard', version: '0' });
  await c.connect(transport);
  return c;
}

const call = async (c: Client, name: string, args: Record<string, unknown>) => ok(await c.callTool({ name, arguments: args }));

describe('per-caller state', () => {
  it("the unseen-turn note of one caller is not consumed by another caller's read", async () => {
    const [a, b] = [await client(A), await client(B)];
    try {
      const agent = await call(a, 'create_agent', { name: 'shared', model: 'claude-sonnet-4-6', tools: ASK_BASH_TOOLS });
      const s = await call(a, 'start_session', { agent_id: agent.agent_id });
      await call(a, 'send_message', { session_id: s.session_id, text: '/reply hello', wait: false });
      const seenByB = await b.callTool({ name: 'get_session', arguments: { session_id: s.session_id } });
      expect(JSON.stringify(seenByB)).not.toMatch(/went on unseen/);
      const seenByA = await a.callTool({ name: 'get_session', arguments: { session_id: s.session_id } });
      expect(JSON.stringify(seenByA)).toMatch(/went on unseen/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
