import { z } from 'zod';
import { quoted } from '../format/fence.js';
import type { Credential, CredentialCreateParams, Vault } from '../api/client.js';
import { parseStrict } from './support/agent-config.js';
import { compact, defineTool, idSchema, limitSchema, metadataSchema, pageSchema, listResult, freeObject } from './support/define.js';
import { networkingSummary } from './environments.js';

const vaultId = idSchema('vault_id', 'vlt_01…').describe('Vault id (vlt_…), from list_vaults.');

/**
 * Strict auth shapes (the SDK's CredentialCreateParams), applied in the handler: the advertised schema stays
 * one line. The secret fields are write-only — the API never returns them, and neither do we.
 */
const rfc3339 = z
  .string()
  .refine((v) => /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(v) && !Number.isNaN(Date.parse(v)), 'expected an RFC 3339 time');
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);
/** A token or secret value: long JWTs fit; ours (the API states no limit). */
const secretString = z.string().min(1).max(16_384);

const authStrict = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('static_bearer'), token: secretString, mcp_server_url: httpUrl }),
  z.strictObject({
    type: z.literal('environment_variable'),
    secret_name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,255}$/, 'an environment variable name (letters, digits, _)'),
    secret_value: secretString,
    networking: z
      .discriminatedUnion('type', [
        z.strictObject({ type: z.literal('unrestricted') }),
        z.strictObject({ type: z.literal('limited'), allowed_hosts: z.array(z.string().min(1)).max(16) }),
      ])
      .optional(),
    injection_location: z.strictObject({ body: z.boolean().optional(), header: z.boolean().optional() }).optional(),
  }),
  z.strictObject({
    type: z.literal('mcp_oauth'),
    access_token: secretString,
    mcp_server_url: httpUrl,
    expires_at: rfc3339.optional(),
    refresh: z
      .strictObject({
        client_id: z.string().min(1).max(1024),
        refresh_token: secretString,
        token_endpoint: httpUrl,
        token_endpoint_auth: z.discriminatedUnion('type', [
          z.strictObject({ type: z.literal('none') }),
          z.strictObject({ type: z.literal('client_secret_basic'), client_secret: secretString }),
          z.strictObject({ type: z.literal('client_secret_post'), client_secret: secretString }),
        ]),
        resource: z.string().optional(),
        scope: z.string().optional(),
      })
      .optional(),
  }),
]);

const credentialShape = {
  credential_id: z.string(),
  type: z.string(),
  display_name: z.string().optional(),
  mcp_server_url: z.string().optional(),
  secret_name: z.string().optional(),
  networking: z.string().optional(),
  expires_at: z.string().optional(),
  refresh: z.boolean().optional(),
  archived: z.boolean().optional(),
};

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Only the public fields of a credential, picked one by one: nothing secret can slip through. */
function credentialSummary(c: Credential) {
  const a = c.auth as any;
  return compact({
    credential_id: c.id,
    type: String(a?.type ?? 'unknown'),
    display_name: c.display_name ?? undefined,
    mcp_server_url: typeof a?.mcp_server_url === 'string' ? a.mcp_server_url : undefined,
    secret_name: typeof a?.secret_name === 'string' ? a.secret_name : undefined,
    networking: a?.type === 'environment_variable' ? networkingSummary(a.networking) : undefined,
    expires_at: typeof a?.expires_at === 'string' ? a.expires_at : undefined,
    refresh: a?.type === 'mcp_oauth' ? Boolean(a.refresh) : undefined,
    archived: c.archived_at ? true : undefined,
  });
}

function credentialLine(c: ReturnType<typeof credentialSummary>): string {
  const target = c.mcp_server_url ?? (c.secret_name ? `$${c.secret_name}` : '');
  return `${c.credential_id}  ${c.type}${c.display_name ? ` ${quoted(c.display_name, 120)}` : ''}${target ? `  ${target}` : ''}${c.archived ? ' [archived]' : ''}`;
}

function vaultSummary(v: Vault) {
  return compact({ vault_id: v.id, display_name: v.display_name, archived: v.archived_at ? true : undefined });
}

