/**
 * HTTP mode as deployed: three replicas of the built bin (`--http`) sharing one emulator process,
 * behind Debian's nginx (round robin), driven by the MCP SDK's Streamable HTTP client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, NGINX, httpClient, spawnBin, spawnReplica, startNginx, type HttpClient, type Nginx, type Proc } from './http-procs.js';

if (!NGINX) {
  // Printed, not silent: CI installs nginx (.ci/run); elsewhere this says why nothing ran.
  console.warn('SKIP test/e2e/http-nginx.test.ts: nginx is not installed (apt-get install nginx-light)');
}

function ok(r: any): any {
  if (r.isError) throw new Error(`tool error: ${r.content?.[0]?.text}`);
  expect(JSON.stringify(r)).not.toContain(API_KEY);
  return r.structuredContent;
}

describe.skipIf(!NGINX)('HTTP mode: replicas behind nginx', () => {
  let emulator: Proc;
  let replicas: Proc[];
  let nginx: Nginx;
  let mcp: HttpClient;

  beforeAll(async () => {
    emulator = await spawnBin(['emulator', '--port', '0']);
    // Three: the failover case kills two, one before a call and one during it.
    replicas = await Promise.all([spawnReplica(emulator.url), spawnReplica(emulator.url), spawnReplica(emulator.url)]);
    nginx = await startNginx(replicas.map((r) => r.url));
    mcp = await httpClient(`${nginx.url}/mcp`);
  }, 60_000);

  afterAll(async () => {
    await mcp?.close().catch(() => {});
    await nginx?.stop();
    for (const p of [...(replicas ?? []), emulator]) p?.child.kill('SIGTERM');
    await Promise.all([...(replicas ?? []), emulator].map((p) => p?.exited));
  });

  it('runs the whole workflow through nginx, answered by every replica', async () => {
    const seen = new Set<string>();
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = ok(await mcp.call(name, args));
      seen.add(mcp.lastUpstream()!);
      return r;
    };
    const agent = await call('create_agent', {
      name: 'http-e2e',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }],
    });
    const started = await call('start_session', { agent_id: agent.agent_id, message: 'hello' });
    expect(started.turn.reply).toBe('You said: hello');
    const asked = await call('send_message', { session_id: started.session_id, text: '/tool bash {"command":"date"}' });
    expect(asked.status).toBe('idle');
    expect(asked.stop_reason).toBe('requires_action');
    expect(asked.pending_actions).toHaveLength(1);
    const p = asked.pending_actions[0];
    expect(p.answer_with.tool).toBe('confirm_tool_use');
    // answer_with gives the call; the verdict is ours to fill in (docs/approval.md).
    const done = await call(p.answer_with.tool, { ...p.answer_with.arguments, result: 'allow' });
    expect(done.stop_reason).toBe('end_turn');
    const events = await call('list_events', { session_id: started.session_id, limit: 100, view: 'full' });
    const types = events.events.map((e: any) => e.type);
    expect(types).toContain('agent.tool_use');
    expect(types).toContain('agent.tool_result');
    const usage = await call('session_usage', { session_id: started.session_id });
    expect(usage.tokens.output).toBeGreaterThan(0);
    // Round robin: consecutive calls landed on every replica, and the workflow did not notice.
    expect(seen.size).toBe(3);
    expect(replicas.map((r) => new URL(r.url).host).sort()).toEqual([...seen].sort());
  });

  it('progress notifications stream through nginx as the turn runs, not buffered until its end', async () => {
    const agent = ok(await mcp.call('create_agent', { name: 'progress', model: 'claude-haiku-4-5' }));
    const session = ok(await mcp.call('start_session', { agent_id: agent.agent_id }));
    const progress: { at: number; message: string }[] = [];
    const r = ok(
      await mcp.call(
        'send_message',
        { session_id: session.session_id, text: '/reply first\n/sleep 2000\n/reply second' },
        { onprogress: (p) => progress.push({ at: Date.now(), message: String(p.message) }) },
      ),
    );
    const resultAt = Date.now();
    expect(r.reply).toMatch(/second/);
    const early = progress.find((p) => p.message.includes('first'));
    expect(early, JSON.stringify(progress)).toBeDefined();
    // The turn sleeps 2 s after "first": a buffering proxy would deliver it with the result.
    expect(resultAt - early!.at).toBeGreaterThan(1000);
  });

  it('200 concurrent tool calls across the replicas all answer correctly', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => httpClient(`${nginx.url}/mcp`)));
    const names = Array.from({ length: 200 }, (_, i) => `concurrent-${i}`);
    const results = await Promise.all(names.map((name, i) => clients[i % clients.length]!.call('create_agent', { name, model: 'claude-haiku-4-5' }).then(ok)));
    await Promise.all(clients.map((c) => c.close()));
    const ids = new Set(results.map((r) => r.agent_id));
    expect(ids.size).toBe(200);
    // Each id names the agent created for that call (read back through nginx, so again either replica).
    for (const i of [0, 57, 123, 199]) {
      const got = ok(await mcp.call('get_agent', { agent_id: results[i].agent_id }));
      expect(got.name).toBe(names[i]);
    }
  }, 120_000);

  // Last: it kills replicas.
  it('a turn started through one replica finishes on another after SIGKILLs, one of them mid-call', async () => {
    const agent = ok(await mcp.call('create_agent', { name: 'failover', model: 'claude-haiku-4-5' }));
    const session = ok(await mcp.call('start_session', { agent_id: agent.agent_id }));
    const first = ok(
      await mcp.call('send_message', {
        session_id: session.session_id,
        text: '/reply before the sleep\n/sleep 8000\n/reply after the sleep',
        timeout_s: 1,
      }),
    );
    const startedOn = mcp.lastUpstream()!;
    expect(first.timed_out).toBe(true);
    expect(first.reply).toBe('before the sleep');
    expect(first.last_event_id).toMatch(/^sevt_/);
    const kill = async (host: string) => {
      const victim = replicas.find((r) => new URL(r.url).host === host)!;
      expect(victim).toBeDefined();
      victim.child.kill('SIGKILL');
      await victim.exited;
    };
    await kill(startedOn);

    // A wait_for_turn in flight on a second replica, which dies under it: the call fails...
    mcp.resetUpstream();
    const resume = { session_id: session.session_id, after_event_id: first.last_event_id, timeout_s: 30 };
    // The SDK client does not fail a request whose SSE stream was cut (it would resume a stateful
    // stream); like a real client, this one gives up on its own timeout and calls again.
    const cut = mcp.call('wait_for_turn', resume, { timeout: 4000 }).then(
      (r) => ({ r }),
      (e) => ({ e }),
    );
    for (let i = 0; i < 100 && !mcp.lastUpstream(); i++) await new Promise((r) => setTimeout(r, 50));
    const followedOn = mcp.lastUpstream()!;
    expect(followedOn).toBeDefined();
    expect(followedOn).not.toBe(startedOn);
    await new Promise((r) => setTimeout(r, 300));
    await kill(followedOn);
    const outcome: any = await cut;
    expect(outcome.r?.structuredContent?.stop_reason, 'the cut call must not report the turn finished').not.toBe('end_turn');

    // ...and the same call again, through nginx, finishes the turn on the last replica.
    const finished = ok(await mcp.call('wait_for_turn', resume));
    expect([startedOn, followedOn]).not.toContain(mcp.lastUpstream());
    expect(finished.timed_out).toBe(false);
    expect(finished.stop_reason).toBe('end_turn');
    expect(finished.reply).toBe('after the sleep');
    // Nothing lost or doubled: the history holds the message once and both replies once.
    const events = ok(await mcp.call('list_events', { session_id: session.session_id, limit: 100, view: 'full' }));
    const texts = events.events.filter((e: any) => e.type === 'agent.message').map((e: any) => JSON.stringify(e));
    expect(texts.filter((t: string) => t.includes('before the sleep'))).toHaveLength(1);
    expect(texts.filter((t: string) => t.includes('after the sleep'))).toHaveLength(1);
    expect(events.events.filter((e: any) => e.type === 'user.message')).toHaveLength(1);
  }, 60_000);
});
