/**
 * usage_report through the MCP protocol, over an emulator seeded with 300 finished sessions
 * (50 a day for 6 days, docs/emulator.md "Seeding"): its totals equal the sum of session_usage
 * over the same sessions, it reads the sessions list once (no per-session requests), and a read
 * stopped at max_sessions says so and how to get the rest. Against an upstream whose sessions list
 * never ends or loops, it returns what it read, each session once, and says where it stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errText, harness, ok, type Harness } from '../helpers.js';
import { MAX_REPORT_SESSIONS } from '../../src/tools/usage.js';
import { startHostileUpstream } from '../reliability/hostile-upstream.mjs';

const START = '2026-05-01T00:00:00.000Z';
const day = (k: number) => new Date(Date.parse(START) + k * 86_400_000).toISOString();

let h: Harness;
beforeAll(async () => {
  // The totals are under test, not the output cap: a cap wide enough for every row of the report.
  h = await harness({ toolsets: ['core', 'sessions'], maxOutputChars: 40_000 }, { seed: { sessions: 300, agents: 4, days: 6, start: START, seed: 11 } });
});
afterAll(() => h.close());

async function requests(since: number): Promise<{ method: string; path: string; query: Record<string, unknown> }[]> {
  return (await h.admin('GET', `/_emulator/requests?since=${since}`)).data;
}
const logLength = async () => (await h.admin('GET', '/_emulator/requests')).next_index as number;

/** The sessions of a window as list_sessions reports them, every page. */
async function listed(from: string, before: string): Promise<any[]> {
  const out: any[] = [];
  let page: string | undefined;
  for (;;) {
    const r = ok(await h.call('list_sessions', { created_after: from, created_before: before, include_archived: true, limit: 100, ...(page ? { page } : {}) }));
    out.push(...r.sessions);
    if (!r.next_page) return out;
    page = r.next_page;
  }
}

