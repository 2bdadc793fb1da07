/**
 * The emulator is a local tool, not an open server (docs/emulator.md, "Who may call it"). A web
 * page the developer visits can still reach loopback: through DNS rebinding (a name of the
 * attacker's that resolves to 127.0.0.1, so the `Host` header is foreign) or a cross-origin
 * "simple" request (a `text/plain` POST needs no preflight, so it would reach `/_emulator/reset`).
 * So every request, admin routes included, must be addressed to a loopback name (unless the
 * emulator was opened to the network on purpose, where its key guards it instead), and a browser
 * request must come from the emulator's own origin.
 */
import type { IncomingMessage } from 'node:http';
import { hostOfHeader, isLoopbackHost } from '../../shared/loopback.js';

/** Why the request is refused, or undefined when it may proceed. */
export function foreignRequest(req: IncomingMessage, remoteAllowed: boolean): string | undefined {
  const host = req.headers.host ?? '';
  if (!remoteAllowed && !isLoopbackHost(hostOfHeader(host))) {
    return `Host '${host}' is not a loopback name: the emulator answers only requests addressed to this machine`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    return `Origin '${origin}' is not the emulator's own (http://${host}): cross-origin requests are refused`;
  }
  return undefined;
}
