/** Multi-agent sessions through the SDK (docs/multi-agent.md): roster config, /delegate, threads. */
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, makeAgent, makeEnv, reportTarget, texts, turn, types, useTarget, type Ev } from './target.js';

const t = useTarget();
reportTarget();

const ASK_BASH = { tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }] };

describe('multiagent config', () => {
  it('coordinator roster entries resolve to pinned agent references; self resolves to the owner', async () => {
    const c = t.client();
    const helper = await makeAgent(c, { name: 'helper' });
    const coord = await makeAgent(c, { multiagent: { type: 'coordinator', agents: [helper.id, { type: 'self' }] } });
    expect(coord.multiagent).toEqual({
      type: 'coordinator',
      agents: [
        { type: 'agent', id: helper.id, version: 1 },
        { type: 'agent', id: coord.id, version: 1 },
      ],
    });
  });

  it('multiagent_20261001 takes its defaults, and an update merges level by level', async () => {
    const c = t.client();
    const helper = await makeAgent(c, { name: 'helper' });
    const a = await makeAgent(c, { multiagent: { type: 'multiagent_20261001', subagents: { type: 'enabled', predefined_agents: [helper.id] } } });
    expect(a.multiagent).toEqual({
      type: 'multiagent_20261001',
      advisor: { type: 'disabled' },
      subagents: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [{ type: 'agent', id: helper.id, version: 1 }] },
      workflows: { type: 'enabled', inline_agents: { type: 'enabled' }, predefined_agents: [] },
    });
    const b = await c.beta.agents.update(a.id, { version: a.version, multiagent: { type: 'multiagent_20261001', workflows: { type: 'disabled' } } });
    expect(b.multiagent).toMatchObject({ subagents: { predefined_agents: [{ id: helper.id }] }, workflows: { type: 'disabled' } });
  });

  it('refuses unknown fields, missing agents and nested multiagent (depth limit 1)', async () => {
    const c = t.client();
    const helper = await makeAgent(c);
    const coord = await makeAgent(c, { multiagent: { type: 'coordinator', agents: [helper.id] } });
    const bad = async (multiagent: unknown) => (await makeAgent(c, { multiagent }).catch((e) => e)).status;
    expect(await bad({ type: 'coordinator', agents: [helper.id], extra: 1 })).toBe(400);
    expect(await bad({ type: 'coordinator', agents: ['agent_missing'] })).toBe(400);
    expect(await bad({ type: 'coordinator', agents: [coord.id] })).toBe(400);
    expect(await bad({ type: 'coordinator', agents: [helper.id, { type: 'agent', id: helper.id }] })).toBe(400);
  });
});

