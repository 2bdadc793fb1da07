/**
 * The 2026-07-28 side of the tests: a client on the MCP SDK v2 (`@modelcontextprotocol/client`)
 * that negotiates the revision (server/discover, per-request `_meta`, no handshake), against the
 * same `createServer` as test/helpers.ts. In process it is served by the SDK's `createMcpHandler`
 * through its fetch function (there is no in-memory entry for this revision); `modernClient`
 * connects the same client to the built bin over stdio or HTTP.
 */
import { Client, StreamableHTTPClientTransport, type ClientCapabilities, type ElicitRequestFormParams, type ElicitResult } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { startEmulator } from '../src/emulator/index.js';
import { defaultConfig, type Config } from '../src/config.js';
import { createServer, type ServerOptions } from '../src/mcp/server.js';
import { stateCodec } from '../src/mcp/deps.js';
import { UnseenTurns } from '../src/turns/unseen.js';
import { captureLogger, harnessMethods, READING, TEST_KEY, type Harness } from './helpers.js';
import { capture } from './setup/capture.js';

/** Answers the person gives, in order of asking; the forms asked are recorded. */
export type Answer = (form: ElicitRequestFormParams, n: number) => ElicitResult | Promise<ElicitResult>;

export interface ModernClientOptions {
  /** Answers forms (declares form elicitation); without it the client cannot ask. */
  answer?: Answer;
  capabilities?: ClientCapabilities;
  /** Sees (and may change) every HTTP request body the client sends; in process and over HTTP. */
  onRequest?(body: any): any;
  /** Under --dynamic-toolsets: called when the server announces a changed tool list. */
  onToolsChanged?(): void;
}

export interface ModernHarness extends Omit<Harness, 'client'> {
  client: Client;
  /** The forms the person was shown, in order. */
  asked: ElicitRequestFormParams[];
  /** Every raw JSON-RPC response body the client read (in process), for wire-level checks. */
  wire: any[];
}

export function modernClient(opts: ModernClientOptions = {}): { client: Client; asked: ElicitRequestFormParams[] } {
  const asked: ElicitRequestFormParams[] = [];
  const client = new Client(
    { name: 'test-2026', version: '0.0.0' },
    {
      versionNegotiation: { mode: 'auto' },
      capabilities: opts.capabilities ?? (opts.answer ? { elicitation: { form: {} } } : {}),
      ...(opts.onToolsChanged ? { listChanged: { tools: { autoRefresh: false, debounceMs: 0, onChanged: () => opts.onToolsChanged!() } } } : {}),
    },
  );
  if (opts.answer) {
    const answer = opts.answer;
    client.setRequestHandler('elicitation/create', async (req) => {
      const form = req.params as ElicitRequestFormParams;
      asked.push(form);
      return answer(form, asked.length);
    });
  }
  return { client, asked };
}

/** A fetch that lets `onRequest` see and rewrite request bodies, and records response bodies. */
export function tappedFetch(inner: (req: Request) => Promise<Response>, onRequest: ModernClientOptions['onRequest'], wire: any[]) {
  return async (url: string | URL, init?: RequestInit): Promise<Response> => {
    let body = init?.body;
    if (onRequest && typeof body === 'string') body = JSON.stringify((await onRequest(JSON.parse(body))) ?? JSON.parse(body));
    const res = await inner(new Request(url, { ...init, body }));
    if ((res.headers.get('content-type') ?? '').includes('application/json')) {
      const text = await res.clone().text();
      try {
        wire.push(JSON.parse(text));
      } catch {
        /* not JSON: nothing to record */
      }
    }
    return res;
  };
}

export async function modernHarness(
  overrides: Partial<Config> = {},
  emuOpts: Record<string, unknown> = {},
  opts: ModernClientOptions & { server?: Partial<ServerOptions> } = {},
): Promise<ModernHarness> {
  const emu = await startEmulator({ port: 0, pingIntervalMs: 200, readings: READING, ...emuOpts });
  const config = defaultConfig({ apiKey: TEST_KEY, baseURL: emu.url, streamStallS: 2, turnTimeoutS: 20, ...overrides });
  const shutdown = new AbortController();
  const log = captureLogger();
  const requestState = opts.server?.requestState ?? stateCodec();
  // One API client and one memory of turns reported or left unseen for all the per-request
  // servers, as src/mcp/http.ts does (per caller): consecutive calls and the rounds of one call see it.
  let api: ReturnType<typeof createServer>['api'] | undefined;
  const unseen = new UnseenTurns();
  const handler = createMcpHandler(() => {
    const made = createServer({ config, log, shutdownSignal: shutdown.signal, api, requestState, unseen, ...opts.server });
    api ??= made.api;
    return made.server;
  });
  const wire: any[] = [];
  const { client, asked } = modernClient(opts);
  const transport = new StreamableHTTPClientTransport(new URL('http://in-process.test/mcp'), {
    fetch: tappedFetch((req) => handler.fetch(req), opts.onRequest, wire),
  });
  await client.connect(transport);
  return {
    client,
    asked,
    wire,
    url: emu.url,
    config,
    shutdown,
    ...harnessMethods({ callTool: (params, o) => client.callTool(params, o), url: emu.url, shutdown, closing: [client, handler, emu] }),
  };
}

/** A client of the built bin over stdio, negotiating 2026-07-28. */
export async function modernStdio(cli: string, args: string[], env: Record<string, string>, opts: ModernClientOptions = {}) {
  const { client, asked } = modernClient(opts);
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, ...args], env, stderr: 'pipe' });
  transport.stderr?.on('data', (b) => capture(String(b)));
  await client.connect(transport);
  return { client, asked };
}

/** A client of an HTTP endpoint (the bin, or nginx in front of replicas), negotiating 2026-07-28. */
export async function modernHttp(url: string, token: string | undefined, opts: ModernClientOptions & { onResponse?(res: Response): void } = {}) {
  const { client, asked } = modernClient(opts);
  const wire: any[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { authorization: `Bearer ${token}` } } : undefined,
    fetch: tappedFetch(
      async (req) => {
        const res = await fetch(req);
        opts.onResponse?.(res);
        return res;
      },
      opts.onRequest,
      wire,
    ),
  });
  await client.connect(transport);
  return { client, asked, wire };
}
