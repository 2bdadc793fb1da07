/**
 * Every way out of the files root (docs/local-files.md), through the MCP protocol: `..`, absolute
 * paths elsewhere, a symlinked file, a symlinked directory (and a new directory below one), a
 * symlink planted at the download target, an existing file without overwrite, and remote file
 * names that are paths (`../../x`, `/abs`, `..`, `a\b`). Each attempt is refused, and a listing of
 * everything outside the root — with a sentinel file — is the same before and after.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAndSession, errText, harness, ok, type Harness } from '../helpers.js';
import { unsafeName } from '../../src/tools/support/local-files.js';
import { parseConfig, type Config } from '../../src/config.js';

let h: Harness;
let base: string;
let root: string;
let outside: string;
let before: string[];

/** Every path under `dir` with its type, size and content hash, except under `skip`. */
function listing(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (p === skip) continue;
      const st = lstatSync(p);
      // Only regular files are read (the root holds a FIFO, whose read would block).
      const kind = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? `file ${st.size} ${readFileSync(p).toString('base64')}` : 'other';
      out.push(`${path.relative(dir, p)} ${kind} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  base = realpathSync(mkdtempSync(path.join(tmpdir(), 'ma-root-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.txt'), 'SENTINEL secret outside the root');
  writeFileSync(path.join(outside, 'victim.txt'), 'SENTINEL victim');
  writeFileSync(path.join(root, 'ok.txt'), 'inside');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'link-secret.txt'));
  symlinkSync(outside, path.join(root, 'linkdir'));
  mkdirSync(path.join(root, 'out'));
  symlinkSync(path.join(outside, 'victim.txt'), path.join(root, 'out', 'planted.md'));
  // Dangling links: following one would create a file or directory outside the root.
  symlinkSync(path.join(outside, 'created-through-link.txt'), path.join(root, 'out', 'dangling.md'));
  symlinkSync(path.join(outside, 'new-dir'), path.join(root, 'dangling-dir'));
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  before = listing(base, root);
  h = await harness({ toolsets: ['core', 'files'], filesRoot: root });
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('reading (upload_file, attachments) stays inside the root', () => {
  it.each([
    ['../outside/secret.txt', /outside the files root/],
    ['a/../../outside/secret.txt', /outside the files root/],
    ['/etc/passwd', /outside the files root/],
    ['OUTSIDE/secret.txt', /outside the files root/],
    ['link-secret.txt', /resolves \(through a symlink\) to .*outside the files root/],
    ['linkdir/secret.txt', /resolves \(through a symlink\) to .*outside the files root/],
    ['fifo', /is not a regular file/],
    ['.', /is not a regular file/],
    ['nul\0byte', /NUL byte/],
  ])('upload_file %j is refused', async (p, re) => {
    const arg = p === 'OUTSIDE/secret.txt' ? path.join(outside, 'secret.txt') : p;
    const text = errText(await h.call('upload_file', { path: arg }));
    expect(text).toMatch(re);
    expect(text).not.toContain('SENTINEL');
  });

  it('the same refusals apply to attachments, and nothing is sent', async () => {
    const { session_id } = await agentAndSession(h);
    for (const p of ['../outside/secret.txt', path.join(outside, 'secret.txt'), 'link-secret.txt', 'linkdir/secret.txt']) {
      expect(errText(await h.call('send_message', { session_id, text: 'x', attachments: [p] }))).toMatch(/outside the files root/);
    }
    const all = (await h.admin('GET', '/_emulator/requests')).data as any[];
    expect(all.filter((r) => r.method === 'POST' && r.path === `/v1/sessions/${session_id}/events`)).toEqual([]);
  });

  it('a path inside the root still works (the control)', async () => {
    expect(ok(await h.call('upload_file', { path: 'ok.txt' })).size_bytes).toBe(6);
  });

  it('a name that only begins with two dots is inside the root', async () => {
    writeFileSync(path.join(root, '..notes'), 'dots');
    expect(ok(await h.call('upload_file', { path: '..notes' })).size_bytes).toBe(4);
    expect(errText(await h.call('upload_file', { path: '../..notes' }))).toMatch(/outside|root/i);
  });
});

describe('writing (download_session_files) stays inside the root', () => {
  let session: string;
  beforeAll(async () => {
    session = (await agentAndSession(h)).session_id;
    // Remote names are untrusted: the session writes files named like paths.
    ok(
      await h.call('send_message', {
        session_id: session,
        text: [
          '/file ../../escape1.txt boom',
          `/file ${path.join(outside, 'escape2.txt')} boom`,
          '/file .. boom',
          '/file ..\\escape3.txt boom',
          '/file planted.md would-follow-the-link',
          '/file dangling.md would-create-outside',
          '/file fine.txt ok',
        ].join('\n'),
      }),
    );
  });

  it.each([['../outside'], ['OUTSIDE'], ['/tmp'], ['linkdir'], ['linkdir/new/deeper']])('to_dir %j is refused before anything is fetched', async (dir) => {
    const arg = dir === 'OUTSIDE' ? outside : dir;
    expect(errText(await h.call('download_session_files', { flat: true, session_id: session, to_dir: arg }))).toMatch(/outside the files root/);
  });

  it.each([['dangling-dir'], ['dangling-dir/sub']])('to_dir %j through a dangling symlink is refused', async (dir) => {
    expect(errText(await h.call('download_session_files', { flat: true, session_id: session, to_dir: dir }))).toMatch(/cannot be resolved \(ENOENT\)/);
  });

  it('refuses path-like remote names and a planted symlink, even with overwrite; writes the rest', async () => {
    for (const overwrite of [false, true]) {
      const r = ok(await h.call('download_session_files', { flat: true, session_id: session, to_dir: 'out', overwrite }));
      const reasons = Object.fromEntries(r.skipped.map((s: any) => [s.filename, s.reason]));
      expect(reasons).toEqual({
        '../../escape1.txt': 'unsafe name (contains a path separator)',
        [path.join(outside, 'escape2.txt')]: 'unsafe name (contains a path separator)',
        '..': 'unsafe name (not a file name)',
        '..\\escape3.txt': 'unsafe name (contains a path separator)',
        'planted.md': 'a symlink is at the target name (never followed or replaced)',
        'dangling.md': 'a symlink is at the target name (never followed or replaced)',
      });
      expect(r.written.map((w: any) => w.path)).toEqual([path.join(root, 'out', 'fine.txt')]);
      if (!overwrite) writeFileSync(path.join(root, 'out', 'fine.txt'), 'kept'); // then overwritten below
    }
    expect(readFileSync(path.join(root, 'out', 'fine.txt'), 'utf8')).toBe('ok');
    expect(lstatSync(path.join(root, 'out', 'planted.md')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('SENTINEL victim');
  });

  it('an existing file is not replaced without overwrite', async () => {
    writeFileSync(path.join(root, 'keep.txt'), 'mine');
    const s = (await agentAndSession(h)).session_id;
    ok(await h.call('send_message', { session_id: s, text: '/file keep.txt theirs' }));
    const r = ok(await h.call('download_session_files', { flat: true, session_id: s, to_dir: '.' }));
    expect(r.skipped).toEqual([{ file_id: expect.stringMatching(/^file_/), filename: 'keep.txt', reason: 'exists (overwrite: true replaces it)' }]);
    expect(readFileSync(path.join(root, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('nothing outside the root changed, and no stray file appeared anywhere under the base', () => {
    expect(listing(base, root)).toEqual(before);
    const names = listing(base, '').map((l) => l.split(' ')[0]!);
    expect(names.filter((n) => /escape/.test(n))).toEqual([]);
    expect(statSync(path.join(base, 'escape1.txt'), { throwIfNoEntry: false })).toBeUndefined();
  });
});

describe('unsafeName', () => {
  it.each([['a/b'], ['a\\b'], ['..'], ['.'], [''], ['x\ny'], ['x'.repeat(256)]])('%j is unsafe', (n) => expect(unsafeName(n)).toBeDefined());
  it.each([['report.md'], ['a..b'], ['名前.txt']])('%j is a plain name', (n) => expect(unsafeName(n)).toBeUndefined());
  it('a dotfile is refused: tools load those as configuration (docs/security.md)', () => expect(unsafeName('.hidden')).toMatch(/dotfile/));
});

describe('configuration', () => {
  it('--files-root beats MANAGED_AGENTS_FILES_ROOT, which beats the working directory; --max-file-bytes is checked', () => {
    expect((parseConfig([], {}) as Config).filesRoot).toBe(process.cwd());
    expect((parseConfig([], { MANAGED_AGENTS_FILES_ROOT: 'sub' }) as Config).filesRoot).toBe(path.resolve('sub'));
    expect((parseConfig(['--files-root', '/srv/x'], { MANAGED_AGENTS_FILES_ROOT: 'sub' }) as Config).filesRoot).toBe('/srv/x');
    expect((parseConfig([], {}) as Config).maxFileBytes).toBe(32 * 1024 * 1024);
    expect((parseConfig(['--max-file-bytes', '1000'], {}) as Config).maxFileBytes).toBe(1000);
    expect(() => parseConfig(['--max-file-bytes', '0'], {})).toThrow(/--max-file-bytes must be a whole number ≥ 1/);
  });

  it('under --http local files are off unless a root is given: a path would name a file on the server', async () => {
    expect((parseConfig(['--http', '127.0.0.1:0'], {}) as Config).filesRoot).toBeNull();
    expect((parseConfig(['--http', '127.0.0.1:0', '--files-root', '/srv/x'], {}) as Config).filesRoot).toBe('/srv/x');
    expect((parseConfig(['--http', '127.0.0.1:0'], { MANAGED_AGENTS_FILES_ROOT: 'sub' }) as Config).filesRoot).toBe(path.resolve('sub'));
    const off = await harness({ toolsets: ['core', 'files'], filesRoot: null });
    try {
      for (const text of [
        errText(await off.call('upload_file', { path: 'in.txt' })),
        errText(await off.call('download_session_files', { flat: true, session_id: 'sesn_x', to_dir: 'out' })),
        errText(await off.call('send_message', { session_id: 'sesn_x', text: 'hi', attachments: ['in.txt'] })),
      ]) {
        expect(text).toMatch(/Local file access is off: this server runs with --http/);
        expect(text).toMatch(/--files-root/);
      }
    } finally {
      await off.close();
    }
  });

  it('a root that does not exist makes every file tool say so, naming the flag', async () => {
    const gone = await harness({ toolsets: ['core', 'files'], filesRoot: path.join(base, 'no-such-dir') });
    try {
      expect(errText(await gone.call('upload_file', { path: 'x' }))).toMatch(/files root \(--files-root\) cannot be used \(ENOENT\)[\s\S]*--files-root/);
      // The server's own path is not shown: an HTTP caller learns nothing of its layout (docs/http.md).
      expect(errText(await gone.call('upload_file', { path: 'x' }))).not.toContain(base);
    } finally {
      await gone.close();
    }
  });
});
