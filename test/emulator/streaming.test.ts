/** SSE framing and lifecycle (docs/api-behaviour.md, "Streaming"), and events.list pagination ("Pagination"). */
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, idles, makeSession, reportTarget, texts, turn, useTarget, type Ev } from './target.js';

const t = useTarget({ pingIntervalMs: 50 });
reportTarget();

/** Reads raw SSE text from a fetch body until `done(text)` holds. */
async function readRaw(res: Response, done: (text: string) => boolean): Promise<string> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (!done(text)) {
    const { value, done: eof } = await reader.read();
    if (eof) break;
    text += dec.decode(value, { stream: true });
  }
  await reader.cancel();
  return text;
}

describe('SSE framing', () => {
  it('every frame has an event: line and JSON data; headers arrive before any event', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const res = await t.raw(`/v1/sessions/${session.id}/events/stream`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('request-id')).toBeTruthy();
    await c.beta.sessions.events.send(session.id, {
      events: [{ type: 'user.message', content: [{ type: 'text', text: REAL ? 'Say hi.' : '/think\n/reply hi' }] }],
    });
    const text = await readRaw(res, (s) => /"type":"session\.status_idle"/.test(s) && s.endsWith('\n\n'));
    const frames = text.split('\n\n').filter((f) => f.trim() !== '');
    expect(frames.length).toBeGreaterThan(3);
    for (const f of frames) {
      const lines = f.split('\n').filter((l) => !l.startsWith(':'));
      const ev = lines.find((l) => l.startsWith('event: '));
      const data = lines.find((l) => l.startsWith('data: '));
      expect(ev, f).toBeDefined();
      expect(data, f).toBeDefined();
      const parsed = JSON.parse(data!.slice(6));
      const name = ev!.slice(7);
      if (name !== 'ping') expect(parsed.type).toBe(name);
    }
  });

  it.skipIf(REAL)(`sends ping frames while idle (${EMU_ONLY})`, async () => {
    const { session } = await makeSession(t.client());
    const res = await t.raw(`/v1/sessions/${session.id}/events/stream`);
    const text = await readRaw(res, (s) => s.includes('event: ping\ndata: {}\n\n'));
    expect(text).toContain('event: ping\ndata: {}\n\n');
  });

  it('is live only (no replay) and stays open across turns', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const say = (x: string) => (REAL ? `Reply with exactly: ${x}` : `/reply ${x}`);
    await turn(c, session.id, say('before'));
    const stream = await c.beta.sessions.events.stream(session.id);
    const send = (x: string) => c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: say(x) }] }] });
    await send('one');
    const seen: Ev[] = [];
    for await (const ev of stream) {
      seen.push(ev);
      if (ev.type === 'session.status_idle' && idles(seen).length === 1) await send('two');
      if (idles(seen).length === 2) break;
    }
    if (!REAL) expect(texts(seen)).toEqual(['one', 'two']);
    expect(seen.some((e) => e.type === 'agent.message' && JSON.stringify(e).includes('before'))).toBe(false);
  });

  it.skipIf(REAL)(`event_deltas previews agent.message and the deltas never reach history (${EMU_ONLY})`, async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const stream = await c.beta.sessions.events.stream(session.id, { event_deltas: ['agent.message', 'agent.thinking'] });
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/think\n/reply hello world' }] }] });
    const seen: Ev[] = [];
    for await (const ev of stream) {
      seen.push(ev);
      if (ev.type === 'session.status_idle') break;
    }
    const msg = seen.find((e) => e.type === 'agent.message')!;
    const starts = seen.filter((e) => e.type === 'event_start') as any[];
    expect(starts.map((s) => s.event.type)).toEqual(['agent.thinking', 'agent.message']);
    const deltas = seen.filter((e) => e.type === 'event_delta') as any[];
    expect(deltas.map((d) => d.delta.content.text).join('')).toBe('hello world');
    expect(deltas.every((d) => d.event_id === (msg as any).id)).toBe(true);
    const history = await c.beta.sessions.events.list(session.id);
    expect(history.data.some((e) => (e.type as string) === 'event_delta' || (e.type as string) === 'event_start')).toBe(false);
  });
});

describe.skipIf(REAL)(`events.list (${EMU_ONLY})`, () => {
  it('pages to the end in both orders, with types[] and created_at filters', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    await turn(c, session.id, '/events 23');
    const all = (await c.beta.sessions.events.list(session.id)).data;
    expect(all.length).toBeGreaterThan(23);
    const asc: string[] = [];
    for await (const e of c.beta.sessions.events.list(session.id, { limit: 5 })) asc.push(e.id);
    expect(asc).toEqual(all.map((e) => e.id));
    const desc: string[] = [];
    for await (const e of c.beta.sessions.events.list(session.id, { limit: 4, order: 'desc' })) desc.push(e.id);
    expect(desc).toEqual(all.map((e) => e.id).reverse());
    const msgs: string[] = [];
    for await (const e of c.beta.sessions.events.list(session.id, { limit: 10, types: ['agent.message'] })) msgs.push(e.type);
    expect(msgs).toHaveLength(24); // 23 extra + the `You said` reply
    const last = all.at(-1)!;
    const after = await c.beta.sessions.events.list(session.id, { 'created_at[gt]': last.processed_at! });
    expect(after.data).toEqual([]);
    expect(after.next_page).toBeNull();
    const upTo = await c.beta.sessions.events.list(session.id, { 'created_at[lte]': last.processed_at! });
    expect(upTo.data.map((e) => e.id)).toEqual(all.map((e) => e.id));
    // processed_at never decreases
    const times = all.map((e) => Date.parse(e.processed_at!));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('stays efficient on 100,000 events in one session', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    // No stream here: the client-side SSE parse of 100k frames is not what this test measures.
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/events 100000' }] }] });
    while ((await c.beta.sessions.retrieve(session.id)).status !== 'idle') await new Promise((r) => setTimeout(r, 20));
    let pages = 0;
    let count = 0;
    let page = await c.beta.sessions.events.list(session.id, { types: ['agent.message'] });
    for (;;) {
      pages++;
      count += page.data.length;
      if (!page.hasNextPage()) break;
      page = await page.getNextPage();
    }
    expect(count).toBe(100_001);
    expect(pages).toBe(101);
  });
});
