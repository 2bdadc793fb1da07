/** Request params → the fully resolved response shapes (SDK resources/beta/agents/agents.d.ts). */
import type {
  BetaManagedAgentsAgentToolConfig,
  BetaManagedAgentsAgentToolset20260401,
  BetaManagedAgentsCustomTool,
  BetaManagedAgentsExecutionIdentity,
  BetaManagedAgentsMCPServerURLDefinition,
  BetaManagedAgentsMCPToolset,
  BetaManagedAgentsModelConfig,
  BetaManagedAgentsAnthropicSkill,
  BetaManagedAgentsCustomSkill,
} from '@anthropic-ai/sdk/resources/beta/agents/agents';
import { z } from 'zod';
import { badRequest } from '../wire/http.js';
import { BUILTIN_TOOLS, type BuiltinTool, type Policy, type ToolParams, executionIdentity, mcpServers, modelParam, skills } from './validate.js';

export type AgentTool = BetaManagedAgentsAgentToolset20260401 | BetaManagedAgentsMCPToolset | BetaManagedAgentsCustomTool;
export type Skill = BetaManagedAgentsAnthropicSkill | BetaManagedAgentsCustomSkill;

const DEFAULT_EFFORT: BetaManagedAgentsModelConfig['effort'] = { type: 'high' };

export function normalizeModel(param: z.output<typeof modelParam>, previous?: BetaManagedAgentsModelConfig): BetaManagedAgentsModelConfig {
  if (typeof param === 'string') {
    return { id: param, effort: previous?.effort ?? DEFAULT_EFFORT, speed: 'standard' };
  }
  const out: BetaManagedAgentsModelConfig = { id: param.id };
  // Omitting effort on update keeps the stored value; a bare string is returned as {type} (the SDK's AgentUpdateParams).
  if (param.effort === undefined || param.effort === null) out.effort = previous?.effort ?? DEFAULT_EFFORT;
  else out.effort = typeof param.effort === 'string' ? { type: param.effort } : param.effort;
  if (param.inference_geo) out.inference_geo = param.inference_geo;
  out.speed = param.speed ?? 'standard';
  return out;
}

/**
 * Tool defaults: the agent toolset defaults to `always_allow` and enabled; an MCP toolset defaults
 * to `always_ask` (documented in docs/emulator.md). Configs are resolved for every named tool.
 */
export function normalizeTools(tools: ToolParams | null | undefined, servers: BetaManagedAgentsMCPServerURLDefinition[]): AgentTool[] {
  const out: AgentTool[] = [];
  const referenced = new Set<string>();
  let seenToolset = false;
  for (const [i, t] of (tools ?? []).entries()) {
    if (t.type === 'agent_toolset_20260401') {
      if (seenToolset) throw badRequest(`tools[${i}]: agent_toolset_20260401 may appear only once`);
      seenToolset = true;
      const def = {
        enabled: t.default_config?.enabled ?? true,
        permission_policy: t.default_config?.permission_policy ?? { type: 'always_allow' as const },
      };
      const configs = (t.configs ?? []).map((c) => {
        const { name, type: _type, enabled, permission_policy, ...extra } = c;
        const cleaned = Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined));
        return {
          name,
          type: name,
          enabled: enabled ?? def.enabled,
          permission_policy: permission_policy ?? def.permission_policy,
          ...cleaned,
        } as BetaManagedAgentsAgentToolConfig;
      });
      out.push({ type: 'agent_toolset_20260401', default_config: def, configs });
    } else if (t.type === 'mcp_toolset') {
      if (!servers.some((s) => s.name === t.mcp_server_name)) {
        throw badRequest(`tools[${i}].mcp_server_name: no mcp_servers entry named '${t.mcp_server_name}'`);
      }
      referenced.add(t.mcp_server_name);
      const def = {
        enabled: t.default_config?.enabled ?? true,
        permission_policy: t.default_config?.permission_policy ?? { type: 'always_ask' as const },
      };
      out.push({
        type: 'mcp_toolset',
        mcp_server_name: t.mcp_server_name,
        default_config: def,
        configs: (t.configs ?? []).map((c) => ({
          name: c.name,
          enabled: c.enabled ?? def.enabled,
          permission_policy: c.permission_policy ?? def.permission_policy,
        })),
      });
    } else {
      if (out.some((o) => o.type === 'custom' && o.name === t.name)) {
        throw badRequest(`tools[${i}].name: duplicate custom tool name '${t.name}'`);
      }
      out.push({ type: 'custom', name: t.name, description: t.description, input_schema: t.input_schema });
    }
  }
  for (const s of servers) {
    if (!referenced.has(s.name)) {
      throw badRequest(`mcp_servers: server '${s.name}' is not referenced by any mcp_toolset in tools`);
    }
  }
  return out;
}

export function normalizeServers(list: z.output<typeof mcpServers> | null | undefined): BetaManagedAgentsMCPServerURLDefinition[] {
  const seen = new Set<string>();
  return (list ?? []).map((s, i) => {
    if (seen.has(s.name)) throw badRequest(`mcp_servers[${i}].name: duplicate server name '${s.name}'`);
    seen.add(s.name);
    return { type: 'url', name: s.name, url: s.url };
  });
}

export function normalizeSkills(list: z.output<typeof skills> | null | undefined): Skill[] {
  return (list ?? []).map((s) => ({ type: s.type, skill_id: s.skill_id, version: s.version ?? 'latest' }) as Skill);
}

export function normalizeIdentity(p: z.output<typeof executionIdentity>): BetaManagedAgentsExecutionIdentity {
  return p ?? { type: 'service_account' };
}

export type ToolResolution =
  | { kind: 'builtin'; name: BuiltinTool; enabled: boolean; policy: Policy }
  | { kind: 'mcp'; server: string; name: string; enabled: boolean; policy: Policy }
  | { kind: 'custom'; name: string }
  | { kind: 'unknown'; reason: string };

/** How the scripted agent resolves `/tool <name>` against the session's agent snapshot. */
export function resolveTool(tools: AgentTool[], name: string): ToolResolution {
  const slash = name.indexOf('/');
  if (slash > 0) {
    const server = name.slice(0, slash);
    const tool = name.slice(slash + 1);
    const ts = tools.find((t): t is BetaManagedAgentsMCPToolset => t.type === 'mcp_toolset' && t.mcp_server_name === server);
    if (!ts) return { kind: 'unknown', reason: `no MCP server named '${server}' is configured on this agent` };
    const cfg = ts.configs.find((c) => c.name === tool);
    return {
      kind: 'mcp',
      server,
      name: tool,
      enabled: cfg?.enabled ?? ts.default_config.enabled,
      policy: cfg?.permission_policy ?? ts.default_config.permission_policy,
    };
  }
  const custom = tools.find((t) => t.type === 'custom' && t.name === name);
  if (custom) return { kind: 'custom', name };
  if ((BUILTIN_TOOLS as readonly string[]).includes(name)) {
    const ts = tools.find((t): t is BetaManagedAgentsAgentToolset20260401 => t.type === 'agent_toolset_20260401');
    if (!ts) return { kind: 'unknown', reason: `the built-in tool '${name}' is not available: agent_toolset_20260401 is not enabled on this agent` };
    const cfg = ts.configs.find((c) => c.name === name);
    return {
      kind: 'builtin',
      name: name as BuiltinTool,
      enabled: cfg?.enabled ?? ts.default_config.enabled,
      policy: cfg?.permission_policy ?? ts.default_config.permission_policy,
    };
  }
  return { kind: 'unknown', reason: `there is no tool named '${name}' on this agent` };
}
