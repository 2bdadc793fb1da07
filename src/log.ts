/**
 * Logging to stderr only (stdout is the MCP protocol), with every known secret redacted.
 * `redact` is also applied by the error funnel to anything that leaves the server.
 */

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

const secrets = new Set<string>();

/** Registers a value (API key, token, credential secret) that must never be printed. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 8) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  // Anthropic key shapes, even ones we were never told about.
  return out.replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, 'sk-ant-[REDACTED]');
}

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
