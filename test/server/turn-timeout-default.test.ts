/**
 * `timeout_s`'s default is the server's `--timeout`, stated by tools/list as the schema's `default`
 * (a static description was wrong whenever the flag changed it), and a call that gives no
 * `timeout_s` follows its turn that long: two servers started with different `--timeout` values,
 * the same slow turn on each.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConfig, TOOLSETS, type Config } from '../../src/config.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { agentAndSession, harness, ok, type Harness } from '../helpers.js';

/** The turn settings a server started with `--timeout <s>` runs with, from the flag parser itself. */
function withTimeout(s: string): Pick<Config, 'turnTimeoutS' | 'maxTurnTimeoutS'> {
  const { turnTimeoutS, maxTurnTimeoutS } = parseConfig(['--timeout', s], {}) as Config;
  return { turnTimeoutS, maxTurnTimeoutS };
}

const SHORT = withTimeout('0.3');
const LONG = withTimeout('30');
/** The turn both servers follow: longer than SHORT's timeout, far shorter than LONG's. */
const SLOW_TURN = '/sleep 1000\n/reply done';

let short: Harness;
let long: Harness;
beforeAll(async () => {
  // Every toolset: each tool with a timeout_s is checked, not only the default list's.
  [short, long] = await Promise.all([harness({ ...SHORT, toolsets: [...TOOLSETS] }), harness({ ...LONG, toolsets: [...TOOLSETS] })]);
});
afterAll(async () => {
  await Promise.all([short?.close(), long?.close()]);
});

it("tools/list states each server's --timeout as timeout_s's default", async () => {
  expect([SHORT.turnTimeoutS, LONG.turnTimeoutS]).toEqual([0.3, 30]);
  const withTimeoutS = ALL_TOOLS.filter((t) => 'timeout_s' in t.input).map((t) => t.name);
  // The turn tools of every toolset: fewer means the filter stopped seeing them.
  expect(withTimeoutS.length).toBeGreaterThanOrEqual(7);
  for (const [h, timeout] of [
    [short, SHORT.turnTimeoutS],
    [long, LONG.turnTimeoutS],
  ] as const) {
    const { tools } = await h.client.listTools();
    const defaults = Object.fromEntries(
      tools
        .filter((t) => withTimeoutS.includes(t.name))
        .map((t) => [t.name, (t.inputSchema.properties as Record<string, { default?: unknown }>).timeout_s!.default]),
    );
    expect(defaults).toEqual(Object.fromEntries(withTimeoutS.map((n) => [n, timeout])));
    // Stated once: no number in the description to drift from it.
    for (const t of tools.filter((t) => withTimeoutS.includes(t.name))) {
      expect((t.inputSchema.properties as Record<string, { description?: string }>).timeout_s!.description, t.name).not.toMatch(/\d/);
    }
  }
});

/** A slow turn followed by `tool` with no timeout_s: whether it was cut, and how long the call took. */
async function follow(h: Harness, tool: 'send_message' | 'wait_for_turn'): Promise<{ d: any; waited: number }> {
  const { session_id } = await agentAndSession(h);
  if (tool === 'wait_for_turn') ok(await h.call('send_message', { session_id, text: SLOW_TURN, wait: false }));
  const started = Date.now();
  const d = ok(await h.call(tool, tool === 'send_message' ? { session_id, text: SLOW_TURN } : { session_id }));
  return { d, waited: Date.now() - started };
}

it.each(['send_message', 'wait_for_turn'] as const)("%s without timeout_s follows the turn for the server's --timeout", async (tool) => {
  const [cut, whole] = await Promise.all([follow(short, tool), follow(long, tool)]);
  // Cut at the short server's timeout, and not before it (less a timer's millisecond of rounding).
  expect(cut.d.timed_out).toBe(true);
  expect(cut.d.reply).not.toContain('done');
  expect(cut.waited).toBeGreaterThanOrEqual(SHORT.turnTimeoutS * 1000 - 5);
  // The same turn on the long server is followed to its end.
  expect(whole.d.timed_out).toBe(false);
  expect(whole.d.reply).toBe('done');
});
