/** Sessions (SDK resources/beta/sessions/sessions.d.ts). */
import type { BetaManagedAgentsSession, BetaManagedAgentsSessionAgent } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionResource } from '@anthropic-ai/sdk/resources/beta/sessions/resources';
import { priceFor, toCents } from '../../shared/pricing.js';
import { ApiError, badRequest, conflict, notFound, type Router } from '../wire/http.js';
import { normalizeModel, normalizeServers, normalizeTools } from '../contract/normalize.js';
import { resolveSkills } from './skills.js';
import { listPage } from '../wire/pagination.js';
import { agentLookup, getAgent, latest } from './agents.js';
import { sessionMultiagent } from '../contract/multiagent.js';
import { getEnvironment } from './environments.js';
import type { Emulator } from './context.js';
import { newThread, SessionRuntime } from '../runtime/session-runtime.js';
import { patchMetadata } from '../runtime/state.js';
import { parseBody } from '../contract/validate.js';
import { sessionCreate, sessionUpdate, type EventParam, type SessionCreateBody } from '../contract/validate-events.js';
import type { z } from 'zod';
import type { resourceParams } from '../contract/validate.js';

export function getSession(emu: Emulator, id: string): SessionRuntime {
  const rt = emu.state.sessions.get(id);
  if (!rt) throw notFound('session', id);
  return rt;
}

export function makeResource(emu: Emulator, p: z.output<typeof resourceParams>): BetaManagedAgentsSessionResource {
  const st = emu.state;
  const now = st.clock.iso();
  if (p.type === 'file') {
    if (!st.files.has(p.file_id)) throw badRequest(`resources: file '${p.file_id}' not found`);
    return {
      type: 'file',
      id: st.ids.next('sesrsc'),
      file_id: p.file_id,
      mount_path: p.mount_path ?? `/mnt/session/uploads/${p.file_id}`,
      created_at: now,
      updated_at: now,
    };
  }
  if (p.type === 'github_repository') {
    const repo =
      p.url
        .replace(/\.git$/, '')
        .split('/')
        .filter(Boolean)
        .pop() ?? 'repo';
    return {
      type: 'github_repository',
      id: st.ids.next('sesrsc'),
      url: p.url,
      mount_path: p.mount_path ?? `/workspace/${repo}`,
      checkout: p.checkout ?? null,
      created_at: now,
      updated_at: now,
    };
  }
  const store = st.memoryStores.get(p.memory_store_id);
  if (!store) throw badRequest(`resources: memory store '${p.memory_store_id}' not found`);
  const slug =
    store.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'store';
  // The SDK's MemoryStoreResource has no `id` (the conformance gate holds the emulator to that):
  // a memory store is attached at creation and is not addressable through /resources/{id}.
  return {
    type: 'memory_store',
    memory_store_id: store.id,
    access: p.access ?? 'read_write',
    description: store.description,
    instructions: p.instructions ?? null,
    mount_path: `/mnt/memory/${slug}`,
    name: store.name,
  };
}

/**
 * sessions.create, also used by a deployment's run (routes/deployments.ts), which stamps its
 * `deployment_id` and may send a `system.message` among the initial events.
 */
