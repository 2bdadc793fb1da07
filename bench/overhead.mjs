// Figure 2 — per-call overhead: `get_session` through the MCP server over stdio vs the same
// `sessions.retrieve` made directly with the SDK from the bench process, against the same
// emulator, interleaved call by call after a warm-up. A third path, the floor: the same GET
// through a bare stdio proxy (bench/floor-proxy.mjs), the least any server over stdio adds.
import { startFloorProxy } from './floor-proxy.mjs';
import { API_KEY, call, connectServer, fixtures, newSession, summarize } from './lib.mjs';

export async function benchOverhead({ emu, sdk, cli, calls = 500, warmup = 50 }) {
  const fx = await fixtures(sdk);
  const sessionId = await newSession(sdk, fx);
  const srv = await connectServer(emu, { cli });
  const proxy = startFloorProxy(emu.url, API_KEY);
  try {
    const viaMcp = async () => {
      const t = performance.now();
      const r = await call(srv.client, 'get_session', { session_id: sessionId });
      const dt = performance.now() - t;
      if (r.structuredContent?.session_id !== sessionId && !JSON.stringify(r.structuredContent).includes(sessionId)) {
        throw new Error('get_session returned another session');
      }
      return dt;
    };
    const direct = async () => {
      const t = performance.now();
      const s = await sdk.beta.sessions.retrieve(sessionId);
      const dt = performance.now() - t;
      if (s.id !== sessionId) throw new Error('retrieve returned another session');
      return dt;
    };
    const viaFloor = async () => {
      const t = performance.now();
      const s = await proxy.get(`/v1/sessions/${sessionId}?beta=true`);
      const dt = performance.now() - t;
      if (s.id !== sessionId) throw new Error('the floor proxy returned another session');
      return dt;
    };
    // The fixed cost of one JSON-RPC round trip over stdio (client + pipe + server dispatch).
    const ping = async () => {
      const t = performance.now();
      await srv.client.ping();
      return performance.now() - t;
    };
    for (let i = 0; i < warmup; i++) {
      await viaMcp();
      await direct();
      await viaFloor();
      await ping();
    }
    const pings = [];
    for (let i = 0; i < Math.min(calls, 200); i++) pings.push(await ping());
    const mcp = [];
    const sdkT = [];
    const floor = [];
    const paths = [() => viaMcp().then((t) => mcp.push(t)), () => direct().then((t) => sdkT.push(t)), () => viaFloor().then((t) => floor.push(t))];
    for (let i = 0; i < calls; i++) {
      // Rotate which goes first so none always follows another.
      for (let j = 0; j < paths.length; j++) await paths[(i + j) % paths.length]();
    }
    const m = summarize(mcp);
    const d = summarize(sdkT);
    return {
      mcp: m,
      ping: summarize(pings),
      sdk: d,
      floor: summarize(floor),
      floorAdded: summarize(floor.map((x, i) => x - sdkT[i])),
      ratio: m.median / d.median,
      addedMs: m.median - d.median,
      pairDiff: summarize(mcp.map((x, i) => x - sdkT[i])),
      pairRatio: summarize(mcp.map((x, i) => x / sdkT[i])),
    };
  } finally {
    await srv.close();
    await proxy.close();
  }
}
