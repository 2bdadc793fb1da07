/**
 * Outcomes, thread events and session resources added mid-session, through the SDK
 * (docs/emulator.md "Outcomes", docs/api-behaviour.md "Outcomes").
 */
import { toFile } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, makeSession, reportTarget, texts, turn, types, useTarget, type Ev } from './target.js';

const t = useTarget();
reportTarget();

const outcome = (content: string, max?: number) => [
  { type: 'user.define_outcome', description: 'A haiku about rain', rubric: { type: 'text', content }, ...(max ? { max_iterations: max } : {}) },
];
const grades = (events: Ev[]) => events.flatMap((e) => (e.type === 'span.outcome_evaluation_end' ? [{ iteration: e.iteration, result: e.result }] : []));

describe.skipIf(REAL)(`outcomes (${EMU_ONLY})`, () => {
  it('/revise 1: iteration 0 needs revision, 1 is satisfied; spans pair up; the session records the outcome', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, null, undefined, outcome('Three lines.\n/revise 1'));
    const echo = evs.find((e) => e.type === 'user.define_outcome');
    expect(echo).toMatchObject({ max_iterations: 3, rubric: { type: 'text' } });
    const outcomeId = (echo as { outcome_id: string }).outcome_id;
    expect(outcomeId).toMatch(/^outc_/);
    expect(grades(evs)).toEqual([
      { iteration: 0, result: 'needs_revision' },
      { iteration: 1, result: 'satisfied' },
    ]);
    const spans = types(evs).filter((x) => x.startsWith('span.outcome'));
    expect(spans).toEqual([
      'span.outcome_evaluation_start',
      'span.outcome_evaluation_ongoing',
      'span.outcome_evaluation_end',
      'span.outcome_evaluation_start',
      'span.outcome_evaluation_ongoing',
      'span.outcome_evaluation_end',
    ]);
    const starts = evs.filter((e) => e.type === 'span.outcome_evaluation_start');
    const ends = evs.filter((e): e is Extract<Ev, { type: 'span.outcome_evaluation_end' }> => e.type === 'span.outcome_evaluation_end');
    expect(ends.map((e) => e.outcome_evaluation_start_id)).toEqual(starts.map((e) => e.id));
    expect(ends.every((e) => e.outcome_id === outcomeId && e.explanation.length > 0)).toBe(true);
    expect(texts(evs)).toEqual(['Working on the outcome: A haiku about rain', "Revision 1: addressed the grader's feedback."]);
    const last = evs.at(-1)!;
    expect(last).toMatchObject({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } });
    const s = await c.beta.sessions.retrieve(session.id);
    expect(s.outcome_evaluations).toEqual([
      expect.objectContaining({ type: 'outcome_evaluation', outcome_id: outcomeId, iteration: 1, result: 'satisfied', description: 'A haiku about rain' }),
    ]);
    expect(s.outcome_evaluations[0]!.completed_at).not.toBeNull();
  });

  it('max_iterations reached: the last verdict is terminal, one acknowledgment follows, then idle', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, null, undefined, outcome('/revise 5', 2));
    expect(grades(evs)).toEqual([
      { iteration: 0, result: 'needs_revision' },
      { iteration: 1, result: 'max_iterations_reached' },
    ]);
    expect(texts(evs).at(-1)).toBe('I could not meet the rubric within 2 iteration(s).');
    const s = await c.beta.sessions.retrieve(session.id);
    expect(s.outcome_evaluations[0]).toMatchObject({ result: 'max_iterations_reached', iteration: 1 });
  });

  it('/fail gives failed; a file rubric is echoed as its text; a missing rubric file is a 400', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const file = await c.beta.files.upload({ file: await toFile(Buffer.from('Must rhyme.\n/fail'), 'rubric.md') });
    const evs = await turn(c, session.id, null, undefined, [
      { type: 'user.define_outcome', description: 'A limerick', rubric: { type: 'file', file_id: file.id }, max_iterations: 4 },
    ]);
    expect(evs.find((e) => e.type === 'user.define_outcome')).toMatchObject({ rubric: { type: 'text', content: 'Must rhyme.\n/fail' }, max_iterations: 4 });
    expect(grades(evs)).toEqual([{ iteration: 0, result: 'failed' }]);
    const err = await c.beta.sessions.events
      .send(session.id, { events: [{ type: 'user.define_outcome', description: 'x', rubric: { type: 'file', file_id: 'file_missing' } }] })
      .catch((e) => e);
    expect(err.status).toBe(400);
    expect(String(err.message)).toContain('rubric.file_id');
  });

  it('an interrupt during grading ends the evaluation interrupted', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(
      c,
      session.id,
      null,
      async (ev, send) => {
        if (ev.type === 'span.outcome_evaluation_ongoing') await send([{ type: 'user.interrupt' }]);
      },
      outcome('/grade-sleep 5000'),
    );
    expect(grades(evs)).toEqual([{ iteration: 0, result: 'interrupted' }]);
    expect((await c.beta.sessions.retrieve(session.id)).outcome_evaluations[0]).toMatchObject({ result: 'interrupted' });
  });
});

