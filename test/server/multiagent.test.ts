/**
 * Multi-agent sessions through the MCP protocol (docs/multi-agent.md): a coordinator with a
 * roster delegates to a subagent whose tool call needs confirmation. The turn must hand that
 * confirmation back (with its thread and agent) instead of waiting on a session that stays running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READING, errText, harness, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'sessions'] });
});
afterAll(async () => {
  await h?.close();
});

const ASK_BASH = [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }];

async function coordinator(): Promise<{ session_id: string; helper_id: string }> {
  const helper = ok(await h.call('create_agent', { name: 'helper', model: 'claude-sonnet-4-6', tools: ASK_BASH }));
  const lead = ok(
    await h.call('create_agent', {
      name: 'lead',
      model: 'claude-sonnet-4-6',
      multiagent: { type: 'coordinator', agents: [helper.agent_id] },
    }),
  );
  const s = ok(await h.call('start_session', { agent_id: lead.agent_id }));
  return { session_id: s.session_id, helper_id: helper.agent_id };
}

describe('multi-agent sessions', () => {
  it('create_agent takes the roster as the SDK defines it and get_agent shows it resolved', async () => {
    const helper = ok(await h.call('create_agent', { name: 'helper', model: 'claude-sonnet-4-6' }));
    const lead = ok(
      await h.call('create_agent', {
        name: 'lead',
        model: 'claude-sonnet-4-6',
        multiagent: { type: 'coordinator', agents: [helper.agent_id, { type: 'self' }] },
      }),
    );
    const g = ok(await h.call('get_agent', { agent_id: lead.agent_id }));
    expect(g.multiagent).toEqual({
      type: 'coordinator',
      agents: [
        { type: 'agent', id: helper.agent_id, version: 1 },
        { type: 'agent', id: lead.agent_id, version: 1 },
      ],
    });
    const u = ok(await h.call('update_agent', { agent_id: lead.agent_id, version: 1, multiagent: null }));
    expect(ok(await h.call('get_agent', { agent_id: lead.agent_id, version: u.version })).multiagent).toBeUndefined();
  });

  it('a misspelt roster field is refused before any request, naming the path', async () => {
    const t = errText(await h.call('create_agent', { name: 'x', model: 'claude-sonnet-4-6', multiagent: { type: 'coordinator', agent: [] } }));
    expect(t).toMatch(/multiagent/);
  });

  it('delegate → the subagent asks for a confirmation → the turn returns it with thread and agent → confirm resumes it → end_turn', async () => {
    const { session_id } = await coordinator();
    const d = ok(await h.call('send_message', { session_id, text: '/delegate helper /tool bash {"command":"echo hi"}' }));
    expect(d.timed_out).toBe(false);
    expect(d.stop_reason).toBe('requires_action');
    expect(d.status).toBe('running');
    expect(d.pending_actions).toHaveLength(1);
    const p = d.pending_actions[0];
    expect(p).toMatchObject({ kind: 'tool_confirmation', tool: 'bash', agent: 'helper', input: { command: 'echo hi' } });
    expect(p.session_thread_id).toMatch(/^sthr_/);
    // The same call as on the primary thread (routed by tool_use_id), the verdict left to the caller.
    expect(p.answer_with).toEqual({ tool: 'confirm_tool_use', arguments: { session_id, tool_use_id: p.id, result: '<allow or deny>' } });
    expect(d.steps.some((s: string) => s.startsWith('[helper] agent.tool_use bash'))).toBe(true);
    expect(d.steps.some((s: string) => /^session\.thread_created helper/.test(s))).toBe(true);

    const threads = ok(await h.call('list_threads', { session_id }));
    expect(threads.threads).toEqual([
      expect.objectContaining({ agent: 'lead', status: 'running' }),
      { thread_id: p.session_thread_id, agent: 'helper', status: 'idle', parent_thread_id: threads.threads[0].thread_id },
    ]);

    const done = ok(await h.call('confirm_tool_use', { session_id, tool_use_id: p.id, result: 'allow' }));
    expect(done.stop_reason).toBe('end_turn');
    expect(done.status).toBe('idle');
    expect(done.pending_actions).toEqual([]);
    expect(done.reply).toMatch(/^helper replied: The tool bash finished: \(emulated bash\) \$ echo hi/);
    expect(done.steps.some((s: string) => /^agent\.thread_message_received from helper/.test(s))).toBe(true);
  });

  it('wait_for_turn on a session whose subagent waits returns the pending action instead of timing out', async () => {
    const { session_id } = await coordinator();
    ok(await h.call('send_message', { session_id, text: '/delegate helper /tool bash {"command":"ls"}', wait: false }));
    const w = ok(await h.call('wait_for_turn', { session_id, timeout_s: 10 }));
    expect(w.timed_out).toBe(false);
    expect(w.pending_actions).toEqual([expect.objectContaining({ tool: 'bash', agent: 'helper' })]);
    // Asked again, it is still pending: nothing was answered (also when resuming after its last event).
    const again = ok(await h.call('wait_for_turn', { session_id, timeout_s: 10 }));
    expect(again.pending_actions.map((x: any) => x.id)).toEqual(w.pending_actions.map((x: any) => x.id));
    const resumed = ok(await h.call('wait_for_turn', { session_id, after_event_id: w.last_event_id, timeout_s: 5 }));
    expect(resumed.timed_out).toBe(false);
    expect(resumed.pending_actions.map((x: any) => x.id)).toEqual(w.pending_actions.map((x: any) => x.id));
    const denied = ok(await h.call('confirm_tool_use', { session_id, tool_use_id: w.pending_actions[0].id, result: 'deny' }));
    expect(denied.stop_reason).toBe('end_turn');
    expect(denied.reply).toMatch(/denied/);
  });

  it('a message sent while a subagent waits says it is queued behind the pending action', async () => {
    const { session_id } = await coordinator();
    const d = ok(await h.call('send_message', { session_id, text: '/delegate helper /tool bash {"command":"ls"}' }));
    const q = ok(await h.call('send_message', { session_id, text: 'next', timeout_s: 10 }));
    expect(q.timed_out).toBe(false);
    expect(q.pending_actions.map((x: any) => x.id)).toEqual([d.pending_actions[0].id]);
    expect(q.hint).toMatch(READING.sendWhilePending === 'refuse' ? /refused/ : /queued/);
  });
});
