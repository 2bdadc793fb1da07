/**
 * What the model reads (docs/approval.md#what-the-model-reads): one test per rough edge of the
 * digest and its neighbours, through the MCP protocol.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_KEY_WARNING, USAGE } from '../../src/config.js';
import { agentAndSession, captured, harness, history, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h?.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (bounded) until the session's last turn has ended, reading the API directly. */
async function untilIdle(session: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const events = await history(h, session);
    if (events.at(-1)?.type === 'session.status_idle') return;
    await sleep(100);
  }
  throw new Error('session never went idle');
}

describe('a turn that ended unseen is not lost', () => {
  it('the next send_message says so and how to read it; wait_for_turn from there reads it', async () => {
    const { session_id } = await agentAndSession(h);
    const other = await agentAndSession(h);
    const t = ok(await h.call('send_message', { session_id, text: '/sleep 800\n/reply the late answer', timeout_s: 0.3 }));
    expect(t.timed_out).toBe(true);
    await untilIdle(session_id);
    // Per session: another session hears nothing of it.
    expect(ok(await h.call('send_message', { session_id: other.session_id, text: 'hi' })).hint ?? '').not.toMatch(/unseen/);
    const next = ok(await h.call('send_message', { session_id, text: 'next' }));
    expect(next.reply).toBe('You said: next');
    expect(next.hint).toContain(`went on unseen after ${t.last_event_id}`);
    expect(next.hint).toContain(`"after_event_id":"${t.last_event_id}"`);
    const read = ok(await h.call('wait_for_turn', { session_id, after_event_id: t.last_event_id }));
    expect(read.reply).toBe('the late answer');
    // Said once: the next call is quiet about it.
    expect(ok(await h.call('send_message', { session_id, text: 'again' })).hint ?? '').not.toMatch(/unseen/);
  });

  it('get_session mentions it too (after wait:false as after a timeout)', async () => {
    const { session_id } = await agentAndSession(h);
    const sent = ok(await h.call('send_message', { session_id, text: '/reply unwatched', wait: false }));
    await untilIdle(session_id);
    const r = await h.call('get_session', { session_id });
    expect(ok(r).hint).toContain(`"after_event_id":"${sent.last_event_id}"`);
    expect(r.content[0].text).toMatch(/went on unseen/);
    const read = ok(await h.call('wait_for_turn', { session_id, after_event_id: sent.last_event_id }));
    expect(read.reply).toBe('unwatched');
  });
});

describe('the size cap keeps the frame whole', () => {
  it('20 parallel confirmations with long inputs: all listed in both renderings, fences and hint intact', async () => {
    const { session_id } = await agentAndSession(h);
    const lines = Array.from({ length: 20 }, (_, i) => `/tool bash ${JSON.stringify({ command: `echo ${i} ${'x'.repeat(3000)}` })}`);
    const r = await h.call('send_message', { session_id, text: lines.join('\n') });
    const d = ok(r);
    const idle = (await history(h, session_id)).filter((e) => e.type === 'session.status_idle').at(-1);
    const ids: string[] = idle.stop_reason.event_ids;
    expect(ids).toHaveLength(20);
    expect(d.pending_actions.map((p: any) => p.id)).toEqual(ids);
    expect(d.truncated).toBeUndefined(); // the blind global cap never had to act
    expect(d.hint).toMatch(/waiting on 20 action/);
    const text = r.content[0].text as string;
    for (const id of ids) expect(text).toContain(id);
    expect(text).toMatch(/----- end of pending tool calls \[fence [0-9a-f]+\] -----/);
    expect(text).toMatch(/----- end of steps \[fence [0-9a-f]+\] -----/);
    expect(text).toContain('waiting on 20 action');
    expect(text.length).toBeLessThanOrEqual(h.config.maxOutputChars / 2);
    expect(JSON.stringify(d).length).toBeLessThanOrEqual(h.config.maxOutputChars);
  });

  it('past the step cap the oldest steps go, the newest stay, and both renderings say so', async () => {
    const { session_id } = await agentAndSession(h, [{ type: 'agent_toolset_20260401' }]);
    const lines = Array.from({ length: 30 }, (_, i) => `/tool bash {"command":"step-${i}"}`);
    const r = await h.call('send_message', { session_id, text: lines.join('\n') });
    const d = ok(r);
    expect(d.steps_omitted).toBeGreaterThan(0);
    expect(d.steps.join('\n')).toContain('step-29');
    expect(d.steps.join('\n')).not.toContain('step-0"');
    expect(d.hint).toMatch(/list_events shows the full history/);
    expect(r.content[0].text).toMatch(new RegExp(`- … ${d.steps_omitted} earlier step\\(s\\) omitted \\(list_events shows them\\)`));
  });

  it('a long reply is cut in the middle, with how much and where to read it; its end survives', async () => {
    const small = await harness({ maxOutputChars: 8000 });
    try {
      const { session_id } = await agentAndSession(small);
      const reply = `START ${'a'.repeat(30_000)} END`;
      const r = await small.call('send_message', { session_id, text: `/reply ${reply}` });
      const d = ok(r);
      expect(d.reply.startsWith('START')).toBe(true);
      expect(d.reply.endsWith('END')).toBe(true);
      expect(d.reply).toMatch(/characters cut from the middle of the reply: list_events/);
      expect(d.reply_truncated_chars).toBeGreaterThan(20_000);
      expect(d.truncated).toBeUndefined();
      const text = r.content[0].text as string;
      expect(text).toMatch(/END\n----- end of agent reply \[fence [0-9a-f]+\] -----/);
      expect(text).toMatch(/list_events shows the full history/);
    } finally {
      await small.close();
    }
  });
});