export const vaultTools = [
  defineTool({
    name: 'list_vaults',
    title: 'List vaults',
    description: 'List credential vaults (pass vault_ids to start_session): id, name.',
    toolset: 'vaults',
    kind: 'read',
    input: {
      limit: limitSchema(100, 20),
      page: pageSchema,
      include_archived: z.boolean().optional().describe('Include archived vaults (default false).'),
    },
    output: {
      vaults: z.array(z.object({ vault_id: z.string(), display_name: z.string(), archived: z.boolean().optional() })),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.vaults.list(compact({ limit: a.limit, page: a.page, include_archived: a.include_archived }), o));
      const vaults = page.data.map(vaultSummary);
      return listResult(
        'vaults',
        vaults,
        page.next_page,
        `${vaults.length} vault(s)`,
        (v) => `${v.vault_id}  ${v.display_name}${v.archived ? ' [archived]' : ''}`,
      );
    },
  }),

  defineTool({
    name: 'create_vault',
    bounded: true,
    title: 'Create a vault',
    description: 'Create a vault to hold credentials (MCP server tokens, secrets) that sessions use via vault_ids.',
    toolset: 'vaults',
    kind: 'create',
    input: {
      display_name: z.string().min(1).max(255).describe('Vault name.'),
      metadata: metadataSchema,
    },
    output: { vault_id: z.string(), display_name: z.string(), hint: z.string() },
    handler: async (a, ctx) => {
      const v = await ctx.api.call((c, o) => c.beta.vaults.create(compact({ display_name: a.display_name, metadata: a.metadata }), o));
      const hint = 'Add credentials with create_credential; pass vault_ids to start_session.';
      return { structured: { vault_id: v.id, display_name: v.display_name, hint }, text: `Created vault ${v.id} ${quoted(v.display_name, 120)}.\n${hint}` };
    },
  }),

  defineTool({
    name: 'list_credentials',
    title: 'List credentials',
    description: "List a vault's credentials: type, name, MCP server URL or env var name. Secrets are never returned.",
    toolset: 'vaults',
    kind: 'read',
    input: {
      vault_id: vaultId,
      limit: limitSchema(100, 20),
      page: pageSchema,
      include_archived: z.boolean().optional().describe('Include archived credentials (default false).'),
    },
    output: { credentials: z.array(z.object(credentialShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) =>
        c.beta.vaults.credentials.list(a.vault_id, compact({ limit: a.limit, page: a.page, include_archived: a.include_archived }), o),
      );
      const credentials = page.data.map(credentialSummary);
      return listResult('credentials', credentials, page.next_page, `${credentials.length} credential(s) in ${a.vault_id}`, credentialLine);
    },
  }),

  defineTool({
    name: 'create_credential',
    bounded: true,
    title: 'Add a credential to a vault',
    description:
      'Add a credential to a vault. Warning: the secret passes through this conversation; where possible have the user create it ' +
      'outside the model (Console or API) and only pass vault_ids. The result never echoes the secret.',
    toolset: 'vaults',
    kind: 'create',
    input: {
      vault_id: vaultId,
      display_name: z.string().max(255).optional().describe('Credential name.'),
      auth: freeObject().describe(
        '{type:"static_bearer", token, mcp_server_url} | {type:"environment_variable", secret_name, secret_value, ' +
          'networking? (default unrestricted), injection_location?:{body?,header?}} | {type:"mcp_oauth", access_token, mcp_server_url, ' +
          'expires_at?, refresh?:{client_id, refresh_token, token_endpoint, token_endpoint_auth:{type:"none"|"client_secret_basic"|"client_secret_post", client_secret?}, scope?, resource?}}.',
      ),
      metadata: metadataSchema,
    },
    output: { vault_id: z.string(), ...credentialShape, hint: z.string() },
    secrets: ({ auth }) => {
      const a = auth as any;
      const refresh = a?.refresh as any;
      return [a?.token, a?.secret_value, a?.access_token, refresh?.refresh_token, refresh?.token_endpoint_auth?.client_secret].map(str);
    },
    handler: async (a, ctx) => {
      const parsed = parseStrict('create_credential', 'auth', authStrict, a.auth);
      const auth = parsed.type === 'environment_variable' ? { ...parsed, networking: parsed.networking ?? { type: 'unrestricted' as const } } : parsed;
      const params: CredentialCreateParams = compact({
        auth: auth as CredentialCreateParams['auth'],
        display_name: a.display_name,
        metadata: a.metadata,
      });
      const cred = await ctx.api.call((c, o) => c.beta.vaults.credentials.create(a.vault_id, params, o));
      const summary = credentialSummary(cred);
      const hint = `Sessions started with vault_ids ["${cred.vault_id}"] can use it.`;
      return {
        structured: { vault_id: cred.vault_id, ...summary, hint },
        text: `Created credential ${credentialLine(summary)} in ${cred.vault_id}. The secret is stored write-only.\n${hint}`,
      };
    },
  }),

  defineTool({
    name: 'archive_vault',
    bounded: true,
    title: 'Archive a vault',
    description: 'Archive a vault (irreversible); list_vaults hides it unless include_archived.',
    toolset: 'vaults',
    kind: 'delete',
    input: { vault_id: vaultId },
    output: { vault_id: z.string(), archived_at: z.string().optional() },
    handler: async (a, ctx) => {
      const v = await ctx.api.call((c, o) => c.beta.vaults.archive(a.vault_id, {}, o));
      return { structured: compact({ vault_id: v.id, archived_at: v.archived_at ?? undefined }), text: `Archived vault ${v.id}.` };
    },
  }),
];
