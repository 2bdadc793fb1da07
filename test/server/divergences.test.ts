/**
 * Divergences from the real API, closed, through the MCP protocol: update_agent keeps a stored inference_geo across a model
 * change, budget wording says what the API allows, session_usage says "no estimate" for a model
 * without a price, and a self-hosted built-in call is never offered as an answerable confirmation.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_KEY, errText, harness, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'sessions'] });
});
afterAll(async () => {
  await h?.close();
});

const geoOf = async (agent_id: string) => ok(await h.call('get_agent', { agent_id })).model.inference_geo;

describe('update_agent and inference_geo', () => {
  it('carries the stored inference_geo over a model change, and clears it only when asked', async () => {
    const a = ok(await h.call('create_agent', { name: 'geo', model: { id: 'claude-sonnet-4-6', inference_geo: 'us' } }));
    expect(await geoOf(a.agent_id)).toBe('us');

    const u1 = await h.call('update_agent', { agent_id: a.agent_id, version: 1, model: 'claude-opus-4-6' });
    expect(ok(u1).version).toBe(2);
    expect(u1.content[0].text).toMatch(/kept inference_geo us/);
    const g = ok(await h.call('get_agent', { agent_id: a.agent_id }));
    expect(g.model).toMatchObject({ id: 'claude-opus-4-6', inference_geo: 'us' });

    ok(await h.call('update_agent', { agent_id: a.agent_id, version: 2, model: { id: 'claude-opus-4-6', inference_geo: 'eu' } }));
    expect(await geoOf(a.agent_id)).toBe('eu');

    ok(await h.call('update_agent', { agent_id: a.agent_id, version: 3, model: { id: 'claude-sonnet-4-6', inference_geo: null } }));
    expect(await geoOf(a.agent_id)).toBeUndefined();
  });
});

describe('budgets', () => {
  it('tool descriptions say a budget is set at start and can only be raised later', async () => {
    const { tools } = await h.client.listTools();
    const start = tools.find((t) => t.name === 'start_session')!;
    const update = tools.find((t) => t.name === 'update_session')!;
    expect((start.inputSchema.properties as any).budget.description).toMatch(/none can be added later/);
    expect(update.description).toMatch(/only be raised.*started with one/);
  });

  it('update_session on a session started without a budget fails with the API refusal', async () => {
    const a = ok(await h.call('create_agent', { name: 'budget', model: 'claude-sonnet-4-6' }));
    const s = ok(await h.call('start_session', { agent_id: a.agent_id }));
    expect(errText(await h.call('update_session', { session_id: s.session_id, budget: 5 }))).toMatch(/400/);
  });
});

describe('session_usage without a price', () => {
  it('says there is no estimate instead of a cost of 0', async () => {
    const a = ok(await h.call('create_agent', { name: 'unpriced', model: 'claude-nonexistent-9' }));
    const s = ok(await h.call('start_session', { agent_id: a.agent_id, message: '/reply hi' }));
    const r = await h.call('session_usage', { session_id: s.session_id });
    const u = ok(r);
    expect(u.estimate).toBeUndefined();
    expect(u.notes.join(' ')).toMatch(/No price for claude-nonexistent-9.*no estimate/);
    expect(r.content[0].text).toMatch(/no estimate \(no price for claude-nonexistent-9\)/);
    expect(r.content[0].text).not.toMatch(/\$0\.0000/);
  });
});

describe('self-hosted environments', () => {
  it('a built-in call waiting for user.tool_result is pending with the limitation named, not a confirmation', async () => {
    const sdk = new Anthropic({ apiKey: TEST_KEY, baseURL: h.url, maxRetries: 0 });
    const env = await sdk.beta.environments.create({ name: 'self', config: { type: 'self_hosted' } } as never);
    const ask = ok(
      await h.call('create_agent', {
        name: 'self-hosted',
        model: 'claude-sonnet-4-6',
        tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'read', permission_policy: { type: 'always_ask' } }] }],
      }),
    );
    const s = ok(await h.call('start_session', { agent_id: ask.agent_id, environment_id: env.id }));

    // bash is always_allow: it waits for its result at once.
    const r = await h.call('send_message', { session_id: s.session_id, text: '/tool bash {"command":"ls"}' });
    const d = ok(r);
    expect(d.stop_reason).toBe('requires_action');
    expect(d.pending_actions).toEqual([
      expect.objectContaining({ kind: 'tool_result', tool: 'bash', note: expect.stringMatching(/self-hosted.*cannot send it/) }),
    ]);
    expect(d.pending_actions[0].answer_with).toBeUndefined();
    // The text lists it with the other pending calls, offers no answer for it, and says who sends it.
    expect(r.content[0].text).toMatch(/\n\S+ tool_result bash /);
    expect(r.content[0].text).not.toMatch(/Answer tool_result with/);
    expect(r.content[0].text).toMatch(/self-hosted environment: its result \(user\.tool_result\) must come from your environment worker/);
    await sdk.beta.sessions.events.send(s.session_id, {
      events: [{ type: 'user.tool_result', tool_use_id: d.pending_actions[0].id, content: [{ type: 'text', text: 'x' }] }] as never,
    });

    // read is always_ask: a confirmation this server can answer, as on cloud environments.
    ok(await h.call('wait_for_turn', { session_id: s.session_id }));
    const c = ok(await h.call('send_message', { session_id: s.session_id, text: '/tool read {"file_path":"/a"}' }));
    expect(c.pending_actions).toEqual([
      expect.objectContaining({ kind: 'tool_confirmation', answer_with: expect.objectContaining({ tool: 'confirm_tool_use' }) }),
    ]);
    expect(ok(await h.call('confirm_tool_use', { session_id: s.session_id, tool_use_id: c.pending_actions[0].id, result: 'allow' })).stop_reason).toBe(
      'end_turn',
    );
  });
});
