#!/usr/bin/env node
/**
 * Entry point. `managed-agents-mcp [flags]` serves MCP over stdio (or HTTP with --http); `managed-agents-mcp emulator`
 * runs the local API emulator. Stdout carries only JSON-RPC: everything else goes to stderr.
 */
import { parseArgs } from 'node:util';
import {
  ConfigError,
  SEE_HELP,
  USAGE,
  approvalNote,
  checkFilesRoot,
  describeEndpoint,
  ignoredByEmulator,
  parseArgsMessage,
  parseConfig,
  type Config,
  type HttpConfig,
} from './config.js';
import { createLogger, type Logger } from './log.js';
import type { ProcessDeps } from './mcp/deps.js';
import { VERSION } from './version.js';

/**
 * The emulator, from its own bundle beside the bin (scripts/bundle.mjs). The bin runs this file's
 * bundle as a script (src/bin.ts), which cannot `import()`, so the bin passes its own import.
 */
function importEmulator(): Promise<typeof import('./emulator/index.js')> {
  const viaBin = (globalThis as Record<symbol, unknown>)[Symbol.for('managed-agents-mcp.importEmulator')];
  return typeof viaBin === 'function' ? viaBin() : import('./emulator/index.js');
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'emulator') return runEmulator(argv.slice(1));
  let parsed;
  let warnings: string[] = [];
  try {
    parsed = parseConfig(argv, process.env);
    if ('toolsets' in parsed) checkFilesRoot(parsed);
    // Unknown names in --tools / --exclude-tools stop the start, before any transport is up.
    if ('toolsets' in parsed && (parsed.tools.length || parsed.excludeTools.length)) warnings = (await import('./tools/index.js')).checkToolSelection(parsed);
  } catch (err) {
    if (err instanceof ConfigError) {
      // The cause and one pointer: the whole usage would scroll the cause away.
      process.stderr.write(`managed-agents-mcp: ${err.message}\n${SEE_HELP}\n`);
      process.exit(2);
    }
    throw err;
  }
  // Asked for explicitly, and no protocol is being served: these go to stdout like any CLI's.
  if ('help' in parsed) return void process.stdout.write(`${USAGE}\n`);
  if ('version' in parsed) return void process.stdout.write(`${VERSION}\n`);
  const log = createLogger();
  for (const w of warnings) log.warn(w);
  await serve(parsed, log);
}

async function serve(config: Config, log: Logger): Promise<void> {
  const shutdown = new AbortController();
  let baseURL: string | undefined;
  let apiKey: string | undefined;
  let emulator: { close(): Promise<void> } | undefined;
  if (config.emulator) {
    const { startEmulator } = await importEmulator();
    const emu = await startEmulator({ port: 0 });
    emulator = emu;
    baseURL = emu.url;
    // Never send a real key anywhere it is not needed, the local emulator included.
    apiKey = 'emulator-key';
    log.warn(`--emulator: using the local Managed Agents emulator at ${emu.url} (no real API calls, no spend)`);
    const ignored = ignoredByEmulator(config);
    if (ignored) log.warn(ignored);
  } else {
    for (const { level, text } of describeEndpoint(config)) log[level](text);
  }
  log.info(
    config.filesRoot === null
      ? 'local files: off (--http serves other machines; set --files-root to allow a directory of this one; docs/local-files.md)'
      : `local files: read and written only under ${config.filesRoot} (--files-root; docs/local-files.md)`,
  );
  log.info(approvalNote(config.approval));
  // What both transports share, built once from the configuration (src/mcp/deps.ts).
  const { createProcessDeps } = await import('./mcp/deps.js');
  let deps: ProcessDeps;
  try {
    deps = createProcessDeps(config, { log, baseURL, apiKey });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`managed-agents-mcp: ${err.message}\n${SEE_HELP}\n`);
    process.exit(2);
  }
  if (config.http) return serveHttp({ ...config, http: config.http }, { log, shutdown, deps, emulator });
  const [{ createServer }, { serveStdio }] = await Promise.all([import('./mcp/server.js'), import('@modelcontextprotocol/server/stdio')]);
  // The SDK picks the era from the opening message (a 2026-07-28 request, or a 2025 `initialize`)
  // and pins the server the factory makes to this connection (docs/mcp-revisions.md).
  const stdio = serveStdio(() => createServer({ config, log, ...deps, shutdownSignal: shutdown.signal }).server, {
    onerror: (err) => log.warn(`stdio: ${err.message}`),
  });

  let closing = false;
  const close = async (why: string) => {
    if (closing) return;
    closing = true;
    log.info(`shutting down (${why})`);
    // Nothing may keep us alive past a second: clients SIGTERM a server that lingers.
    setTimeout(() => process.exit(0), 800).unref();
    shutdown.abort();
    await Promise.allSettled([stdio.close(), emulator?.close()]);
    process.exit(0);
  };
  process.stdin.on('end', () => void close('stdin closed'));
  process.stdin.on('close', () => void close('stdin closed'));
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.stdout.on('error', () => void close('stdout closed'));
}

