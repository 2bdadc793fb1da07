/** Environments (SDK resources/beta/environments/environments.d.ts). An archived environment cannot start sessions. */
import type { BetaEnvironment } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import { ApiError, badRequest, conflict, type Router } from '../wire/http.js';
import { listPage } from '../wire/pagination.js';
import type { Emulator } from './context.js';
import { patchMetadata, sortedById } from '../runtime/state.js';
import { environmentCreate, environmentUpdate, parseBody, type EnvConfigParams } from '../contract/validate.js';

export function getEnvironment(emu: Emulator, id: string): BetaEnvironment {
  const env = emu.state.environments.get(id);
  if (!env) {
    throw new ApiError(404, 'not_found_error', `no env '${id}' is visible to this key`, { error_code: 'environment_not_found' });
  }
  return env;
}

function normalizeConfig(p: EnvConfigParams | null | undefined, prev?: BetaEnvironment['config']): BetaEnvironment['config'] {
  if (p === null || p === undefined) {
    return prev ?? { type: 'cloud', networking: { type: 'unrestricted' }, packages: emptyPackages() };
  }
  if (p.type === 'self_hosted') return { type: 'self_hosted' };
  const prevCloud = prev?.type === 'cloud' ? prev : undefined;
  let networking: Extract<BetaEnvironment['config'], { type: 'cloud' }>['networking'] = prevCloud?.networking ?? { type: 'unrestricted' };
  if (p.networking) {
    networking =
      p.networking.type === 'unrestricted'
        ? { type: 'unrestricted' }
        : {
            type: 'limited',
            allowed_hosts: p.networking.allowed_hosts ?? [],
            allow_mcp_servers: p.networking.allow_mcp_servers ?? false,
            allow_package_managers: p.networking.allow_package_managers ?? false,
          };
  }
  const packages = { ...(prevCloud?.packages ?? emptyPackages()) };
  if (p.packages) {
    for (const k of ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'] as const) {
      const v = p.packages[k];
      if (v !== undefined) packages[k] = v ?? [];
    }
  }
  const hasPackages = ['apt', 'cargo', 'gem', 'go', 'npm', 'pip'].some((k) => packages[k as 'apt'].length > 0);
  if (networking.type === 'limited' && hasPackages && !networking.allow_package_managers) {
    throw badRequest('config.packages: limited networking needs allow_package_managers: true to install packages');
  }
  return { type: 'cloud', networking, packages };
}

function emptyPackages() {
  return { type: 'packages' as const, apt: [], cargo: [], gem: [], go: [], npm: [], pip: [] };
}

export function registerEnvironmentRoutes(router: Router, emu: Emulator): void {
  router.add('POST', '/v1/environments', 'managed', ({ body }) => {
    const p = parseBody('environments.create', environmentCreate, body);
    if (p.scope === 'account') throw badRequest("environments.create: scope: 'account' is not supported for API organizations");
    const st = emu.state;
    const now = st.clock.iso();
    const env: BetaEnvironment = {
      id: st.ids.next('env'),
      type: 'environment',
      name: p.name,
      description: p.description ?? null,
      config: normalizeConfig(p.config),
      metadata: p.metadata ?? {},
      scope: 'organization',
      created_at: now,
      updated_at: now,
      archived_at: null,
    };
    st.environments.set(env.id, env);
    return env;
  });

  router.add('GET', '/v1/environments/:id', 'managed', ({ params }) => getEnvironment(emu, params.id!));

  router.add('POST', '/v1/environments/:id', 'managed', ({ params, body }) => {
    const env = getEnvironment(emu, params.id!);
    const p = parseBody('environments.update', environmentUpdate, body);
    if (p.scope === 'account') throw badRequest("environments.update: scope: 'account' is not supported for API organizations");
    if (p.config && p.config.type !== env.config.type) {
      throw new ApiError(400, 'invalid_request_error', `config.type cannot change from '${env.config.type}' to '${p.config.type}'`, {
        error_code: 'invalid_config_type_change',
      });
    }
    if (env.archived_at) throw conflict(`env ${env.id} was retired and takes no changes`);
    if (p.name !== undefined) env.name = p.name;
    if (p.description !== undefined) env.description = p.description;
    if (p.config) env.config = normalizeConfig(p.config, env.config);
    env.metadata = patchMetadata(env.metadata, p.metadata, true);
    env.updated_at = emu.state.clock.iso();
    return env;
  });

  router.add('GET', '/v1/environments', 'managed', ({ query }) => {
    return listPage(query, sortedById(emu.state.environments.values()), (e) => e);
  });

  router.add('POST', '/v1/environments/:id/archive', 'managed', ({ params }) => {
    const env = getEnvironment(emu, params.id!);
    if (!env.archived_at) {
      env.archived_at = emu.state.clock.iso();
      env.updated_at = env.archived_at;
    }
    return env;
  });

  router.add('DELETE', '/v1/environments/:id', 'managed', ({ params }) => {
    const env = getEnvironment(emu, params.id!);
    emu.state.environments.delete(env.id);
    return { id: env.id, type: 'environment_deleted' };
  });
}
