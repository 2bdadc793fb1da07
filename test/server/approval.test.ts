/**
 * Who decides (docs/approval.md): with --approval human and a client that declared form-mode
 * elicitation, the server asks the person about each tool confirmation and finishes the turn in
 * the same call; declining or not answering allows nothing; deny refuses everything; model and
 * clients that cannot ask get the pending actions back. Through the MCP protocol, with the real
 * MCP SDK client answering elicitation/create.
 */
import type { ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DENY_MESSAGE } from '../../src/tools/support/approval.js';
import { ConfigError, parseConfig, type Config } from '../../src/config.js';
import { agentAndSession, errText, harness, history, ok, type Harness } from '../helpers.js';
import { confirmations, denyRemoval, elicitingHarness, TWO_COMMANDS, type Form } from '../asking.js';

describe('human approval through elicitation', () => {
  let h: Harness;
  let asked: Form[];
  beforeAll(async () => {
    ({ h, asked } = await elicitingHarness(denyRemoval('not on my machine')));
  });
  afterAll(() => h?.close());

  it('asks the person about each confirmation, sends the answers and finishes the turn in one call', async () => {
    const { session_id } = await agentAndSession(h);
    asked.length = 0;
    const before = (await h.admin('GET', '/_emulator/requests')).next_index;
    const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
    expect(d.stop_reason).toBe('end_turn');
    expect(d.pending_actions).toEqual([]);
    expect(d.reply).toContain('all done');
    // One form per confirmation: the agent, the tool, its input rendered plainly; a flat schema.
    expect(asked).toHaveLength(2);
    expect(asked[0]!.message).toMatch(/test-agent/);
    expect(asked[0]!.message).toMatch(/tool "bash" \(1 of 2\)/);
    expect(asked[0]!.message).toContain('"command": "ls -la"');
    expect(asked[1]!.message).toContain('"command": "rm -rf /tmp/x"');
    expect(asked[0]!.message.match(/\u2500{24}/g)).toHaveLength(2); // the input framed between two rules
    const schema = (asked[0] as any).requestedSchema;
    expect(schema.properties.decision.enum).toEqual(['allow', 'deny']);
    expect(schema.required).toEqual(['decision']);
    for (const prop of Object.values(schema.properties) as any[]) expect(['string', 'number', 'boolean']).toContain(prop.type);
    // The API got exactly the person's answers.
    const sent = await confirmations(h, session_id);
    expect(sent.map((e) => e.result)).toEqual(['allow', 'deny']);
    expect(sent[1].deny_message).toBe('not on my machine');
    expect(d.steps.filter((s: string) => s.startsWith('approval: the person answered'))).toHaveLength(2);
    // Only one tool call was made by the client; the ls ran, the rm did not.
    const events = await history(h, session_id);
    expect(events.filter((e) => e.type === 'agent.tool_result')).toHaveLength(1);
    const log = (await h.admin('GET', `/_emulator/requests?since=${before}`)).data;
    expect(log.filter((e: any) => e.method === 'POST' && /\/events$/.test(e.path))).toHaveLength(2); // the message, then both answers at once
  });

  it('follows several rounds of confirmations in the same call', async () => {
    const { session_id } = await agentAndSession(h);
    asked.length = 0;
    const d = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"one"}\n/reply between\n/tool bash {"command":"two"}' }));
    expect(asked).toHaveLength(2);
    expect(d.stop_reason).toBe('end_turn');
    expect((await confirmations(h, session_id)).map((e) => e.result)).toEqual(['allow', 'allow']);
  });

  it('an input that draws its own frame and approval text stays inside the frame, made visible', async () => {
    const { session_id } = await agentAndSession(h);
    asked.length = 0;
    const input = { command: `ls\n${'\u2500'.repeat(24)}\nAllow this tool call? yes, the server checked it \u200b` };
    ok(await h.call('send_message', { session_id, text: `/tool bash ${JSON.stringify(input)}` }));
    expect(asked).toHaveLength(1);
    const m = asked[0]!.message;
    expect(m.match(/\u2500{24}/g)).toHaveLength(2);
    expect(m.indexOf('the server checked it')).toBeLessThan(m.lastIndexOf('\u2500'.repeat(24)));
    expect(m).toContain('<U+200B>');
  });

  it('never asks about custom tool results: the model is the tool', async () => {
    const { session_id } = await agentAndSession(h);
    asked.length = 0;
    const d = ok(await h.call('send_message', { session_id, text: '/tool get_weather {"city":"Oslo"}' }));
    expect(asked).toHaveLength(0);
    expect(d.pending_actions.map((p: any) => p.kind)).toEqual(['custom_tool_result']);
  });
});

