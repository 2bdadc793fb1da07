/**
 * Files (SDK resources/beta/files.d.ts): upload (multipart), list (`scope_id` = a session id lists that session's
 * outputs, written by the `/file` directive), metadata, download, delete. No beta header needed,
 * except that listing a session's outputs (`scope_id`) takes both the Files and the Managed Agents
 * betas, as the documentation's examples send them.
 */
import type { IncomingMessage } from 'node:http';
import type { BetaFileMetadata } from '@anthropic-ai/sdk/resources/beta/files';
import { HANDLED, badRequest, notFound, type Router } from '../wire/http.js';
import { listParams, paginate } from '../wire/pagination.js';
import { readForm } from '../wire/multipart.js';
import { guessMime } from '../runtime/scripted-agent.js';
import type { Emulator } from './context.js';
import { sortedById } from '../runtime/state.js';

export const FILES_BETA = 'files-api-2025-04-14';
// The managed beta is spelled out, not imported from server.ts, to keep routes free of import cycles.
const SCOPE_BETAS = [FILES_BETA, 'managed-agents-2026-04-01'];

function betas(req: IncomingMessage): string[] {
  const raw = req.headers['anthropic-beta'];
  return (Array.isArray(raw) ? raw.join(',') : (raw ?? '')).split(',').map((s) => s.trim());
}

export function registerFileRoutes(router: Router, emu: Emulator): void {
  const getFile = (id: string) => {
    const f = emu.state.files.get(id);
    if (!f) throw notFound('file', id);
    return f;
  };

  router.add('POST', '/v1/files', 'none', async (ctx) => {
    const form = await readForm(ctx, 'files.upload', 'a `file` part');
    const file = form.get('file');
    if (!file || typeof file === 'string') throw badRequest('files.upload: file: required file part missing');
    const exp = form.get('expires_in_seconds');
    let expires_at: string | null = null;
    if (typeof exp === 'string' && exp !== '') {
      const n = Number(exp);
      if (!Number.isInteger(n) || n < 3600 || n > 7_776_000) throw badRequest('files.upload: expires_in_seconds: expected an integer between 3600 and 7776000');
      expires_at = new Date(emu.state.clock.nowMs() + n * 1000).toISOString();
    }
    const content = Buffer.from(await file.arrayBuffer());
    // SDK FileUploadParams: only the final path component of the part's filename is kept.
    const name = ((file as File).name || '').split(/[/\\]/).pop() || 'upload.bin';
    const meta: BetaFileMetadata = {
      id: emu.state.ids.next('file'),
      type: 'file',
      filename: name,
      mime_type: file.type || guessMime(name),
      size_bytes: content.length,
      created_at: emu.state.clock.iso(),
      downloadable: false,
      expires_at,
      scope: null,
    };
    emu.state.files.set(meta.id, { meta, content });
    return meta;
  });

  router.add('GET', '/v1/files', 'none', ({ query, req }) => {
    const sent = betas(req);
    if (query.has('scope_id') && !SCOPE_BETAS.every((b) => sent.includes(b))) {
      throw badRequest(`scope_id: listing a session's files takes the anthropic-beta header with both ${SCOPE_BETAS.map((b) => `'${b}'`).join(' and ')}`);
    }
    const ids = query.getAll('ids');
    if (ids.length > 0) {
      if (query.has('page') || query.has('limit')) throw badRequest('ids: cannot be combined with page or limit');
      if (ids.length > 100) throw badRequest('ids: at most 100 ids');
      return { data: ids.map((id) => emu.state.files.get(id)?.meta).filter(Boolean), next_page: null };
    }
    const scope = query.get('scope_id');
    const items = sortedById([...emu.state.files.values()].map((f) => f.meta)).filter((m) => !scope || m.scope?.id === scope);
    return paginate(items, (m) => m.id, listParams(query));
  });

  router.add('GET', '/v1/files/:id', 'none', ({ params }) => getFile(params.id!).meta);

  router.add('GET', '/v1/files/:id/content', 'none', ({ params, res }) => {
    const f = getFile(params.id!);
    res.writeHead(200, { 'content-type': f.meta.mime_type, 'content-length': f.content.length });
    res.end(f.content);
    return HANDLED;
  });

  router.add('DELETE', '/v1/files/:id', 'none', ({ params }) => {
    const f = getFile(params.id!);
    emu.state.files.delete(f.meta.id);
    return { id: f.meta.id, type: 'file_deleted' };
  });
}
