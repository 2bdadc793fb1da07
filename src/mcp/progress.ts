/** Progress notifications for a tool call: coalesced, and kept clear of the call's result. */
import type { ServerContext } from '@modelcontextprotocol/server';
import { redact } from '../format/secrets.js';
import { NO_PROGRESS } from '../tools/support/define.js';

/** Notifications per second at most: a 10,000-event turn must not become 10,000 notifications. */
const PROGRESS_INTERVAL_MS = 100;
/**
 * Clients on the MCP TypeScript SDK (Claude Code among them) handle a notification a microtask
 * after the message that carried it, but a response at once: a notification read in the same chunk
 * as its call's result finds its token gone and is reported as an error ("Received a progress
 * notification for an unknown token"). So what is still pending when the result is ready is
 * dropped (the result says it all), and when notifications went out, the result waits for a `ping`
 * round trip first: the client answers it only after reading everything sent before it, and the
 * notification's microtask runs before its answer is written. Where a round trip cannot be made
 * (stateless HTTP: the answer would come as another request; MCP 2026-07-28, where a server sends
 * no requests), a short quiet time stands in for it.
 */
const PROGRESS_QUIET_MS = 20;
/** A client that does not answer a ping this fast is not kept waiting for the result. */
const PROGRESS_PING_TIMEOUT_MS = 1_000;

/**
 * A call without a progress token reports nothing: one shared reporter, no per-call state. Its
 * `report` is `NO_PROGRESS`, which tells a turn to build no step lines (src/tools/support/turn-common.ts).
 */
const SILENT = { report: NO_PROGRESS, done: async () => {} };

/**
 * Progress notifications for a call whose client passed a progress token (a no-op otherwise).
 * Bursts are coalesced: within one interval only the latest message is sent, with how many it
 * stands for, so the client sees steady progress (and can reset its timeout) without a flood.
 */
export function progressReporter(extra: ServerContext, roundTrips: boolean) {
  const token = extra.mcpReq._meta?.progressToken;
  if (token === undefined) return SILENT;
  let count = 0;
  let lastSent = 0;
  let pending: string | undefined;
  let skipped = 0;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const send = (message: string) => {
    count++;
    lastSent = Date.now();
    extra.mcpReq.notify({ method: 'notifications/progress', params: { progressToken: token!, progress: count, message: redact(message) } }).catch(() => {});
  };
  const flush = () => {
    timer = undefined;
    if (pending === undefined || finished) return;
    const more = skipped > 1 ? ` (+${skipped - 1} more)` : '';
    send(pending + more);
    pending = undefined;
    skipped = 0;
  };
  return {
    report(message: string) {
      if (finished) return;
      if (!timer && Date.now() - lastSent >= PROGRESS_INTERVAL_MS) return send(message);
      pending = message;
      skipped++;
      timer ??= setTimeout(flush, Math.max(0, PROGRESS_INTERVAL_MS - (Date.now() - lastSent)));
    },
    /** The result is ready: drops what is pending, stops for good, and keeps the result clear of the last notification. */
    async done(): Promise<void> {
      finished = true;
      if (timer) clearTimeout(timer);
      pending = undefined;
      if (count === 0) return;
      if (roundTrips) {
        await extra.mcpReq.send({ method: 'ping' }, { timeout: PROGRESS_PING_TIMEOUT_MS }).catch(() => {});
        return;
      }
      const since = Date.now() - lastSent;
      if (since < PROGRESS_QUIET_MS) await new Promise((r) => setTimeout(r, PROGRESS_QUIET_MS - since));
    },
  };
}
