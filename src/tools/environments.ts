import { z } from 'zod';
import { quoted } from '../format/fence.js';
import type { Environment, EnvironmentCreateParams } from '../api/client.js';
import { parseStrict } from './support/agent-config.js';
import { ToolError } from '../api/errors.js';
import { compact, defineTool, idSchema, limitSchema, metadataSchema, pageSchema, listResult, freeObject } from './support/define.js';

const environmentId = idSchema('environment_id', 'env_01…').describe('Environment id (env_…), from list_environments.');

const PACKAGE_MANAGERS = ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const;

/** "unrestricted", or "limited (hosts a, b; MCP servers allowed; package managers allowed)". */
export function networkingSummary(networking: unknown): string | undefined {
  const n = networking as any;
  if (!n?.type) return undefined;
  if (n.type !== 'limited') return String(n.type);
  const hosts: string[] = Array.isArray(n.allowed_hosts) ? n.allowed_hosts : [];
  const shown = hosts.slice(0, 10).join(', ') + (hosts.length > 10 ? `, +${hosts.length - 10} more` : '');
  const parts = [hosts.length ? `hosts ${shown}` : 'no extra hosts'];
  if (n.allow_mcp_servers) parts.push('MCP servers allowed');
  if (n.allow_package_managers) parts.push('package managers allowed');
  return `limited (${parts.join('; ')})`;
}

/** "pip: pandas, numpy; npm: zx" (clipped), or undefined when no packages are configured. */
function packagesSummary(packages: unknown): string | undefined {
  const p = packages as Record<string, unknown> | null | undefined;
  if (!p) return undefined;
  const parts = PACKAGE_MANAGERS.flatMap((pm) => {
    const list = p[pm];
    if (!Array.isArray(list) || list.length === 0) return [];
    return [`${pm}: ${list.slice(0, 10).join(', ')}${list.length > 10 ? `, +${list.length - 10} more` : ''}`];
  });
  return parts.length ? parts.join('; ') : undefined;
}

function envSummary(e: Environment) {
  const cfg = e.config as any;
  return compact({
    environment_id: e.id,
    name: e.name,
    type: String(cfg?.type ?? 'unknown'),
    networking: cfg?.type === 'cloud' ? networkingSummary(cfg.networking) : undefined,
    archived: e.archived_at ? true : undefined,
  });
}

/** Strict shapes applied in the handler (the advertised schema stays small; see agent-config.ts). */
const networkingStrict = z
  .strictObject({
    type: z.enum(['unrestricted', 'limited']),
    allowed_hosts: z.array(z.string().min(1).max(253)).max(256).optional(),
    allow_mcp_servers: z.boolean().optional(),
    allow_package_managers: z.boolean().optional(),
  })
  .refine((n) => n.type === 'limited' || Object.keys(n).length === 1, 'only type is allowed with unrestricted networking');
const packagesStrict = z.partialRecord(z.enum(['apt', 'cargo', 'gem', 'go', 'npm', 'pip']), z.array(z.string().min(1)));
/** Packages per manager, and characters per package spec: ours (the API states none). */
const PACKAGES_MAX = 256;

export const environmentTools = [
  defineTool({
    name: 'create_environment',
    bounded: true,
    title: 'Create a cloud environment',
    description: "Create an environment (a session's container: networking, packages); start_session has a default.",
    toolset: 'core',
    kind: 'create',
    input: {
      name: z.string().min(1).max(256).describe('Name.'),
      description: z.string().max(2048).optional().describe('What it is for.'),
      networking: freeObject()
        .optional()
        .describe('{type:"unrestricted"} (default) | {type:"limited", allowed_hosts?, allow_mcp_servers?, allow_package_managers?}.'),
      packages: z
        .record(z.string().max(16), z.array(z.string().max(256)).max(PACKAGES_MAX))
        .optional()
        .describe('By manager (apt, cargo, gem, go, npm, pip), e.g. {"pip":["pandas==2.2.0"]}.'),
      metadata: metadataSchema,
    },
    output: {
      environment_id: z.string(),
      name: z.string(),
      networking: z.string().optional(),
      packages: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const networking = a.networking ? parseStrict('create_environment', 'networking', networkingStrict, a.networking) : { type: 'unrestricted' as const };
      const packages = compact(a.packages ? parseStrict('create_environment', 'packages', packagesStrict, a.packages) : {});
      const hasPackages = Object.keys(packages).length > 0;
      if (networking.type === 'limited' && hasPackages && !networking.allow_package_managers) {
        throw new ToolError(
          'packages need allow_package_managers: true under limited networking.',
          'Set networking.allow_package_managers to true, or drop packages.',
        );
      }
      const params: EnvironmentCreateParams = compact({
        name: a.name,
        description: a.description,
        metadata: a.metadata,
        config: { type: 'cloud' as const, networking, packages: hasPackages ? packages : undefined },
      });
      const env = await ctx.api.call((c, o) => c.beta.environments.create(params, o));
      const cfg = env.config as any;
      const structured = compact({
        environment_id: env.id,
        name: env.name,
        networking: networkingSummary(cfg?.networking),
        packages: packagesSummary(cfg?.packages),
      });
      return {
        structured,
        text:
          `Created environment ${env.id} ${quoted(env.name, 120)} (networking: ${structured.networking ?? 'n/a'})` +
          (structured.packages ? `\npackages: ${structured.packages}` : ''),
      };
    },
  }),

  defineTool({
    name: 'list_environments',
    title: 'List environments',
    description: 'List environments (the containers sessions run in).',
    toolset: 'core',
    kind: 'read',
    input: {
      limit: limitSchema(100, 20),
      page: pageSchema,
      include_archived: z.boolean().optional().describe('Also archived ones.'),
    },
    output: {
      environments: z.array(
        z.object({
          environment_id: z.string(),
          name: z.string(),
          type: z.string(),
          networking: z.string().optional(),
          archived: z.boolean().optional(),
        }),
      ),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.environments.list(compact({ limit: a.limit, page: a.page, include_archived: a.include_archived }), o));
      const environments = page.data.map(envSummary);
      return listResult(
        'environments',
        environments,
        page.next_page,
        `${environments.length} environment(s)`,
        (e) => `${e.environment_id}  ${e.name}  ${e.type}${e.networking ? `, ${e.networking}` : ''}${e.archived ? ' [archived]' : ''}`,
      );
    },
  }),

  defineTool({
    name: 'archive_environment',
    bounded: true,
    title: 'Archive an environment',
    description: 'Archive an environment (irreversible): new sessions can no longer use it.',
    toolset: 'environments',
    kind: 'delete',
    input: { environment_id: environmentId },
    output: { environment_id: z.string(), archived_at: z.string().optional() },
    handler: async (a, ctx) => {
      const env = await ctx.api.call((c, o) => c.beta.environments.archive(a.environment_id, {}, o));
      return {
        structured: compact({ environment_id: env.id, archived_at: env.archived_at ?? undefined }),
        text: `Archived environment ${env.id}.`,
      };
    },
  }),

  defineTool({
    name: 'delete_environment',
    bounded: true,
    title: 'Delete an environment',
    description: 'Delete an environment permanently. archive_environment is the gentler option.',
    toolset: 'environments',
    kind: 'delete',
    input: { environment_id: environmentId },
    output: { environment_id: z.string(), deleted: z.boolean() },
    handler: async (a, ctx) => {
      const res = await ctx.api.call((c, o) => c.beta.environments.delete(a.environment_id, {}, o));
      const id = res?.id ?? a.environment_id;
      return { structured: { environment_id: id, deleted: true }, text: `Deleted environment ${id}.` };
    },
  }),
];
