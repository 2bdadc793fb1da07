/**
 * The `multiagent` agent field (docs/multi-agent.md): params as the SDK types define them
 * (src/shared/multiagent-params.ts: `coordinator` or `multiagent_20261001`), resolved to the
 * SDK's response shape (every roster entry pinned to an agent version), and the session's view
 * (each entry resolved to the agent snapshot its threads run).
 */
import type {
  BetaManagedAgentsAgent,
  BetaManagedAgentsAgentReference,
  BetaManagedAgentsSessionThreadAgent,
} from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type {
  BetaManagedAgentsMultiagent,
  BetaManagedAgentsMultiagentParams,
  BetaManagedAgentsSessionMultiagent,
} from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { z } from 'zod';
import { badRequest } from '../wire/http.js';
import { multiagentParams as shared, predefinedAgent, type MultiagentParams } from '../../shared/multiagent-params.js';

export const multiagentParams = shared.nullish();
export type { MultiagentParams };
type Predefined = z.output<typeof predefinedAgent>;
// Compile-time: what the schema accepts is what the SDK's params type allows.
const _conforms: (p: MultiagentParams) => BetaManagedAgentsMultiagentParams = (p) => p;
void _conforms;

/** Looks an agent up (latest version when `version` is undefined); undefined when it does not exist. */
export type AgentLookup = (id: string, version?: number) => BetaManagedAgentsAgent | undefined;

function pin(entry: Predefined, owner: BetaManagedAgentsAgentReference, lookup: AgentLookup, where: string): BetaManagedAgentsAgentReference {
  if (typeof entry !== 'string' && entry.type === 'self') return owner;
  const id = typeof entry === 'string' ? entry : entry.id;
  const version = typeof entry === 'string' ? undefined : entry.version;
  const a = lookup(id, version);
  if (!a) throw badRequest(`${where}: agent '${id}'${version ? ` version ${version}` : ''} not found`);
  if (a.archived_at) throw badRequest(`${where}: agent '${id}' is archived`);
  if (a.multiagent) throw badRequest(`${where}: agent '${id}' has multiagent set itself (depth limit 1)`);
  return { type: 'agent', id: a.id, version: a.version };
}

function pinAll(list: Predefined[] | null | undefined, owner: BetaManagedAgentsAgentReference, lookup: AgentLookup, where: string) {
  const out = (list ?? []).map((e, i) => pin(e, owner, lookup, `${where}[${i}]`));
  if (new Set(out.map((r) => r.id)).size !== out.length) throw badRequest(`${where}: entries must reference distinct agents`);
  return out;
}

type Stored20261001 = Extract<BetaManagedAgentsMultiagent, { type: 'multiagent_20261001' }>;

/**
 * Resolves params to the stored shape. `owner` is the agent version this configuration belongs to
 * (what `self` means). On update, a `multiagent_20261001` sent over a stored one of the same type
 * is merged level by level, as the SDK's params documentation says.
 */
export function resolveMultiagent(
  p: MultiagentParams | null | undefined,
  owner: BetaManagedAgentsAgentReference,
  lookup: AgentLookup,
  stored?: BetaManagedAgentsMultiagent | null,
): BetaManagedAgentsMultiagent | null {
  if (!p) return null;
  if (p.type === 'coordinator') {
    const agents = p.agents.map((e, i) =>
      typeof e !== 'string' && e.type === 'advisor' ? { type: 'advisor' as const, model: e.model } : pin(e, owner, lookup, `multiagent.agents[${i}]`),
    );
    const ids = agents.flatMap((a) => (a.type === 'agent' ? [a.id] : []));
    if (new Set(ids).size !== ids.length) throw badRequest('multiagent.agents: entries must reference distinct agents');
    return { type: 'coordinator', agents };
  }
  const prev = stored?.type === 'multiagent_20261001' ? stored : undefined;
  const advisor: Stored20261001['advisor'] =
    p.advisor === undefined && prev ? prev.advisor : p.advisor?.type === 'enabled' ? { type: 'enabled', model: p.advisor.model } : { type: 'disabled' };
  const memberOf = (key: 'subagents' | 'workflows') => {
    const sent = p[key];
    const old = prev?.[key];
    if (sent === undefined && old) return old;
    if (sent?.type === 'disabled') return { type: 'disabled' as const };
    const same = old?.type === 'enabled' ? old : undefined;
    const inlineAgents = sent?.inline_agents ?? (sent?.inline_agents === undefined && same ? same.inline_agents : { type: 'enabled' as const });
    const predefinedAgents =
      sent?.predefined_agents !== undefined
        ? pinAll(sent.predefined_agents, owner, lookup, `multiagent.${key}.predefined_agents`)
        : (same?.predefined_agents ?? []);
    if (inlineAgents.type === 'disabled' && predefinedAgents.length === 0) {
      throw badRequest(`multiagent.${key}: with inline_agents disabled, predefined_agents must name at least one agent`);
    }
    return { type: 'enabled' as const, inline_agents: inlineAgents, predefined_agents: predefinedAgents };
  };
  return { type: 'multiagent_20261001', advisor, subagents: memberOf('subagents'), workflows: memberOf('workflows') };
}

export function threadAgentOf(a: BetaManagedAgentsAgent): BetaManagedAgentsSessionThreadAgent {
  return {
    type: 'agent',
    id: a.id,
    version: a.version,
    name: a.name,
    description: a.description,
    system: a.system,
    model: a.model,
    tools: a.tools,
    mcp_servers: a.mcp_servers,
    skills: a.skills,
    execution_identity: a.execution_identity,
  };
}

/** The session's view: each pinned reference resolved to the snapshot its threads run. */
export function sessionMultiagent(m: BetaManagedAgentsMultiagent | null, lookup: AgentLookup): BetaManagedAgentsSessionMultiagent | null {
  if (!m) return null;
  const snap = (r: BetaManagedAgentsAgentReference) => threadAgentOf(lookup(r.id, r.version)!);
  if (m.type === 'coordinator') return { type: 'coordinator', agents: m.agents.map((a) => (a.type === 'agent' ? snap(a) : a)) };
  const member = (x: Stored20261001['subagents'] | Stored20261001['workflows']) =>
    x.type === 'enabled' ? { ...x, predefined_agents: x.predefined_agents.map(snap) } : x;
  return { type: 'multiagent_20261001', advisor: m.advisor, subagents: member(m.subagents), workflows: member(m.workflows) };
}

/** The agents a session's primary thread may spawn as threads (its roster). */
export function rosterOf(m: BetaManagedAgentsSessionMultiagent | null | undefined): BetaManagedAgentsSessionThreadAgent[] {
  if (!m) return [];
  if (m.type === 'coordinator') return m.agents.filter((a): a is BetaManagedAgentsSessionThreadAgent => a.type === 'agent');
  return m.subagents.type === 'enabled' ? m.subagents.predefined_agents : [];
}
