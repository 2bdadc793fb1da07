/**
 * Both MCP eras from one server factory (docs/mcp-revisions.md): a 2026-07-28 client on the v2 SDK
 * (server/discover, per-request `_meta`, input-required rounds) and a 2025-era client on the v1
 * SDK (initialize, elicitation/create), in process. The same checks for each where the protocol
 * allows: discovery, tools, resources, prompts, progress, cancellation; then asking the person
 * across rounds on 2026-07-28, with the request state's integrity (docs/approval.md).
 */
import { createRequestStateCodec } from '@modelcontextprotocol/server';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listedTools } from '../../src/mcp/server.js';
import { REQUEST_STATE_TTL_S, stateCodec } from '../../src/mcp/deps.js';
import { callsInFlightCount } from '../../src/mcp/call-signal.js';
import { selectTools } from '../../src/tools/index.js';
import { agentAndSession, errText, harness, history, ok, type Harness } from '../helpers.js';
import { modernHarness, type ModernHarness } from '../modern.js';
import { confirmations, denyRemoval, elicitingHarness, TWO_COMMANDS } from '../asking.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Requests the emulator received since `from` (its request log). */
const requestsSince = async (h: Pick<Harness, 'admin'>, from: number) => (await h.admin('GET', `/_emulator/requests?since=${from}`)).data as any[];
const nextIndex = async (h: Pick<Harness, 'admin'>) => (await h.admin('GET', '/_emulator/requests')).next_index as number;

async function untilCalls(shutdown: AbortSignal, n: number): Promise<number> {
  for (let i = 0; i < 150 && callsInFlightCount(shutdown) !== n; i++) await sleep(20);
  return callsInFlightCount(shutdown);
}

/** The same protocol checks, once per era. */
function eachEra(era: string, start: () => Promise<Harness | ModernHarness>, negotiated: (h: any) => string | undefined) {
  describe(`MCP ${era}`, () => {
    let h: Harness | ModernHarness;
    beforeAll(async () => {
      h = await start();
    });
    afterAll(() => h?.close());

    it('negotiates the revision, with tools, prompts, resources and logging', async () => {
      expect(negotiated(h)).toBe(era);
      const caps = (h.client as any).getServerCapabilities();
      expect(caps.tools.listChanged).toBe(true);
      expect(caps).toHaveProperty('prompts');
      expect(caps).toHaveProperty('resources');
      expect(caps).toHaveProperty('logging');
      expect((h.client as any).getInstructions()).toMatch(/^Drive Claude Managed Agents/);
    });

    it('tools/list is our own rendering: no $schema, no execution field, no output schema (docs/performance.md, "Tool list")', async () => {
      const { tools } = await (h.client as any).listTools();
      expect(tools).toEqual(listedTools(selectTools(h.config), h.config));
      for (const t of tools) {
        expect(t).not.toHaveProperty('execution');
        expect(t.inputSchema).not.toHaveProperty('$schema');
        expect(t).not.toHaveProperty('outputSchema');
      }
    });

    it('resources and prompts', async () => {
      const { session_id } = await agentAndSession(h);
      ok(await h.call('send_message', { session_id, text: '/reply hello there' }));
      const { resourceTemplates } = await (h.client as any).listResourceTemplates();
      expect(resourceTemplates.map((t: any) => t.uriTemplate)).toContain('managed-agents://sessions/{session_id}/transcript');
      const read = await (h.client as any).readResource({ uri: `managed-agents://sessions/${session_id}/transcript` });
      expect(read.contents[0].text).toContain('hello there');
      await expect((h.client as any).readResource({ uri: 'managed-agents://nothing' })).rejects.toThrow(/No resource at/);
      const { prompts } = await (h.client as any).listPrompts();
      expect(prompts.length).toBeGreaterThan(0);
      const got = await (h.client as any).getPrompt({ name: prompts[0].name, arguments: { task: 'count to three' } });
      expect(got.messages[0].content.text).toContain('count to three');
    });

    it('progress while a turn runs', async () => {
      const { session_id } = await agentAndSession(h);
      const seen: string[] = [];
      const d = ok(
        await h.call('send_message', { session_id, text: '/tool read {"file_path":"notes.txt"}\n/reply done' }, { onprogress: (p) => seen.push(p.message) }),
      );
      expect(d.reply).toContain('done');
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.join('\n')).toMatch(/read/);
    });

    it('cancelling a call ends it on the server', async () => {
      const { session_id } = await agentAndSession(h);
      expect(callsInFlightCount(h.shutdown.signal)).toBe(0);
      const ac = new AbortController();
      const call = h.call('send_message', { session_id, text: '/sleep 20000\n/reply late', timeout_s: 30 }, { signal: ac.signal }).catch((e) => e);
      expect(await untilCalls(h.shutdown.signal, 1)).toBe(1);
      ac.abort();
      await call;
      // Without the cancellation reaching the server, the call would follow the turn for 20 s.
      expect(await untilCalls(h.shutdown.signal, 0)).toBe(0);
    });
  });
}

