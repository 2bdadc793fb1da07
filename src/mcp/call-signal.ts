/**
 * A tool call's signal: aborted when the client cancels the call or the server shuts down, until
 * `end`. Not `AbortSignal.any([request, shutdown])`: the shutdown signal lives as long as the
 * process, and Node 20 keeps an entry for every signal ever derived from it (a WeakRef in its set
 * of dependants, not pruned), so each call left a few hundred bytes behind for good, and a server
 * capped at 20 MiB of old space ran out after about a thousand calls (docs/bounds.md). Here the
 * shutdown signal has one listener per process, which aborts the calls in flight; a call joins
 * that set when it starts and leaves it when it ends.
 */
export function callSignal(request: AbortSignal, shutdown?: AbortSignal): { signal: AbortSignal; end(): void } {
  if (!shutdown) return { signal: request, end: () => {} };
  const ac = new AbortController();
  const calls = callsInFlight(shutdown);
  const onCancel = () => ac.abort(request.reason);
  if (shutdown.aborted) ac.abort(shutdown.reason);
  else if (request.aborted) ac.abort(request.reason);
  else {
    calls.add(ac);
    request.addEventListener('abort', onCancel, { once: true });
  }
  return {
    signal: ac.signal,
    end() {
      calls.delete(ac);
      request.removeEventListener('abort', onCancel);
    },
  };
}

/** Per shutdown signal (HTTP mode shares one across its per-request servers): the calls it must abort. */
const inFlight = new WeakMap<AbortSignal, Set<AbortController>>();

/** Made apart from `callSignal` so that the listener's closure holds no call's state. */
function callsInFlight(shutdown: AbortSignal): Set<AbortController> {
  let calls = inFlight.get(shutdown);
  if (!calls) {
    const set = (calls = new Set());
    inFlight.set(shutdown, set);
    shutdown.addEventListener('abort', () => set.forEach((c) => c.abort(shutdown.reason)), { once: true });
  }
  return calls;
}

/** Test hook: how many calls the shutdown signal would abort now (a call leaves when it ends). */
export function callsInFlightCount(shutdown: AbortSignal): number {
  return inFlight.get(shutdown)?.size ?? 0;
}
