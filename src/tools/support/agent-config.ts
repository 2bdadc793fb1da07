/**
 * Agent configuration shapes for create_agent / update_agent (the SDK's AgentCreateParams), the checks
 * zod cannot express cheaply, and the one-line summaries the agent tools return.
 */
import { z } from 'zod';
import { freeObject } from './define.js';
import { ToolError } from '../../api/errors.js';

export const BUILTIN_TOOLS = ['bash', 'read', 'write', 'edit', 'glob', 'grep', 'web_fetch', 'web_search'] as const;

/** The API's limits (SDK doc comments on AgentCreateParams): 256 tools, 20 MCP servers. Skills: ours. */
const MAX_TOOLS = 256;
const MAX_MCP_SERVERS = 20;
const MAX_SKILLS = 64;
/** The API's own limit for a session's replacement system prompt; used for the agent's too. */
export const SYSTEM_MAX_CHARS = 100_000;

const policy = z.strictObject({ type: z.enum(['always_allow', 'always_ask', 'auto']).describe('Policy.') }).describe('always_ask: confirm each call first.');

const toolsetDefault = z
  .strictObject({
    enabled: z.boolean().optional().describe('false: only configs-enabled tools.'),
    permission_policy: policy.optional(),
  })
  .describe('For tools not in configs.');

// The API takes at most 64 domains (sdk: allowed_domains / blocked_domains).
const domains = z.array(z.string().max(253)).max(64).optional();

const builtinConfig = z.strictObject({
  name: z.enum(BUILTIN_TOOLS).describe('Tool.'),
  enabled: z.boolean().optional().describe('On or off.'),
  permission_policy: policy.optional(),
  allowed_domains: domains.describe('web_fetch/web_search: only these domains.'),
  blocked_domains: domains.describe('web_fetch/web_search: never these.'),
  max_content_tokens: z.number().positive().optional().describe('web_fetch: content cap.'),
  url_sources: z
    .partialRecord(z.enum(['user_input', 'server_tool_results', 'client_tool_results']), z.unknown())
    .optional()
    .describe('web_fetch: allowed URL sources.'),
  user_location: z
    .partialRecord(z.enum(['type', 'city', 'region', 'country', 'timezone']), z.string().max(256))
    .optional()
    .describe('web_search: {"type":"approximate", city?, region?, country?, timezone?}.'),
});

const mcpConfig = z.strictObject({
  name: z.string().min(1).max(128).describe('MCP tool name.'),
  enabled: z.boolean().optional().describe('On or off.'),
  permission_policy: policy.optional(),
});

const configsOf = <T extends z.ZodType>(item: T) => z.array(item).max(256).optional().describe('Per-tool overrides.');

const toolSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('agent_toolset_20260401').describe('Built-in tools: bash, read, write, edit, glob, grep, web_fetch, web_search.'),
    default_config: toolsetDefault.optional(),
    configs: configsOf(builtinConfig),
  }),
  z.strictObject({
    type: z.literal('mcp_toolset').describe('Tools of one server in mcp_servers.'),
    mcp_server_name: z.string().min(1).max(255).describe('Its name in mcp_servers.'),
    default_config: toolsetDefault.optional(),
    configs: configsOf(mcpConfig),
  }),
  z.strictObject({
    type: z.literal('custom').describe('Run by you: answer with submit_custom_tool_result.'),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/, 'name: 1–128 letters, digits, _ or -')
      .describe('Tool name.'),
    description: z.string().min(1).max(10_000).describe('For the agent.'),
    // A JSON Schema is open by nature: its other keywords pass through to the API.
    input_schema: z.looseObject({ type: z.literal('object').describe('"object".') }).describe('JSON Schema of the input.'),
  }),
]);

export const toolsInput = z.array(toolSchema).max(MAX_TOOLS).describe('[{"type":"agent_toolset_20260401"}] = every built-in tool, always_allow.');

export const mcpServersInput = z
  .array(
    z.strictObject({
      type: z.literal('url').describe('"url".'),
      name: z.string().min(1).max(255).describe('Unique name.'),
      url: z.url().max(2048).describe('Server URL.'),
    }),
  )
  .max(MAX_MCP_SERVERS)
  .describe('Remote MCP servers, each with an mcp_toolset in tools.');

