/**
 * Vaults and credentials (SDK resources/beta/vaults/). Secret fields (access/refresh tokens, client
 * secrets, bearer tokens, secret values) are write-only: stored apart and never returned.
 */
import type { BetaManagedAgentsVault } from '@anthropic-ai/sdk/resources/beta/vaults/vaults';
import type { BetaManagedAgentsCredential } from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
import { badRequest, notFound, type Router } from '../wire/http.js';
import { listPage } from '../wire/pagination.js';
import type { Emulator } from './context.js';
import { patchMetadata, sortedById } from '../runtime/state.js';
import { parseBody } from '../contract/validate.js';
import { credentialCreate, credentialUpdate, vaultCreate, vaultUpdate, type AuthCreate } from '../contract/validate-stores.js';

type Auth = BetaManagedAgentsCredential['auth'];

/** Splits create params into the public auth shape and the write-only secrets. */
function splitAuth(a: AuthCreate): { auth: Auth; secrets: Record<string, unknown> } {
  if (a.type === 'mcp_oauth') {
    const refresh = a.refresh
      ? {
          client_id: a.refresh.client_id,
          token_endpoint: a.refresh.token_endpoint,
          token_endpoint_auth: { type: a.refresh.token_endpoint_auth.type },
          resource: a.refresh.resource ?? null,
          scope: a.refresh.scope ?? null,
        }
      : null;
    return {
      auth: { type: 'mcp_oauth', mcp_server_url: a.mcp_server_url, expires_at: a.expires_at ?? null, refresh } as Auth,
      secrets: {
        access_token: a.access_token,
        refresh_token: a.refresh?.refresh_token,
        client_secret: (a.refresh?.token_endpoint_auth as { client_secret?: string } | undefined)?.client_secret,
      },
    };
  }
  if (a.type === 'static_bearer') return { auth: { type: 'static_bearer', mcp_server_url: a.mcp_server_url }, secrets: { token: a.token } };
  return {
    auth: {
      type: 'environment_variable',
      secret_name: a.secret_name,
      networking: a.networking,
      injection_location: { body: a.injection_location?.body ?? false, header: a.injection_location?.header ?? true },
    },
    secrets: { secret_value: a.secret_value },
  };
}

const SECRET_KEYS = new Set(['access_token', 'refresh_token', 'client_secret', 'token', 'secret_value']);

