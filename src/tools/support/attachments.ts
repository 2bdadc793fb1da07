import { z } from 'zod';
import type { EventParams, FileMetadata } from '../../api/client.js';
import { ToolError } from '../../api/errors.js';
import { fmtBytes, localFiles, mimeOf } from './local-files.js';
import type { ToolContext } from './define.js';
import { FILE_BETAS } from './files-api.js';

/**
 * Images and documents in a user.message (docs/local-files.md, "Attachments"). Each attachment is
 * a file id or a local path under the files root. The block follows the Files API's table of types:
 * JPEG, PNG, GIF and WebP are image blocks; PDF and text/plain files are document blocks by file
 * id. A local image or PDF is uploaded first and sent by file id; a local text file (Markdown,
 * CSV, code…) is sent inline as a plain-text document, as the documentation advises for text
 * types a document block does not take by file id. Everything is checked before anything is
 * uploaded or sent, so bad input sends nothing.
 */

export const attachmentsInput = z.array(z.string().max(4096)).max(20).optional().describe('Images, PDFs, text: file_… ids or paths under the files root.');

type Block = Extract<EventParams, { type: 'user.message' }>['content'][number];

const IMAGE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
const FILE_ID = /^file_[A-Za-z0-9_-]{1,120}$/;
/** A text file sent inline: past this it would rather be summarised than pasted whole. */
export const MAX_INLINE_TEXT_BYTES = 1024 * 1024;
const TEXTISH = /^text\/|^application\/(json|xml|yaml|toml|sql|x-sh)$/;
const SUPPORTED = 'images (JPEG, PNG, GIF, WebP), PDF and text files';

/** What each attachment became, for the result's hint. */
export interface Attached {
  blocks: Block[];
  notes: string[];
}

export async function attachmentBlocks(ctx: ToolContext, items: string[] | undefined): Promise<Attached> {
  if (!items?.length) return { blocks: [], notes: [] };
  // Resolve everything first: a bad item fails the call before any upload or send.
  const plans = await Promise.all(items.map((item) => plan(ctx, item)));
  const blocks: Block[] = [];
  const notes: string[] = [];
  for (const p of plans) {
    if (p.kind === 'block') {
      blocks.push(p.block);
      notes.push(p.note);
      continue;
    }
    const f = await upload(ctx, p.name, p.mime, p.bytes);
    blocks.push(fileBlock(f.id, p.mime));
    notes.push(`${p.name} uploaded as ${f.id}`);
  }
  return { blocks, notes };
}

type Plan = { kind: 'block'; block: Block; note: string } | { kind: 'upload'; name: string; mime: string; bytes: Buffer };

async function plan(ctx: ToolContext, item: string): Promise<Plan> {
  if (FILE_ID.test(item)) {
    const f: FileMetadata = await ctx.api.lookup((c, o) => c.beta.files.retrieveMetadata(item, FILE_BETAS, o));
    if (!IMAGE.has(f.mime_type) && f.mime_type !== 'application/pdf' && f.mime_type !== 'text/plain') {
      throw new ToolError(
        `${item} is ${f.mime_type}: by file id only ${[...IMAGE].join(', ')}, application/pdf and text/plain can be attached.`,
        'Attach a local copy by its path instead (text files are then sent inline).',
      );
    }
    return { kind: 'block', block: fileBlock(f.id, f.mime_type), note: `${f.id} (${f.mime_type})` };
  }
  const local = await localFiles(ctx.config).read(item, ctx.config.maxFileBytes);
  const mime = mimeOf(local.name);
  if (IMAGE.has(mime) || mime === 'application/pdf') return { kind: 'upload', name: local.name, mime, bytes: local.bytes };
  if (TEXTISH.test(mime) || mime === 'application/octet-stream') {
    let data: string | undefined;
    try {
      data = new TextDecoder('utf-8', { fatal: true }).decode(local.bytes);
    } catch {
      data = undefined;
    }
    if (data !== undefined && !data.includes('\0')) {
      if (local.bytes.length > MAX_INLINE_TEXT_BYTES) {
        throw new ToolError(
          `${item} is ${fmtBytes(local.bytes.length)} of text, over the ${fmtBytes(MAX_INLINE_TEXT_BYTES)} cap on a text attachment.`,
          'Attach a part of it, or upload it with upload_file for the agent to read from its sandbox.',
        );
      }
      return {
        kind: 'block',
        block: { type: 'document', source: { type: 'text', media_type: 'text/plain', data }, title: local.name },
        note: `${local.name} (text, inline)`,
      };
    }
  }
  throw new ToolError(`${item} (${mime}) cannot be attached: ${SUPPORTED} only.`, 'Upload other files with upload_file and mount them as a session resource.');
}

function fileBlock(fileId: string, mime: string): Block {
  return IMAGE.has(mime) ? { type: 'image', source: { type: 'file', file_id: fileId } } : { type: 'document', source: { type: 'file', file_id: fileId } };
}

/** Uploads bytes through the Files API. */
export function upload(ctx: ToolContext, name: string, mime: string, bytes: Buffer): Promise<FileMetadata> {
  const file = new File([new Uint8Array(bytes)], name, { type: mime });
  return ctx.api.call((c, o) => c.beta.files.upload({ file, ...FILE_BETAS }, o));
}

/** A user.message: the attachments first (the documentation puts images before the question), then the text. */
export function messageEvent(text: string, att: Attached): EventParams {
  return { type: 'user.message', content: [...att.blocks, { type: 'text', text }] } as EventParams;
}

export const attachedNote = (att: Attached) => (att.notes.length ? `Attached: ${att.notes.join('; ')}.` : undefined);
