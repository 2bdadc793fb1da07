/**
 * Loopback names and addresses: where a plain-http base URL may point (src/config.ts) and what the
 * emulator accepts as its `Host` and `Origin` (docs/emulator.md). No DNS: a name is loopback only
 * if it is one by definition (`localhost`, `*.localhost`, 127.0.0.0/8, `::1`).
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Whether `host` (a hostname or IP, optionally `[v6]`, no port) is the local machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The hostname of a `Host` header value (`name:port`, `[v6]:port`), without the port. */
export function hostOfHeader(value: string): string {
  const v = value.trim();
  if (v.startsWith('[')) return v.slice(0, v.indexOf(']') + 1);
  const colon = v.lastIndexOf(':');
  return colon >= 0 && v.indexOf(':') === colon ? v.slice(0, colon) : v;
}