describe.skipIf(REAL)(`delegation to a subagent thread (${EMU_ONLY})`, () => {
  async function coordinatorSession(helperExtra: Record<string, unknown> = ASK_BASH) {
    const c = t.client();
    const helper = await makeAgent(c, { name: 'helper', ...helperExtra });
    const coord = await makeAgent(c, { name: 'lead', multiagent: { type: 'coordinator', agents: [helper.id] } });
    const env = await makeEnv(c);
    const session = await c.beta.sessions.create({ agent: coord.id, environment_id: env.id });
    return { c, helper, session };
  }

  it('a subagent waiting on a confirmation idles its thread while the session stays running; the answer resumes it', async () => {
    const { c, session } = await coordinatorSession();
    expect(session.agent.multiagent).toMatchObject({ type: 'coordinator', agents: [{ type: 'agent', name: 'helper' }] });
    let during: string | undefined;
    let echo: any;
    const evs = await turn(c, session.id, '/delegate helper /tool bash {"command":"echo hi"}', async (ev: Ev, send) => {
      if (ev.type === 'session.thread_status_idle' && ev.stop_reason.type === 'requires_action') {
        during = (await c.beta.sessions.retrieve(session.id)).status;
        const r: any = await send([{ type: 'user.tool_confirmation', tool_use_id: ev.stop_reason.event_ids[0], result: 'allow' }]);
        echo = r.data[0];
      }
    });
    expect(during).toBe('running');
    const created = evs.find((e) => e.type === 'session.thread_created') as any;
    const tid = created.session_thread_id as string;
    expect(created).toMatchObject({ agent_name: 'helper', workflow_run_id: null });
    const use = evs.find((e) => e.type === 'agent.tool_use') as any;
    expect(use).toMatchObject({ name: 'bash', evaluated_permission: 'ask', session_thread_id: tid });
    expect(echo).toMatchObject({ type: 'user.tool_confirmation', tool_use_id: use.id, session_thread_id: tid });
    // No session-level idle until the very end: the session stayed running while the thread waited.
    expect(types(evs).filter((x) => x === 'session.status_idle')).toHaveLength(1);
    expect(types(evs)).toEqual(
      expect.arrayContaining(['agent.thread_message_sent', 'session.thread_status_running', 'session.thread_status_idle', 'agent.thread_message_received']),
    );
    const received = evs.find((e) => e.type === 'agent.thread_message_received') as any;
    expect(received).toMatchObject({ from_session_thread_id: tid, from_agent_name: 'helper' });
    expect(texts(evs).at(-1)).toMatch(/^helper replied: The tool bash finished/);
    expect(evs.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } });

    const threads = await c.beta.sessions.threads.list(session.id);
    expect(threads.data.map((x) => [(x.agent as { name: string }).name, x.parent_thread_id === null, x.status])).toEqual([
      ['lead', true, 'idle'],
      ['helper', false, 'idle'],
    ]);
    const one = await c.beta.sessions.threads.retrieve(tid, { session_id: session.id });
    expect(one.parent_thread_id).toBe(threads.data[0]!.id);
    const own = await c.beta.sessions.threads.events.list(tid, { session_id: session.id });
    const ownTypes = own.data.map((e) => e.type);
    expect(ownTypes[0]).toBe('agent.thread_message_received');
    expect(ownTypes).toEqual(expect.arrayContaining(['agent.tool_use', 'user.tool_confirmation', 'agent.tool_result', 'agent.message']));
    expect(ownTypes).not.toContain('session.status_idle');
  });

  it('answers carry no thread field: a session_thread_id in the params is refused', async () => {
    const { c, session } = await coordinatorSession();
    let status: number | undefined;
    await turn(c, session.id, '/delegate helper /tool bash {"command":"x"}', async (ev: Ev, send) => {
      if (ev.type === 'session.thread_status_idle' && ev.stop_reason.type === 'requires_action') {
        const id = ev.stop_reason.event_ids[0];
        status = (
          (await send([{ type: 'user.tool_confirmation', tool_use_id: id, result: 'allow', session_thread_id: ev.session_thread_id }]).catch(
            (e: unknown) => e,
          )) as { status?: number }
        ).status;
        await send([{ type: 'user.tool_confirmation', tool_use_id: id, result: 'deny' }]);
      }
    });
    expect(status).toBe(400);
  });

  it('an interrupt while the subagent waits ends both threads', async () => {
    const { c, session } = await coordinatorSession();
    const evs = await turn(c, session.id, '/delegate helper /tool bash {"command":"x"}', async (ev: Ev, send) => {
      if (ev.type === 'session.thread_status_idle' && ev.stop_reason.type === 'requires_action') await send([{ type: 'user.interrupt' }]);
    });
    expect(evs.at(-1)).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } });
    const threads = await c.beta.sessions.threads.list(session.id);
    expect(threads.data.map((x) => x.status)).toEqual(['idle', 'idle']);
  });

  it("delegating to an agent outside the roster is the agent's error, not the API's", async () => {
    const { c, session } = await coordinatorSession();
    const evs = await turn(c, session.id, '/delegate nobody hi');
    expect(texts(evs).at(-1)).toMatch(/not in this agent's roster \(helper\)/);
  });
});