export function registerVaultRoutes(router: Router, emu: Emulator): void {
  const getVault = (id: string) => {
    const v = emu.state.vaults.get(id);
    if (!v) throw notFound('vault', id);
    return v;
  };
  const getCred = (vid: string, cid: string) => {
    getVault(vid);
    const c = emu.state.credentials.get(cid);
    if (!c || c.credential.vault_id !== vid) throw notFound('credential', cid);
    return c;
  };

  router.add('POST', '/v1/vaults', 'managed', ({ body }) => {
    const p = parseBody('vaults.create', vaultCreate, body);
    const now = emu.state.clock.iso();
    const v: BetaManagedAgentsVault = {
      id: emu.state.ids.next('vlt'),
      type: 'vault',
      display_name: p.display_name,
      metadata: p.metadata ?? {},
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    emu.state.vaults.set(v.id, v);
    return v;
  });
  router.add('GET', '/v1/vaults/:id', 'managed', ({ params }) => getVault(params.id!));
  router.add('POST', '/v1/vaults/:id', 'managed', ({ params, body }) => {
    const v = getVault(params.id!);
    const p = parseBody('vaults.update', vaultUpdate, body);
    if (p.display_name !== undefined) v.display_name = p.display_name;
    v.metadata = patchMetadata(v.metadata, p.metadata);
    v.updated_at = emu.state.clock.iso();
    return v;
  });
  router.add('GET', '/v1/vaults', 'managed', ({ query }) => {
    return listPage(query, sortedById(emu.state.vaults.values()), (v) => v);
  });
  router.add('POST', '/v1/vaults/:id/archive', 'managed', ({ params }) => {
    const v = getVault(params.id!);
    v.archived_at ??= emu.state.clock.iso();
    return v;
  });
  router.add('DELETE', '/v1/vaults/:id', 'managed', ({ params }) => {
    const v = getVault(params.id!);
    emu.state.vaults.delete(v.id);
    for (const [cid, c] of emu.state.credentials) if (c.credential.vault_id === v.id) emu.state.credentials.delete(cid);
    return { id: v.id, type: 'vault_deleted' };
  });

  router.add('POST', '/v1/vaults/:vid/credentials', 'managed', ({ params, body }) => {
    const vault = getVault(params.vid!);
    const p = parseBody('credentials.create', credentialCreate, body);
    const now = emu.state.clock.iso();
    const { auth, secrets } = splitAuth(p.auth);
    const credential: BetaManagedAgentsCredential = {
      id: emu.state.ids.next('vcrd'),
      type: 'vault_credential',
      vault_id: vault.id,
      display_name: p.display_name ?? null,
      metadata: p.metadata ?? {},
      auth,
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    emu.state.credentials.set(credential.id, { credential, secrets });
    return credential;
  });
  router.add('GET', '/v1/vaults/:vid/credentials/:cid', 'managed', ({ params }) => getCred(params.vid!, params.cid!).credential);
  router.add('POST', '/v1/vaults/:vid/credentials/:cid', 'managed', ({ params, body }) => {
    const rec = getCred(params.vid!, params.cid!);
    const p = parseBody('credentials.update', credentialUpdate, body);
    const c = rec.credential;
    if (p.auth) {
      if (p.auth.type !== c.auth.type) throw badRequest(`credentials.update: auth.type must stay '${c.auth.type}'`);
      const a = p.auth as Record<string, unknown>;
      if (a.mcp_server_url !== undefined && 'mcp_server_url' in c.auth && a.mcp_server_url !== c.auth.mcp_server_url) {
        throw badRequest('credentials.update: auth.mcp_server_url is immutable');
      }
      if (a.secret_name !== undefined && 'secret_name' in c.auth && a.secret_name !== c.auth.secret_name) {
        throw badRequest('credentials.update: auth.secret_name is immutable');
      }
      for (const [k, v] of Object.entries(a)) {
        if (SECRET_KEYS.has(k)) rec.secrets[k] = v;
        else if (k !== 'type' && k !== 'refresh') (c.auth as unknown as Record<string, unknown>)[k] = v;
      }
    }
    if (p.display_name !== undefined) c.display_name = p.display_name;
    c.metadata = patchMetadata(c.metadata, p.metadata);
    c.updated_at = emu.state.clock.iso();
    return c;
  });
  router.add('GET', '/v1/vaults/:vid/credentials', 'managed', ({ params, query }) => {
    getVault(params.vid!);
    const items = sortedById([...emu.state.credentials.values()].map((r) => r.credential));
    return listPage(query, items, (c) => c, { where: (c) => c.vault_id === params.vid });
  });
  router.add('POST', '/v1/vaults/:vid/credentials/:cid/archive', 'managed', ({ params }) => {
    const c = getCred(params.vid!, params.cid!).credential;
    c.archived_at ??= emu.state.clock.iso();
    return c;
  });
  router.add('DELETE', '/v1/vaults/:vid/credentials/:cid', 'managed', ({ params }) => {
    const c = getCred(params.vid!, params.cid!).credential;
    emu.state.credentials.delete(c.id);
    return { id: c.id, type: 'vault_credential_deleted' };
  });
  router.add('POST', '/v1/vaults/:vid/credentials/:cid/mcp_oauth_validate', 'managed', ({ params }) => {
    const rec = getCred(params.vid!, params.cid!);
    const c = rec.credential;
    if (c.auth.type !== 'mcp_oauth') throw badRequest(`credential ${c.id} is not an mcp_oauth credential`);
    return {
      type: 'vault_credential_validation',
      credential_id: c.id,
      vault_id: c.vault_id,
      status: 'unknown',
      has_refresh_token: Boolean(rec.secrets.refresh_token),
      mcp_probe: null,
      refresh: null,
      validated_at: emu.state.clock.iso(),
    };
  });
}
