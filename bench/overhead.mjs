// Figure 2 — per-call overhead: `get_session` through the MCP server over stdio vs the same
// `sessions.retrieve` made directly with the SDK from the bench process, against the same
// emulator, interleaved call by call after a warm-up.
import { call, connectServer, fixtures, newSession, summarize } from './lib.mjs';

export async function benchOverhead({ emu, sdk, cli, calls = 500, warmup = 50 }) {
  const fx = await fixtures(sdk);
  const sessionId = await newSession(sdk, fx);
  const srv = await connectServer(emu, { cli });
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
    // The fixed cost of one JSON-RPC round trip over stdio (client + pipe + server dispatch).
    const ping = async () => {
      const t = performance.now();
      await srv.client.ping();
      return performance.now() - t;
    };
    for (let i = 0; i < warmup; i++) {
      await viaMcp();
      await direct();
      await ping();
    }
    const pings = [];
    for (let i = 0; i < Math.min(calls, 200); i++) pings.push(await ping());
    const mcp = [];
    const sdkT = [];
    for (let i = 0; i < calls; i++) {
      // Alternate which goes first so neither always follows the other.
      if (i % 2) {
        mcp.push(await viaMcp());
        sdkT.push(await direct());
      } else {
        sdkT.push(await direct());
        mcp.push(await viaMcp());
      }
    }
    const m = summarize(mcp);
    const d = summarize(sdkT);
    return {
      mcp: m,
      ping: summarize(pings),
      sdk: d,
      ratio: m.median / d.median,
      addedMs: m.median - d.median,
      pairDiff: summarize(mcp.map((x, i) => x - sdkT[i])),
      pairRatio: summarize(mcp.map((x, i) => x / sdkT[i])),
    };
  } finally {
    await srv.close();
  }
}