describe('usage_report', () => {
  it('totals and groups equal the sum of session_usage over the same sessions', async () => {
    // Day 2 (50 sessions); created_before is inclusive, so the last millisecond of the day.
    const sessions = await listed(day(2), new Date(Date.parse(day(3)) - 1).toISOString());
    expect(sessions).toHaveLength(50);
    const audits: { s: any; u: any }[] = [];
    for (const s of sessions) audits.push({ s, u: ok(await h.call('session_usage', { session_id: s.session_id })) });
    const sum = (f: (a: (typeof audits)[number]) => number, of = audits) => of.reduce((t, a) => t + f(a), 0);

    const byAgent = ok(await h.call('usage_report', { from: day(2), to: day(3) }));
    expect(byAgent.group_by).toBe('agent');
    const t = byAgent.totals;
    expect(t.sessions).toBe(50);
    expect(t.input).toBe(sum((a) => a.u.tokens.input));
    expect(t.output).toBe(sum((a) => a.u.tokens.output));
    expect(t.cache_read).toBe(sum((a) => a.u.tokens.cache_read));
    expect(t.cache_write).toBe(sum((a) => a.u.tokens.cache_creation_5m + a.u.tokens.cache_creation_1h));
    expect(t.list_cost_usd).toBeCloseTo(
      sum((a) => a.u.list_cost_usd),
      2,
    );
    expect(t.estimate_usd).toBeCloseTo(
      sum((a) => a.u.estimate.total_usd),
      2,
    );
    expect(t.active_hours).toBeCloseTo(sum((a) => a.u.active_seconds) / 3600, 3);
    expect(t.list_cost_usd).toBeGreaterThan(0);

    // Per agent: each row is the sum over that agent's sessions, costliest first.
    expect(byAgent.groups.map((g: any) => g.key).sort()).toEqual([...new Set(sessions.map((s) => s.agent_id))].sort());
    for (const g of byAgent.groups) {
      const mine = audits.filter((a) => a.s.agent_id === g.key);
      expect(g.sessions).toBe(mine.length);
      expect(g.input).toBe(sum((a) => a.u.tokens.input, mine));
      expect(g.list_cost_usd).toBeCloseTo(
        sum((a) => a.u.list_cost_usd, mine),
        2,
      );
      expect(g.name).toMatch(/^seed-agent-\d$/);
    }
    const costs = byAgent.groups.map((g: any) => g.list_cost_usd);
    expect(costs).toEqual([...costs].sort((x, y) => y - x));

    // Per model: each row is the sum over the sessions session_usage reports with that model.
    const byModel = ok(await h.call('usage_report', { from: day(2), to: day(3), group_by: 'model' }));
    expect(byModel.totals).toEqual(byAgent.totals);
    for (const g of byModel.groups) {
      const mine = audits.filter((a) => a.u.model === g.key);
      expect(g.sessions).toBe(mine.length);
      expect(g.output).toBe(sum((a) => a.u.tokens.output, mine));
      expect(g.estimate_usd).toBeCloseTo(
        sum((a) => a.u.estimate.total_usd, mine),
        2,
      );
    }
    expect(byModel.groups.reduce((n: number, g: any) => n + g.sessions, 0)).toBe(50);

    // The costliest sessions, in order, with their list cost as session_usage reports it.
    expect(byAgent.top_sessions).toHaveLength(5);
    const top = [...audits].sort((x, y) => y.u.list_cost_usd - x.u.list_cost_usd).slice(0, 5);
    expect(byAgent.top_sessions.map((s: any) => s.list_cost_usd)).toEqual(top.map((a) => a.u.list_cost_usd));
    expect(byAgent.top_sessions[0].session_id).toBe(top[0]!.s.session_id);
  });

  it('by day, over a window given as dates: one list walk, no per-session requests', async () => {
    const since = await logLength();
    const r = ok(await h.call('usage_report', { group_by: 'day', from: '2026-05-02', to: '2026-05-05', top: 0 }));
    expect(r.window).toEqual({ from: '2026-05-02T00:00:00Z', to: '2026-05-05T00:00:00Z' });
    expect(r.groups.map((g: any) => [g.key, g.sessions])).toEqual([
      ['2026-05-02', 50],
      ['2026-05-03', 50],
      ['2026-05-04', 50],
    ]);
    expect(r.totals.sessions).toBe(150);
    expect(r.top_sessions).toBeUndefined();
    expect(r.incomplete).toBeUndefined();
    const log = await requests(since);
    expect(log.every((q) => q.method === 'GET' && q.path === '/v1/sessions')).toBe(true);
    expect(log).toHaveLength(2);
    expect(log[0]!.query).toMatchObject({
      'created_at[gte]': '2026-05-02T00:00:00Z',
      'created_at[lt]': '2026-05-05T00:00:00Z',
      include_archived: 'true',
      limit: '100',
    });
  });

  it('counts archived sessions, and every session when no window is given, in three list requests', async () => {
    const since = await logLength();
    const all = ok(await h.call('usage_report', { group_by: 'day' }));
    expect(await requests(since)).toHaveLength(3);
    expect(all.totals.sessions).toBe(300);
    expect(all.groups).toHaveLength(6);
    // list_sessions leaves archived ones out by default; the report does not.
    let unarchived = 0;
    let page: string | undefined;
    do {
      const r = ok(await h.call('list_sessions', { created_after: START, limit: 100, ...(page ? { page } : {}) }));
      unarchived += r.sessions.length;
      page = r.next_page;
    } while (page);
    expect(unarchived).toBeGreaterThan(200);
    expect(unarchived).toBeLessThan(300);
  });

  it('stops at max_sessions, says so, and the rest comes with to=<oldest read>', async () => {
    const full = ok(await h.call('usage_report', {}));
    const since = await logLength();
    const first = ok(await h.call('usage_report', { max_sessions: 120 }));
    expect(first.totals.sessions).toBe(120);
    expect(first.incomplete).toMatch(/Stopped at max_sessions=120 before the window's end/);
    const oldest = /to=(\S+?),/.exec(first.incomplete)![1]!;
    expect(first.incomplete).toContain(`from ${oldest} on`);
    // Newest first: two pages of 100 are enough for 120.
    expect(await requests(since)).toHaveLength(2);
    const rest = ok(await h.call('usage_report', { to: oldest }));
    expect(rest.incomplete).toBeUndefined();
    expect(first.totals.sessions + rest.totals.sessions).toBe(300);
    expect(first.totals.input + rest.totals.input).toBe(full.totals.input);
    expect(first.totals.list_cost_usd + rest.totals.list_cost_usd).toBeCloseTo(full.totals.list_cost_usd, 2);
    // Exactly at the cap with nothing left is complete.
    expect(ok(await h.call('usage_report', { max_sessions: 300 })).incomplete).toBeUndefined();
  });

  it('folds rows past 60 into "other", keeping the totals', async () => {
    const long = await harness({ toolsets: ['core', 'sessions'] }, { seed: { sessions: 140, agents: 2, days: 70, start: START } });
    try {
      const r = ok(await long.call('usage_report', { group_by: 'day' }));
      expect(r.groups).toHaveLength(60);
      expect(r.groups[0].key).toBe('2026-05-01');
      expect(r.groups[58].key).toBe('2026-06-28');
      const other = r.groups[59];
      expect(other.key).toBe('other');
      expect(other.sessions).toBe(140 - 59 * 2);
      expect(r.groups.reduce((n: number, g: any) => n + g.input, 0)).toBe(r.totals.input);
      expect(r.notes.join(' ')).toMatch(/11 later days are summed in "other"/);
    } finally {
      await long.close();
    }
  });

  it('refuses bad arguments', async () => {
    expect(errText(await h.call('usage_report', { max_sessions: MAX_REPORT_SESSIONS + 1 }))).toMatch(/max_sessions/);
    expect(errText(await h.call('usage_report', { from: 'yesterday' }))).toMatch(/expected a date/);
    expect(errText(await h.call('usage_report', { group_by: 'week' }))).toMatch(/group_by/);
  });
});

describe('usage_report against a sessions list that does not end', () => {
  const cases = [
    // One session per page, each page with a new cursor: the page budget stops the walk.
    {
      mode: 'list-fresh-one',
      stop: /Stopped reading the sessions list after (\d+) pages in one call without reaching its end/,
      sessions: (pages: number) => pages,
    },
    // The second page names itself as the next: the walk stops there; that page repeats the first one's session.
    { mode: 'list-self-cursor', stop: /the API returned a next_page cursor it had already returned \(page 3\)/, sessions: () => 1 },
  ] as const;
  for (const c of cases) {
    it(`${c.mode}: returns the figures it read, each session once, and says where it stopped`, async () => {
      const up = await startHostileUpstream(c.mode);
      const hh = await harness({ toolsets: ['core', 'sessions'], baseURL: up.url });
      try {
        const r = await hh.call('usage_report', { max_sessions: 500 });
        const s = ok(r);
        const m = c.stop.exec(s.incomplete);
        expect(m, s.incomplete).not.toBeNull();
        const pages = up.counts.byRoute['GET /v1/sessions']!;
        // ceil(500 / 100) + 1 pages at most.
        expect(pages).toBeLessThanOrEqual(6);
        if (m![1]) expect(Number(m![1])).toBe(pages);
        expect(s.totals.sessions).toBe(c.sessions(pages));
        expect(s.totals.input).toBe(1000 * s.totals.sessions);
        expect(s.incomplete).toMatch(/The figures cover sessions created from \S+ on; for the older rest call again with to=\S+/);
        if (c.mode === 'list-self-cursor') expect(s.notes).toContain('The list named 1 session(s) more than once: each is counted once.');
        // The text says the same.
        expect((r.content as { text: string }[])[0]!.text).toContain(s.incomplete);
      } finally {
        await hh.close();
        await up.close();
      }
    });
  }
});