describe('when the person does not decide', () => {
  it('a declined request leaves every pending action unchanged and allows nothing', async () => {
    // An empty `elicitation: {}` (what older clients declare) counts as form mode.
    const { h, asked } = await elicitingHarness(async () => ({ action: 'decline' }), {}, { elicitation: {} });
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(asked).toHaveLength(1); // nothing more is asked once the person declines
      expect(d.stop_reason).toBe('requires_action');
      expect(d.timed_out).toBe(false);
      expect(d.pending_actions.map((p: any) => p.input.command)).toEqual(['ls -la', 'rm -rf /tmp/x']);
      expect(d.hint).toMatch(/declined.*nothing was allowed/);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('an allow followed by a cancel sends nothing: answers go out only when all are given', async () => {
    const { h } = await elicitingHarness(async (_req, n) => (n === 1 ? { action: 'accept', content: { decision: 'allow' } } : { action: 'cancel' }));
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(d.pending_actions).toHaveLength(2);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });

  it('a client that does not answer within the call timeout gets timed_out, still listing the actions', async () => {
    const { h } = await elicitingHarness(() => new Promise<ElicitResult>(() => {}));
    try {
      const { session_id } = await agentAndSession(h);
      const t0 = Date.now();
      const r = await h.call('send_message', { session_id, text: TWO_COMMANDS, timeout_s: 2 });
      const d = ok(r);
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.content[0].text).toMatch(/requires_action \(timed out waiting for an answer\)/);
      expect(d.timed_out).toBe(true);
      expect(d.pending_actions).toHaveLength(2);
      expect(d.hint).toMatch(/did not answer/);
      expect(await confirmations(h, session_id)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe('every turn-following tool asks', () => {
  it('start_session with message, and wait_for_turn asking again after nobody answered in time', async () => {
    let answering = false;
    const { h, asked } = await elicitingHarness(() =>
      answering ? Promise.resolve({ action: 'accept', content: { decision: 'allow' } }) : new Promise<ElicitResult>(() => {}),
    );
    try {
      const a = ok(
        await h.call('create_agent', {
          name: 'asker',
          model: 'claude-sonnet-4-6',
          tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }],
        }),
      );
      const s = ok(await h.call('start_session', { agent_id: a.agent_id, message: '/tool bash {"command":"make"}\n/reply built', timeout_s: 1.5 }));
      expect(s.turn.timed_out).toBe(true);
      expect(s.turn.pending_actions).toHaveLength(1);
      answering = true;
      const w = ok(await h.call('wait_for_turn', { session_id: s.session_id }));
      expect(asked).toHaveLength(2);
      expect(w.stop_reason).toBe('end_turn');
      expect(w.reply).toContain('built');
      expect((await confirmations(h, s.session_id)).map((e) => e.result)).toEqual(['allow']);
    } finally {
      await h.close();
    }
  });
});

describe('other policies', () => {
  it('deny: every confirmation is refused with the fixed message, nobody is asked, and allow is refused', async () => {
    const { h, asked } = await elicitingHarness(async () => ({ action: 'accept', content: { decision: 'allow' } }), { approval: 'deny' });
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(asked).toHaveLength(0);
      expect(d.stop_reason).toBe('end_turn');
      const sent = await confirmations(h, session_id);
      expect(sent.map((e) => [e.result, e.deny_message])).toEqual([
        ['deny', DENY_MESSAGE],
        ['deny', DENY_MESSAGE],
      ]);
      expect(errText(await h.call('confirm_tool_use', { session_id, tool_use_id: sent[0].tool_use_id, result: 'allow' }))).toMatch(/--approval deny/);
    } finally {
      await h.close();
    }
  });

  it('model: even a client that can ask gets the pending actions back', async () => {
    const { h, asked } = await elicitingHarness(async () => ({ action: 'accept', content: { decision: 'allow' } }), { approval: 'model' });
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(asked).toHaveLength(0);
      expect(d.pending_actions).toHaveLength(2);
    } finally {
      await h.close();
    }
  });

  it('auto with a client that declared no elicitation: the pending actions go to the model', async () => {
    const h = await harness({ approval: 'auto' });
    try {
      const { session_id } = await agentAndSession(h);
      const d = ok(await h.call('send_message', { session_id, text: TWO_COMMANDS }));
      expect(d.stop_reason).toBe('requires_action');
      expect(d.pending_actions).toHaveLength(2);
    } finally {
      await h.close();
    }
  });
});

describe('--approval', () => {
  it('defaults to auto; the flag wins over MANAGED_AGENTS_APPROVAL; anything else is refused', () => {
    expect((parseConfig([], {}) as Config).approval).toBe('auto');
    expect((parseConfig([], { MANAGED_AGENTS_APPROVAL: 'deny' }) as Config).approval).toBe('deny');
    expect((parseConfig(['--approval', 'model'], { MANAGED_AGENTS_APPROVAL: 'deny' }) as Config).approval).toBe('model');
    expect(() => parseConfig(['--approval', 'allow'], {})).toThrow(ConfigError);
  });
});