export const skillsInput = z
  .array(
    z.strictObject({
      type: z.enum(['anthropic', 'custom']).describe('Source.'),
      skill_id: z.string().min(1).max(256).describe('e.g. "xlsx" or skill_….'),
      version: z.string().max(64).optional().describe('Omit for latest.'),
    }),
  )
  .max(MAX_SKILLS)
  .describe('Skills.');

const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

export const modelInput = z
  .union([
    z.string().min(1).max(256),
    z.strictObject({
      id: z.string().min(1).max(256).describe('Model id.'),
      effort: z.enum(EFFORTS).optional().describe('Reasoning effort.'),
      speed: z.enum(['standard', 'fast']).optional().describe('fast costs more.'),
      inference_geo: z.string().min(1).nullable().optional().describe('Inference region; null clears it.'),
    }),
  ])
  .describe('e.g. "claude-sonnet-4-6", or {id, effort?, speed?, inference_geo?}.');

/**
 * What tools/list advertises for `tools`: the entry types and a compact description of their
 * shapes. The full strict schema above (which rejects a misspelled permission_policy rather than
 * silently leaving a tool on always_allow) costs ~1,500 tokens in every client's context, so it is
 * applied in the handler instead, through `parseStrict`, with the same error wording.
 */
export const toolsAdvertised = z
  .array(freeObject())
  .max(MAX_TOOLS)
  .describe(
    '{type:"agent_toolset_20260401", default_config?:{enabled?, permission_policy?:{type:"always_allow"|"always_ask"|"auto"}}, ' +
      'configs?:[{name, enabled?, permission_policy?}]} (bash, read, write, edit, glob, grep, web_fetch, web_search; default always_allow) | ' +
      '{type:"mcp_toolset", mcp_server_name, default_config?, configs?} (default always_ask) | ' +
      '{type:"custom", name, description, input_schema} (you answer it).',
  );

export const mcpServersAdvertised = z.array(freeObject()).max(MAX_MCP_SERVERS).describe('[{type:"url", name, url}], each used by an mcp_toolset in tools.');

/** Parses `value` with the strict schema, failing like the MCP SDK's own argument check. */
export function parseStrict<T>(tool: string, field: string, schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues
    .slice(0, 5)
    .map((i) => `${[field, ...i.path].join('.')}: ${i.message}`)
    .join('; ');
  throw new ToolError(`Invalid arguments for tool ${tool}: ${issues}`, 'Fix the field named and call again.');
}

export const modelAdvertised = z
  .union([z.string().max(256), freeObject()])
  .describe('e.g. "claude-sonnet-4-6", or {id, effort?: low|medium|high|xhigh|max, speed?: standard|fast, inference_geo?}.');

export const multiagentAdvertised = freeObject().describe('Subagent roster: {type:"coordinator", agents:[agent_id|{type:"agent",id,version?}|{type:"self"}]}.');

export const skillsAdvertised = z.array(freeObject()).max(MAX_SKILLS).describe('[{type:"anthropic"|"custom", skill_id, version?}]; ids: list_skills.');

type ToolInput = z.infer<typeof toolSchema>;
type McpServerInput = z.infer<typeof mcpServersInput>[number];

/**
 * Checks the API rejects with less helpful messages (or that zod cannot express without bloating
 * the schema every client pays for in tools/list).
 */
