/**
 * MCP 2026-07-28 against the built bin (docs/mcp-revisions.md): over stdio (serveStdio) and over
 * `--http` (createMcpHandler), with the v2 SDK client negotiating the revision. 2025-era clients
 * of the same bin are covered by stdio.test.ts, http-auth.test.ts and http-nginx.test.ts.
 * Then asking the person in rounds through nginx, each round on another replica: the request
 * state is all a replica needs, and it must be ours, unaltered and fresh (docs/approval.md).
 */
import { createHash } from 'node:crypto';
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import type { ElicitResult } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modernHttp, modernStdio } from '../modern.js';
import { API_KEY, CLI, NGINX, TOKEN, spawnBin, spawnReplica, startNginx, type Nginx, type Proc } from './http-procs.js';

const TWO_COMMANDS = '/tool bash {"command":"ls -la"}\n/tool bash {"command":"rm -rf /tmp/x"}\n/reply all done';
const ASK_BASH = [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }];
const ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

function ok(r: any): any {
  if (r.isError) throw new Error(`tool error: ${r.content?.[0]?.text}`);
  expect(JSON.stringify(r)).not.toContain(API_KEY);
  return r.structuredContent;
}

const allow = (): ElicitResult => ({ action: 'accept', content: { decision: 'allow' } });

