/** Request schemas for vaults and credentials, memory stores and memories, and session resources. */
import { z } from 'zod';
import { metadataCreate, metadataPatch } from './validate.js';

// ---- vaults and credentials (secret fields are write-only: see routes/vaults.ts) ------------------

export const vaultCreate = z.strictObject({ display_name: z.string().min(1).max(255), metadata: metadataCreate.optional() });
export const vaultUpdate = z.strictObject({ display_name: z.string().min(1).max(255).optional(), metadata: metadataPatch.nullish() });

const tokenAuth = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('client_secret_basic'), client_secret: z.string().min(1) }),
  z.strictObject({ type: z.literal('client_secret_post'), client_secret: z.string().min(1) }),
]);
const networking = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('unrestricted') }),
  z.strictObject({ type: z.literal('limited'), allowed_hosts: z.array(z.string()).max(16) }),
]);
const authCreate = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('mcp_oauth'),
    access_token: z.string().min(1),
    mcp_server_url: z.string().min(1),
    expires_at: z.string().nullish(),
    refresh: z
      .strictObject({
        client_id: z.string().min(1),
        refresh_token: z.string().min(1),
        token_endpoint: z.string().min(1),
        token_endpoint_auth: tokenAuth,
        resource: z.string().nullish(),
        scope: z.string().nullish(),
      })
      .nullish(),
  }),
  z.strictObject({ type: z.literal('static_bearer'), token: z.string().min(1), mcp_server_url: z.string().min(1) }),
  z.strictObject({
    type: z.literal('environment_variable'),
    secret_name: z.string().min(1),
    secret_value: z.string().min(1),
    networking,
    injection_location: z.strictObject({ body: z.boolean().optional(), header: z.boolean().optional() }).optional(),
  }),
]);
export type AuthCreate = z.output<typeof authCreate>;
const authUpdate = z.looseObject({ type: z.enum(['mcp_oauth', 'static_bearer', 'environment_variable']) });
export const credentialCreate = z.strictObject({ auth: authCreate, display_name: z.string().max(255).nullish(), metadata: metadataCreate.optional() });
export const credentialUpdate = z.strictObject({ auth: authUpdate.optional(), display_name: z.string().max(255).nullish(), metadata: metadataPatch.nullish() });

// ---- memory stores and memories ------------------------------------------------------------------

const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);
export const storeCreate = z.strictObject({
  name: z.string().min(1).max(255).refine(noControl, 'must not contain control characters'),
  description: z.string().max(1024).optional(),
  metadata: metadataCreate.optional(),
});
export const storeUpdate = z.strictObject({
  name: z.string().min(1).max(255).refine(noControl, 'must not contain control characters').optional(),
  description: z.string().max(1024).nullish(),
  metadata: metadataPatch.nullish(),
});
const memPath = z
  .string()
  .min(2)
  .max(1024)
  .regex(/^\/[^/]/, "must start with '/' followed by a name")
  .refine((p) => !p.endsWith('/'), "must not end with '/'");
const content = z
  .string()
  .nullable()
  .refine((c) => c === null || Buffer.byteLength(c) <= 102_400, 'at most 102,400 bytes');
export const memoryCreate = z.strictObject({ path: memPath, content });
export const memoryUpdate = z.strictObject({
  path: memPath.optional(),
  content: content.optional(),
  precondition: z.strictObject({ type: z.literal('content_sha256'), content_sha256: z.string().optional() }).optional(),
});

// ---- session resources ---------------------------------------------------------------------------

export const resourceAdd = z.strictObject({ type: z.literal('file'), file_id: z.string().min(1), mount_path: z.string().nullish() });
export const resourceUpdate = z.strictObject({ authorization_token: z.string().min(1) });
