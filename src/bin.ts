#!/usr/bin/env node
/**
 * The package's bin: loads the server (dist/managed-agents-mcp.cjs, the bundle of src/cli.ts) with
 * a V8 code cache, so that a start after the first skips compiling it (docs/performance.md,
 * "Start-up"). Compiling a megabyte of JavaScript, and then each function as start-up first calls
 * it, was the largest share of start-up left; Node 20 has no compile cache of its own
 * (`module.enableCompileCache` arrived in Node 22), so this does what it does, for one file.
 *
 * The cache is code this process will run, so it is read only from a directory that is the
 * user's own: owned by this user and writable by no one else, as is the file. It is keyed by a hash
 * of the server's source, Node's version, the architecture and V8's flags (with those set below), because V8 checks only
 * the source's length; V8 rejects data made by another V8 or with other flags, and then it is
 * rewritten; the eight newest are kept. It is written once the server has run for WRITE_AFTER_MS
 * (so it holds the functions start-up compiled), atomically, and only when there was none or V8
 * rejected it.
 *
 * MANAGED_AGENTS_CODE_CACHE: `off` (or `0`) turns it off; a path puts it there. Default:
 * $XDG_CACHE_HOME/managed-agents-mcp, else ~/.cache/managed-agents-mcp (%LOCALAPPDATA% on Windows).
 * NODE_DEBUG=managed-agents-mcp prints to stderr whether the cache was used (hit, miss, rejected by
 * V8, refused as not private, off).
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debuglog } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const SERVER = fileURLToPath(new URL('./managed-agents-mcp.cjs', import.meta.url));
const WRITE_AFTER_MS = 1_000;
/** Caches kept per directory (one per build, Node and flags): the newest; older ones are removed. */
const KEEP = 8;
type CodeCacheStatus = 'off' | 'hit' | 'miss' | 'rejected' | 'refused';

/** Where the cache lives, or undefined when it is off. */
function codeCacheDir(): string | undefined {
  const env = process.env;
  const set = env.MANAGED_AGENTS_CODE_CACHE;
  if (set === 'off' || set === '0') return undefined;
  if (set) return set;
  const base = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || join(homedir(), '.cache');
  return join(base, 'managed-agents-mcp');
}

/** Owned by this user and writable by no one else (on Windows, where there are no uids, the directory is per-user). */
function isPrivate(st: Stats): boolean {
  return typeof process.getuid !== 'function' || (st.uid === process.getuid() && (st.mode & 0o022) === 0);
}

function privateDir(dir: string): boolean {
  const st = lstatSync(dir);
  return st.isDirectory() && isPrivate(st);
}

/** The cache file's contents when it may be run, with why not otherwise. */
function readCache(dir: string, file: string): { data?: Buffer; status: 'miss' | 'refused' } {
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch {
    return { status: 'miss' };
  }
  try {
    if (!st.isFile() || !isPrivate(st) || !privateDir(dir)) return { status: 'refused' };
    return { data: readFileSync(file), status: 'miss' };
  } catch {
    return { status: 'miss' };
  }
}

function writeCache(dir: string, file: string, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!privateDir(dir)) return;
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, file);
    } catch {
      rmSync(tmp, { force: true });
    }
    const old = readdirSync(dir)
      .filter((f) => f.endsWith('.v8'))
      .map((f) => ({ f, t: lstatSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)
      .slice(KEEP);
    for (const { f } of old) rmSync(join(dir, f), { force: true });
  } catch {
    // A cache that cannot be written costs the next start its compile, nothing more.
  }
}

/**
 * A V8 setting that cuts the server's peak memory (docs/performance.md, "Memory"): WebAssembly stays
 * on its baseline compiler (Liftoff). Node's `fetch` parses each HTTP response with llhttp compiled
 * to WebAssembly; V8's tier-up of it to TurboFan, a few dozen calls in, held ~28 MiB of compiler
 * memory for a second or two: the largest single share of the peak, for no gain that a response of
 * a few kB shows. Set here, at run time, before the server is loaded: it then holds however the bin
 * is started (npx and its Windows shim, the .mcpb manifest, `node <bin>` in a client's config) with
 * no flag on a command line and no second process. V8 reads it when a module is compiled (llhttp
 * is, at the first `fetch`). Keeping the young generation small (`--semi-space-growth-factor=1`,
 * also read at run time) cut the peak by another ~15 MiB but cost ~16 % CPU per turn with 50 turns
 * in flight, so V8 sizes it as it will.
 * The `emulator` subcommand is a test server, not the product, and keeps V8's defaults.
 */
function lightenHeap(argv: readonly string[]): string[] {
  if (argv[0] === 'emulator') return [];
  const flags = ['--liftoff-only'];
  for (const f of flags) setFlagsFromString(f);
  return flags;
}

/** Runs the server bundle, with the code cache where allowed. */
function start(): void {
  // V8 rejects a cache made under other flags, those set at run time included: they are in the key,
  // so that the `emulator` subcommand and the server do not overwrite each other's cache.
  const v8Flags = [...process.execArgv, ...lightenHeap(process.argv.slice(2))];
  const bytes = readFileSync(SERVER);
  const source = bytes.toString('utf8');
  const dir = codeCacheDir();
  const file =
    dir &&
    join(
      dir,
      `${createHash('sha256')
        .update(bytes)
        .update(`\0${process.version}\0${process.arch}\0${v8Flags.join(' ')}`)
        .digest('hex')
        .slice(0, 32)}.v8`,
    );
  const cached = dir && file ? readCache(dir, file) : undefined;
  // CommonJS's own wrapper; the bundle's `#!` line becomes a comment (same length, same lines).
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${body}\n})`, {
    filename: SERVER,
    cachedData: cached?.data,
  });
  const status: CodeCacheStatus = !cached
    ? 'off'
    : cached.status === 'refused'
      ? 'refused'
      : !cached.data
        ? 'miss'
        : script.cachedDataRejected
          ? 'rejected'
          : 'hit';
  // A script run by `vm` cannot `import()`: the server's emulator import (src/cli.ts) comes here.
  (globalThis as Record<symbol, unknown>)[Symbol.for('managed-agents-mcp.importEmulator')] = () => import(new URL('./emulator.mjs', import.meta.url).href);
  debuglog('managed-agents-mcp')('code cache %s: %s', status, file ?? 'MANAGED_AGENTS_CODE_CACHE=off');
  if (dir && file && (status === 'miss' || status === 'rejected')) {
    setTimeout(() => writeCache(dir, file, script.createCachedData()), WRITE_AFTER_MS).unref();
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(SERVER), module, SERVER, dirname(SERVER));
}

start();
