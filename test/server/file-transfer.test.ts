/**
 * Files on this machine through the MCP protocol (docs/local-files.md): upload_file, attachments
 * in send_message and start_session (by file id and by local path), download_session_files with
 * the bytes on disk. The escapes from the files root are in files-root.test.ts.
 */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentAndSession, errText, harness, history, ok, type Harness } from '../helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex');
let h: Harness;
let root: string;

beforeAll(async () => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), 'ma-files-')));
  mkdirSync(path.join(root, 'img'));
  writeFileSync(path.join(root, 'img', 'pic.png'), PNG);
  writeFileSync(path.join(root, 'notes.md'), '# Notes\nship it\n');
  writeFileSync(path.join(root, 'doc.pdf'), '%PDF-1.4\n%binary\n');
  writeFileSync(path.join(root, 'blob.bin'), Buffer.from([0, 1, 2, 255, 254]));
  h = await harness({ toolsets: ['core', 'files'], filesRoot: root });
});
afterAll(async () => {
  await h?.close();
  rmSync(root, { recursive: true, force: true });
});

const requestsSince = async (since: number) => (await h.admin('GET', `/_emulator/requests?since=${since}`)).data as any[];
const nextIndex = async () => (await h.admin('GET', '/_emulator/requests')).next_index as number;
const lastUserMessage = async (sessionId: string) => (await history(h, sessionId)).filter((e) => e.type === 'user.message').at(-1);

describe('upload_file', () => {
  it('uploads a file under the root and reports its id, type, size and real path', async () => {
    const up = ok(await h.call('upload_file', { path: 'img/pic.png' }));
    expect(up).toEqual({
      file_id: expect.stringMatching(/^file_/),
      filename: 'pic.png',
      mime_type: 'image/png',
      size_bytes: PNG.length,
      path: path.join(root, 'img', 'pic.png'),
    });
    // An absolute path inside the root works the same.
    const abs = ok(await h.call('upload_file', { path: path.join(root, 'notes.md') }));
    expect(abs).toMatchObject({ filename: 'notes.md', mime_type: 'text/markdown', size_bytes: 16 });
  });
});

describe('attachments', () => {
  it('send_message attaches an uploaded image by file id; the agent acknowledges it', async () => {
    const { session_id } = await agentAndSession(h);
    const up = ok(await h.call('upload_file', { path: 'img/pic.png' }));
    const d = ok(await h.call('send_message', { session_id, text: 'what is this?', attachments: [up.file_id] }));
    expect(d.reply).toBe(`You said: what is this? Received 1 image (${up.file_id}).`);
    expect(d.hint).toContain(`Attached: ${up.file_id} (image/png).`);
    expect((await lastUserMessage(session_id)).content).toEqual([
      { type: 'image', source: { type: 'file', file_id: up.file_id } },
      { type: 'text', text: 'what is this?' },
    ]);
  });

  it('send_message attaches local paths: images and PDFs are uploaded first, text goes inline', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: 'read these', attachments: ['img/pic.png', 'doc.pdf', 'notes.md'] }));
    const content = (await lastUserMessage(session_id)).content;
    const [img, pdf, md] = content;
    expect(img).toEqual({ type: 'image', source: { type: 'file', file_id: expect.stringMatching(/^file_/) } });
    expect(pdf).toEqual({ type: 'document', source: { type: 'file', file_id: expect.stringMatching(/^file_/) } });
    expect(md).toEqual({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: '# Notes\nship it\n' }, title: 'notes.md' });
    expect(d.reply).toBe(
      `You said: read these Received 1 image (${img.source.file_id}) and 2 documents (${pdf.source.file_id}, "notes.md", 16 characters of text).`,
    );
    expect(d.hint).toContain(`pic.png uploaded as ${img.source.file_id}`);
    // The uploads are real Files API objects with the local bytes' size.
    expect(ok(await h.call('get_file', { file_id: img.source.file_id }))).toMatchObject({
      filename: 'pic.png',
      mime_type: 'image/png',
      size_bytes: PNG.length,
    });
  });

  it('start_session sends attachments with its first message, and refuses them without one', async () => {
    const { agent_id } = await agentAndSession(h);
    const s = ok(await h.call('start_session', { agent_id, message: 'hello', attachments: ['notes.md'] }));
    expect(s.turn.reply).toBe('You said: hello Received 1 document ("notes.md", 16 characters of text).');
    const before = await nextIndex();
    expect(errText(await h.call('start_session', { agent_id, attachments: ['notes.md'] }))).toMatch(/attachments go with message/);
    expect(await requestsSince(before)).toEqual([]);
  });

  it('bad attachments fail the call before anything is uploaded or sent', async () => {
    const { session_id, agent_id } = await agentAndSession(h);
    const md = ok(await h.call('upload_file', { path: 'notes.md' }));
    const cases: [unknown[], RegExp][] = [
      [['img/pic.png', 'missing.png'], /Cannot read "missing\.png": no such file/],
      [['img/pic.png', 'blob.bin'], /blob\.bin \(application\/octet-stream\) cannot be attached: images \(JPEG, PNG, GIF, WebP\), PDF and text files only/],
      [['img/pic.png', md.file_id], new RegExp(`${md.file_id} is text/markdown: by file id only .*Attach a local copy by its path`, 's')],
      [['img/pic.png', 'file_doesnotexist'], /404/],
      [['img/pic.png', '../notes.md'], /outside the files root/],
      [['img'], /"img" is not a regular file/],
    ];
    for (const [attachments, re] of cases) {
      const before = await nextIndex();
      expect(errText(await h.call('send_message', { session_id, text: 'x', attachments })), String(attachments)).toMatch(re);
      const writes = (await requestsSince(before)).filter((r) => r.method !== 'GET');
      expect(writes, String(attachments)).toEqual([]);
    }
    // start_session with a bad attachment creates no session.
    const before = await nextIndex();
    expect(errText(await h.call('start_session', { agent_id, message: 'x', attachments: ['blob.bin'] }))).toMatch(/cannot be attached/);
    expect((await requestsSince(before)).filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await history(h, session_id)).filter((e) => e.type === 'user.message')).toEqual([]);
    // The control: the request log does record a send (so the empty lists above are not vacuous).
    const control = await nextIndex();
    ok(await h.call('send_message', { session_id, text: 'x', attachments: ['notes.md'] }));
    expect((await requestsSince(control)).some((r) => r.method === 'POST' && /\/events$/.test(r.path))).toBe(true);
  });

  it('a text attachment over the size cap is refused with the cap in the message', async () => {
    const small = await harness({ toolsets: ['core', 'files'], filesRoot: root, maxFileBytes: 10 });
    try {
      const { session_id } = await agentAndSession(small);
      expect(errText(await small.call('send_message', { session_id, text: 'x', attachments: ['notes.md'] }))).toMatch(
        /"notes\.md" is 16 bytes, over the 10 bytes cap on one file/,
      );
      expect(errText(await small.call('upload_file', { path: 'notes.md' }))).toMatch(/over the 10 bytes cap/);
    } finally {
      await small.close();
    }
  });
});

