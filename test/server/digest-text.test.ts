/**
 * What a model reads after a turn, as reviewed text: for a few representative turns, the
 * structured result (what Claude Code hands the model) and the text rendering, driven through the
 * MCP protocol against the emulator. Ids and times are normalised so the files are stable; a
 * wording change shows as a diff here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASK_BASH_TOOLS, agentAndSession, harness, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

/** Replaces each id (prefix_…) by prefix_N in order of first appearance, and every ISO time. */
function normalise(text: string): string {
  const seen = new Map<string, string>();
  const counters = new Map<string, number>();
  return (
    text
      .replace(/\b(sesn|sevt|agent|env|sthr|req)_[A-Za-z0-9]+/g, (id, prefix: string) => {
        if (!seen.has(id)) {
          const n = (counters.get(prefix) ?? 0) + 1;
          counters.set(prefix, n);
          seen.set(id, `${prefix}_${n}`);
        }
        return seen.get(id)!;
      })
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      // The fence nonce is random per result (docs/approval.md): the same placeholder for each.
      .replace(/\[fence [0-9a-f]{12}\]/g, '[fence <nonce>]')
  );
}

async function reads(r: any): Promise<string> {
  expect(r.isError, r.content?.[0]?.text).toBeFalsy();
  return normalise(`## structuredContent\n${JSON.stringify(r.structuredContent, null, 2)}\n\n## text\n${r.content[0].text}\n`);
}

const file = (name: string) => `../__snapshots__/turns/${name}.txt`;

describe('the text a model reads for a turn', () => {
  it('end_turn', async () => {
    const { session_id } = await agentAndSession(h, [{ type: 'agent_toolset_20260401' }]);
    const r = await h.call('send_message', { session_id, text: '/tool bash {"command":"ls"}\n/reply Listed the files.' });
    await expect(await reads(r)).toMatchFileSnapshot(file('end_turn'));
  });

  it('requires_action with two actions', async () => {
    const { session_id } = await agentAndSession(h, ASK_BASH_TOOLS);
    const r = await h.call('send_message', { session_id, text: '/tool bash {"command":"rm -rf build"}\n/tool get_weather {"city":"Paris"}' });
    expect(r.structuredContent.pending_actions).toHaveLength(2);
    await expect(await reads(r)).toMatchFileSnapshot(file('requires_action'));
  });

  it('timed_out', async () => {
    const { session_id } = await agentAndSession(h);
    const r = await h.call('send_message', { session_id, text: '/reply Starting.\n/sleep 6000\n/reply Done.', timeout_s: 2 });
    expect(r.structuredContent.timed_out).toBe(true);
    await expect(await reads(r)).toMatchFileSnapshot(file('timed_out'));
    await h.call('interrupt_session', { session_id });
  });

  it('error (retries exhausted)', async () => {
    const { session_id } = await agentAndSession(h);
    const r = await h.call('send_message', { session_id, text: '/error model_overloaded_error exhausted' });
    expect(r.structuredContent.stop_reason).toBe('retries_exhausted');
    await expect(await reads(r)).toMatchFileSnapshot(file('error'));
  });
});
