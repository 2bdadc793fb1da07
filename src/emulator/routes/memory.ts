/**
 * Memory stores, memories and memory versions (SDK resources/beta/memory-stores/). Every change to
 * a memory adds one version (none for an update that changes nothing); versions belong to the store
 * and outlive the memory; only redaction changes one afterwards.
 */
import { createHash } from 'node:crypto';
import type { BetaManagedAgentsMemoryStore } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
import type { BetaManagedAgentsMemory, BetaManagedAgentsMemoryListItem } from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
import type { BetaManagedAgentsMemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import { ApiError, badRequest, notFound, type Query, type Router } from '../wire/http.js';
import { listPage, listParams, paginate } from '../wire/pagination.js';
import type { Emulator } from './context.js';
import { patchMetadata, sortedById } from '../runtime/state.js';
import { parseBody } from '../contract/validate.js';
import { memoryCreate, memoryUpdate, storeCreate, storeUpdate } from '../contract/validate-stores.js';

type StoredMemory = BetaManagedAgentsMemory & { content: string | null };

/** Who the emulator records as the author of every API write: the one key it knows. */
const API_ACTOR = { type: 'api_actor', api_key_id: 'apikey_emulator' } as const;

const sha = (c: string | null) =>
  createHash('sha256')
    .update(c ?? '', 'utf8')
    .digest('hex');

function view(query: Query, def: 'basic' | 'full') {
  return query.enumOf('view', ['basic', 'full'] as const) ?? def;
}

function render(m: StoredMemory, v: 'basic' | 'full'): BetaManagedAgentsMemory {
  return { ...m, content: v === 'full' ? m.content : null };
}

export function registerMemoryRoutes(router: Router, emu: Emulator): void {
  const getStore = (id: string): BetaManagedAgentsMemoryStore => {
    const s = emu.state.memoryStores.get(id);
    if (!s) throw notFound('memory store', id);
    return s;
  };
  const memoriesOf = (storeId: string) => [...emu.state.memories.values()].filter((m) => m.memory_store_id === storeId);
  const getMemory = (storeId: string, id: string) => {
    getStore(storeId);
    const m = emu.state.memories.get(id);
    if (!m || m.memory_store_id !== storeId) throw notFound('memory', id);
    return m;
  };
  const checkConflict = (storeId: string, path: string, selfId?: string) => {
    for (const m of memoriesOf(storeId)) {
      if (m.id === selfId) continue;
      if (m.path === path || m.path.startsWith(`${path}/`) || path.startsWith(`${m.path}/`)) {
        throw new ApiError(409, 'memory_path_conflict_error', `path '${path}' overlaps memory '${m.path}'`, undefined, {
          conflicting_memory_id: m.id,
          conflicting_path: m.path,
        });
      }
    }
  };
  const version = (m: StoredMemory, operation: 'created' | 'modified' | 'deleted') => {
    const id = emu.state.ids.next('memver');
    // A `deleted` version carries no content, size or hash (SDK BetaManagedAgentsMemoryVersionOperation).
    const gone = operation === 'deleted';
    emu.state.memoryVersions.set(id, {
      type: 'memory_version',
      id,
      memory_id: m.id,
      memory_store_id: m.memory_store_id,
      operation,
      created_at: emu.state.clock.iso(),
      content: gone ? null : m.content,
      content_sha256: gone ? null : m.content_sha256,
      content_size_bytes: gone ? null : m.content_size_bytes,
      path: m.path,
      created_by: API_ACTOR,
      redacted_at: null,
    });
    return id;
  };

  router.add('POST', '/v1/memory_stores', 'memory', ({ body }) => {
    const p = parseBody('memory_stores.create', storeCreate, body);
    const now = emu.state.clock.iso();
    const s: BetaManagedAgentsMemoryStore = {
      type: 'memory_store',
      id: emu.state.ids.next('memstore'),
      name: p.name,
      description: p.description ?? '',
      metadata: p.metadata ?? {},
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    emu.state.memoryStores.set(s.id, s);
    return s;
  });
  router.add('GET', '/v1/memory_stores/:id', 'memory', ({ params }) => getStore(params.id!));
  router.add('POST', '/v1/memory_stores/:id', 'memory', ({ params, body }) => {
    const s = getStore(params.id!);
    const p = parseBody('memory_stores.update', storeUpdate, body);
    if (p.name !== undefined) s.name = p.name;
    if (p.description !== undefined) s.description = p.description ?? '';
    s.metadata = patchMetadata(s.metadata, p.metadata);
    s.updated_at = emu.state.clock.iso();
    return s;
  });
  router.add('GET', '/v1/memory_stores', 'memory', ({ query }) => {
    return listPage(query, sortedById(emu.state.memoryStores.values()), (s) => s, { bounds: ['gte', 'lte'] });
  });
  router.add('POST', '/v1/memory_stores/:id/archive', 'memory', ({ params }) => {
    const s = getStore(params.id!);
    s.archived_at ??= emu.state.clock.iso();
    return s;
  });
  router.add('DELETE', '/v1/memory_stores/:id', 'memory', ({ params }) => {
    const s = getStore(params.id!);
    for (const m of memoriesOf(s.id)) emu.state.memories.delete(m.id);
    for (const v of [...emu.state.memoryVersions.values()]) if (v.memory_store_id === s.id) emu.state.memoryVersions.delete(v.id);
    emu.state.memoryStores.delete(s.id);
    return { id: s.id, type: 'memory_store_deleted' };
  });

  router.add('POST', '/v1/memory_stores/:ms/memories', 'memory', ({ params, body, query }) => {
    const store = getStore(params.ms!);
    if (store.archived_at) throw badRequest(`memory store ${store.id} was retired`);
    const p = parseBody('memories.create', memoryCreate, body);
    checkPath(p.path);
    checkConflict(store.id, p.path);
    const now = emu.state.clock.iso();
    const m: StoredMemory = {
      type: 'memory',
      id: emu.state.ids.next('mem'),
      memory_store_id: store.id,
      path: p.path,
      content: p.content,
      content_sha256: sha(p.content),
      content_size_bytes: Buffer.byteLength(p.content ?? ''),
      memory_version_id: '',
      created_at: now,
      updated_at: now,
    };
    m.memory_version_id = version(m, 'created');
    emu.state.memories.set(m.id, m);
    return render(m, view(query, 'basic'));
  });
  router.add('GET', '/v1/memory_stores/:ms/memories/:id', 'memory', ({ params, query }) => render(getMemory(params.ms!, params.id!), view(query, 'full')));
  router.add('POST', '/v1/memory_stores/:ms/memories/:id', 'memory', ({ params, body, query }) => {
    const m = getMemory(params.ms!, params.id!);
    const p = parseBody('memories.update', memoryUpdate, body);
    if (p.precondition?.content_sha256 !== undefined && p.precondition.content_sha256 !== m.content_sha256) {
      throw new ApiError(409, 'memory_precondition_failed_error', `content_sha256 differs from the stored content of memory ${m.id}`);
    }
    if (p.path !== undefined) checkPath(p.path);
    if (p.path !== undefined && p.path !== m.path) checkConflict(m.memory_store_id, p.path, m.id);
    const changed = (p.path !== undefined && p.path !== m.path) || (p.content !== undefined && p.content !== m.content);
    if (changed) {
      if (p.path !== undefined) m.path = p.path;
      if (p.content !== undefined) {
        m.content = p.content;
        m.content_sha256 = sha(p.content);
        m.content_size_bytes = Buffer.byteLength(p.content ?? '');
      }
      m.updated_at = emu.state.clock.iso();
      m.memory_version_id = version(m, 'modified');
    }
    return render(m, view(query, 'basic'));
  });
  router.add('DELETE', '/v1/memory_stores/:ms/memories/:id', 'memory', ({ params, query }) => {
    const m = getMemory(params.ms!, params.id!);
    const expected = query.get('expected_content_sha256');
    if (expected !== undefined && expected !== m.content_sha256) {
      throw new ApiError(409, 'memory_precondition_failed_error', `expected_content_sha256 does not match memory ${m.id}`);
    }
    version(m, 'deleted');
    emu.state.memories.delete(m.id);
    return { id: m.id, type: 'memory_deleted' };
  });
  router.add('GET', '/v1/memory_stores/:ms/memories', 'memory', ({ params, query }) => {
    const store = getStore(params.ms!);
    const v = view(query, 'basic');
    const lp = listParams(query, { maxLimit: v === 'full' ? 20 : 100, defaultOrder: 'asc' });
    const prefix = query.get('path_prefix') ?? '/';
    if (!prefix.endsWith('/')) throw badRequest("path_prefix: must end with '/'");
    const depth = query.int('depth', 0, 1000) ?? 0;
    const items = new Map<string, BetaManagedAgentsMemoryListItem>();
    for (const m of memoriesOf(store.id)) {
      if (!m.path.startsWith(prefix)) continue;
      const rest = m.path.slice(prefix.length).split('/');
      if (depth > 0 && rest.length > depth) {
        const p = prefix + rest.slice(0, depth).join('/') + '/';
        items.set(p, { type: 'memory_prefix', path: p });
      } else items.set(m.path, render(m, v));
    }
    const sorted = [...items.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return paginate(sorted, (i) => i.path, lp);
  });
  // ---- memory versions ---------------------------------------------------------------------------
  const renderVersion = (v: BetaManagedAgentsMemoryVersion, mode: 'basic' | 'full'): BetaManagedAgentsMemoryVersion =>
    mode === 'full' ? v : { ...v, content: null };
  const getVersion = (storeId: string, id: string) => {
    getStore(storeId);
    const v = emu.state.memoryVersions.get(id);
    if (!v || v.memory_store_id !== storeId) throw notFound('memory version', id);
    return v;
  };
  router.add('GET', '/v1/memory_stores/:ms/memory_versions', 'memory', ({ params, query }) => {
    const store = getStore(params.ms!);
    const mode = view(query, 'basic');
    const lp = listParams(query, { maxLimit: mode === 'full' ? 20 : 100 });
    const operation = query.enumOf('operation', ['created', 'modified', 'deleted'] as const);
    const memoryId = query.get('memory_id');
    const apiKey = query.get('api_key_id');
    const sessionId = query.get('session_id');
    const account = query.get('service_account_id');
    const gte = query.time('created_at[gte]');
    const lte = query.time('created_at[lte]');
    const by = (v: BetaManagedAgentsMemoryVersion) => v.created_by;
    const items = [...emu.state.memoryVersions.values()].filter((v) => {
      const t = Date.parse(v.created_at);
      const a = by(v);
      return (
        v.memory_store_id === store.id &&
        (!operation || v.operation === operation) &&
        (!memoryId || v.memory_id === memoryId) &&
        (!apiKey || (a?.type === 'api_actor' && a.api_key_id === apiKey)) &&
        (!sessionId || (a?.type === 'session_actor' && a.session_id === sessionId)) &&
        (!account || (a?.type === 'service_account_actor' && a.service_account_id === account)) &&
        (gte === undefined || t >= gte) &&
        (lte === undefined || t <= lte)
      );
    });
    const page = paginate(sortedById(items), (v) => v.id, lp);
    return { ...page, data: page.data.map((v) => renderVersion(v, mode)) };
  });
  router.add('GET', '/v1/memory_stores/:ms/memory_versions/:id', 'memory', ({ params, query }) =>
    renderVersion(getVersion(params.ms!, params.id!), view(query, 'full')),
  );
  router.add('POST', '/v1/memory_stores/:ms/memory_versions/:id/redact', 'memory', ({ params }) => {
    const v = getVersion(params.ms!, params.id!);
    if (!v.redacted_at) {
      Object.assign(v, {
        content: null,
        content_sha256: null,
        content_size_bytes: null,
        path: null,
        redacted_at: emu.state.clock.iso(),
        redacted_by: API_ACTOR,
      });
    }
    return v;
  });
}

/**
 * The SDK's rules for a memory path (memories.create `path`): starts with `/`, 1 to 20 segments,
 * none empty, `.` or `..`; no control or format characters, no U+2028/U+2029; NFC; at most 1,024
 * bytes. A path is upstream text a remote agent chose: the server renders it as data anyway.
 */
function checkPath(path: string): void {
  const why = !path.startsWith('/')
    ? 'must start with /'
    : Buffer.byteLength(path) > 1024
      ? 'is longer than 1,024 bytes'
      : /[\p{Cc}\p{Cf}\u2028\u2029]/u.test(path)
        ? 'contains control or format characters'
        : path.normalize('NFC') !== path
          ? 'is not in Unicode Normalization Form C'
          : (() => {
              const segs = path.slice(1).split('/');
              if (segs.length > 20) return 'has more than 20 segments';
              if (segs.some((x) => x === '' || x === '.' || x === '..')) return "has an empty, '.' or '..' segment";
              return undefined;
            })();
  if (why) throw badRequest(`path: ${why}`);
}
