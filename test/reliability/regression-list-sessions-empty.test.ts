/**
 * Regression: list_sessions with no matching session returned an output-validation error, because
 * compact() dropped the empty `sessions` array that the output schema requires.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { harness, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

it('list_sessions with no sessions returns an empty list', async () => {
  const r = await h.call('list_sessions', {});
  expect(r.isError).toBeFalsy();
  expect(ok(r).sessions).toEqual([]);
  const a = ok(await h.call('create_agent', { name: 'lonely', model: 'claude-sonnet-4-6' }));
  expect(ok(await h.call('list_sessions', { agent_id: a.agent_id })).sessions).toEqual([]);
});
