/**
 * Files on this machine, under one root the user configures (--files-root; docs/local-files.md).
 *
 * Every path a tool receives (from the model) and every file name the API returns (written by a
 * remote agent) is untrusted. The rules:
 * - the root's real path is resolved once; a path is taken relative to it (or absolute, if inside);
 * - reads: the target's real path (every symlink resolved) must lie inside the root, and it must be
 *   a regular file (opened non-blocking, so a FIFO cannot hang the server), at most the size cap;
 * - writes: the real path of the deepest existing parent must lie inside the root; missing
 *   directories are created below it; a remote file name must be one plain path component; a
 *   symlink at the target name is refused, even with overwrite; without overwrite the file is
 *   created with O_EXCL (`wx`), so an existing file — or one planted meanwhile — is never replaced;
 *   with overwrite the bytes go to a temporary file in the same directory, renamed over the target
 *   once complete (a rename replaces a symlink planted meanwhile rather than following it).
 * - after every open, what was opened is checked: the path is resolved again, must still lie
 *   inside the root, and must name the very file the descriptor holds (same device and inode), so a
 *   parent directory swapped for a symlink between the check and the open is caught (the open
 *   followed it, the re-check does not find the same file inside the root).
 * What this does not defend against: a hard link under the root to a file elsewhere (it IS the
 * same file, and making one needs write access under the root already); and under a swap during a
 * write, the empty file the open created where the link pointed (nothing is written into it).
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ToolError } from '../../api/errors.js';

export const MIB = 1024 * 1024;

const FIX_ROOT = 'Use a path under the files root (--files-root / MANAGED_AGENTS_FILES_ROOT).';

/**
 * A remote file name is written only if it is one plain path component: no separators, no `..`,
 * no control, format (bidi overrides, zero-width) or separator characters that make a name read
 * as something else (`invoice\u202Efdp.exe` shows as `invoiceexe.pdf`).
 */
export function unsafeName(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'not a file name';
  if (/[/\\]/.test(name)) return 'contains a path separator';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(name)) return 'contains control characters';
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u.test(name)) return 'contains invisible or direction-changing characters (Unicode format, control or separator)';
  if (Buffer.byteLength(name) > 255) return 'longer than 255 bytes';
  return steering(name);
}

/**
 * Names that coding agents, editors and shells load as instructions or configuration from the
 * directory they sit in (docs/security.md): a remote agent must not plant them. Dotfiles cover
 * `.mcp.json`, `.envrc`, `.bashrc`, `.cursorrules`, `.env` and the like; these are the rest.
 */
const STEERING = new Set(['claude.md', 'claude.local.md', 'agents.md', 'agent.md', 'gemini.md', 'copilot-instructions.md', 'mcp.json', 'conventions.md']);

function steering(name: string): string | undefined {
  if (name.startsWith('.')) return 'a dotfile: shells, editors and coding agents load these as configuration';
  if (STEERING.has(name.toLowerCase())) return 'instructions a coding agent loads from its directory';
  return undefined;
}

/**
 * A directory named by `p` (relative to the root) that tools load configuration from: any
 * component starting with a dot (`.git/hooks`, `.vscode`, `.cursor`, `.claude/commands`, `.github`).
 */
export function configDir(p: string): string | undefined {
  return p.split(/[/\\]/).find((c) => c.startsWith('.') && c !== '.' && c !== '..');
}

export function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  // `..` as a whole first component only: a file named `..notes` is inside.
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/**
 * A path as an error shows it: relative to the files root, never the server's absolute path (an
 * HTTP caller learns nothing of the server's layout; docs/http.md).
 */
function relative(root: string, p: string): string {
  return within(root, p) ? path.relative(root, p) || '.' : '(outside the files root)';
}

export const fmtBytes = (n: number) => `${n.toLocaleString('en')} bytes`;

export class LocalFiles {
  private rootReal?: Promise<string>;

  constructor(readonly root: string | null) {}

  /** The root's real path, resolved once (it must exist and be a directory). */
  realRoot(): Promise<string> {
    const configured = this.root;
    if (configured === null) {
      return Promise.reject(
        new ToolError(
          'Local file access is off: this server runs with --http, so a local path would name a file on the server, not on your machine.',
          'Pass file_id values instead (upload the file another way), or ask the operator to start the server with --files-root set to a directory meant for sharing.',
        ),
      );
    }
    this.rootReal ??= realpath(configured).then(
      async (r) => {
        if (!(await stat(r)).isDirectory()) throw new ToolError('The files root (--files-root) is not a directory.', FIX_ROOT);
        return r;
      },
      (err: NodeJS.ErrnoException) => {
        this.rootReal = undefined;
        throw new ToolError(
          `The files root (--files-root) cannot be used (${err.code ?? err.message}).`,
          'Start the server with --files-root set to an existing directory.',
        );
      },
    );
    return this.rootReal;
  }