describe('2026-07-28 over stdio', () => {
  it('discovery, tools, progress and a person answering in rounds', async () => {
    const { client, asked } = await modernStdio(CLI, ['--emulator', '--approval', 'human'], ENV, { answer: allow });
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toContain('start_session');
      const agent = ok(await client.callTool({ name: 'create_agent', arguments: { name: 'rounds', model: 'claude-sonnet-4-6', tools: ASK_BASH } }));
      const progress: string[] = [];
      const r = ok(
        await client.callTool(
          { name: 'start_session', arguments: { agent_id: agent.agent_id, message: TWO_COMMANDS } },
          { onprogress: (p) => progress.push(p.message ?? '') },
        ),
      );
      expect(asked.map((f) => f.message.match(/"command": "([^"\n]*)"/)?.[1])).toEqual(['ls -la', 'rm -rf /tmp/x']);
      expect(r.turn.stop_reason).toBe('end_turn');
      expect(r.turn.reply).toContain('all done');
      expect(r.turn.steps.filter((s: string) => s.startsWith('approval: the person answered allow'))).toHaveLength(2);
      expect(progress.join('\n')).toMatch(/bash/);
    } finally {
      await client.close();
    }
  });

  it('--dynamic-toolsets: enabling a toolset reaches the client through subscriptions/listen', async () => {
    let changed = 0;
    const { client } = await modernStdio(CLI, ['--emulator', '--dynamic-toolsets'], ENV, { onToolsChanged: () => changed++ });
    try {
      const before = (await client.listTools()).tools.map((t) => t.name);
      expect(before).not.toContain('create_vault');
      ok(await client.callTool({ name: 'enable_toolset', arguments: { toolset: 'vaults' } }));
      for (let i = 0; i < 100 && changed === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(changed).toBeGreaterThan(0);
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('create_vault');
    } finally {
      await client.close();
    }
  });
});

describe('2026-07-28 over --http', () => {
  let emulator: Proc;
  let replica: Proc;
  beforeAll(async () => {
    emulator = await spawnBin(['emulator', '--port', '0']);
    replica = await spawnReplica(emulator.url);
  }, 60_000);
  afterAll(async () => {
    for (const p of [replica, emulator]) p?.child.kill('SIGTERM');
    await Promise.all([replica, emulator].map((p) => p?.exited));
  });

  it('discovery, tools, resources, prompts and progress', async () => {
    const { client } = await modernHttp(replica.url, TOKEN);
    try {
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      expect((await client.listTools()).tools.length).toBeGreaterThan(10);
      expect((await client.listPrompts()).prompts.length).toBeGreaterThan(0);
      const agent = ok(await client.callTool({ name: 'create_agent', arguments: { name: 'http-2026', model: 'claude-haiku-4-5' } }));
      const progress: string[] = [];
      const r = ok(
        await client.callTool(
          { name: 'start_session', arguments: { agent_id: agent.agent_id, message: '/tool read {"file_path":"a.txt"}\n/reply done' } },
          { onprogress: (p) => progress.push(p.message ?? '') },
        ),
      );
      expect(r.turn.reply).toContain('done');
      expect(progress.join('\n')).toMatch(/read/);
      const read = await client.readResource({ uri: `managed-agents://sessions/${r.session_id}/transcript` });
      expect((read.contents[0] as { text: string }).text).toContain('done');
    } finally {
      await client.close();
    }
  });

  it('without a token: 401, as for 2025 clients', async () => {
    await expect(modernHttp(replica.url, undefined)).rejects.toThrow(/401|nauthori/);
  });
});

/** The replicas' request-state key, as src/mcp/deps.ts derives it from MANAGED_AGENTS_STATE_SECRET. */
const SECRET = 'e2e-request-state-secret-0123456789abcdef';
const KEY = createHash('sha256').update(`managed-agents-mcp request state\0${SECRET}`).digest();

describe.skipIf(!NGINX)('asking the person across replicas behind nginx (2026-07-28)', () => {
  let emulator: Proc;
  let replicas: Proc[];
  let nginx: Nginx;

  beforeAll(async () => {
    emulator = await spawnBin(['emulator', '--port', '0']);
    const env = { MANAGED_AGENTS_APPROVAL: 'human', MANAGED_AGENTS_STATE_SECRET: SECRET };
    replicas = await Promise.all([spawnReplica(emulator.url, env), spawnReplica(emulator.url, env)]);
    nginx = await startNginx(replicas.map((r) => r.url));
  }, 60_000);

  afterAll(async () => {
    await nginx?.stop();
    for (const p of [...(replicas ?? []), emulator]) p?.child.kill('SIGTERM');
    await Promise.all([...(replicas ?? []), emulator].map((p) => p?.exited));
  });

  /** A client through nginx; `calls` lists, per tools/call POST, the replica that answered it. */
  async function viaNginx(answer: () => ElicitResult, rewrite?: (state: string) => string | Promise<string>) {
    const methods: string[] = [];
    const upstreams: string[] = [];
    const c = await modernHttp(`${nginx.url}/mcp`, TOKEN, {
      answer,
      onRequest: async (body) => {
        methods.push(body?.method);
        const state = body?.params?.requestState;
        if (!rewrite || typeof state !== 'string') return body;
        return { ...body, params: { ...body.params, requestState: await rewrite(state) } };
      },
      onResponse: (res) => upstreams.push(res.headers.get('x-upstream')?.split(',').at(-1)?.trim() ?? '?'),
    });
    const calls = () => methods.flatMap((m, i) => (m === 'tools/call' ? [upstreams[i]!] : []));
    return { ...c, calls };
  }

  async function session(client: Awaited<ReturnType<typeof viaNginx>>['client']) {
    const agent = ok(await client.callTool({ name: 'create_agent', arguments: { name: 'replicas', model: 'claude-sonnet-4-6', tools: ASK_BASH } }));
    return ok(await client.callTool({ name: 'start_session', arguments: { agent_id: agent.agent_id } })).session_id as string;
  }

  async function confirmationsOf(sessionId: string): Promise<any[]> {
    const res = await fetch(`${emulator.url}/v1/sessions/${sessionId}/events?limit=1000&order=asc`, {
      headers: { authorization: `Bearer ${API_KEY}`, 'anthropic-beta': 'managed-agents-2026-04-01', 'anthropic-version': '2026-10-21' },
    });
    return ((await res.json()).data as any[]).filter((e) => e.type === 'user.tool_confirmation');
  }

  it('accept: each round lands on the other replica, and the answers are sent once', async () => {
    const { client, asked, calls } = await viaNginx(allow);
    try {
      const session_id = await session(client);
      const before = calls().length;
      const d = ok(await client.callTool({ name: 'send_message', arguments: { session_id, text: TWO_COMMANDS } }));
      expect(asked).toHaveLength(2);
      expect(d.stop_reason).toBe('end_turn');
      const rounds = calls().slice(before);
      expect(rounds).toHaveLength(3); // the call, then one retry per answer
      for (let i = 1; i < rounds.length; i++) expect(rounds[i]).not.toBe(rounds[i - 1]);
      expect((await confirmationsOf(session_id)).map((e) => e.result)).toEqual(['allow', 'allow']);
    } finally {
      await client.close();
    }
  });

  it('decline: nothing is allowed, on whichever replica the answer lands', async () => {
    const { client, calls } = await viaNginx(() => ({ action: 'decline' }));
    try {
      const session_id = await session(client);
      const before = calls().length;
      const d = ok(await client.callTool({ name: 'send_message', arguments: { session_id, text: TWO_COMMANDS } }));
      expect(new Set(calls().slice(before)).size).toBe(2);
      expect(d.stop_reason).toBe('requires_action');
      expect(d.hint).toMatch(/declined.*nothing was allowed/);
      expect(await confirmationsOf(session_id)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('a tampered request state is refused by the other replica', async () => {
    const { client } = await viaNginx(allow, (s) => `${s.slice(0, -3)}${s.endsWith('AAA') ? 'BBB' : 'AAA'}`);
    try {
      const session_id = await session(client);
      const r = await client.callTool({ name: 'send_message', arguments: { session_id, text: TWO_COMMANDS } });
      expect(r.isError).toBe(true);
      expect((r.content as any[])[0].text).toMatch(/altered or not made by this server: nothing was allowed or sent/);
      expect(await confirmationsOf(session_id)).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('an expired request state is refused, though signed with the shared key', async () => {
    const expired = createRequestStateCodec<any>({ key: KEY, ttlSeconds: -1 });
    const { client } = await viaNginx(allow, (s) => expired.mint(JSON.parse(Buffer.from(s.slice(3, s.lastIndexOf('.')), 'base64url').toString()).p));
    try {
      const session_id = await session(client);
      const r = await client.callTool({ name: 'send_message', arguments: { session_id, text: TWO_COMMANDS } });
      expect(r.isError).toBe(true);
      expect((r.content as any[])[0].text).toMatch(/after the form expired/);
      expect(await confirmationsOf(session_id)).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
