/**
 * Regression: a 500 on an event send was (correctly) not retried, but the error said "Retry helps:
 * yes", inviting a blind resend that makes the agent read the message twice. Write tools now say
 * the request may have taken effect and how to check first.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { agentAndSession, errText, harness, history, type Harness } from '../helpers.js';
import { mark, requests, setFaults } from './util.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

it('send_message after a 500 says the message may have been delivered and to check before resending', async () => {
  const { session_id } = await agentAndSession(h);
  const path = `/v1/sessions/${session_id}/events`;
  await setFaults(h, [{ match: { method: 'POST', path }, times: 1, status: 500 }]);
  const m = await mark(h);
  const t = errText(await h.call('send_message', { session_id, text: 'maybe delivered' }));
  expect(t).toMatch(/HTTP 500 api_error/);
  expect(t).toMatch(/may (already )?have taken effect|may or may not have reached/i);
  expect(t).toMatch(/list_events|check whether it took effect|before retrying/i);
  expect(t).not.toMatch(/retrying later usually helps/);
  expect((await requests(h, m)).data.filter((e) => e.method === 'POST' && e.path === path)).toHaveLength(1);
  expect((await history(h, session_id)).filter((e) => e.type === 'user.message')).toEqual([]);
});
