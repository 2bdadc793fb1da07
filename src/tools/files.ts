import { z } from 'zod';
import type { FileMetadata } from '../api/client.js';
import { fenced, inertLine, quoted } from '../format/fence.js';
import { compact, defineTool, idSchema, limitSchema, pageSchema, listResult } from './support/define.js';
import { FILE_BETAS } from './support/files-api.js';

const fileId = idSchema('file_id', 'file_01…').describe('File id (file_…), from list_files.');

/** Text files up to this many bytes are shown inline by get_file; nothing larger is downloaded. */
export const MAX_INLINE_BYTES = 20_000;

const TEXT_MIME = /^text\/|^application\/(json|xml|javascript|ecmascript|x-yaml|yaml|toml|x-toml|sql|x-sh|x-ndjson|csv)\b|\+(json|xml)\b/i;

const fileShape = {
  file_id: z.string(),
  filename: z.string(),
  mime_type: z.string(),
  size_bytes: z.number(),
  created_at: z.string(),
};

function fileSummary(f: FileMetadata) {
  return { file_id: f.id, filename: f.filename, mime_type: f.mime_type, size_bytes: f.size_bytes, created_at: f.created_at };
}

// File names come from the session that wrote them: one inert line each.
const fileLine = (f: ReturnType<typeof fileSummary>) => inertLine(`${f.file_id}  ${quoted(f.filename)}  ${f.mime_type}  ${f.size_bytes} B  ${f.created_at}`);

/** At most `max` bytes of a response body; the rest is never read. */
async function readPrefix(res: Response, max: number): Promise<{ bytes: Uint8Array; more: boolean }> {
  const reader = res.body?.getReader();
  if (!reader) return { bytes: new Uint8Array(0), more: false };
  const chunks: Uint8Array[] = [];
  let total = 0;
  let more = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    if (total > max) {
      more = true;
      await reader.cancel().catch(() => {});
      break;
    }
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return { bytes: all.subarray(0, Math.min(total, max)), more };
}

export const fileTools = [
  defineTool({
    name: 'list_files',
    title: 'List files',
    description: 'List files: id, name, type, size; with scope_id = a session id, the files that session produced.',
    toolset: 'files',
    kind: 'read',
    input: {
      scope_id: idSchema('scope_id', 'sesn_01…').optional().describe('A session id (sesn_…): only its output files.'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: { files: z.array(z.object(fileShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.files.list(compact({ scope_id: a.scope_id, limit: a.limit, page: a.page, ...FILE_BETAS }), o));
      const files = page.data.map(fileSummary);
      return listResult('files', files, page.next_page, `${files.length} file(s)${a.scope_id ? ` of ${a.scope_id}` : ''}`, fileLine);
    },
  }),

  defineTool({
    name: 'get_file',
    title: 'Get a file',
    description: `A file's metadata, plus its content when it is text of at most ${MAX_INLINE_BYTES.toLocaleString('en')} bytes.`,
    toolset: 'files',
    kind: 'read',
    input: { file_id: fileId },
    output: {
      ...fileShape,
      session_id: z.string().optional(),
      content: z.string().optional(),
      note: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const f = await ctx.api.call((c, o) => c.beta.files.retrieveMetadata(a.file_id, FILE_BETAS, o));
      const base = compact({ ...fileSummary(f), session_id: f.scope?.type === 'session' ? f.scope.id : undefined });
      const size = `${f.size_bytes.toLocaleString('en')} bytes`;
      let content: string | undefined;
      let note: string | undefined;
      if (!TEXT_MIME.test(f.mime_type)) note = `Binary (${f.mime_type}, ${size}): content not shown.`;
      else if (f.downloadable === false) note = 'Not downloadable (uploaded files cannot be downloaded; only files sessions produce can).';
      else if (f.size_bytes > MAX_INLINE_BYTES) note = `Text, ${size}: over the ${MAX_INLINE_BYTES.toLocaleString('en')}-byte inline limit, content not shown.`;
      else {
        const res = await ctx.api.call((c, o) => c.beta.files.download(a.file_id, FILE_BETAS, o));
        const { bytes, more } = await readPrefix(res, MAX_INLINE_BYTES);
        // `stream: true` keeps a multi-byte character cut at the limit from turning into U+FFFD noise.
        content = new TextDecoder('utf-8').decode(bytes, { stream: more });
        if (more) content += `\n[… clipped at ${MAX_INLINE_BYTES.toLocaleString('en')} bytes; the download is larger than its metadata said]`;
      }
      const structured = compact({ ...base, content, note });
      const head = `${fileLine(base)}${base.session_id ? `  (output of ${base.session_id})` : ''}`;
      return {
        structured,
        text: content !== undefined ? `${head}\n${fenced('file content', content)}` : `${head}\n${note}`,
      };
    },
  }),
];
