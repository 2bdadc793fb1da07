import { z } from 'zod';
import { quoted } from '../format/fence.js';
import type { Agent, AgentCreateParams, Client } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { deprecationNotice } from '../api/models.js';
import {
  checkTools,
  forUpdate,
  mcpServersAdvertised,
  mcpServersInput,
  modelId,
  modelAdvertised,
  modelInput,
  multiagentAdvertised,
  parseStrict,
  skillsAdvertised,
  skillsInput,
  SYSTEM_MAX_CHARS,
  toolSummary,
  toolsAdvertised,
  toolsInput,
} from './support/agent-config.js';
import { multiagentParams } from '../shared/multiagent-params.js';
import { gateLoosening, loosened, loosenedByCreate, loosenedByRoster, policies } from './support/policy-gate.js';
import { shownName } from '../format/shown.js';
import { compact, defineTool, idSchema, limitSchema, metadataSchema, pageSchema, listResult, freeObject, type ToolContext } from './support/define.js';
import { redactedHead } from '../log.js';

type AgentUpdateParams = Parameters<Client['beta']['agents']['update']>[1];

const agentId = idSchema('agent_id', 'agent_01…').describe('Agent id (agent_…), from create_agent or list_agents.');
const SYSTEM_MAX = 2000;

const agentIdVersion = {
  agent_id: z.string(),
  version: z.number(),
};

const toolsOut = z.array(z.string()).optional().describe('One summary per tool entry.');
/** Set when the agent's model is deprecated: its end-of-life date, from the SDK's own data (src/api/models.ts). */
const noticeOut = z.string().optional();

// ---- tools -----------------------------------------------------------------------------------

/**
 * On update `model` is whole-object replacement (SDK: "omitting inference_geo clears it"), so a
 * model change would silently drop a stored region. Unless the caller gave inference_geo (null
 * clears it), the current one is carried over.
 */
async function keepInferenceGeo(ctx: ToolContext, agentId: string, model: z.infer<typeof modelInput>) {
  const m = typeof model === 'string' ? { id: model } : model;
  if (m.inference_geo !== undefined) return undefined;
  const cur = await ctx.api.lookup((c, o) => c.beta.agents.retrieve(agentId, {}, o));
  const kept = (cur.model as { inference_geo?: string | null } | undefined)?.inference_geo;
  return kept ? { model: { ...m, inference_geo: kept }, kept } : undefined;
}