eachEra(
  '2026-07-28',
  () => modernHarness(),
  (h: ModernHarness) => h.client.getNegotiatedProtocolVersion(),
);
// The v1 client offers its latest revision in `initialize` and refuses an answer it does not support.
eachEra(
  '2025-11-25',
  () => harness(),
  (h: Harness) => (h.client.getServerVersion()?.name === 'managed-agents-mcp' ? LATEST_PROTOCOL_VERSION : undefined),
);

describe('2026-07-28: tools/list carries a cache hint', () => {
  it('an hour when the list cannot change, none under --dynamic-toolsets', async () => {
    for (const [dynamic, ttl] of [
      [false, 3_600_000],
      [true, 0],
    ] as const) {
      const h = await modernHarness({ dynamicToolsets: dynamic });
      try {
        await h.client.listTools();
        const listed = h.wire.find((m) => Array.isArray(m?.result?.tools));
        expect(listed.result.ttlMs).toBe(ttl);
      } finally {
        await h.close();
      }
    }
  });
});

describe('2026-07-28: asking the person in rounds', () => {
  let h: ModernHarness;
  beforeAll(async () => {
    ({ h } = await elicitingHarness(denyRemoval('not here'), { approval: 'human' }, { era: '2026-07-28' }));
  });
  afterAll(() => h?.close());

  it('each confirmation is a round; the retried call resumes, sending the message and creating the session once', async () => {
    const { agent_id } = await agentAndSession(h);
    h.asked.length = 0;
    const from = await nextIndex(h);
    const r = ok(await h.call('start_session', { agent_id, message: TWO_COMMANDS }));
    expect(h.asked.map((f) => f.message.match(/"command": "([^"\n]*)"/)?.[1])).toEqual(['ls -la', 'rm -rf /tmp/x']);
    expect(r.turn.stop_reason).toBe('end_turn');
    expect(r.turn.reply).toContain('all done');
    const sent = await confirmations(h, r.session_id);
    expect(sent.map((e) => e.result)).toEqual(['allow', 'deny']);
    expect(sent[1].deny_message).toBe('not here');
    const log = await requestsSince(h, from);
    expect(log.filter((e) => e.method === 'POST' && /\/v1\/sessions$/.test(e.path.split('?')[0]))).toHaveLength(1);
    // The message once, then both answers at once: the rounds re-ran the handler without re-sending.
    expect(log.filter((e) => e.method === 'POST' && /\/events$/.test(e.path.split('?')[0]))).toHaveLength(2);
    const messages = (await history(h, r.session_id)).filter((e) => e.type === 'user.message');
    expect(messages).toHaveLength(1);
  });

  it('several rounds of confirmations in one call (a checkpoint after each send)', async () => {
    const { session_id } = await agentAndSession(h);
    h.asked.length = 0;
    const d = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"one"}\n/reply between\n/tool bash {"command":"two"}' }));
    expect(h.asked).toHaveLength(2);
    expect(d.stop_reason).toBe('end_turn');
    expect((await confirmations(h, session_id)).map((e) => e.result)).toEqual(['allow', 'allow']);
    expect((await history(h, session_id)).filter((e) => e.type === 'user.message')).toHaveLength(1);
  });
});

