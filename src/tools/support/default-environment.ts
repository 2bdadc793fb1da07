import type { Api } from '../../api/client.js';
import { PageBudget, walkPages } from '../../api/paging.js';
import type { Config } from '../../config.js';

export const DEFAULT_ENVIRONMENT_NAME = 'managed-agents-mcp-default';

export interface ResolvedEnvironment {
  id: string;
  /** How it was chosen, said in start_session's result. */
  source: 'argument' | 'configured' | 'reused' | 'created';
}

export interface DefaultEnvironment {
  resolve(signal?: AbortSignal): Promise<ResolvedEnvironment>;
  /** Forgets the remembered environment (it was archived or deleted meanwhile). */
  invalidate(): void;
}

/**
 * The environment used when start_session gets no environment_id: the configured one, else the
 * first non-archived environment named `managed-agents-mcp-default`, else a new one of that name
 * (cloud, unrestricted networking). One lookup is shared by concurrent callers, so fifty parallel
 * start_session calls create at most one environment.
 */
export function createDefaultEnvironment(api: Api, config: Config): DefaultEnvironment {
  let pending: Promise<ResolvedEnvironment> | undefined;
  async function lookup(signal?: AbortSignal): Promise<ResolvedEnvironment> {
    if (config.defaultEnvironmentId) return { id: config.defaultEnvironmentId, source: 'configured' };
    const pages = walkPages((page) => api.read((c, o) => c.beta.environments.list({ limit: 100, ...(page ? { page } : {}) }, o), signal), {
      what: 'the environments (looking for the default one)',
      budget: new PageBudget(),
      hint: 'Pass environment_id to start_session (list_environments shows them), or set --default-environment.',
    });
    for await (const { data } of pages) {
      const found = data.find((e) => e.name === DEFAULT_ENVIRONMENT_NAME && !e.archived_at);
      if (found) return { id: found.id, source: 'reused' };
    }
    const created = await api.write(
      (c, o) =>
        c.beta.environments.create(
          {
            name: DEFAULT_ENVIRONMENT_NAME,
            description: 'Created by managed-agents-mcp for sessions started without an environment_id.',
            config: { type: 'cloud', networking: { type: 'unrestricted' } },
          },
          o,
        ),
      signal,
    );
    return { id: created.id, source: 'created' };
  }
  return {
    invalidate() {
      pending = undefined;
    },
    resolve(signal) {
      if (!pending) {
        pending = lookup(signal).then(
          (r) => {
            // Later callers reuse it rather than re-creating.
            if (r.source === 'created') pending = Promise.resolve({ id: r.id, source: 'reused' });
            return r;
          },
          (err) => {
            pending = undefined;
            throw err;
          },
        );
      }
      return pending;
    },
  };
}
