import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAndSession, harness, history, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ maxOutputChars: 40_000 });
});
afterAll(async () => {
  await h?.close();
});

const idOf = (line: string) => /\((sevt_[A-Za-z0-9]+)\)$/.exec(line)?.[1];

describe('list_events', () => {
  it('pages the whole history oldest first, one compact line per event, with next_page', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/events 30\n/reply done' }));
    const truth = await history(h, session_id);
    const seen: string[] = [];
    let page: string | undefined;
    for (let i = 0; i < 20; i++) {
      const r = ok(await h.call('list_events', { session_id, limit: 7, ...(page ? { page } : {}) }));
      expect(r.count).toBe(r.events.length);
      for (const line of r.events) expect(line).toMatch(/^\d\d:\d\d:\d\d \S+.* \(sevt_\w+\)$/);
      seen.push(...r.events.map(idOf));
      page = r.next_page;
      if (!page) break;
    }
    expect(seen).toEqual(truth.map((e) => e.id));
  });

  it('types filters; view=full returns the events themselves', async () => {
    const { session_id } = await agentAndSession(h, [{ type: 'agent_toolset_20260401' }]);
    ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"ls"}\n/reply ok' }));
    const r = ok(await h.call('list_events', { session_id, types: ['agent.tool_use', 'agent.tool_result'], view: 'full' }));
    expect(r.events.map((e: any) => e.type)).toEqual(['agent.tool_use', 'agent.tool_result']);
    expect(r.events[0].input).toEqual({ command: 'ls' });
    const bad = await h.call('list_events', { session_id, types: ['agent.tool_uses'] });
    expect(bad.isError).toBe(true);
    expect(bad.content[0].text).toMatch(/agent\.tool_use/);
  });

  it('after_event_id resumes exactly after that event, near either end of a long history', async () => {
    const { session_id } = await agentAndSession(h);
    // 30,000+ events: an anchor near the end is found from the newest side, one near the start
    // from the oldest side (each side bounded at 20,000 events).
    ok(await h.call('send_message', { session_id, text: '/events 30000\n/reply done', timeout_s: 60 }));
    const truth = await history(h, session_id);
    expect(truth.length).toBeGreaterThan(30_000);
    for (const at of [truth.length - 10, 100]) {
      const r = ok(await h.call('list_events', { session_id, after_event_id: truth[at - 1].id, limit: 5 }));
      expect(r.events.map(idOf)).toEqual(truth.slice(at, at + 5).map((e) => e.id));
      const next = r.next_after_event_id ?? r.events.map(idOf).at(-1);
      const r2 = ok(await h.call('list_events', { session_id, after_event_id: next, limit: 3 }));
      expect(r2.events.map(idOf)).toEqual(truth.slice(at + 5, at + 8).map((e) => e.id));
    }
    const last = ok(await h.call('list_events', { session_id, after_event_id: truth.at(-1).id }));
    expect(last.events).toEqual([]);
    expect(last.next_page).toBeUndefined();
    expect(last.next_after_event_id).toBeUndefined();
  }, 60_000);

  it('never exceeds the output cap; says how to continue', async () => {
    const { session_id } = await agentAndSession(h);
    const long = 'x'.repeat(3_000);
    ok(await h.call('send_message', { session_id, text: Array.from({ length: 30 }, (_, i) => `/reply ${i} ${long}`).join('\n') }));
    const r = await h.call('list_events', { session_id, view: 'full', limit: 200 });
    const s = ok(r);
    expect(JSON.stringify(s).length).toBeLessThanOrEqual(40_000);
    expect(s.next_after_event_id).toMatch(/^sevt_/);
    expect(s.truncated_note ?? s.truncated).toBeTruthy();
    const more = ok(await h.call('list_events', { session_id, view: 'full', limit: 200, after_event_id: s.next_after_event_id }));
    expect(more.events.length).toBeGreaterThan(0);
  });

  it('a page the cap cut short goes on with next_page: every event once, in order, one request per call', async () => {
    const { session_id } = await agentAndSession(h);
    const long = 'x'.repeat(3_000);
    ok(await h.call('send_message', { session_id, text: Array.from({ length: 30 }, (_, i) => `/reply ${i} ${long}`).join('\n') }));
    const truth = await history(h, session_id);
    const seen: string[] = [];
    let page: string | undefined;
    let capped = 0;
    do {
      const before = (await h.admin('GET', '/_emulator/requests')).next_index;
      const r = ok(await h.call('list_events', { session_id, view: 'full', limit: 200, ...(page ? { page } : {}) }));
      expect((await h.admin('GET', `/_emulator/requests?since=${before}`)).data).toHaveLength(1);
      if (r.truncated_note) {
        capped++;
        expect(r.truncated_note).toContain(`page=${r.next_page}`);
      }
      seen.push(...r.events.map((e: { id: string }) => e.id));
      page = r.next_page;
    } while (page);
    expect(capped).toBeGreaterThan(1);
    expect(seen).toEqual(truth.map((e) => e.id));
  });
});
