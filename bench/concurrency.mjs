// Figure 4 — concurrency: 1, 10, 50 and 200 concurrent `send_message` turns on separate sessions
// through one server, each turn `/sleep 500`; total wall time / single-turn time. The same turns
// made directly with the SDK give the floor (what the emulator and the client cost alone); with
// `floorCli`, the same turns through a minimal MCP server on both SDKs (bench/floor-mcp.mjs) run in
// the same rounds: the least a server made of these parts adds, and the yardstick of the target
// (this server's wall time / the minimal server's, round by round).
import { call, connectServer, cpuMsOf, fixtures, newSession, runDirectTurn, summarize } from './lib.mjs';

const TEXT = '/sleep 500\n/reply done';

export async function benchConcurrency({ emu, sdk, cli, floorCli, levels = [1, 10, 50, 200], reps = 5 }) {
  const fx = await fixtures(sdk);
  const max = Math.max(...levels);
  const sessions = [];
  for (let i = 0; i < max; i++) sessions.push(await newSession(sdk, fx));
  const directSessions = [];
  for (let i = 0; i < max; i++) directSessions.push(await newSession(sdk, fx));
  const floorSessions = [];
  if (floorCli) for (let i = 0; i < max; i++) floorSessions.push(await newSession(sdk, fx));
  const srv = await connectServer(emu, { cli });
  const floor = floorCli ? await connectServer(emu, { cli: floorCli }) : undefined;
  const wall = Object.fromEntries(levels.map((n) => [n, []]));
  const directWall = Object.fromEntries(levels.map((n) => [n, []]));
  const floorWall = Object.fromEntries(levels.map((n) => [n, []]));
  const cpuPerTurn = Object.fromEntries(levels.map((n) => [n, []]));
  const floorCpuPerTurn = Object.fromEntries(levels.map((n) => [n, []]));
  try {
    // Warm-up at the highest level for both paths: connection pools, JIT and the emulator's
    // per-session state are then as warm as in the measured rounds (the first 50-turn round is
    // otherwise dominated by 100 cold TCP connections).
    await Promise.all(sessions.map((id) => call(srv.client, 'send_message', { session_id: id, text: '/reply warm-up' })));
    await Promise.all(directSessions.map((id) => runDirectTurn(sdk, id, '/reply warm-up')));
    if (floor) await Promise.all(floorSessions.map((id) => call(floor.client, 'send_message', { session_id: id, text: '/reply warm-up' })));
    for (let rep = 0; rep < reps; rep++) {
      for (const n of levels) {
        // This server and the minimal one swap places every round, so a drift of the machine's load
        // across a round weighs on both alike.
        const viaFloor = async () => {
          if (!floor) return;
          const f = await turnsVia(floor, floorSessions.slice(0, n));
          floorWall[n].push(f.wall);
          floorCpuPerTurn[n].push(f.cpuPerTurn);
          for (const r of f.results) if (r.isError) throw new Error(`minimal server: ${r.content[0].text}`);
        };
        if (rep % 2 === 1) await viaFloor();
        const ours = await turnsVia(srv, sessions.slice(0, n));
        wall[n].push(ours.wall);
        cpuPerTurn[n].push(ours.cpuPerTurn);
        for (const r of ours.results) {
          if (r.structuredContent?.stop_reason !== 'end_turn') throw new Error(`turn did not end: ${JSON.stringify(r.structuredContent)}`);
        }
        const t1 = performance.now();
        await Promise.all(directSessions.slice(0, n).map((id) => runDirectTurn(sdk, id, TEXT)));
        directWall[n].push(performance.now() - t1);
        if (rep % 2 === 0) await viaFloor();
      }
    }
  } finally {
    await srv.close();
    await floor?.close();
  }
  const single = summarize(wall[levels[0]]).median;
  const directSingle = summarize(directWall[levels[0]]).median;
  return levels.map((n) => ({
    n,
    wall: summarize(wall[n]),
    ratio: summarize(wall[n].map((w) => w / single)),
    direct: summarize(directWall[n]),
    directRatio: summarize(directWall[n].map((w) => w / directSingle)),
    // Through the server / directly with the SDK, round by round (the same machine state).
    vsSdk: summarize(wall[n].map((w, i) => w / directWall[n][i])),
    // Server CPU (user + system) per turn; /proc clock ticks are 10 ms, so only the 50- and 200-turn figures are precise.
    cpuPerTurn: summarize(cpuPerTurn[n]),
    // The minimal MCP server, round by round against the same direct turns.
    floor: floor
      ? { wall: summarize(floorWall[n]), vsSdk: summarize(floorWall[n].map((w, i) => w / directWall[n][i])), cpuPerTurn: summarize(floorCpuPerTurn[n]) }
      : undefined,
    // The target's ratio (issue 21): through the server / through the minimal MCP server, round by round.
    vsFloor: floor ? summarize(wall[n].map((w, i) => w / floorWall[n][i])) : undefined,
    cpuVsFloor: floor ? summarize(cpuPerTurn[n].map((c, i) => c / floorCpuPerTurn[n][i])) : undefined,
  }));
}

/** One `TEXT` turn on each of `ids` at once through `server`: its results, wall time and CPU per turn. */
async function turnsVia(server, ids) {
  const cpu0 = cpuMsOf(server.pid);
  const t0 = performance.now();
  const results = await Promise.all(ids.map((id) => call(server.client, 'send_message', { session_id: id, text: TEXT })));
  return { results, wall: performance.now() - t0, cpuPerTurn: (cpuMsOf(server.pid) - cpu0) / ids.length };
}
