/**
 * Images and documents in a user.message, through the official SDK (docs/local-files.md,
 * "Attachments"; docs/emulator.md, "The scripted agent"): the SDK's source shapes are accepted,
 * others refused; a block by file id must name a stored file of a type the block takes.
 */
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { REAL, makeSession, reportTarget, texts, turn, useTarget } from './target.js';

const t = useTarget();
reportTarget();

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const msg = (...content: unknown[]) => [{ type: 'user.message', content }];

describe.skipIf(REAL)('attachments in user.message (emulator: the scripted agent acknowledges them)', () => {
  it('an image and a PDF by file id, and a plain-text document, are taken and acknowledged', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const png = await c.beta.files.upload({ file: await toFile(PNG, 'pic.png', { type: 'image/png' }) });
    const pdf = await c.beta.files.upload({ file: await toFile(Buffer.from('%PDF-1.4\n'), 'a.pdf', { type: 'application/pdf' }) });
    const events = await turn(
      c,
      session.id,
      null,
      undefined,
      msg(
        { type: 'image', source: { type: 'file', file_id: png.id } },
        { type: 'document', source: { type: 'file', file_id: pdf.id }, title: 'A' },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello' }, title: 'notes.md' },
        { type: 'text', text: 'look' },
      ),
    );
    expect(texts(events)).toContain(`You said: look Received 1 image (${png.id}) and 2 documents (${pdf.id}, "notes.md", 5 characters of text).`);
    const sent = events.find((e) => e.type === 'user.message')!;
    expect((sent as any).content[0]).toEqual({ type: 'image', source: { type: 'file', file_id: png.id } });
  });

  it('base64 and url sources are valid too; an image alone gets an acknowledgement without "You said"', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const events = await turn(
      c,
      session.id,
      null,
      undefined,
      msg(
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG.toString('base64') } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      ),
    );
    expect(texts(events)).toContain('Received 2 images (base64 image/png, url).');
  });

  it('refuses an unknown file, a file of the wrong type, and a source shape the SDK does not define', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const txt = await c.beta.files.upload({ file: await toFile(Buffer.from('x'), 'x.md', { type: 'text/markdown' }) });
    const send = (...content: unknown[]) => c.beta.sessions.events.send(session.id, { events: msg(...content, { type: 'text', text: 'hi' }) as never });
    await expect(send({ type: 'image', source: { type: 'file', file_id: 'file_missing' } })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/content\[0\]\.source\.file_id: file 'file_missing' not found/),
    });
    await expect(send({ type: 'image', source: { type: 'file', file_id: txt.id } })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/text\/markdown, which an image block does not take/),
    });
    await expect(send({ type: 'document', source: { type: 'file', file_id: txt.id } })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/which a document block does not take/),
    });
    // A plain-text source is for documents only, and its media_type is always text/plain.
    await expect(send({ type: 'image', source: { type: 'text', media_type: 'text/plain', data: 'x' } })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(send({ type: 'document', source: { type: 'text', media_type: 'text/markdown', data: 'x' } })).rejects.toBeInstanceOf(
      Anthropic.BadRequestError,
    );
    await expect(send({ type: 'image', source: { type: 'base64', data: 'AAAA' } })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(send({ type: 'image', source: { type: 'file', file_id: txt.id, extra: 1 } })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    // Nothing was stored.
    const history = await c.beta.sessions.events.list(session.id);
    expect(history.data.filter((e) => e.type === 'user.message')).toHaveLength(0);
  });

  it("an upload keeps only the final path component of the part's file name (SDK FileUploadParams)", async () => {
    const c = t.client();
    const f = await c.beta.files.upload({ file: await toFile(Buffer.from('x'), '../../etc/evil.txt', { type: 'text/plain' }) });
    expect(f.filename).toBe('evil.txt');
  });
});
