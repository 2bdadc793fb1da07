/**
 * Issue 8 §4 through the MCP protocol: update_agent keeps a stored inference_geo across a model
 * change, budget wording says what the API allows, session_usage says "no estimate" for a model
 * without a price.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errText, harness, ok, type Harness } from '../helpers.js';

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
