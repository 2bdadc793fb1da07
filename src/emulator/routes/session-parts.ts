/** Session resources and threads (SDK resources/beta/sessions/resources.d.ts, threads/). A session has one primary thread. */
import type { BetaManagedAgentsSessionResource } from '@anthropic-ai/sdk/resources/beta/sessions/resources';
import { badRequest, conflict, notFound, type Router } from '../wire/http.js';
import { listParams, paginate } from '../wire/pagination.js';
import { getSession, makeResource } from './sessions.js';
import type { Emulator } from './context.js';
import { parseBody } from '../contract/validate.js';
import { resourceAdd, resourceUpdate } from '../contract/validate-stores.js';

/** Memory store resources have no id in the SDK: they page by their store id and are not addressable. */
function resourceId(r: BetaManagedAgentsSessionResource): string {
  return 'id' in r ? r.id : '';
}
const cursorKey = (r: BetaManagedAgentsSessionResource) => ('id' in r ? r.id : r.memory_store_id);

export function registerSessionPartRoutes(router: Router, emu: Emulator): void {
  router.add('GET', '/v1/sessions/:sid/resources', 'managed', ({ params, query }) => {
    const rt = getSession(emu, params.sid!);
    return paginate(rt.session.resources, cursorKey, listParams(query, { defaultOrder: 'asc' }));
  });

  router.add('POST', '/v1/sessions/:sid/resources', 'managed', ({ params, body }) => {
    const rt = getSession(emu, params.sid!);
    const p = parseBody('resources.add', resourceAdd, body);
    // Like events.send, an ended session takes nothing more; and two resources cannot share a mount path.
    if (rt.terminated) throw conflict(`session ${rt.id} has ended: no resource can be added`);
    const r = makeResource(emu, p);
    if (rt.session.resources.some((x) => x.mount_path === r.mount_path)) {
      throw conflict(`resources.add: mount_path '${r.mount_path}' is already used by another resource of this session`);
    }
    rt.session.resources.push(r);
    return r;
  });

  const findResource = (sid: string, rid: string) => {
    const rt = getSession(emu, sid);
    const r = rt.session.resources.find((x) => resourceId(x) === rid);
    if (!r) throw notFound('session resource', rid);
    return { rt, r };
  };

  router.add('GET', '/v1/sessions/:sid/resources/:rid', 'managed', ({ params }) => findResource(params.sid!, params.rid!).r);

  router.add('POST', '/v1/sessions/:sid/resources/:rid', 'managed', ({ params, body }) => {
    const { r } = findResource(params.sid!, params.rid!);
    parseBody('resources.update', resourceUpdate, body);
    if (r.type !== 'github_repository') throw badRequest(`resources.update: only github_repository resources support token rotation, not '${r.type}'`);
    r.updated_at = emu.state.clock.iso();
    return r;
  });

  router.add('DELETE', '/v1/sessions/:sid/resources/:rid', 'managed', ({ params }) => {
    const { rt, r } = findResource(params.sid!, params.rid!);
    rt.session.resources = rt.session.resources.filter((x) => x !== r);
    return { id: params.rid!, type: 'session_resource_deleted' };
  });

  router.add('GET', '/v1/sessions/:sid/threads', 'managed', ({ params, query }) => {
    const rt = getSession(emu, params.sid!);
    const statuses = query.getAll('statuses');
    const threads = rt.threadViews().filter((t) => statuses.length === 0 || statuses.includes(t.status));
    return paginate(threads, (t) => t.id, listParams(query, { defaultOrder: 'asc' }));
  });

  const findThread = (sid: string, tid: string) => {
    const t = getSession(emu, sid).threadLog(tid);
    if (!t) throw notFound('session thread', tid);
    return t;
  };
  const viewOf = (t: NonNullable<ReturnType<typeof findThread>>) => ('threadView' in t ? t.threadView() : t.view());

  router.add('GET', '/v1/sessions/:sid/threads/:tid', 'managed', ({ params }) => viewOf(findThread(params.sid!, params.tid!)));

  router.add('POST', '/v1/sessions/:sid/threads/:tid/archive', 'managed', ({ params }) => {
    const t = findThread(params.sid!, params.tid!);
    if (!t.thread.archived_at) t.thread.archived_at = emu.state.clock.iso();
    return viewOf(t);
  });
}
