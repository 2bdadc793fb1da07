// Figure 2 — per-call overhead: `get_session` through the MCP server over stdio vs the same
// `sessions.retrieve` made directly with the SDK from the bench process, against the same
// emulator, interleaved call by call after a warm-up. Three floors alongside, each a layer of what
// a server needs: the same GET through a bare stdio proxy with Node's fetch, the same
// `sessions.retrieve` through a bare stdio proxy with the Anthropic SDK (bench/floor-proxy.mjs), and
// a minimal MCP server on both SDKs (bench/floor-mcp.mjs), called like ours.
import { startFloorProxy } from './floor-proxy.mjs';
import { API_KEY, call, connectServer, FLOOR_MCP, fixtures, newSession, summarize } from './lib.mjs';

export async function benchOverhead({ emu, sdk, cli, calls = 500, warmup = 50 }) {
  const fx = await fixtures(sdk);
  const sessionId = await newSession(sdk, fx);
  const srv = await connectServer(emu, { cli });
  const proxy = startFloorProxy(emu.url, API_KEY);
  const sdkProxy = startFloorProxy(emu.url, API_KEY, 'sdk');
  const minimal = await connectServer(emu, { cli: FLOOR_MCP });
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
    const viaProxy = (p) => async () => {
      const t = performance.now();
      const s = await p.get(sessionId);
      const dt = performance.now() - t;
      if (s.id !== sessionId) throw new Error('a floor proxy returned another session');
      return dt;
    };
    const viaFloor = viaProxy(proxy);
    const viaSdkFloor = viaProxy(sdkProxy);
    const viaMinimal = async () => {
      const t = performance.now();
      const r = await call(minimal.client, 'get_session', { session_id: sessionId });
      const dt = performance.now() - t;
      if (!r.content[0].text.includes(sessionId)) throw new Error('the minimal MCP server returned another session');
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
      await viaSdkFloor();
      await viaMinimal();
      await ping();
    }
    const pings = [];
    for (let i = 0; i < Math.min(calls, 200); i++) pings.push(await ping());
    const mcp = [];
    const sdkT = [];
    const floor = [];
    const sdkFloor = [];
    const minimalT = [];
    const paths = [
      () => viaMcp().then((t) => mcp.push(t)),
      () => direct().then((t) => sdkT.push(t)),
      () => viaFloor().then((t) => floor.push(t)),
      () => viaSdkFloor().then((t) => sdkFloor.push(t)),
      () => viaMinimal().then((t) => minimalT.push(t)),
    ];
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
      sdkFloor: summarize(sdkFloor),
      minimal: summarize(minimalT),
      ratio: m.median / d.median,
      addedMs: m.median - d.median,
      pairDiff: summarize(mcp.map((x, i) => x - sdkT[i])),
      pairRatio: summarize(mcp.map((x, i) => x / sdkT[i])),
    };
  } finally {
    await srv.close();
    await minimal.close();
    await proxy.close();
    await sdkProxy.close();
  }
}
