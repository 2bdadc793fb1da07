/**
 * Strict request validation with zod: unknown or ill-typed fields give a 400 whose message names
 * the field, e.g. `agents.create: unknown field 'foo'` or `agents.create: name: expected string`.
 */
import { z } from 'zod';
import { badRequest } from '../wire/http.js';

type Issue = z.core.$ZodIssue;

function pathStr(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function describeIssue(issue: Issue, base: readonly PropertyKey[] = []): string {
  const path = [...base, ...issue.path];
  const where = pathStr(path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const fields = issue.keys.map((k) => `'${pathStr([...path, k])}'`).join(', ');
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${fields}`;
    }
    case 'invalid_type': {
      const received = (issue as { input?: unknown }).input;
      if (received === undefined && !issue.message.includes('received')) return `${where}: required field missing`;
      if (issue.message.includes('received undefined')) return `${where}: required field missing (expected ${issue.expected})`;
      return `${where}: expected ${issue.expected}`;
    }
    case 'invalid_union': {
      const branches = (issue as { errors?: Issue[][] }).errors ?? [];
      const best = branches.filter((b) => b.length > 0).sort((a, b) => a.length - b.length)[0];
      if (best && best[0]) return describeIssue(best[0], path);
      return `${where || 'body'}: ${issue.message}`;
    }
    default:
      return `${where || 'body'}: ${issue.message.replace(/^Invalid input: /, '')}`;
  }
}

/** Parses `input` with `schema` or throws a 400 naming the first offending field. */
export function parseBody<S extends z.ZodType>(op: string, schema: S, input: unknown): z.output<S> {
  if (input === undefined) input = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest(`${op}: request body must be a JSON object`);
  }
  const r = schema.safeParse(input);
  if (!r.success) throw badRequest(`${op}: ${describeIssue(r.error.issues[0]!)}`);
  return r.data;
}

// ---- shared pieces -----------------------------------------------------------------------------

const metadataBase = z.record(
  z.string().min(1).max(64, 'metadata keys are at most 64 characters'),
  z.string().max(512, 'metadata values are at most 512 characters'),
);
export const metadataCreate = metadataBase.refine((m) => Object.keys(m).length <= 16, 'at most 16 metadata keys');
export const metadataPatch = z
  .record(z.string().min(1).max(64), z.string().max(512).nullable())
  .refine((m) => Object.keys(m).length <= 16, 'at most 16 metadata keys');

export const policy = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('always_allow') }),
  z.strictObject({ type: z.literal('always_ask') }),
  z.strictObject({ type: z.literal('auto') }),
]);
export type Policy = z.output<typeof policy>;

export const BUILTIN_TOOLS = ['bash', 'read', 'write', 'edit', 'glob', 'grep', 'web_fetch', 'web_search'] as const;
export type BuiltinTool = (typeof BUILTIN_TOOLS)[number];

const defaultConfig = z.strictObject({ enabled: z.boolean().nullish(), permission_policy: policy.nullish() }).nullish();

const agentToolConfig = z.strictObject({
  name: z.enum(BUILTIN_TOOLS),
  type: z.enum(BUILTIN_TOOLS).optional(),
  enabled: z.boolean().nullish(),
  permission_policy: policy.nullish(),
  // web_fetch / web_search extras, kept as given
  allowed_domains: z.array(z.string()).nullish(),
  blocked_domains: z.array(z.string()).nullish(),
  max_content_tokens: z.number().int().nullish(),
  url_sources: z.record(z.string(), z.unknown()).nullish(),
  user_location: z.record(z.string(), z.unknown()).nullish(),
});

export const agentToolset = z.strictObject({
  type: z.literal('agent_toolset_20260401'),
  default_config: defaultConfig,
  configs: z.array(agentToolConfig).optional(),
});
export const mcpToolset = z.strictObject({
  type: z.literal('mcp_toolset'),
  mcp_server_name: z.string().min(1).max(255),
  default_config: defaultConfig,
  configs: z.array(z.strictObject({ name: z.string().min(1).max(128), enabled: z.boolean().nullish(), permission_policy: policy.nullish() })).optional(),
});
export const customTool = z.strictObject({
  type: z.literal('custom'),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 characters of [A-Za-z0-9_-]'),
  description: z.string(),
  input_schema: z.looseObject({ type: z.literal('object') }),
});
export const toolParams = z.array(z.discriminatedUnion('type', [agentToolset, mcpToolset, customTool])).max(256);
export type ToolParams = z.output<typeof toolParams>;

export const mcpServers = z.array(z.strictObject({ type: z.literal('url'), name: z.string().min(1).max(255), url: z.string().min(1) })).max(20);

export const skills = z.array(z.strictObject({ type: z.enum(['anthropic', 'custom']), skill_id: z.string().min(1), version: z.string().nullish() }));

const effort = z.enum(['low', 'medium', 'high', 'xhigh', 'max']);
export const modelParam = z.union([
  z.string().min(1),
  z.strictObject({
    id: z.string().min(1),
    effort: z.union([effort, z.strictObject({ type: effort })]).nullish(),
    inference_geo: z.string().nullish(),
    speed: z.enum(['standard', 'fast']).nullish(),
  }),
]);

export const executionIdentity = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('service_account') }),
    z.strictObject({ type: z.literal('aws_role'), role_arn: z.string().min(1).max(2048) }),
  ])
  .nullish();

// The multiagent params mirror the SDK's types (contract/multiagent.ts; docs/multi-agent.md).
export { multiagentParams as multiagent } from './multiagent.js';
import { multiagentParams as multiagent } from './multiagent.js';

export const agentCreate = z.strictObject({
  name: z.string().min(1).max(256),
  model: modelParam,
  description: z.string().max(2048).nullish(),
  system: z.string().nullish(),
  tools: toolParams.optional(),
  mcp_servers: mcpServers.optional(),
  skills: skills.optional(),
  metadata: metadataCreate.optional(),
  execution_identity: executionIdentity,
  multiagent,
});

export const agentUpdate = z.strictObject({
  name: z.string().min(1).max(256).optional(),
  model: modelParam.optional(),
  description: z.string().max(2048).nullish(),
  system: z.string().nullish(),
  tools: toolParams.nullish(),
  mcp_servers: mcpServers.nullish(),
  skills: skills.nullish(),
  metadata: metadataPatch.nullish(),
  execution_identity: executionIdentity,
  multiagent,
  version: z.number().int().min(1).optional(),
});

const strList = z.array(z.string()).nullish();
const cloudConfig = z.strictObject({
  type: z.literal('cloud'),
  networking: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('unrestricted') }),
      z.strictObject({
        type: z.literal('limited'),
        allowed_hosts: strList,
        allow_mcp_servers: z.boolean().nullish(),
        allow_package_managers: z.boolean().nullish(),
      }),
    ])
    .nullish(),
  packages: z
    .strictObject({
      type: z.literal('packages').optional(),
      apt: strList,
      cargo: strList,
      gem: strList,
      go: strList,
      npm: strList,
      pip: strList,
    })
    .nullish(),
});
export const envConfig = z.discriminatedUnion('type', [cloudConfig, z.strictObject({ type: z.literal('self_hosted') })]);
export type EnvConfigParams = z.output<typeof envConfig>;

export const environmentCreate = z.strictObject({
  name: z.string().min(1).max(256),
  description: z.string().nullish(),
  config: envConfig.nullish(),
  metadata: metadataCreate.optional(),
  scope: z.enum(['organization', 'account']).nullish(),
});
export const environmentUpdate = z.strictObject({
  name: z.string().min(1).max(256).optional(),
  description: z.string().nullish(),
  config: envConfig.nullish(),
  metadata: metadataPatch.nullish(),
  scope: z.enum(['organization', 'account']).nullish(),
});

export const monetary = z.strictObject({
  amount: z.string().regex(/^\d+$/, 'must be an integer decimal string of cents'),
  currency: z.literal('USD'),
});
export const budget = z.strictObject({ type: z.literal('limit'), max_list_cost: monetary });

export const resourceParams = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('github_repository'),
    url: z.string().min(1),
    authorization_token: z.string().optional(),
    checkout: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('branch'), name: z.string() }),
        z.strictObject({ type: z.literal('commit'), sha: z.string() }),
      ])
      .nullish(),
    mount_path: z.string().nullish(),
  }),
  z.strictObject({ type: z.literal('file'), file_id: z.string().min(1), mount_path: z.string().nullish() }),
  z.strictObject({
    type: z.literal('memory_store'),
    memory_store_id: z.string().min(1),
    access: z.enum(['read_write', 'read_only']).nullish(),
    instructions: z.string().max(4096).nullish(),
  }),
]);
