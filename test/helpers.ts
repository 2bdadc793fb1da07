import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { readingsFromNames, startEmulator } from '../src/emulator/index.js';
import { defaultConfig, type Config } from '../src/config.js';
import { createServer } from '../src/mcp/server.js';
import type { Logger } from '../src/log.js';
import { capture } from './setup/capture.js';

export const TEST_KEY = 'sk-ant-test-canary-key-0123456789';

/** The readings the emulator plays in this run (EMULATOR_READING; docs/emulator.md "Readings"). */
export const READING = readingsFromNames(process.env.EMULATOR_READING);

/** Everything the server logged, for assertions (and the secret scan). */
export const captured: string[] = [];

export function captureLogger(): Logger {
  const push = (level: string) => (m: string) => {
    captured.push(`${level}: ${m}`);
    capture(`${level}: ${m}`);
  };
  return { info: push('info'), warn: push('warn'), error: push('error') };
}

export interface Harness {
  client: Client;
  url: string;
  config: Config;
  /** Aborted by close(): the server's shutdown signal. */
  shutdown: AbortController;
  call(name: string, args: Record<string, unknown>, opts?: { onprogress?: (p: any) => void; timeout?: number; signal?: AbortSignal }): Promise<any>;
  admin(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** How the test client presents itself: its capabilities, and handlers set before it connects. */
export interface ClientSetup {
  capabilities?: ClientCapabilities;
  setup?(client: Client): void;
}

export async function harness(overrides: Partial<Config> = {}, emuOpts: Record<string, unknown> = {}, clientSetup: ClientSetup = {}): Promise<Harness> {
  // EMULATOR_READING picks the readings of open API behaviour the emulator plays (docs/emulator.md).
  const emu = await startEmulator({ port: 0, pingIntervalMs: 200, readings: READING, ...emuOpts });
  const config = defaultConfig({ apiKey: TEST_KEY, baseURL: emu.url, streamStallS: 2, turnTimeoutS: 20, ...overrides });
  const shutdown = new AbortController();
  const { server } = createServer({ config, log: captureLogger(), shutdownSignal: shutdown.signal });
  const [ct, st] = InMemoryTransport.createLinkedPair();
  await server.connect(st);
  const client = new Client({ name: 'test', version: '0.0.0' }, clientSetup.capabilities ? { capabilities: clientSetup.capabilities } : undefined);
  clientSetup.setup?.(client);
  await client.connect(ct);
  return {
    client,
    url: emu.url,
    config,
    shutdown,
    ...harnessMethods({ callTool: (params, o) => client.callTool(params, undefined, o), url: emu.url, shutdown, closing: [client, server, emu] }),
  };
}

/** What `call` needs of a client: the MCP SDK v1's and v2's `callTool` differ only in where the options go. */
export type CallTool = (
  params: { name: string; arguments: Record<string, unknown> },
  options: { onprogress: (p: any) => void; timeout: number; signal?: AbortSignal },
) => Promise<any>;

/**
 * A harness's `call`, `admin` and `close`, for a client on either SDK (test/modern.ts is the
 * 2026-07-28 one) and the emulator at `url`: `close` aborts `shutdown`, then closes `closing` in
 * order (the client, the server or its handler, the emulator).
 */
export function harnessMethods(o: {
  callTool: CallTool;
  url: string;
  shutdown: AbortController;
  closing: { close(): Promise<void> }[];
}): Pick<Harness, 'call' | 'admin' | 'close'> {
  return {
    async call(name, args, opts = {}) {
      const r = await o.callTool(
        { name, arguments: args },
        {
          // Always ask for progress, so every progress message is captured for the secret scan.
          onprogress: (p) => {
            capture(JSON.stringify(p));
            opts.onprogress?.(p);
          },
          timeout: opts.timeout ?? 60_000,
          signal: opts.signal,
        },
      );
      captured.push(JSON.stringify(r));
      capture(JSON.stringify(r));
      return r;
    },
    async admin(method, path, body) {
      const res = await fetch(`${o.url}${path}`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      return text ? JSON.parse(text) : undefined;
    },
    async close() {
      o.shutdown.abort();
      for (const c of o.closing) await c.close();
    },
  };
}

/** The structured result of a successful call; fails the test with the error text otherwise. */
export function ok(r: any): any {
  if (r.isError) throw new Error(`tool error: ${r.content?.[0]?.text}`);
  return r.structuredContent;
}

export function errText(r: any): string {
  if (!r.isError) throw new Error(`expected an error, got ${JSON.stringify(r.structuredContent)}`);
  return r.content[0].text as string;
}

export const ASK_BASH_TOOLS = [
  {
    type: 'agent_toolset_20260401',
    configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }],
  },
  {
    type: 'custom',
    name: 'get_weather',
    description: 'Weather for a city',
    input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
];

export async function agentAndSession(h: Pick<Harness, 'call'>, tools: unknown[] = ASK_BASH_TOOLS): Promise<{ agent_id: string; session_id: string }> {
  const a = ok(await h.call('create_agent', { name: 'test-agent', model: 'claude-sonnet-4-6', tools }));
  const s = ok(await h.call('start_session', { agent_id: a.agent_id }));
  return { agent_id: a.agent_id, session_id: s.session_id };
}

/** All events of a session from the API (ground truth), oldest first. */
export async function history(h: Pick<Harness, 'url'>, sessionId: string): Promise<any[]> {
  const out: any[] = [];
  let page: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ limit: '1000', order: 'asc', ...(page ? { page } : {}) });
    const res = await fetch(`${h.url}/v1/sessions/${sessionId}/events?${q}`, {
      headers: { authorization: `Bearer ${TEST_KEY}`, 'anthropic-beta': 'managed-agents-2026-04-01', 'anthropic-version': '2026-10-21' },
    });
    const body = await res.json();
    out.push(...body.data);
    if (!body.next_page) return out;
    page = body.next_page;
  }
}
