/**
 * Optional taps on the emulator's wire, off unless a test installs them (docs/conformance.md):
 * an observer sees every request the emulator accepted (route, query, body), every JSON response
 * body and every SSE event it writes; a rewrite lets a test alter a body just before it is sent,
 * to prove the conformance gate notices. One global slot each: the emulator runs in the test's
 * process, and only tests set them.
 */
export interface WireRequest {
  method: string;
  /** Route pattern, e.g. `/v1/sessions/:id/events`. */
  route: string;
  query: Record<string, string | string[]>;
  body: unknown;
  /** True for multipart uploads, whose body is not JSON. */
  multipart: boolean;
}

export interface WireObserver {
  request?(r: WireRequest): void;
  response?(r: { method: string; route: string; status: number; body: unknown }): void;
  event?(event: unknown): void;
}

export interface WireRewrite {
  response?(method: string, route: string, body: unknown): unknown;
  event?(event: unknown): unknown;
}

const hooks: { observer?: WireObserver; rewrite?: WireRewrite } = {};

export function setWireObserver(observer: WireObserver | undefined): WireObserver | undefined {
  const previous = hooks.observer;
  hooks.observer = observer;
  return previous;
}

export function setWireRewrite(rewrite: WireRewrite | undefined): void {
  hooks.rewrite = rewrite;
}

export function wireRequest(r: WireRequest): void {
  hooks.observer?.request?.(r);
}

/** The body to send for a 2xx JSON response (rewritten if a test asked), after showing it to the observer. */
export function wireResponse(method: string, route: string, body: unknown): unknown {
  const out = hooks.rewrite?.response ? hooks.rewrite.response(method, route, body) : body;
  hooks.observer?.response?.({ method, route, status: 200, body: out });
  return out;
}

/** The SSE `data` object to send, likewise. */
export function wireEvent(event: unknown): unknown {
  const out = hooks.rewrite?.event ? hooks.rewrite.event(event) : event;
  hooks.observer?.event?.(out);
  return out;
}
