/** Cursor pagination to the end in both orders (docs/api-behaviour.md, "Pagination"), including sessions' prev_page. */
import { describe, expect, it } from 'vitest';
import { makeAgent, makeEnv, reportTarget, useTarget } from './target.js';

const t = useTarget();
reportTarget();

describe('pagination', () => {
  // The SDK's AgentListParams has no `order` (only sessions and events lists do): newest first.
  it('agents.list walks every page newest first with next_page null at the end', async () => {
    const c = t.client();
    const since = new Date(Date.now() - 1000).toISOString();
    const mine: string[] = [];
    for (let i = 0; i < 7; i++) mine.push((await makeAgent(c)).id);
    const ids: string[] = [];
    let page = await c.beta.agents.list({ limit: 3, 'created_at[gte]': since });
    for (;;) {
      ids.push(...page.data.map((a) => a.id));
      if (!page.next_page) break;
      page = await page.getNextPage();
    }
    const ours = ids.filter((id) => mine.includes(id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ours).toEqual([...mine].reverse());
  });

  it('sessions.list: default desc, asc on request, prev_page walks back', async () => {
    const c = t.client();
    const agent = await makeAgent(c);
    const env = await makeEnv(c);
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await c.beta.sessions.create({ agent: agent.id, environment_id: env.id })).id);
    const walk = async (order?: 'asc' | 'desc') => {
      const out: string[] = [];
      for await (const s of c.beta.sessions.list({ agent_id: agent.id, limit: 2, ...(order ? { order } : {}) })) out.push(s.id);
      return out;
    };
    expect(await walk()).toEqual([...created].reverse());
    expect(await walk('asc')).toEqual(created);

    const p1 = await c.beta.sessions.list({ agent_id: agent.id, limit: 2 });
    expect(p1.prev_page).toBeNull();
    const p2 = await c.beta.sessions.list({ agent_id: agent.id, limit: 2, page: p1.next_page! });
    expect(p2.prev_page).toBeTruthy();
    const back = await c.beta.sessions.list({ agent_id: agent.id, limit: 2, page: p2.prev_page! });
    expect(back.data.map((s) => s.id)).toEqual(p1.data.map((s) => s.id));
    const p3 = await c.beta.sessions.list({ agent_id: agent.id, limit: 2, page: p2.next_page! });
    expect(p3.data).toHaveLength(1);
    expect(p3.next_page).toBeNull();
  });

  it('an invalid cursor is a 400', async () => {
    const err = await t
      .client()
      .beta.agents.list({ page: 'not-a-cursor' })
      .catch((e) => e);
    expect(err.status).toBe(400);
  });
});