interface Runtime {
  log: ReturnType<typeof createLogger>;
  shutdown: AbortController;
  deps: ProcessDeps;
  emulator?: { close(): Promise<void> };
}

/** `--http`: the URL goes to stdout (as the emulator's does) so scripts can read the chosen port. */
async function serveHttp(config: Config & { http: HttpConfig }, rt: Runtime): Promise<void> {
  const { startHttpServer } = await import('./mcp/http.js');
  const handle = await startHttpServer({ config, log: rt.log, deps: rt.deps, shutdownSignal: rt.shutdown.signal }).catch((err: NodeJS.ErrnoException) => {
    // A host that does not resolve (`localhost.`), a port in use or not ours: one line, no stack.
    process.stderr.write(`managed-agents-mcp: cannot listen on --http ${config.http.host}:${config.http.port}: ${err.code ?? err.message}${err.code === 'ENOTFOUND' ? ' (the host name does not resolve)' : ''}
`);
    process.exit(2);
  });
  process.stdout.write(`${handle.url}\n`);
  const auth = config.http.tokens.length ? 'bearer token required' : 'NO AUTH (loopback only)';
  rt.log.info(`serving MCP over Streamable HTTP (stateless) at ${handle.url}; ${auth}; /healthz, /readyz`);
  let closing = false;
  const close = async (why: string) => {
    if (closing) return;
    closing = true;
    rt.log.info(`shutting down (${why})`);
    setTimeout(() => process.exit(0), 800).unref();
    // Stop accepting first, then end in-flight calls so their responses close.
    const stopped = handle.close();
    rt.shutdown.abort();
    await Promise.allSettled([stopped, rt.emulator?.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void close('SIGINT'));
  process.on('SIGTERM', () => void close('SIGTERM'));
}

async function runEmulator(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'allow-remote': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`managed-agents-mcp emulator: ${parseArgsMessage(err as Error, ['port', 'host', 'allow-remote', 'help'])}\n${SEE_HELP}\n`);
    process.exit(2);
  }
  if (values.help) return void process.stderr.write(`${USAGE}\n`);
  const port = values.port === undefined ? 4010 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`managed-agents-mcp emulator: --port must be 0–65535\n`);
    process.exit(2);
  }
  const { startEmulator, EmulatorConfigError } = await importEmulator();
  const apiKey = process.env.MANAGED_AGENTS_EMULATOR_KEY || undefined;
  let emu;
  try {
    emu = await startEmulator({ port, host: values.host ?? '127.0.0.1', allowRemote: values['allow-remote'], apiKey });
  } catch (err) {
    // One line, no stack: these are the user's to fix.
    const e = err as NodeJS.ErrnoException;
    if (err instanceof EmulatorConfigError) process.stderr.write(`managed-agents-mcp emulator: ${e.message}\n`);
    else if (e.code === 'EADDRINUSE') process.stderr.write(`managed-agents-mcp emulator: port ${port} is in use; pass --port 0 to pick a free one\n`);
    else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
      process.stderr.write(`managed-agents-mcp emulator: cannot listen on ${values.host}: ${e.code}\n`);
    else throw err;
    process.exit(err instanceof EmulatorConfigError ? 2 : 1);
  }
  process.stdout.write(`${emu.url}\n`);
  process.stderr.write(
    `Managed Agents emulator listening. Point the SDK or this server at it:\n  MANAGED_AGENTS_BASE_URL=${emu.url} MANAGED_AGENTS_API_KEY=${apiKey ? '<MANAGED_AGENTS_EMULATOR_KEY>' : 'any-key'}\nCtrl-C to stop.\n`,
  );
  const stop = () => void emu.close().finally(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`managed-agents-mcp: fatal: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