describe('queued, own and interrupted messages', () => {
  it('send_message wait:false to a session blocked on pending actions says the message is queued behind them', async () => {
    const { session_id } = await agentAndSession(h);
    const blocked = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"ls"}' }));
    const d = ok(await h.call('send_message', { session_id, text: 'later please', wait: false }));
    expect(d.hint).toMatch(/queued/);
    expect(d.pending_actions.map((p: any) => p.id)).toEqual(blocked.pending_actions.map((p: any) => p.id));
  });

  it('our own message is not labelled "(another client)" after wait:false, a timeout or a cancellation', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/sleep 200\n/reply one', wait: false }));
    const a = ok(await h.call('wait_for_turn', { session_id }));
    ok(await h.call('send_message', { session_id, text: '/sleep 600\n/reply two', timeout_s: 0.2 }));
    const b = ok(await h.call('wait_for_turn', { session_id }));
    const ac = new AbortController();
    const cancelled = h.call('send_message', { session_id, text: '/sleep 600\n/reply three' }, { signal: ac.signal }).catch(() => undefined);
    await sleep(200);
    ac.abort();
    await cancelled;
    const c = ok(await h.call('wait_for_turn', { session_id }));
    expect([a.reply, b.reply, c.reply]).toEqual(['one', 'two', 'three']);
    for (const d of [a, b, c]) expect(d.steps.join('\n')).not.toMatch(/another client/);
  });

  it('interrupt_session says what happens to messages already queued', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/sleep 3000\n/reply slow', wait: false }));
    ok(await h.call('send_message', { session_id, text: '/reply queued one', wait: false }));
    const d = ok(await h.call('interrupt_session', { session_id }));
    expect(d.hint).toMatch(/queued before the interrupt were not withdrawn/);
  });
});

describe('costs, status and hints', () => {
  it('a cost under one cent reads "< $0.01" and the texts say costs are whole cents', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/reply hi' }));
    const g = await h.call('get_session', { session_id });
    expect(ok(g).list_cost_usd).toBe(0); // numeric, as the API reports it
    const texts = [g.content[0].text, (await h.call('list_sessions', {})).content[0].text, (await h.call('session_usage', { session_id })).content[0].text];
    for (const t of texts) {
      expect(t).toContain('< $0.01');
      expect(t).not.toMatch(/\$0\.00\b/);
      expect(t).toMatch(/whole cents/);
    }
  });

  it('start_session: text and structured result agree on status; the timeout hint carries after_event_id', async () => {
    const a = ok(await h.call('create_agent', { name: 'status-agent', model: 'claude-sonnet-4-6' }));
    const done = await h.call('start_session', { agent_id: a.agent_id, message: '/reply ok' });
    expect(ok(done).status).toBe('idle');
    expect(done.content[0].text).toMatch(/status idle\./);
    expect(done.content[0].text).not.toMatch(/running/);
    const later = await h.call('start_session', { agent_id: a.agent_id, message: '/reply ok', wait: false });
    expect(ok(later).status).toBe('running');
    expect(later.content[0].text).toMatch(/status running\./);
    const slow = ok(await h.call('start_session', { agent_id: a.agent_id, message: '/sleep 800\n/reply ok', timeout_s: 0.2 }));
    expect(slow.status).toBe('running');
    expect(slow.turn.hint).toContain(`"after_event_id":"${slow.turn.last_event_id}"`);
  });

  it('the delegate_task prompt validates its arguments', async () => {
    await expect(h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'x', budget_usd: 'two' } })).rejects.toThrow(/budget_usd/);
    await expect(h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'x', agent_id: 'agent x"; drop' } })).rejects.toThrow(/agent_id/);
    const r = await h.client.getPrompt({ name: 'delegate_task', arguments: { task: 'x', budget_usd: '0.5' } });
    expect((r.messages[0]!.content as { text: string }).text).toMatch(/with budget 0\.5 /);
  });
});

describe('help, warnings and logs', () => {
  it('--help lists every environment variable the config reads', () => {
    const src = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
    // Read by name (the key families), or through the flag table.
    const vars = new Set([...src.matchAll(/env\.([A-Z][A-Z0-9_]+)/g), ...src.matchAll(/env: '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!));
    expect(vars.size).toBeGreaterThan(8);
    for (const v of vars) expect(USAGE, v).toContain(v);
  });

  it('the no-key warning names MANAGED_AGENTS_API_KEY first', () => {
    expect(NO_KEY_WARNING.indexOf('MANAGED_AGENTS_API_KEY')).toBeGreaterThan(-1);
    expect(NO_KEY_WARNING.indexOf('MANAGED_AGENTS_API_KEY')).toBeLessThan(NO_KEY_WARNING.indexOf('ANTHROPIC_API_KEY'));
  });

  it('an error log line names the tool once', async () => {
    const from = captured.length;
    await h.call('get_session', { session_id: 'sesn_doesnotexist' });
    const lines = captured.slice(from).filter((l) => l.startsWith('info:') && l.includes('get_session'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.match(/get_session/g)).toHaveLength(1);
  });
});