  /** `p` (relative to the root, or absolute) as an absolute path, refused when it lexically leaves the root. */
  private async lexical(p: string): Promise<{ root: string; abs: string }> {
    if (p.includes('\0')) throw new ToolError(`Path ${JSON.stringify(p)} contains a NUL byte.`);
    const root = await this.realRoot();
    // An absolute path inside the root may be given as the configured spelling or the real one.
    const given = path.resolve(this.root ?? root);
    const abs = path.isAbsolute(p) && within(given, path.resolve(p)) ? path.join(root, path.relative(given, path.resolve(p))) : path.resolve(root, p);
    if (!within(root, abs)) throw new ToolError(`Path ${JSON.stringify(p)} is outside the files root.`, FIX_ROOT);
    return { root, abs };
  }

  /** Reads a regular file under the root, at most `maxBytes`. */
  async read(p: string, maxBytes: number): Promise<{ path: string; name: string; bytes: Buffer }> {
    const { root, abs } = await this.lexical(p);
    let real: string;
    try {
      real = await realpath(abs);
    } catch (err) {
      throw new ToolError(
        `Cannot read ${JSON.stringify(p)}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}.`,
        FIX_ROOT,
      );
    }
    if (!within(root, real)) throw new ToolError(`Path ${JSON.stringify(p)} resolves (through a symlink) to a place outside the files root.`, FIX_ROOT);
    // O_NOFOLLOW: a symlink swapped in after realpath is not followed; O_NONBLOCK: a FIFO does not block the open.
    const fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: Error) => {
      throw new ToolError(`Cannot read ${JSON.stringify(p)}: ${err.message}.`);
    });
    try {
      const st = await fh.stat();
      await this.sameInside(root, real, fh, st, p);
      if (!st.isFile()) throw new ToolError(`${JSON.stringify(p)} is not a regular file.`);
      if (st.size > maxBytes)
        throw new ToolError(
          `${JSON.stringify(p)} is ${fmtBytes(st.size)}, over the ${fmtBytes(maxBytes)} cap on one file.`,
          'The cap is --max-file-bytes (MANAGED_AGENTS_MAX_FILE_BYTES).',
        );
      // Read one byte past the cap: a file that grew since the stat is refused, not clipped.
      const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
      let n = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n === buf.length) break;
      }
      if (n > maxBytes) throw new ToolError(`${JSON.stringify(p)} grew past the ${fmtBytes(maxBytes)} cap while being read.`);
      return { path: real, name: path.basename(real), bytes: buf.subarray(0, n) };
    } finally {
      await fh.close();
    }
  }

  /**
   * Throws unless `opened` (the descriptor's stat) is the file at `p` resolved now, inside the
   * root: the open may have followed a parent directory swapped for a symlink on the way.
   * Where the system names a descriptor's file (Linux's /proc/self/fd), that name decides: no
   * later swap can change which file the descriptor holds. Resolving `p` again cannot decide it
   * alone: a parent swapped back and forth between the two looks-ups passes it
   * (test/server/local-race.test.ts).
   */
  private async sameInside(root: string, p: string, fh: FileHandle, opened: Stats, shown: string): Promise<void> {
    const held = await readlink(`/proc/self/fd/${fh.fd}`).catch(() => undefined);
    if (held !== undefined && !within(root, held)) throw new MovedError(shown);
    const now = await realpath(p).catch(() => undefined);
    const st = now && within(root, now) ? await stat(now).catch(() => undefined) : undefined;
    if (!st || st.dev !== opened.dev || st.ino !== opened.ino) throw new MovedError(shown);
  }

  /** A directory under the root for writing, created if missing; returns its real path. */
  async dir(p: string): Promise<string> {
    const { root, abs } = await this.lexical(p);
    // The deepest existing ancestor, resolved: a symlinked parent that leaves the root is caught here.
    let existing = abs;
    const missing: string[] = [];
    for (;;) {
      const st = await lstat(existing).catch(() => undefined);
      if (st) break;
      missing.unshift(path.basename(existing));
      existing = path.dirname(existing);
    }
    const real = await realpath(existing).catch((err: NodeJS.ErrnoException) => {
      // A dangling symlink: where it points is unknown ground, so nothing is created through it.
      throw new ToolError(
        `Directory ${JSON.stringify(p)}: ${JSON.stringify(relative(root, existing))} cannot be resolved (${err.code ?? err.message}).`,
        FIX_ROOT,
      );
    });
    if (!within(root, real)) throw new ToolError(`Directory ${JSON.stringify(p)} resolves (through a symlink) to a place outside the files root.`, FIX_ROOT);
    if (!(await stat(real)).isDirectory()) throw new ToolError(`${JSON.stringify(p)}: ${JSON.stringify(relative(root, real))} is not a directory.`);
    const target = path.join(real, ...missing);
    if (missing.length) await mkdir(target, { recursive: true });
    const final = await realpath(target);
    if (!within(root, final)) throw new ToolError(`Directory ${JSON.stringify(p)} left the files root while being created.`, FIX_ROOT);
    return final;
  }

  /**
   * Writes the bytes of `source` to `name` in `dir` (a real directory from `dir()`), failing once
   * more than `maxBytes` arrive. `source` is opened only once the target is known to be writable.
   * Returns the path written, or why nothing was.
   */
  async write(
    dir: string,
    name: string,
    source: () => AsyncIterable<Uint8Array>,
    opts: { overwrite: boolean; maxBytes: number },
  ): Promise<{ path: string; bytes: number } | { skipped: string }> {
    const bad = unsafeName(name);
    if (bad) return { skipped: `unsafe name (${bad})` };
    const target = path.join(dir, name);
    const existing: Stats | undefined = await lstat(target).catch(() => undefined);
    if (existing?.isSymbolicLink()) return { skipped: 'a symlink is at the target name (never followed or replaced)' };
    if (existing && !existing.isFile()) return { skipped: 'something other than a regular file is at the target name' };
    if (existing && !opts.overwrite) return { skipped: 'exists (overwrite: true replaces it)' };
    const tmp = opts.overwrite ? path.join(dir, `.${name.slice(0, 200)}.${randomBytes(6).toString('hex')}.part`) : target;
    let fh: FileHandle;
    try {
      fh = await open(tmp, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { skipped: 'exists (overwrite: true replaces it)' };
      throw err;
    }
    let bytes = 0;
    try {
      await this.sameInside(await this.realRoot(), tmp, fh, await fh.stat(), name);
      for await (const chunk of source()) {
        bytes += chunk.byteLength;
        if (bytes > opts.maxBytes) throw new CapError(opts.maxBytes);
        await fh.write(chunk);
      }
      await fh.close();
    } catch (err) {
      await fh.close().catch(() => {});
      if (err instanceof MovedError) return { skipped: err.message };
      await unlink(tmp).catch(() => {});
      if (err instanceof CapError) return { skipped: err.message };
      throw err;
    }
    if (tmp !== target) await rename(tmp, target);
    return { path: target, bytes };
  }
}