export function createSession(
  emu: Emulator,
  p: Omit<SessionCreateBody, 'initial_events'> & { initial_events?: EventParam[] },
  deploymentId: string | null = null,
): SessionRuntime {
  const st = emu.state;
  const ref = typeof p.agent === 'string' ? { type: 'agent' as const, id: p.agent } : p.agent;
  const rec = getAgent(emu, ref.id);
  const base = ref.version !== undefined ? rec.versions[ref.version - 1] : latest(rec);
  if (!base) throw badRequest(`agent.version: agent ${ref.id} has no version ${ref.version}`);
  if (base.archived_at) throw badRequest(`agent: ${ref.id} was retired and starts no new sessions`);
  const env = getEnvironment(emu, p.environment_id);
  if (env.archived_at) {
    throw new ApiError(400, 'invalid_request_error', `env ${env.id} was retired and starts no new sessions`, { error_code: 'environment_archived' });
  }
  let agent: BetaManagedAgentsSessionAgent = {
    type: 'agent',
    id: base.id,
    version: base.version,
    name: base.name,
    description: base.description,
    system: base.system,
    model: base.model,
    tools: base.tools,
    mcp_servers: base.mcp_servers,
    skills: base.skills,
    execution_identity: base.execution_identity,
    multiagent: sessionMultiagent(base.multiagent, agentLookup(emu)),
  };
  if (ref.type === 'agent_with_overrides') {
    const servers = ref.mcp_servers !== undefined ? normalizeServers(ref.mcp_servers) : agent.mcp_servers;
    agent = {
      ...agent,
      model: ref.model !== undefined ? normalizeModel(ref.model, agent.model) : agent.model,
      system: ref.system !== undefined ? ref.system : agent.system,
      mcp_servers: servers,
      tools: ref.tools !== undefined ? normalizeTools(ref.tools, servers) : agent.tools,
      skills: ref.skills !== undefined ? resolveSkills(emu, ref.skills) : agent.skills,
    };
  }
  if (p.budget && !priceFor(st.settings.priceTable, agent.model.id)) {
    throw new ApiError(400, 'invalid_request_error', `budget: model '${agent.model.id}' has no list price`, { error_code: 'model_not_budgetable' });
  }
  for (const v of p.vault_ids ?? []) if (!st.vaults.has(v)) throw badRequest(`vault_ids: vault '${v}' not found`);
  const resources = (p.resources ?? []).map((r) => makeResource(emu, r));
  const now = st.clock.iso();
  const id = st.ids.next('sesn');
  const session: BetaManagedAgentsSession = {
    id,
    type: 'session',
    status: 'idle',
    title: p.title ?? null,
    agent,
    environment_id: env.id,
    resources,
    vault_ids: p.vault_ids ?? [],
    metadata: p.metadata ?? {},
    budget: p.budget ?? null,
    outcome_evaluations: [],
    stats: {},
    usage: {},
    deployment_id: deploymentId,
    created_at: now,
    updated_at: now,
    archived_at: null,
  };
  const { multiagent: _m, ...threadAgent } = agent;
  const thread = newThread(st, { session_id: id, agent: threadAgent, parent_thread_id: null, at: now });
  const rt = new SessionRuntime(st, session, thread, env.config.type === 'self_hosted');
  st.sessions.set(id, rt);
  if (p.initial_events?.length) rt.send(p.initial_events);
  return rt;
}