describe.skipIf(REAL)(`thread events (${EMU_ONLY})`, () => {
  it("the primary thread's events page with limit and page", async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    await turn(c, session.id, '/events 5');
    const [primary] = (await c.beta.sessions.threads.list(session.id)).data;
    const first = await c.beta.sessions.threads.events.list(primary!.id, { session_id: session.id, limit: 4 });
    expect(first.data).toHaveLength(4);
    expect(first.next_page).toBeTruthy();
    const all: string[] = [];
    for await (const ev of c.beta.sessions.threads.events.list(primary!.id, { session_id: session.id, limit: 4 })) all.push(ev.id);
    const history = (await c.beta.sessions.events.list(session.id, { limit: 1000 })).data.map((e) => e.id);
    expect(all).toEqual(history);
    const missing = await c.beta.sessions.threads.events.list('sthr_missing', { session_id: session.id }).catch((e) => e);
    expect(missing.status).toBe(404);
  });
});

describe.skipIf(REAL)(`session resources mid-session (${EMU_ONLY})`, () => {
  it('adds a file to a running session, lists it with the store attached at creation, refuses duplicates and a second delete', async () => {
    const c = t.client();
    const store = await c.beta.memoryStores.create({ name: 'Notes' });
    const { session } = await makeSession(c, {}, { resources: [{ type: 'memory_store', memory_store_id: store.id }] });
    const file = await c.beta.files.upload({ file: await toFile(Buffer.from('data'), 'data.csv') });
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/sleep 3000' }] }] });
    expect((await c.beta.sessions.retrieve(session.id)).status).toBe('running');
    const added = await c.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id, mount_path: '/mnt/session/uploads/data.csv' });
    expect(added).toMatchObject({ type: 'file', file_id: file.id, mount_path: '/mnt/session/uploads/data.csv' });
    expect(added.id).toMatch(/^sesrsc_/);
    const listed = (await c.beta.sessions.resources.list(session.id)).data;
    expect(listed.map((r) => r.type)).toEqual(['memory_store', 'file']);
    expect((await c.beta.sessions.resources.retrieve(added.id, { session_id: session.id })).type).toBe('file');
    const dup = await c.beta.sessions.resources
      .add(session.id, { type: 'file', file_id: file.id, mount_path: '/mnt/session/uploads/data.csv' })
      .catch((e) => e);
    expect(dup.status).toBe(409);
    const store2 = await c.beta.memoryStores.create({ name: 'Later' });
    const mem = await c.beta.sessions.resources.add(session.id, { type: 'memory_store', memory_store_id: store2.id } as never).catch((e) => e);
    expect(mem.status).toBe(400);
    expect(await c.beta.sessions.resources.delete(added.id, { session_id: session.id })).toEqual({ id: added.id, type: 'session_resource_deleted' });
    const again = await c.beta.sessions.resources.delete(added.id, { session_id: session.id }).catch((e) => e);
    expect(again.status).toBe(404);
    await c.beta.sessions.archive(session.id);
    const late = await c.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id }).catch((e) => e);
    expect(late.status).toBe(409);
  });
});