const shared = new WeakMap<object, LocalFiles>();

/** One LocalFiles per configuration, so the root's real path is resolved once. */
export function localFiles(config: { filesRoot: string | null }): LocalFiles {
  let lf = shared.get(config);
  if (!lf) shared.set(config, (lf = new LocalFiles(config.filesRoot)));
  return lf;
}

/** A path that changed under the open (docs/local-files.md): nothing is read from or written to it. */
class MovedError extends ToolError {
  constructor(p: string) {
    super(
      `${JSON.stringify(p)} changed while it was being opened (a directory on its path was replaced, perhaps by a symlink): nothing was read or written.`,
      'Try again once nothing else is changing that directory.',
    );
  }
}

class CapError extends Error {
  constructor(max: number) {
    super(`over the ${fmtBytes(max)} cap on one file`);
  }
}

/** The MIME type a local file is uploaded with, from its extension. */
export function mimeOf(name: string): string {
  const ext = path.extname(name).slice(1).toLowerCase();
  return MIME[ext] ?? 'application/octet-stream';
}

const MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  xml: 'application/xml',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  js: 'text/javascript',
  mjs: 'text/javascript',
  ts: 'text/plain',
  py: 'text/x-python',
  sh: 'application/x-sh',
  sql: 'application/sql',
  log: 'text/plain',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
};