export const agentTools = [
  defineTool({
    name: 'create_agent',
    bounded: true,
    title: 'Create a managed agent',
    description: 'Create a managed agent (model, system prompt, tools), once: reuse it (list_agents).',
    toolset: 'core',
    kind: 'create',
    input: {
      name: z.string().min(1).max(256).describe('Name.'),
      model: modelAdvertised,
      system: z.string().max(SYSTEM_MAX_CHARS).optional().describe('System prompt.'),
      description: z.string().max(2048).optional().describe('What the agent is for.'),
      tools: toolsAdvertised.optional(),
      mcp_servers: mcpServersAdvertised.optional(),
      skills: skillsAdvertised.optional(),
      multiagent: multiagentAdvertised.optional(),
      metadata: metadataSchema,
    },
    output: {
      ...agentIdVersion,
      name: z.string(),
      model: z.string(),
      tools: toolsOut,
      notice: noticeOut,
    },
    handler: async (args, ctx) => {
      const a = {
        ...args,
        model: parseStrict('create_agent', 'model', modelInput, args.model),
        skills: args.skills && parseStrict('create_agent', 'skills', skillsInput, args.skills),
        tools: args.tools && parseStrict('create_agent', 'tools', toolsInput, args.tools),
        mcp_servers: args.mcp_servers && parseStrict('create_agent', 'mcp_servers', mcpServersInput, args.mcp_servers),
        multiagent: args.multiagent && parseStrict('create_agent', 'multiagent', multiagentParams, args.multiagent),
      };
      checkTools(a.tools, a.mcp_servers);
      await gateLoosening(ctx, `create the agent ${shownName(a.name)}`, [
        ...loosenedByCreate(a.tools, a.mcp_servers),
        ...(await loosenedByRoster(ctx, a.multiagent)),
      ]);
      const params = compact({ ...a }) as AgentCreateParams;
      const agent = await ctx.api.call((c, o) => c.beta.agents.create(params, o));
      const structured = compact({
        agent_id: agent.id,
        version: agent.version,
        name: agent.name,
        model: modelId(agent.model),
        tools: (agent.tools ?? []).map(toolSummary),
        notice: deprecationNotice(modelId(agent.model)),
      });
      return {
        structured,
        text: `Created agent ${agent.id} v${agent.version} ${quoted(agent.name, 120)} (${structured.model})${
          structured.tools?.length ? `\ntools: ${structured.tools.join(' | ')}` : ''
        }${structured.notice ? `\n${structured.notice}` : ''}`,
      };
    },
  }),

  defineTool({
    name: 'list_agents',
    title: 'List managed agents',
    description: 'List agents (newest first), to find one to reuse.',
    toolset: 'core',
    kind: 'read',
    input: {
      limit: limitSchema(100, 20),
      page: pageSchema,
      include_archived: z.boolean().optional().describe('Also archived ones.'),
    },
    output: {
      agents: z.array(
        z.object({
          agent_id: z.string(),
          name: z.string(),
          model: z.string(),
          version: z.number(),
          archived: z.boolean().optional(),
          created_at: z.string(),
        }),
      ),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.agents.list(compact({ limit: a.limit, page: a.page, include_archived: a.include_archived }), o));
      const agents = page.data.map((ag) =>
        compact({
          agent_id: ag.id,
          name: ag.name,
          model: modelId(ag.model),
          version: ag.version,
          archived: ag.archived_at ? true : undefined,
          created_at: ag.created_at,
        }),
      );
      return listResult(
        'agents',
        agents,
        page.next_page,
        `${agents.length} agent(s)`,
        (g) => `${g.agent_id}  v${g.version}  ${g.name}  (${g.model})${g.archived ? ' [archived]' : ''}`,
      );
    },
  }),

  defineTool({
    name: 'get_agent',
    title: 'Get a managed agent',
    description:
      "Get a managed agent's full configuration, optionally at an older version. tools come in the form update_agent takes; system is clipped at 2,000 chars.",
    toolset: 'agents',
    kind: 'read',
    input: {
      agent_id: agentId,
      version: z.number().int().min(1).optional().describe('A past version; omit for the latest.'),
    },
    output: {
      ...agentIdVersion,
      name: z.string(),
      model: z.object({
        id: z.string(),
        effort: z.string().optional(),
        speed: z.string().optional(),
        inference_geo: z.string().optional(),
      }),
      description: z.string().optional(),
      system: z.string().optional(),
      system_clipped_chars: z.number().optional().describe('Characters cut from system; do not send the clipped text back to update_agent.'),
      tools: z.array(freeObject()).optional(),
      mcp_servers: z.array(freeObject()).optional(),
      skills: z.array(freeObject()).optional(),
      multiagent: freeObject().optional(),
      execution_identity: freeObject().optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      created_at: z.string(),
      updated_at: z.string().optional(),
      archived_at: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const ag: Agent = await ctx.api.call((c, o) => c.beta.agents.retrieve(a.agent_id, a.version !== undefined ? { version: a.version } : {}, o));
      const system = ag.system ?? undefined;
      const clipped = system !== undefined && system.length > SYSTEM_MAX ? system.length - SYSTEM_MAX : 0;
      const m = ag.model as { id: string; effort?: { type?: string } | string; speed?: string; inference_geo?: string };
      const structured = compact({
        agent_id: ag.id,
        version: ag.version,
        name: ag.name,
        model: {
          id: modelId(m),
          effort: typeof m?.effort === 'string' ? m.effort : m?.effort?.type,
          speed: m?.speed,
          inference_geo: m?.inference_geo,
        },
        description: ag.description ?? undefined,
        system: clipped ? `${redactedHead(system!, SYSTEM_MAX)}…[clipped ${clipped} chars]` : system,
        system_clipped_chars: clipped || undefined,
        tools: (ag.tools ?? []).map(forUpdate),
        mcp_servers: ag.mcp_servers as unknown as Record<string, unknown>[],
        skills: ag.skills as unknown as Record<string, unknown>[],
        multiagent: (ag.multiagent ?? undefined) as Record<string, unknown> | undefined,
        // The default identity is noise; only a non-default one is worth showing.
        execution_identity:
          ag.execution_identity && ag.execution_identity.type !== 'service_account' ? (ag.execution_identity as unknown as Record<string, unknown>) : undefined,
        metadata: ag.metadata,
        created_at: ag.created_at,
        updated_at: ag.updated_at,
        archived_at: ag.archived_at ?? undefined,
      });
      const toolLines = (ag.tools ?? []).map(toolSummary);
      return {
        structured,
        text:
          `Agent ${ag.id} v${ag.version} ${quoted(ag.name, 120)} (${structured.model.id})${ag.archived_at ? ' [archived]' : ''}` +
          (toolLines.length ? `\ntools: ${toolLines.join(' | ')}` : '') +
          (system ? `\nsystem (${system.length} chars): ${redactedHead(system, 200)}${system.length > 200 ? '…' : ''}` : ''),
      };
    },
  }),

  defineTool({
    name: 'list_agent_versions',
    title: 'List versions of a managed agent',
    description: "List an agent's versions (newest first): name, model and when each was made. get_agent with version shows one in full.",
    toolset: 'agents',
    kind: 'read',
    input: { agent_id: agentId, limit: limitSchema(100, 20), page: pageSchema },
    output: {
      versions: z.array(z.object({ version: z.number(), name: z.string(), model: z.string(), tools: z.number(), skills: z.number(), updated_at: z.string() })),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.agents.versions.list(a.agent_id, { limit: a.limit, ...(a.page ? { page: a.page } : {}) }, o));
      const versions = page.data.map((v) => ({
        version: v.version,
        name: v.name,
        model: modelId(v.model),
        tools: (v.tools ?? []).length,
        skills: (v.skills ?? []).length,
        updated_at: v.updated_at,
      }));
      return listResult(
        'versions',
        versions,
        page.next_page,
        `${versions.length} version(s) of ${a.agent_id}`,
        (v) => `v${v.version}  ${v.updated_at}  ${v.name}  (${v.model}; ${v.tools} tool entr${v.tools === 1 ? 'y' : 'ies'}, ${v.skills} skill(s))`,
      );
    },
  }),

  defineTool({
    name: 'update_agent',
    bounded: true,
    title: 'Update a managed agent',
    description:
      'Update a managed agent, creating a new version. version must be the current one (optimistic concurrency: ' +
      'the update fails if the agent changed since). Given fields replace the stored ones (metadata is patched). ' +
      'Existing sessions keep the version they started with.',
    toolset: 'agents',
    kind: 'update',
    input: {
      agent_id: agentId,
      version: z.number().int().min(1).describe('The current version (from get_agent or list_agents); the update fails if it is stale.'),
      name: z.string().min(1).max(256).optional().describe('New name.'),
      system: z.string().max(SYSTEM_MAX_CHARS).nullable().optional().describe('New system prompt; null clears it.'),
      description: z.string().max(2048).nullable().optional().describe('New description; null clears it.'),
      model: modelAdvertised.optional(),
      tools: toolsAdvertised.optional().describe('Replaces all tools (send the full list; same shapes as create_agent).'),
      mcp_servers: mcpServersAdvertised.optional(),
      skills: skillsAdvertised.optional(),
      multiagent: multiagentAdvertised.nullable().optional().describe('Replaces the roster (same shape as create_agent); null clears it.'),
      metadata: z
        .record(z.string().max(64), z.string().max(512).nullable())
        .refine((m) => Object.keys(m).length <= 16, 'metadata: at most 16 keys')
        .optional()
        .describe('Patch: keys to set; a null value deletes the key.'),
    },
    output: { ...agentIdVersion, notice: noticeOut },
    handler: async (args, ctx) => {
      const a = {
        ...args,
        model: args.model && parseStrict('update_agent', 'model', modelInput, args.model),
        skills: args.skills && parseStrict('update_agent', 'skills', skillsInput, args.skills),
        tools: args.tools && parseStrict('update_agent', 'tools', toolsInput, args.tools),
        mcp_servers: args.mcp_servers && parseStrict('update_agent', 'mcp_servers', mcpServersInput, args.mcp_servers),
        multiagent: args.multiagent && parseStrict('update_agent', 'multiagent', multiagentParams, args.multiagent),
      };
      const { agent_id, ...rest } = a;
      const changes = Object.entries(rest).filter(([k, v]) => k !== 'version' && v !== undefined);
      if (changes.length === 0) throw new ToolError('Nothing to update: give at least one field besides agent_id and version.');
      if (a.mcp_servers !== undefined && a.tools === undefined) {
        throw new ToolError('Send tools together with mcp_servers, so every server has its mcp_toolset.', 'get_agent shows the current tools.');
      }
      checkTools(a.tools, a.mcp_servers);
      if (a.tools !== undefined || a.multiagent) {
        const cur = await ctx.api.lookup((c, o) => c.beta.agents.retrieve(agent_id, {}, o));
        const lines = [
          ...(a.tools === undefined ? [] : loosened(policies(cur.tools, cur.mcp_servers), policies(a.tools, a.mcp_servers ?? cur.mcp_servers))),
          ...(await loosenedByRoster(ctx, a.multiagent)),
        ];
        await gateLoosening(ctx, `update the agent ${shownName(cur.name)} (${agent_id})`, lines);
      }
      const geo = a.model === undefined ? undefined : await keepInferenceGeo(ctx, agent_id, a.model);
      if (geo) rest.model = geo.model;
      // Explicit nulls (clearing system/description, deleting metadata keys) must reach the API,
      // so only undefined is dropped here, not compact().
      const params = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as AgentUpdateParams;
      const ag = await ctx.api.call((c, o) => c.beta.agents.update(agent_id, params, o));
      const notice = deprecationNotice(modelId(ag.model));
      return {
        structured: compact({ agent_id: ag.id, version: ag.version, notice }),
        text: `Updated agent ${ag.id}: now v${ag.version} (${changes.map(([k]) => k).join(', ')} changed)${geo ? `; kept inference_geo ${geo.kept}` : ''}.${notice ? `\n${notice}` : ''}`,
      };
    },
  }),

  defineTool({
    name: 'archive_agent',
    bounded: true,
    title: 'Archive a managed agent',
    description: 'Archive a managed agent (irreversible; agents cannot be deleted). It can no longer start sessions; sessions already started keep running.',
    toolset: 'agents',
    kind: 'delete',
    input: { agent_id: agentId },
    output: { agent_id: z.string(), archived_at: z.string().optional() },
    handler: async (a, ctx) => {
      const ag = await ctx.api.call((c, o) => c.beta.agents.archive(a.agent_id, {}, o));
      return {
        structured: compact({ agent_id: ag.id, archived_at: ag.archived_at ?? undefined }),
        text: `Archived agent ${ag.id}.`,
      };
    },
  }),
];
