// Figure 3 — turn latency: from the emulator emitting a turn's final `session.status_idle` to the
// `send_message` result reaching the MCP client.
//
// Primary measure (sub-millisecond, one clock): a direct SDK stream consumer in the bench process
// watches the same session; latency = (MCP result received) − (that consumer saw the idle). Both
// readers get the idle over the same loopback SSE from the same emulator write, so this is
// exactly what a user of the server waits beyond a user of the API.
// Cross-check (ms resolution): Date.now() at the result − the idle's `processed_at`, which the
// emulator stamps when it emits the event (truncated to the ms, so biased up by ≤ 1 ms).
// Also: the whole send_message round trip vs the same turn done directly with the SDK (open
// stream, send, read to the idle).
import { call, connectServer, fixtures, newSession, runDirectTurn, summarize } from './lib.mjs';

export async function benchLatency({ emu, sdk, cli, turns = 50, warmup = 5 }) {
  const fx = await fixtures(sdk);
  const sessionId = await newSession(sdk, fx);
  const directSession = await newSession(sdk, fx);
  const srv = await connectServer(emu, { cli });
  const viaConsumer = [];
  const viaProcessedAt = [];
  const mcpTurn = [];
  const directTurn = [];
  let idMatches = 0;
  try {
    for (let i = 0; i < warmup + turns; i++) {
      const stream = await sdk.beta.sessions.events.stream(sessionId); // resolves once headers are in
      let seenAt;
      let idleEvent;
      const watcher = (async () => {
        for await (const ev of stream) {
          if (ev.type === 'session.status_idle' && ev.stop_reason?.type === 'end_turn') {
            seenAt = performance.now();
            idleEvent = ev;
            return;
          }
        }
      })();
      const t0 = performance.now();
      const r = await call(srv.client, 'send_message', { session_id: sessionId, text: `/reply turn ${i}` });
      const tResult = performance.now();
      const wallResult = Date.now();
      await watcher;
      stream.controller.abort();
      const d = r.structuredContent;
      if (d?.stop_reason !== 'end_turn') throw new Error(`unexpected turn end: ${JSON.stringify(d)}`);

      const t1 = performance.now();
      await runDirectTurn(sdk, directSession, `/reply turn ${i}`);
      const t2 = performance.now();
      if (i < warmup) continue;
      if (d.last_event_id === idleEvent.id) idMatches++;
      viaConsumer.push(tResult - seenAt);
      viaProcessedAt.push(wallResult - Date.parse(idleEvent.processed_at));
      mcpTurn.push(tResult - t0);
      directTurn.push(t2 - t1);
    }
  } finally {
    await srv.close();
  }
  return {
    consumer: summarize(viaConsumer),
    processedAt: summarize(viaProcessedAt),
    mcpTurn: summarize(mcpTurn),
    directTurn: summarize(directTurn),
    idMatches,
    turns,
  };
}
