// Figure 7 — bounded against a hostile upstream: each case of test/reliability/hostile-cases.mjs
// (looping or endless page cursors, streams that close at once or send garbage, bodies far over
// the byte caps) run once against the built bin, with its time, requests, stream reopens, peak RSS
// (VmHWM) and stderr lines. The reliability suite asserts the bounds; this prints the figures.
import { CASES, runCase } from '../test/reliability/hostile-cases.mjs';

export async function benchHostile({ bin }) {
  const out = [];
  for (const c of CASES) out.push(await runCase(c, { bin }));
  return out;
}