export function checkTools(tools: ToolInput[] | undefined, servers: McpServerInput[] | undefined): void {
  for (const t of tools ?? []) {
    if (t.type !== 'agent_toolset_20260401') continue;
    for (const c of t.configs ?? []) {
      const web = c.name === 'web_fetch' || c.name === 'web_search';
      if ((c.allowed_domains || c.blocked_domains) && !web) {
        throw new ToolError(`configs[${c.name}]: allowed_domains/blocked_domains apply only to web_fetch and web_search.`);
      }
      if (c.allowed_domains && c.blocked_domains) {
        throw new ToolError(`configs[${c.name}]: give allowed_domains or blocked_domains, not both.`);
      }
      if ((c.max_content_tokens !== undefined || c.url_sources) && c.name !== 'web_fetch') {
        throw new ToolError(`configs[${c.name}]: max_content_tokens and url_sources apply only to web_fetch.`);
      }
      if (c.user_location && c.name !== 'web_search') {
        throw new ToolError(`configs[${c.name}]: user_location applies only to web_search.`);
      }
      if (c.user_location && c.user_location.type !== 'approximate') {
        throw new ToolError('configs[web_search]: user_location needs "type": "approximate".');
      }
    }
  }
  if (servers === undefined) return;
  const names = new Set<string>();
  for (const s of servers) {
    if (names.has(s.name)) throw new ToolError(`mcp_servers: the name "${s.name}" is used twice.`);
    names.add(s.name);
  }
  const referenced = new Set((tools ?? []).flatMap((t) => (t.type === 'mcp_toolset' ? [t.mcp_server_name] : [])));
  for (const r of referenced) {
    if (!names.has(r))
      throw new ToolError(`tools: mcp_toolset "${r}" names no entry of mcp_servers.`, 'Add {"type":"url","name":"' + r + '","url":…} to mcp_servers.');
  }
  for (const n of names) {
    if (!referenced.has(n)) {
      throw new ToolError(`mcp_servers: "${n}" is not used by any tool.`, `Add {"type":"mcp_toolset","mcp_server_name":"${n}"} to tools.`);
    }
  }
}

// ---- output helpers --------------------------------------------------------------------------

/** One line per tool entry, e.g. "agent_toolset_20260401 (bash, read, …; default always_allow)". */
export function toolSummary(tool: unknown): string {
  // Accepts both the response form (resolved configs) and the request form (sparse).
  const t = tool as any;
  switch (t?.type) {
    case 'agent_toolset_20260401': {
      const configs: any[] = Array.isArray(t.configs) ? t.configs : [];
      const byName = new Map(configs.map((c) => [c?.name, c]));
      const defEnabled = t.default_config?.enabled ?? true;
      const defPolicy: string = t.default_config?.permission_policy?.type ?? 'always_allow';
      const enabled = BUILTIN_TOOLS.filter((n) => byName.get(n)?.enabled ?? defEnabled);
      const overrides = enabled.flatMap((n) => {
        const p = byName.get(n)?.permission_policy?.type;
        return p && p !== defPolicy ? [`${n} ${p}`] : [];
      });
      return `agent_toolset_20260401 (${enabled.join(', ') || 'no tools enabled'}; default ${defPolicy}${overrides.length ? `; ${overrides.join(', ')}` : ''})`;
    }
    case 'mcp_toolset': {
      const configs: any[] = Array.isArray(t.configs) ? t.configs : [];
      const parts: string[] = [];
      const defPolicy: string | undefined = t.default_config?.permission_policy?.type;
      if (t.default_config?.enabled === false) {
        const on = configs.filter((c) => c?.enabled).map((c) => c.name);
        parts.push(on.length ? `only ${on.join(', ')}` : 'disabled');
      }
      if (defPolicy) parts.push(defPolicy);
      for (const c of configs) {
        const p = c?.permission_policy?.type;
        if (c?.enabled === false && t.default_config?.enabled !== false) parts.push(`${c.name} off`);
        else if (p && p !== defPolicy) parts.push(`${c.name} ${p}`);
      }
      return `mcp_toolset: ${t.mcp_server_name}${parts.length ? ` (${parts.join('; ')})` : ''}`;
    }
    case 'custom':
      return `custom: ${t.name}`;
    default:
      return String(t?.type ?? 'unknown');
  }
}

export function modelId(model: unknown): string {
  return typeof model === 'string' ? model : String((model as { id?: string } | undefined)?.id ?? '');
}

/**
 * A tool entry of an agent as update_agent accepts it back: the response repeats each built-in
 * config's name as `type`, which the input schema (kept small) does not take.
 */
export function forUpdate(tool: unknown): Record<string, unknown> {
  const t = tool as Record<string, unknown>;
  if (t?.type !== 'agent_toolset_20260401' || !Array.isArray(t.configs)) return t;
  return { ...t, configs: t.configs.map(({ type: _type, ...rest }: Record<string, unknown>) => rest) };
}
