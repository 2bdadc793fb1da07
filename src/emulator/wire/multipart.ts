/** multipart/form-data request bodies (files.upload, skills.create): parsed with the platform's own FormData. */
import type { RouteContext } from './http.js';
import { badRequest } from './http.js';

/** The body of a multipart request as FormData; a 400 naming `op` when it is not one. */
export async function readForm(ctx: Pick<RouteContext, 'req' | 'rawBody'>, op: string, expected: string): Promise<FormData> {
  const ct = String(ctx.req.headers['content-type'] ?? '');
  if (!ct.startsWith('multipart/form-data')) throw badRequest(`${op}: expected a multipart/form-data body with ${expected}`);
  try {
    return await new Request('http://emulator/upload', { method: 'POST', headers: { 'content-type': ct }, body: new Uint8Array(ctx.rawBody) }).formData();
  } catch {
    throw badRequest(`${op}: malformed multipart body`);
  }
}