describe('2026-07-28: when the person does not allow, or the state is not ours', () => {
  it('a decline allows nothing and leaves the actions pending', async () => {
    const h = await modernHarness({ approval: 'human' }, {}, { answer: () => ({ action: 'decline' }) });
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(h.asked).toHaveLength(1);
      expect(d.stop_reason).toBe('requires_action');
      expect(d.hint).toMatch(/declined.*nothing was allowed/);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a client that cannot ask gets the pending actions back', async () => {
    const h = await modernHarness({ approval: 'human' });
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(d.pending_actions).toHaveLength(2);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  /** A client that allows everything, with `rewrite` applied to the requestState it sends back. */
  async function rewriting(rewrite: (state: string) => string | Promise<string>, server = {}) {
    const pending: Promise<void>[] = [];
    let rewritten = 0;
    const h = await modernHarness(
      { approval: 'human' },
      {},
      {
        answer: () => ({ action: 'accept', content: { decision: 'allow' } }),
        server,
        onRequest: (body) => {
          if (typeof body?.params?.requestState !== 'string') return body;
          rewritten++;
          const p = Promise.resolve(rewrite(body.params.requestState));
          pending.push(p.then(() => {}));
          return p.then((s) => ({ ...body, params: { ...body.params, requestState: s } }));
        },
      },
    );
    return { h, rewritten: () => rewritten };
  }

  it('a tampered request state is refused, and nothing is allowed or sent', async () => {
    const { h, rewritten } = await rewriting((s) => {
      // Flip the resume point's session: a different signature would be needed.
      const [body, mac] = [s.slice(3, s.lastIndexOf('.')), s.slice(s.lastIndexOf('.') + 1)];
      const json = JSON.parse(Buffer.from(body, 'base64url').toString());
      json.p.answers = { forged: { action: 'accept', content: { decision: 'allow' } } };
      return `v1.${Buffer.from(JSON.stringify(json)).toString('base64url')}.${mac}`;
    });
    try {
      const { session_id } = await agentAndSession(h);
      const r = await h.call('send_message', { session_id, text: TWO_COMMANDS });
      expect(rewritten()).toBeGreaterThan(0);
      expect(errText(r)).toMatch(/altered or not made by this server: nothing was allowed or sent/);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('an expired request state is refused, though correctly signed', async () => {
    const key = 'k'.repeat(32);
    const expiredCodec = createRequestStateCodec<any>({ key, ttlSeconds: -1 });
    const { h } = await rewriting(
      async (s) => {
        const json = JSON.parse(Buffer.from(s.slice(3, s.lastIndexOf('.')), 'base64url').toString());
        return expiredCodec.mint(json.p);
      },
      { requestState: stateCodec(key) },
    );
    try {
      const { session_id } = await agentAndSession(h);
      const r = await h.call('send_message', { session_id, text: TWO_COMMANDS });
      expect(errText(r)).toContain(`after the form expired (${REQUEST_STATE_TTL_S / 60} minutes)`);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a state made for another call is refused', async () => {
    const key = 'q'.repeat(32);
    const codec = stateCodec(key);
    const { h } = await rewriting(
      async (s) => {
        const json = JSON.parse(Buffer.from(s.slice(3, s.lastIndexOf('.')), 'base64url').toString());
        return codec.mint({ ...json.p, args: 'another-call' });
      },
      { requestState: codec },
    );
    try {
      const { session_id } = await agentAndSession(h);
      const r = await h.call('send_message', { session_id, text: TWO_COMMANDS });
      expect(errText(r)).toMatch(/made for another call/);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
