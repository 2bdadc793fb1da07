// Figure 10 — a lead collecting four delegated turns that finish at 1, 2, 3 and 4 s (`/sleep`).
//
// Each run makes four sessions (directly, not timed), then at t0 sends each its task with
// `send_message wait:false` over MCP (four calls in every variant), and collects the four turns:
//   - many:       `wait_for_turn {session_ids}` again and again on the ids its hint names, until
//                 every turn is reported (one result per finisher);
//   - all:        one `wait_for_turn {session_ids, until:"all"}`;
//   - in order:   one `wait_for_turn {session_id}` per session, in the order the tasks were sent:
//                 when that is the finishing order (the best case for it) and when it is reversed
//                 (the last to finish sent first: the lead sits on it while the others are done).
// Measured from t0: time to the first result in hand, to the last, and the collecting tool calls
// and the tokens of their results. Variants alternate within each round, so load hits them alike.
import { call, connectServer, fixtures, newSession, summarize } from './lib.mjs';

const DURATIONS_MS = [1000, 2000, 3000, 4000];

export const FANOUT_VARIANTS = ['many', 'all', 'in order (finish order)', 'in order (reversed)'];

export async function benchFanout({ emu, sdk, cli, rounds = 3 }) {
  const fx = await fixtures(sdk);
  const srv = await connectServer(emu, { cli });
  const out = Object.fromEntries(FANOUT_VARIANTS.map((v) => [v, { first: [], last: [], calls: [], tokens: [] }]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const variant of FANOUT_VARIANTS) {
        const m = await runOnce(sdk, fx, srv.client, variant);
        for (const k of Object.keys(m)) out[variant][k].push(m[k]);
      }
    }
  } finally {
    await srv.close();
  }
  return Object.fromEntries(
    FANOUT_VARIANTS.map((v) => [
      v,
      { first: summarize(out[v].first), last: summarize(out[v].last), calls: summarize(out[v].calls), tokens: summarize(out[v].tokens) },
    ]),
  );
}

async function runOnce(sdk, fx, client, variant) {
  const ids = await Promise.all(DURATIONS_MS.map(() => newSession(sdk, fx)));
  // Sent in this order: the reversed variant sends the slowest task first.
  const durations = variant === 'in order (reversed)' ? [...DURATIONS_MS].reverse() : DURATIONS_MS;
  const t0 = performance.now();
  for (const [i, id] of ids.entries()) {
    await call(client, 'send_message', { session_id: id, text: `/sleep ${durations[i]}\n/reply part ${i}`, wait: false });
  }
  let first;
  let calls = 0;
  let tokens = 0;
  const reported = new Set();
  const collect = async (args) => {
    const res = await call(client, 'wait_for_turn', { ...args, timeout_s: 30 });
    calls++;
    tokens += Math.ceil(JSON.stringify(res.structuredContent).length / 4);
    const s = res.structuredContent;
    const turns = s.turns ?? (s.session_id ? [s] : []);
    for (const d of turns) {
      if (d.stop_reason !== 'end_turn') throw new Error(`unexpected turn end: ${JSON.stringify(d).slice(0, 300)}`);
      if (reported.has(d.session_id)) throw new Error(`${d.session_id} reported twice`);
      reported.add(d.session_id);
    }
    if (turns.length && first === undefined) first = performance.now() - t0;
    return s;
  };
  if (variant === 'many') {
    let pending = ids;
    while (reported.size < ids.length) {
      await collect({ session_ids: pending });
      pending = pending.filter((id) => !reported.has(id));
      if (calls > 20) throw new Error('many: not all reported after 20 calls');
    }
  } else if (variant === 'all') {
    await collect({ session_ids: ids, until: 'all' });
  } else {
    for (const id of ids) await collect({ session_id: id });
  }
  if (reported.size !== ids.length) throw new Error(`${variant}: ${reported.size} of ${ids.length} turns reported`);
  return { first, last: performance.now() - t0, calls, tokens };
}
