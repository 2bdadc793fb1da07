import { z } from 'zod';
import type { FileMetadata } from '../api/client.js';
import { inertLine, quoted } from '../format/fence.js';
import path from 'node:path';
import { ToolError } from '../api/errors.js';
import { MIB, configDir, fmtBytes, localFiles, mimeOf } from './support/local-files.js';
import { upload } from './support/attachments.js';
import { FILE_BETAS } from './support/files-api.js';
import { compact, defineTool, limitSchema, pageSchema, sessionId } from './support/define.js';

/** Bytes one download_session_files call writes at most, whatever the per-file cap. */
export const MAX_CALL_BYTES = 256 * MIB;

const localPath = z.string().min(1).max(4096);

// Names in results come from the remote side: clipped, and quoted on their line (docs/security.md).
const clip = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

export const fileTransferTools = [
  defineTool({
    name: 'upload_file',
    title: 'Upload a local file',
    description: 'Upload a file under the files root to the Files API; the file_id can be attached to messages or mounted as a session resource.',
    toolset: 'files',
    kind: 'create',
    input: { path: localPath.describe('Path under the files root (relative to it, or absolute inside it).') },
    output: { file_id: z.string(), filename: z.string(), mime_type: z.string(), size_bytes: z.number(), path: z.string() },
    handler: async (a, ctx) => {
      const local = await localFiles(ctx.config).read(a.path, ctx.config.maxFileBytes);
      const f = await upload(ctx, local.name, mimeOf(local.name), local.bytes);
      const out = { file_id: f.id, filename: f.filename, mime_type: f.mime_type, size_bytes: f.size_bytes, path: local.path };
      return { structured: out, text: `Uploaded ${local.path} as ${f.id} (${f.mime_type}, ${fmtBytes(f.size_bytes)}).` };
    },
  }),

  defineTool({
    name: 'download_session_files',
    title: "Download a session's output files",
    description:
      "Save a session's output files into a directory under the files root; never overwrites unless overwrite is true. " +
      'Reports each path written and what was skipped and why.',
    toolset: 'files',
    kind: 'create',
    input: {
      session_id: sessionId,
      to_dir: localPath.describe('Directory under the files root (created if missing); files go in its <session_id> subdirectory.'),
      flat: z.boolean().optional().describe('true: save in to_dir itself, no session subdirectory.'),
      overwrite: z.boolean().optional().describe('Replace existing files (default false).'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: {
      dir: z.string(),
      written: z.array(z.object({ file_id: z.string(), path: z.string(), size_bytes: z.number() })),
      skipped: z.array(z.object({ file_id: z.string(), filename: z.string(), reason: z.string() })),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const lf = localFiles(ctx.config);
      // Remote files never land where a tool loads configuration (docs/security.md): not in a
      // dot-directory, by default in a directory of their own, and never under a steering name.
      const hidden = configDir(a.to_dir);
      if (hidden) {
        throw new ToolError(
          `to_dir ${JSON.stringify(a.to_dir)} is inside ${JSON.stringify(hidden)}, a hidden directory where tools load configuration: remote files are not saved there.`,
          'Choose a plain directory, e.g. "downloads".',
        );
      }
      // The directory is checked before anything is listed or fetched.
      const dir = await lf.dir(a.flat ? a.to_dir : path.join(a.to_dir, a.session_id));
      const page = await ctx.api.lookup((c, o) => c.beta.files.list(compact({ scope_id: a.session_id, limit: a.limit, page: a.page, ...FILE_BETAS }), o));
      const max = ctx.config.maxFileBytes;
      const written: { file_id: string; path: string; size_bytes: number }[] = [];
      const skipped: { file_id: string; filename: string; reason: string }[] = [];
      const seen = new Map<string, string>();
      let total = 0;
      for (const f of page.data as FileMetadata[]) {
        const skip = (reason: string) => skipped.push({ file_id: f.id, filename: clip(f.filename), reason });
        if (f.downloadable === false) skip('not downloadable');
        else if (f.size_bytes > max) skip(`${fmtBytes(f.size_bytes)}, over the ${fmtBytes(max)} cap on one file (--max-file-bytes)`);
        else if (total + f.size_bytes > MAX_CALL_BYTES)
          skip(`would pass the ${fmtBytes(MAX_CALL_BYTES)} cap on one call; download it in a later call with a smaller limit`);
        else if (seen.has(f.filename)) skip(`same name as ${seen.get(f.filename)}, saved earlier in this call`);
        else {
          const r = await lf
            .write(
              dir,
              f.filename,
              async function* () {
                const res = await ctx.api.lookup((c, o) => c.beta.files.download(f.id, FILE_BETAS, o));
                if (res.body) yield* res.body;
              },
              { overwrite: a.overwrite === true, maxBytes: max },
            )
            .catch((err: Error) => ({ skipped: `download failed: ${err.message}` }));
          if ('skipped' in r) skip(r.skipped);
          else {
            seen.set(f.filename, f.id);
            total += r.bytes;
            written.push({ file_id: f.id, path: r.path, size_bytes: r.bytes });
          }
        }
      }
      // written and skipped stay even when empty: the output schema requires them.
      const structured = { dir, written, skipped, ...(page.next_page ? { next_page: page.next_page } : {}) };
      const text = [
        `${written.length} file(s) written to ${dir}, ${skipped.length} skipped${page.data.length === 0 ? ` (${a.session_id} has no output files${a.page ? ' on this page' : ''})` : ''}.`,
        ...written.map((w) => `wrote ${quoted(w.path)}  ${fmtBytes(w.size_bytes)}  (${w.file_id})`),
        ...skipped.map((s) => `skipped ${s.file_id} ${quoted(s.filename)}: ${inertLine(s.reason)}`),
        ...(page.next_page ? [`more: pass page=${page.next_page}`] : []),
      ].join('\n');
      return { structured, text };
    },
  }),
];
