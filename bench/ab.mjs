// A/B of two server bins on the same machine at the same time: blocks of tool calls alternate
// between the two servers (and direct SDK calls), and each block's server CPU time (from
// /proc/<pid>/stat) and wall time are compared pairwise, block by block. On a shared, loaded
// machine this is the evidence that a change made a call cheaper: both bins see the same load.
//
//   node bench/ab.mjs --a /tmp/base.mjs --b dist/managed-agents-mcp.mjs [--rounds 15] [--block 200]
//   node bench/ab.mjs --a ... --b ... --turns 50 [--rounds 6]
//        # blocks of 50 concurrent `/sleep 500` send_message turns instead: server CPU per turn
//
// Prints, per bin: server CPU per call, wall per call (median, p10–p90 over the blocks), and the
// median of the per-round ratios B/A.
import { parseArgs } from 'node:util';
import { call, connectServer, cpuMsOf, fixtures, fmt, newSession, runDirectTurn, sdkFor, startEmu, startEmuProcess, summarize } from './lib.mjs';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    rounds: { type: 'string', default: '15' },
    block: { type: 'string', default: '200' },
    turns: { type: 'string' },
  },
});
if (!values.a || !values.b) throw new Error('--a and --b: the two bins to compare');
const rounds = Number(values.rounds);
const turns = values.turns ? Number(values.turns) : 0;
const block = turns || Number(values.block);

// Turns run against an emulator in its own process, as in figure 4.
const emu = turns ? await startEmuProcess() : await startEmu();
const sdk = sdkFor(emu);
const fx = await fixtures(sdk);
const sessionId = await newSession(sdk, fx);
const sessions = [];
for (let i = 0; i < turns; i++) sessions.push(await newSession(sdk, fx));
const servers = { a: await connectServer(emu, { cli: values.a }), b: await connectServer(emu, { cli: values.b }) };
const TEXT = '/sleep 500\n/reply done';
const out = { a: { cpu: [], wall: [] }, b: { cpu: [], wall: [] }, sdk: { wall: [] } };
try {
  const one = (srv) => call(srv.client, 'get_session', { session_id: sessionId });
  const many = (srv) => Promise.all(sessions.map((id) => call(srv.client, 'send_message', { session_id: id, text: TEXT })));
  const direct = () => Promise.all(sessions.map((id) => runDirectTurn(sdk, id, TEXT)));
  for (const srv of Object.values(servers)) {
    if (turns) await many(srv);
    else for (let i = 0; i < 100; i++) await one(srv);
  }
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ['b', 'a', 'sdk'] : ['a', 'sdk', 'b'];
    for (const k of order) {
      const t0 = performance.now();
      if (k === 'sdk') {
        if (turns) await direct();
        else for (let i = 0; i < block; i++) await sdk.beta.sessions.retrieve(sessionId);
        out.sdk.wall.push((performance.now() - t0) / block);
        continue;
      }
      const srv = servers[k];
      const c0 = cpuMsOf(srv.pid);
      if (turns) await many(srv);
      else for (let i = 0; i < block; i++) await one(srv);
      out[k].wall.push((performance.now() - t0) / block);
      out[k].cpu.push((cpuMsOf(srv.pid) - c0) / block);
    }
  }
} finally {
  for (const s of Object.values(servers)) await s.close();
  await emu.close();
}
const unit = turns ? 'turn' : 'call';
const line = (s) => `${fmt(s.median, 3)} (${fmt(s.p10, 3)}–${fmt(s.p90, 3)})`;
for (const k of ['a', 'b']) {
  process.stdout.write(`${k} ${values[k]}\n  server CPU ms/${unit} ${line(summarize(out[k].cpu))}\n  wall ms/${unit}       ${line(summarize(out[k].wall))}\n`);
}
process.stdout.write(`direct SDK wall ms/${unit} ${line(summarize(out.sdk.wall))}\n`);
const ratio = (f) => summarize(out.b[f].map((x, i) => x / out.a[f][i]));
process.stdout.write(`B/A per round: CPU ${line(ratio('cpu'))}, wall ${line(ratio('wall'))}\n`);
const added = (k) => summarize(out[k].wall.map((x, i) => x - out.sdk.wall[i]));
process.stdout.write(`added over direct SDK (wall, per round): a ${line(added('a'))}, b ${line(added('b'))}\n`);