describe('download_session_files', () => {
  it("writes a session's output files under to_dir with their bytes; never overwrites unless asked", async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/file report.md # Findings: all green\n/file data.csv a,b\n/reply done' }));
    const r = ok(await h.call('download_session_files', { flat: true, session_id, to_dir: 'out/run1' }));
    const dir = path.join(root, 'out', 'run1');
    expect(r.dir).toBe(dir);
    expect(r.written.map((w: any) => w.path).sort()).toEqual([path.join(dir, 'data.csv'), path.join(dir, 'report.md')]);
    expect(r.skipped).toEqual([]);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toBe('# Findings: all green');
    expect(readFileSync(path.join(dir, 'data.csv'), 'utf8')).toBe('a,b');
    expect(r.written.find((w: any) => w.path.endsWith('data.csv')).size_bytes).toBe(3);

    writeFileSync(path.join(dir, 'report.md'), 'local edits');
    const again = ok(await h.call('download_session_files', { flat: true, session_id, to_dir: 'out/run1' }));
    expect(again.written).toEqual([]);
    expect(again.skipped.map((s: any) => [s.filename, s.reason]).sort()).toEqual([
      ['data.csv', 'exists (overwrite: true replaces it)'],
      ['report.md', 'exists (overwrite: true replaces it)'],
    ]);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toBe('local edits');

    const forced = ok(await h.call('download_session_files', { flat: true, session_id, to_dir: 'out/run1', overwrite: true }));
    expect(forced.written).toHaveLength(2);
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toBe('# Findings: all green');
    // The temporary files of an overwrite are renamed away: only the two files remain.
    expect(readdirSync(dir).sort()).toEqual(['data.csv', 'report.md']);
  });

  it('pages with limit and next_page, and skips files over the cap', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: `/file a.txt 1\n/file b.txt 22\n/file c.txt ${'x'.repeat(50)}` }));
    const first = ok(await h.call('download_session_files', { flat: true, session_id, to_dir: 'paged', limit: 2 }));
    expect(first.written).toHaveLength(2);
    expect(first.next_page).toBeTruthy();
    const rest = ok(await h.call('download_session_files', { flat: true, session_id, to_dir: 'paged', limit: 2, page: first.next_page }));
    expect(rest.written).toHaveLength(1);
    expect(rest.next_page).toBeUndefined();
    expect(readdirSync(path.join(root, 'paged')).sort()).toEqual(['a.txt', 'b.txt', 'c.txt']);

    const small = await harness({ toolsets: ['core', 'files'], filesRoot: root, maxFileBytes: 10 }, {}, {});
    try {
      // A second server on another emulator: make the outputs there.
      const s2 = await agentAndSession(small);
      ok(await small.call('send_message', { session_id: s2.session_id, text: `/file small.txt 1\n/file big.txt ${'x'.repeat(50)}` }));
      const r = ok(await small.call('download_session_files', { flat: true, session_id: s2.session_id, to_dir: 'capped' }));
      expect(r.written.map((w: any) => path.basename(w.path))).toEqual(['small.txt']);
      expect(r.skipped).toEqual([
        { file_id: expect.stringMatching(/^file_/), filename: 'big.txt', reason: '50 bytes, over the 10 bytes cap on one file (--max-file-bytes)' },
      ]);
      expect(readdirSync(path.join(root, 'capped'))).toEqual(['small.txt']);
    } finally {
      await small.close();
    }
  });

  it('a session without outputs writes nothing and says so', async () => {
    const { session_id } = await agentAndSession(h);
    const r = await h.call('download_session_files', { flat: true, session_id, to_dir: 'empty' });
    expect(ok(r)).toEqual({ dir: path.join(root, 'empty'), written: [], skipped: [] });
    expect(r.content[0].text).toMatch(/has no output files/);
  });
});
