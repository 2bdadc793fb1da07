/**
 * The policy cannot be loosened behind the person's back (docs/security.md): under human a change
 * that lets a remote tool run without confirmation is put to the person, with the policies before
 * and after; under deny it is refused; agent creation with the API's defaults stays one call.
 * Verdicts come from the emulator's stored agents, sessions and events.
 */
import { ElicitRequestSchema, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { errText, harness, history, ok, TEST_KEY, type Harness } from '../helpers.js';

async function withClient(approval: Config['approval'], reply: ElicitResult | null) {
  const asked: ElicitRequest['params'][] = [];
  const h = await harness(
    { approval, toolsets: ['core', 'agents', 'deployments'] },
    {},
    reply
      ? {
          capabilities: { elicitation: { form: {} } },
          setup: (client) =>
            client.setRequestHandler(ElicitRequestSchema, async (req) => {
              asked.push(req.params);
              return reply;
            }),
        }
      : {},
  );
  return { h, asked };
}

const DECLINE: ElicitResult = { action: 'decline' };
const ALLOW: ElicitResult = { action: 'accept', content: { decision: 'allow' } };

/** The API's stored agent (latest version), read straight from the emulator. */
async function storedAgent(h: Harness, id: string): Promise<any> {
  const res = await fetch(`${h.url}/v1/agents/${id}`, {
    headers: { authorization: `Bearer ${TEST_KEY}`, 'anthropic-beta': 'managed-agents-2026-04-01', 'anthropic-version': '2026-10-21' },
  });
  return res.json();
}

async function storedList(h: Harness, what: 'agents' | 'sessions' | 'deployments'): Promise<any[]> {
  const res = await fetch(`${h.url}/v1/${what}?limit=100`, {
    headers: { authorization: `Bearer ${TEST_KEY}`, 'anthropic-beta': 'managed-agents-2026-04-01', 'anthropic-version': '2026-10-21' },
  });
  return (await res.json()).data;
}

const bashPolicy = (agent: any) =>
  agent.tools.find((t: any) => t.type === 'agent_toolset_20260401').configs.find((c: any) => c.name === 'bash')?.permission_policy?.type;
const ASK = [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }];
const ALLOW_ALL = [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_allow' } }] }];
const MCP_ALLOW = {
  tools: [{ type: 'mcp_toolset', mcp_server_name: 'gh', default_config: { permission_policy: { type: 'always_allow' } } }],
  mcp_servers: [{ type: 'url', name: 'gh', url: 'https://mcp.example.com/gh' }],
};

async function askingAgent(h: Harness): Promise<string> {
  return ok(await h.call('create_agent', { name: 'careful', model: 'claude-sonnet-4-6', tools: ASK })).agent_id;
}

describe('update_agent loosening a policy', () => {
  it('human, the person declines: nothing changes and bash still asks before it runs', async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      const id = await askingAgent(h);
      const e = errText(await h.call('update_agent', { agent_id: id, version: 1, tools: ALLOW_ALL }));
      expect(e).toMatch(/declined.*Nothing changed/s);
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toContain('built-in tool "bash": always_ask → always_allow');
      const agent = await storedAgent(h, id);
      expect(agent.version).toBe(1);
      expect(bashPolicy(agent)).toBe('always_ask');
      // The tool still stops for confirmation.
      const s = ok(await h.call('start_session', { agent_id: id }));
      ok(await h.call('send_message', { session_id: s.session_id, text: '/tool bash {"command":"id"}' }));
      expect((await history(h, s.session_id)).filter((e) => e.type === 'agent.tool_result')).toHaveLength(0);
      expect(asked).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('human, the person allows: the new version has the looser policy', async () => {
    const { h, asked } = await withClient('human', ALLOW);
    try {
      const id = await askingAgent(h);
      ok(await h.call('update_agent', { agent_id: id, version: 1, tools: ALLOW_ALL }));
      expect(asked).toHaveLength(1);
      expect(bashPolicy(await storedAgent(h, id))).toBe('always_allow');
    } finally {
      await h.close();
    }
  });

  it('deny: refused without asking; tightening and unrelated updates go through', async () => {
    const { h, asked } = await withClient('deny', ALLOW);
    try {
      const id = await askingAgent(h);
      expect(errText(await h.call('update_agent', { agent_id: id, version: 1, tools: ALLOW_ALL }))).toMatch(/--approval deny.*bash/s);
      expect(
        errText(
          await h.call('update_agent', {
            agent_id: id,
            version: 1,
            tools: [{ type: 'agent_toolset_20260401', default_config: { permission_policy: { type: 'auto' } } }],
          }),
        ),
      ).toMatch(/--approval deny/);
      expect(asked).toHaveLength(0);
      expect((await storedAgent(h, id)).version).toBe(1);
      ok(await h.call('update_agent', { agent_id: id, version: 1, name: 'renamed' }));
      expect((await storedAgent(h, id)).version).toBe(2);
    } finally {
      await h.close();
    }
  });

  it('human with a client that cannot ask: refused, saying what to do; auto lets the model decide', async () => {
    const strict = await withClient('human', null);
    try {
      const id = await askingAgent(strict.h);
      expect(errText(await strict.h.call('update_agent', { agent_id: id, version: 1, tools: ALLOW_ALL }))).toMatch(/--approval model/);
      expect((await storedAgent(strict.h, id)).version).toBe(1);
    } finally {
      await strict.h.close();
    }
    const lenient = await withClient('auto', null);
    try {
      const id = await askingAgent(lenient.h);
      ok(await lenient.h.call('update_agent', { agent_id: id, version: 1, tools: ALLOW_ALL }));
      expect(bashPolicy(await storedAgent(lenient.h, id))).toBe('always_allow');
    } finally {
      await lenient.h.close();
    }
  });
});

describe('create_agent', () => {
  it("with the API's defaults stays one call under human, nobody asked", async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      ok(await h.call('create_agent', { name: 'plain', model: 'claude-sonnet-4-6', tools: [{ type: 'agent_toolset_20260401' }] }));
      ok(
        await h.call('create_agent', {
          name: 'plain-mcp',
          model: 'claude-sonnet-4-6',
          tools: [{ type: 'mcp_toolset', mcp_server_name: 'gh' }],
          mcp_servers: MCP_ALLOW.mcp_servers,
        }),
      );
      expect(asked).toHaveLength(0);
      expect((await storedList(h, 'agents')).map((a) => a.name).sort()).toEqual(['plain', 'plain-mcp']);
    } finally {
      await h.close();
    }
  });

  it('an MCP toolset that runs unasked is put to the person (declined: no agent), refused under deny', async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      errText(await h.call('create_agent', { name: 'loose', model: 'claude-sonnet-4-6', ...MCP_ALLOW }));
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toMatch(/every tool of MCP server "gh" at "https:\/\/mcp.example.com\/gh" not named below: always_ask → always_allow/);
      expect(await storedList(h, 'agents')).toEqual([]);
    } finally {
      await h.close();
    }
    const d = await withClient('deny', ALLOW);
    try {
      errText(await d.h.call('create_agent', { name: 'loose', model: 'claude-sonnet-4-6', ...MCP_ALLOW }));
      expect(await storedList(d.h, 'agents')).toEqual([]);
    } finally {
      await d.h.close();
    }
  });
});