export function registerSessionRoutes(router: Router, emu: Emulator): void {
  router.add('POST', '/v1/sessions', 'managed', ({ body }) => {
    const p = parseBody('sessions.create', sessionCreate, body);
    return createSession(emu, p).view();
  });

  router.add('GET', '/v1/sessions/:id', 'managed', ({ params }) => getSession(emu, params.id!).view());

  router.add('POST', '/v1/sessions/:id', 'managed', ({ params, body }) => {
    const rt = getSession(emu, params.id!);
    const p = parseBody('sessions.update', sessionUpdate, body);
    const s = rt.session;
    if (p.vault_ids !== undefined) throw badRequest('sessions.update: vault_ids: updating vault_ids is not yet supported');
    if (rt.terminated) throw conflict(`session ${s.id} has ended and takes no changes`);
    const changed: Record<string, unknown> = {};
    if (p.budget !== undefined) {
      if (p.budget === null) {
        if (s.budget) {
          s.budget = null;
          rt.budgetRemoved = true;
          changed.budget = null;
        }
      } else {
        if (!s.budget) {
          throw new ApiError(
            400,
            'invalid_request_error',
            rt.budgetRemoved ? 'budget: a removed budget cannot be re-added' : 'budget: a budget can only be set when the session is created',
            { error_code: 'budget_create_only' },
          );
        }
        const spent = Number(toCents(rt.listCostUsd() ?? 0));
        if (Number(p.budget.max_list_cost.amount) <= spent) {
          throw new ApiError(400, 'invalid_request_error', `budget: max_list_cost ${p.budget.max_list_cost.amount} is at or below the consumed cost ${spent}`, {
            error_code: 'budget_not_raised',
          });
        }
        s.budget = p.budget;
        changed.budget = p.budget;
      }
    }
    if (p.title !== undefined && p.title !== s.title) {
      s.title = p.title;
      changed.title = p.title;
    }
    if (p.metadata !== undefined) {
      const next = patchMetadata(s.metadata, p.metadata);
      if (JSON.stringify(next) !== JSON.stringify(s.metadata)) {
        s.metadata = next;
        if (Object.keys(next).length > 0) changed.metadata = next;
        else changed.__metadataCleared = true;
      }
    }
    if (p.agent) {
      if (rt.activeTurn || s.status === 'running') throw conflict(`sessions.update: agent: session ${s.id} is busy with a turn; update it when idle`);
      const servers = p.agent.mcp_servers !== undefined ? normalizeServers(p.agent.mcp_servers) : s.agent.mcp_servers;
      const tools =
        p.agent.tools !== undefined ? normalizeTools(p.agent.tools, servers) : normalizeTools(s.agent.tools as Parameters<typeof normalizeTools>[0], servers);
      s.agent = { ...s.agent, mcp_servers: servers, tools };
      changed.agent = s.agent;
    }
    if (Object.keys(changed).length > 0) {
      delete changed.__metadataCleared;
      s.updated_at = emu.state.clock.iso();
      rt.emit({ type: 'session.updated', ...changed });
    }
    return rt.view();
  });

  router.add('GET', '/v1/sessions', 'managed', ({ query }) => {
    const agentId = query.get('agent_id');
    const agentVersion = query.int('agent_version', 1, Number.MAX_SAFE_INTEGER);
    if (agentVersion !== undefined && !agentId) throw badRequest('agent_version: requires agent_id');
    const statuses = query.getAll('statuses');
    for (const s of statuses) {
      if (!['rescheduling', 'running', 'idle', 'terminated'].includes(s)) throw badRequest(`statuses: unknown status '${s}'`);
    }
    const memoryStoreId = query.get('memory_store_id');
    const deploymentId = query.get('deployment_id');
    const where = (rt: SessionRuntime) => {
      const s = rt.session;
      if (agentId && s.agent.id !== agentId) return false;
      if (agentVersion !== undefined && s.agent.version !== agentVersion) return false;
      if (statuses.length && !statuses.includes(s.status)) return false;
      if (deploymentId && s.deployment_id !== deploymentId) return false;
      if (memoryStoreId && !s.resources.some((r) => r.type === 'memory_store' && r.memory_store_id === memoryStoreId)) return false;
      return true;
    };
    // Map iteration order is insertion (= id) order, so the sessions are already ascending.
    const page = listPage(query, [...emu.state.sessions.values()], (rt) => rt.session, {
      bounds: ['gt', 'gte', 'lt', 'lte'],
      where,
      defaultOrder: 'desc',
      bidirectional: true,
    });
    return { ...page, data: page.data.map((rt) => rt.view()) };
  });

  router.add('POST', '/v1/sessions/:id/archive', 'managed', ({ params }) => {
    const rt = getSession(emu, params.id!);
    rt.archive();
    return rt.view();
  });

  router.add('DELETE', '/v1/sessions/:id', 'managed', ({ params }) => {
    const rt = getSession(emu, params.id!);
    rt.delete();
    emu.state.sessions.delete(rt.id);
    return { id: rt.id, type: 'session_deleted' };
  });
}
