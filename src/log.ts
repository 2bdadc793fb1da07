/**
 * Logging to stderr only (stdout is the MCP protocol), with every known secret redacted.
 * `redact` is also applied by the error funnel to anything that leaves the server.
 */

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

import { redact } from './format/secrets.js';

export { redact, redactedHead, registerSecret } from './format/secrets.js';

export type LogSink = (line: string) => void;

export function createLogger(sink: LogSink = (l) => process.stderr.write(l + '\n'), quiet = false): Logger {
  const write = (level: string, msg: string) => sink(`[managed-agents-mcp] ${level}: ${redact(msg)}`);
  return {
    info: (m) => (quiet ? undefined : write('info', m)),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
