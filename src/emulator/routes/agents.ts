/** Agents (SDK resources/beta/agents/agents.d.ts): versioned, archive-only. */
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import { conflict, notFound, type Router } from '../wire/http.js';
import { normalizeIdentity, normalizeModel, normalizeServers, normalizeTools } from '../contract/normalize.js';
import { resolveSkills } from './skills.js';
import { listPage, listParams, paginate } from '../wire/pagination.js';
import type { Emulator } from './context.js';
import { patchMetadata, sortedById, type AgentRecord } from '../runtime/state.js';
import { agentCreate, agentUpdate, parseBody } from '../contract/validate.js';
import { resolveMultiagent, type AgentLookup } from '../contract/multiagent.js';

export function getAgent(emu: Emulator, id: string): AgentRecord {
  const rec = emu.state.agents.get(id);
  if (!rec) throw notFound('agent', id);
  return rec;
}

export function latest(rec: AgentRecord): BetaManagedAgentsAgent {
  return rec.versions[rec.versions.length - 1]!;
}

export function agentLookup(emu: Emulator): AgentLookup {
  return (id, version) => {
    const rec = emu.state.agents.get(id);
    return rec && (version === undefined ? latest(rec) : rec.versions[version - 1]);
  };
}

export function registerAgentRoutes(router: Router, emu: Emulator): void {
  router.add('POST', '/v1/agents', 'managed', ({ body }) => {
    const p = parseBody('agents.create', agentCreate, body);
    const st = emu.state;
    const now = st.clock.iso();
    const servers = normalizeServers(p.mcp_servers);
    const id = st.ids.next('agent');
    const multiagent = resolveMultiagent(p.multiagent, { type: 'agent', id, version: 1 }, agentLookup(emu));
    const agent: BetaManagedAgentsAgent = {
      id,
      type: 'agent',
      name: p.name,
      description: p.description ?? null,
      system: p.system ?? null,
      model: normalizeModel(p.model),
      tools: normalizeTools(p.tools, servers),
      mcp_servers: servers,
      skills: resolveSkills(emu, p.skills),
      multiagent,
      execution_identity: normalizeIdentity(p.execution_identity),
      metadata: p.metadata ?? {},
      version: 1,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    st.agents.set(agent.id, { versions: [agent] });
    return agent;
  });

  router.add('GET', '/v1/agents/:id', 'managed', ({ params, query }) => {
    const rec = getAgent(emu, params.id!);
    const version = query.int('version', 1, Number.MAX_SAFE_INTEGER);
    if (version === undefined) return latest(rec);
    const v = rec.versions[version - 1];
    if (!v) throw notFound('agent', `${params.id} v${version}`);
    return v;
  });

  router.add('POST', '/v1/agents/:id', 'managed', ({ params, body }) => {
    const rec = getAgent(emu, params.id!);
    const p = parseBody('agents.update', agentUpdate, body);
    const cur = latest(rec);
    if (p.version !== undefined && p.version !== cur.version) {
      throw conflict(`agents.update: ${p.version} is stale; agent ${cur.id} is now at ${cur.version}`);
    }
    if (cur.archived_at) throw conflict(`agent ${cur.id} was retired and takes no changes`);
    const servers = p.mcp_servers !== undefined ? normalizeServers(p.mcp_servers) : cur.mcp_servers;
    const next: BetaManagedAgentsAgent = {
      ...cur,
      name: p.name ?? cur.name,
      description: p.description !== undefined ? p.description : cur.description,
      system: p.system !== undefined ? p.system : cur.system,
      model: p.model !== undefined ? normalizeModel(p.model, cur.model) : cur.model,
      mcp_servers: servers,
      tools: p.tools !== undefined || p.mcp_servers !== undefined ? normalizeTools(p.tools !== undefined ? p.tools : paramsOf(cur.tools), servers) : cur.tools,
      skills: p.skills !== undefined ? resolveSkills(emu, p.skills) : cur.skills,
      multiagent:
        p.multiagent !== undefined
          ? resolveMultiagent(p.multiagent, { type: 'agent', id: cur.id, version: cur.version + 1 }, agentLookup(emu), cur.multiagent)
          : cur.multiagent,
      execution_identity: p.execution_identity !== undefined ? normalizeIdentity(p.execution_identity) : cur.execution_identity,
      metadata: patchMetadata(cur.metadata, p.metadata),
    };
    const { version: _v, updated_at: _u, ...a } = next;
    const { version: _v2, updated_at: _u2, ...b } = cur;
    if (JSON.stringify(a) === JSON.stringify(b)) return cur; // no-op update keeps the version
    next.version = cur.version + 1;
    next.updated_at = emu.state.clock.iso();
    rec.versions.push(next);
    return next;
  });

  router.add('GET', '/v1/agents', 'managed', ({ query }) => {
    return listPage(query, sortedById([...emu.state.agents.values()].map(latest)), (a) => a, { bounds: ['gte', 'lte'] });
  });

  router.add('POST', '/v1/agents/:id/archive', 'managed', ({ params }) => {
    const rec = getAgent(emu, params.id!);
    const now = emu.state.clock.iso();
    for (const v of rec.versions) if (!v.archived_at) v.archived_at = now;
    return latest(rec);
  });

  router.add('GET', '/v1/agents/:id/versions', 'managed', ({ params, query }) => {
    const rec = getAgent(emu, params.id!);
    const lp = listParams(query);
    return paginate(rec.versions, (a) => String(a.version).padStart(10, '0'), lp);
  });
}

/** Response-shaped tools are valid params again (used when only mcp_servers changed). */
function paramsOf(tools: BetaManagedAgentsAgent['tools']) {
  return tools as Parameters<typeof normalizeTools>[0];
}