describe('start_session pinning an older version', () => {
  it('whose policies are looser than the latest is put to the person; declined, no session starts', async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      const id = ok(await h.call('create_agent', { name: 'was-loose', model: 'claude-sonnet-4-6', tools: ALLOW_ALL })).agent_id;
      ok(await h.call('update_agent', { agent_id: id, version: 1, tools: ASK })); // tightening: not asked
      expect(asked).toHaveLength(0);
      expect(errText(await h.call('start_session', { agent_id: id, agent_version: 1 }))).toMatch(/declined/);
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toMatch(/pinned to its version 1 instead of the latest, 2/);
      expect(await storedList(h, 'sessions')).toEqual([]);
      ok(await h.call('start_session', { agent_id: id, agent_version: 2 }));
      expect(await storedList(h, 'sessions')).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe('a deployment pinning an older version', () => {
  it('is put to the person like start_session: declined, no deployment and no change; under deny, refused', async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      const id = ok(await h.call('create_agent', { name: 'was-loose', model: 'claude-sonnet-4-6', tools: ALLOW_ALL })).agent_id;
      ok(await h.call('update_agent', { agent_id: id, version: 1, tools: ASK }));
      expect(asked).toHaveLength(0);
      const create = { name: 'nightly', agent_id: id, message: 'run the checks' };
      expect(errText(await h.call('create_deployment', { ...create, agent_version: 1 }))).toMatch(/declined/);
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toMatch(/pinned to its version 1 instead of the latest, 2/);
      expect(await storedList(h, 'deployments')).toEqual([]);
      const dep = ok(await h.call('create_deployment', { ...create, agent_version: 2 }));
      expect(asked).toHaveLength(1); // the latest version loosens nothing
      expect(errText(await h.call('update_deployment', { deployment_id: dep.deployment_id, agent_version: 1 }))).toMatch(/declined/);
      expect(asked).toHaveLength(2);
      expect((await storedList(h, 'deployments')).map((d: any) => d.agent.version)).toEqual([2]);
    } finally {
      await h.close();
    }
    const d = await withClient('deny', ALLOW);
    try {
      const id = ok(await d.h.call('create_agent', { name: 'was-loose', model: 'claude-sonnet-4-6', tools: ALLOW_ALL })).agent_id;
      ok(await d.h.call('update_agent', { agent_id: id, version: 1, tools: ASK }));
      expect(errText(await d.h.call('create_deployment', { name: 'nightly', agent_id: id, message: 'go', agent_version: 1 }))).toMatch(/--approval deny/);
      expect(d.asked).toHaveLength(0);
      expect(await storedList(d.h, 'deployments')).toEqual([]);
    } finally {
      await d.h.close();
    }
  });
});

describe('a multi-agent roster pinning a subagent to an older version', () => {
  /** A helper whose v1 ran bash unasked and whose latest (v2) asks first. */
  async function tightenedHelper(h: Harness): Promise<string> {
    const id = ok(await h.call('create_agent', { name: 'helper', model: 'claude-sonnet-4-6', tools: ALLOW_ALL })).agent_id;
    ok(await h.call('update_agent', { agent_id: id, version: 1, tools: ASK })); // tightening: not asked
    return id;
  }
  const roster = (id: string, version?: number) => ({ type: 'coordinator', agents: [{ type: 'agent', id, ...(version ? { version } : {}) }] });

  it('create_agent: put to the person naming the subagent; declined, no coordinator is saved', async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      const helper = await tightenedHelper(h);
      expect(errText(await h.call('create_agent', { name: 'lead', model: 'claude-sonnet-4-6', multiagent: roster(helper, 1) }))).toMatch(/declined/);
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toContain(
        `subagent "helper" (${helper}) pinned to version 1 instead of the latest, 2: built-in tool "bash": always_ask → always_allow`,
      );
      expect((await storedList(h, 'agents')).map((a) => a.name)).toEqual(['helper']);
      // At its latest version, by id or by number, the subagent was gated already: nobody asked.
      ok(await h.call('create_agent', { name: 'lead', model: 'claude-sonnet-4-6', multiagent: roster(helper, 2) }));
      ok(await h.call('create_agent', { name: 'lead2', model: 'claude-sonnet-4-6', multiagent: { type: 'coordinator', agents: [helper] } }));
      expect(asked).toHaveLength(1);
    } finally {
      await h.close();
    }
  });

  it('create_agent: the person allows, and the roster is saved pinned', async () => {
    const { h, asked } = await withClient('human', ALLOW);
    try {
      const helper = await tightenedHelper(h);
      const lead = ok(await h.call('create_agent', { name: 'lead', model: 'claude-sonnet-4-6', multiagent: roster(helper, 1) })).agent_id;
      expect(asked).toHaveLength(1);
      expect((await storedAgent(h, lead)).multiagent.agents).toEqual([{ type: 'agent', id: helper, version: 1 }]);
    } finally {
      await h.close();
    }
  });

  it('update_agent: declined leaves the roster as it was; deny refuses without asking', async () => {
    const { h, asked } = await withClient('human', DECLINE);
    try {
      const helper = await tightenedHelper(h);
      const lead = ok(await h.call('create_agent', { name: 'lead', model: 'claude-sonnet-4-6', multiagent: roster(helper) })).agent_id;
      expect(errText(await h.call('update_agent', { agent_id: lead, version: 1, multiagent: roster(helper, 1) }))).toMatch(/declined/);
      expect(asked).toHaveLength(1);
      expect(asked[0]!.message).toMatch(/update the agent "lead".*subagent "helper".*pinned to version 1/s);
      const stored = await storedAgent(h, lead);
      expect(stored.version).toBe(1);
      expect(stored.multiagent.agents).toEqual([{ type: 'agent', id: helper, version: 2 }]);
    } finally {
      await h.close();
    }
    const d = await withClient('deny', ALLOW);
    try {
      const helper = await tightenedHelper(d.h);
      const lead = ok(await d.h.call('create_agent', { name: 'lead', model: 'claude-sonnet-4-6', multiagent: roster(helper) })).agent_id;
      expect(errText(await d.h.call('update_agent', { agent_id: lead, version: 1, multiagent: roster(helper, 1) }))).toMatch(/--approval deny.*helper.*bash/s);
      expect(errText(await d.h.call('create_agent', { name: 'lead2', model: 'claude-sonnet-4-6', multiagent: roster(helper, 1) }))).toMatch(/--approval deny/);
      expect(d.asked).toHaveLength(0);
      expect((await storedAgent(d.h, lead)).multiagent.agents).toEqual([{ type: 'agent', id: helper, version: 2 }]);
      expect((await storedList(d.h, 'agents')).map((a) => a.name).sort()).toEqual(['helper', 'lead']);
    } finally {
      await d.h.close();
    }
  });
});
