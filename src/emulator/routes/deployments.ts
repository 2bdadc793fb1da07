/**
 * Deployments and their runs (SDK resources/beta/deployments.d.ts, deployment-runs.d.ts;
 * docs/emulator.md, "Deployments"). A run creates a real session from the deployment's agent,
 * environment, resources and initial events, or records why it could not (`error`). Schedules are
 * parsed and their next fire times computed; they fire only when the admin tick says the time has
 * come (`fireSchedules`), so tests stay deterministic.
 */
import type {
  BetaManagedAgentsDeployment,
  BetaManagedAgentsDeploymentPausedReasonErrorObject,
  BetaManagedAgentsSessionResourceConfig,
} from '@anthropic-ai/sdk/resources/beta/deployments';
import type { BetaManagedAgentsDeploymentRun, BetaManagedAgentsTriggerContext } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type { z } from 'zod';
import { priceFor } from '../../shared/pricing.js';
import { ApiError, badRequest, conflict, notFound, type Router } from '../wire/http.js';
import { listPage } from '../wire/pagination.js';
import type { Emulator } from './context.js';
import { getAgent, latest } from './agents.js';
import { getEnvironment } from './environments.js';
import { createSession } from './sessions.js';
import { patchMetadata, sortedById, type DeploymentRecord } from '../runtime/state.js';
import { CronError, nextRuns, parseCron, type Cron } from '../runtime/cron.js';
import { parseBody, type resourceParams } from '../contract/validate.js';
import { deploymentCreate, deploymentUpdate, type schedule as scheduleSchema } from '../contract/validate-deployments.js';
import type { EventParam } from '../contract/validate-events.js';

type ResourceParam = z.output<typeof resourceParams>;
type RunError = NonNullable<BetaManagedAgentsDeploymentRun['error']>;
/** Validated params are the stored events (the echo has no ids); zod's looser image source type needs the cast. */
type InitialEvents = BetaManagedAgentsDeployment['initial_events'];
type PauseError = BetaManagedAgentsDeploymentPausedReasonErrorObject['type'];

/**
 * The run errors that auto-pause a deployment: those the SDK's paused-reason union names (not
 * `session_rate_limited_error`, "the schedule keeps firing", nor `session_creation_rejected_error`).
 */
const PAUSES: ReadonlySet<string> = new Set<PauseError>([
  'environment_archived_error',
  'agent_archived_error',
  'environment_not_found_error',
  'vault_not_found_error',
  'file_not_found_error',
  'session_resource_not_found_error',
  'workspace_archived_error',
  'organization_disabled_error',
  'memory_store_archived_error',
  'skill_not_found_error',
  'vault_archived_error',
  'unknown_error',
  'self_hosted_resources_unsupported_error',
  'mcp_egress_blocked_error',
]);

/** Occurrences one tick fires per deployment at most (a tick far ahead must not create thousands of sessions). */
const MAX_FIRES_PER_TICK = 100;

/** Write-only resource fields (a GitHub token) stay with the record, never in the response. */
const resourceParamsOf = new WeakMap<DeploymentRecord, ResourceParam[]>();

export function getDeployment(emu: Emulator, id: string): DeploymentRecord {
  const rec = emu.state.deployments.get(id);
  if (!rec) throw notFound('deployment', id);
  return rec;
}

function agentRef(emu: Emulator, ref: string | { id: string; version?: number }) {
  const id = typeof ref === 'string' ? ref : ref.id;
  const rec = getAgent(emu, id);
  const version = typeof ref === 'string' ? undefined : ref.version;
  const agent = version === undefined ? latest(rec) : rec.versions[version - 1];
  if (!agent) throw badRequest(`agent.version: agent ${id} has no version ${version}`);
  if (agent.archived_at) throw badRequest(`agent: ${id} is archived and cannot be deployed`);
  return { type: 'agent' as const, id, version: agent.version };
}

function checkEnvironment(emu: Emulator, id: string): void {
  if (getEnvironment(emu, id).archived_at) {
    throw new ApiError(400, 'invalid_request_error', `environment ${id} is archived`, { error_code: 'environment_archived' });
  }
}

function cronOf(s: z.output<typeof scheduleSchema>): Cron {
  try {
    return parseCron(s.expression, s.timezone);
  } catch (err) {
    if (err instanceof CronError) throw badRequest(`schedule: ${err.message}`);
    throw err;
  }
}

function checkResources(emu: Emulator, resources: ResourceParam[]): BetaManagedAgentsSessionResourceConfig[] {
  return resources.map((r, i) => {
    if (r.type === 'file') {
      if (!emu.state.files.has(r.file_id)) throw badRequest(`resources[${i}]: file '${r.file_id}' not found`);
      return r;
    }
    if (r.type === 'memory_store') {
      if (!emu.state.memoryStores.has(r.memory_store_id)) throw badRequest(`resources[${i}]: memory store '${r.memory_store_id}' not found`);
      return r;
    }
    const { authorization_token: _secret, ...echo } = r;
    return echo;
  });
}

function checkBudget(emu: Emulator, d: Pick<BetaManagedAgentsDeployment, 'agent' | 'budget'>): void {
  if (!d.budget) return;
  const model = getAgent(emu, d.agent.id).versions[d.agent.version - 1]!.model.id;
  if (!priceFor(emu.state.settings.priceTable, model)) {
    throw new ApiError(400, 'invalid_request_error', `budget: model '${model}' has no list price`, { error_code: 'model_not_budgetable' });
  }
}

function checkVaults(emu: Emulator, ids: string[]): void {
  for (const v of ids) if (!emu.state.vaults.has(v)) throw badRequest(`vault_ids: vault '${v}' not found`);
}

/** The deployment as returned: upcoming fire times are computed at read time, none once archived. */
export function deploymentView(rec: DeploymentRecord): BetaManagedAgentsDeployment {
  const d = rec.deployment;
  if (!d.schedule || !rec.cron) return { ...d };
  const after = Math.max(Date.now(), rec.firedThrough);
  const upcoming = d.archived_at ? [] : nextRuns(rec.cron, after, 5).map((t) => new Date(t).toISOString());
  return { ...d, schedule: { ...d.schedule, upcoming_runs_at: upcoming } };
}

/** Why a session could not be created from this deployment now, as a run's `error`; undefined if it can. */
function runBlocker(emu: Emulator, rec: DeploymentRecord): RunError | undefined {
  const st = emu.state;
  const d = rec.deployment;
  const agent = st.agents.get(d.agent.id)?.versions[d.agent.version - 1];
  if (!agent) return { type: 'session_creation_rejected_error', message: `agent ${d.agent.id} v${d.agent.version} no longer exists` };
  if (agent.archived_at) return { type: 'agent_archived_error', message: `agent ${d.agent.id} is archived` };
  const env = st.environments.get(d.environment_id);
  if (!env) return { type: 'environment_not_found_error', message: `environment ${d.environment_id} no longer exists` };
  if (env.archived_at) return { type: 'environment_archived_error', message: `environment ${d.environment_id} is archived` };
  for (const v of d.vault_ids) {
    const vault = st.vaults.get(v);
    if (!vault) return { type: 'vault_not_found_error', message: `vault ${v} no longer exists` };
    if (vault.archived_at) return { type: 'vault_archived_error', message: `vault ${v} is archived` };
  }
  for (const r of d.resources) {
    if (r.type === 'file' && !st.files.has(r.file_id)) return { type: 'file_not_found_error', message: `file ${r.file_id} no longer exists` };
    if (r.type === 'memory_store') {
      const store = st.memoryStores.get(r.memory_store_id);
      if (!store) return { type: 'session_resource_not_found_error', message: `memory store ${r.memory_store_id} no longer exists` };
      if (store.archived_at) return { type: 'memory_store_archived_error', message: `memory store ${r.memory_store_id} is archived` };
    }
  }
  return undefined;
}

/**
 * One run: a session with the deployment's configuration and initial events, or the reason it
 * could not be created. A failed scheduled run pauses the deployment with that reason (the SDK's
 * `paused_reason.error` "matches the failed run's error.type") when that type is one of PAUSES.
 * A failed manual run only records the failure.
 */
export function runDeployment(emu: Emulator, rec: DeploymentRecord, trigger: BetaManagedAgentsTriggerContext): BetaManagedAgentsDeploymentRun {
  const st = emu.state;
  const d = rec.deployment;
  if (d.archived_at) throw conflict(`deployment ${d.id} is archived and starts no runs`);
  let error = runBlocker(emu, rec);
  let sessionId: string | null = null;
  if (!error) {
    try {
      const rt = createSession(
        emu,
        {
          agent: { type: 'agent', id: d.agent.id, version: d.agent.version },
          environment_id: d.environment_id,
          resources: resourceParamsOf.get(rec) ?? [],
          vault_ids: d.vault_ids,
          ...(d.budget ? { budget: d.budget } : {}),
          initial_events: d.initial_events as EventParam[],
        },
        d.id,
      );
      sessionId = rt.id;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error = { type: 'session_creation_rejected_error', message: err.message };
    }
  }
  const run: BetaManagedAgentsDeploymentRun = {
    id: st.ids.next('drun'),
    type: 'deployment_run',
    deployment_id: d.id,
    agent: { ...d.agent },
    session_id: sessionId,
    error: error ?? null,
    trigger_context: trigger,
    created_at: st.clock.iso(),
  };
  st.deploymentRuns.set(run.id, run);
  if (trigger.type === 'schedule') {
    if (error && PAUSES.has(error.type)) {
      d.status = 'paused';
      d.paused_reason = { type: 'error', error: { type: error.type as PauseError } };
      d.updated_at = run.created_at;
    }
    if (!error && d.schedule) d.schedule.last_run_at = run.created_at;
  }
  return run;
}

/**
 * The admin tick (`POST /_emulator/deployments/tick`): fires every occurrence of every active,
 * scheduled deployment due at or before `nowMs` and not yet handled. A paused deployment's
 * occurrences pass unfired; an auto-pause stops the rest of that deployment's occurrences.
 */
export function fireSchedules(emu: Emulator, nowMs: number): BetaManagedAgentsDeploymentRun[] {
  const runs: BetaManagedAgentsDeploymentRun[] = [];
  for (const rec of emu.state.deployments.values()) {
    const d = rec.deployment;
    if (d.archived_at || !rec.cron || nowMs <= rec.firedThrough) continue;
    const due = d.status === 'paused' ? [] : nextRuns(rec.cron, rec.firedThrough, MAX_FIRES_PER_TICK, nowMs);
    rec.firedThrough = nowMs;
    for (const t of due) {
      runs.push(runDeployment(emu, rec, { type: 'schedule', scheduled_at: new Date(t).toISOString() }));
      if (d.status === 'paused') break;
    }
  }
  return runs;
}

export function registerDeploymentRoutes(router: Router, emu: Emulator): void {
  const live = (id: string, verb: string) => {
    const rec = getDeployment(emu, id);
    if (rec.deployment.archived_at) throw conflict(`deployment ${id} is archived and cannot be ${verb}`);
    return rec;
  };

  router.add('POST', '/v1/deployments', 'managed', ({ body }) => {
    const p = parseBody('deployments.create', deploymentCreate, body);
    const st = emu.state;
    const agent = agentRef(emu, p.agent);
    checkEnvironment(emu, p.environment_id);
    checkVaults(emu, p.vault_ids ?? []);
    const resources = checkResources(emu, p.resources ?? []);
    const cron = p.schedule ? cronOf(p.schedule) : undefined;
    const now = st.clock.iso();
    const deployment: BetaManagedAgentsDeployment = {
      id: st.ids.next('depl'),
      type: 'deployment',
      name: p.name,
      description: p.description || null,
      agent,
      environment_id: p.environment_id,
      initial_events: p.initial_events as InitialEvents,
      metadata: p.metadata ?? {},
      resources,
      vault_ids: p.vault_ids ?? [],
      schedule: p.schedule ? { ...p.schedule, last_run_at: null } : null,
      status: 'active',
      paused_reason: null,
      created_at: now,
      updated_at: now,
      archived_at: null,
      ...(p.budget ? { budget: p.budget } : {}),
    };
    checkBudget(emu, deployment);
    const rec: DeploymentRecord = { deployment, cron, firedThrough: Date.parse(now) };
    resourceParamsOf.set(rec, p.resources ?? []);
    st.deployments.set(deployment.id, rec);
    return deploymentView(rec);
  });

  router.add('GET', '/v1/deployments/:id', 'managed', ({ params }) => deploymentView(getDeployment(emu, params.id!)));

  router.add('POST', '/v1/deployments/:id', 'managed', ({ params, body }) => {
    const rec = live(params.id!, 'updated');
    const p = parseBody('deployments.update', deploymentUpdate, body);
    const d = rec.deployment;
    const agent = p.agent !== undefined ? agentRef(emu, p.agent) : d.agent;
    if (p.environment_id !== undefined) checkEnvironment(emu, p.environment_id);
    if (p.vault_ids) checkVaults(emu, p.vault_ids);
    const resources = p.resources !== undefined ? checkResources(emu, p.resources ?? []) : undefined;
    const cron = p.schedule ? cronOf(p.schedule) : undefined;
    const budget = p.budget !== undefined ? p.budget : d.budget;
    checkBudget(emu, { agent, budget });
    const metadata = patchMetadata(d.metadata, p.metadata);
    // Everything is checked: apply.
    d.agent = agent;
    if (p.budget === null) delete d.budget;
    else if (p.budget) d.budget = p.budget;
    if (p.description !== undefined) d.description = p.description || null;
    if (p.environment_id !== undefined) d.environment_id = p.environment_id;
    if (p.initial_events !== undefined) d.initial_events = p.initial_events as InitialEvents;
    d.metadata = metadata;
    if (p.name !== undefined) d.name = p.name;
    if (resources !== undefined) {
      d.resources = resources;
      resourceParamsOf.set(rec, p.resources ?? []);
    }
    if (p.vault_ids !== undefined) d.vault_ids = p.vault_ids ?? [];
    if (p.schedule !== undefined) {
      d.schedule = p.schedule ? { ...p.schedule, last_run_at: d.schedule?.last_run_at ?? null } : null;
      rec.cron = cron;
      rec.firedThrough = Math.max(rec.firedThrough, Date.now());
    }
    d.updated_at = emu.state.clock.iso();
    return deploymentView(rec);
  });

  router.add('GET', '/v1/deployments', 'managed', ({ query }) => {
    const status = query.enumOf('status', ['active', 'paused'] as const);
    if (status && query.bool('include_archived')) throw badRequest('status: cannot be combined with include_archived');
    const agentId = query.get('agent_id');
    const items = sortedById([...emu.state.deployments.values()].map((r) => ({ ...r.deployment, rec: r })));
    const page = listPage(query, items, (d) => d, {
      bounds: ['gte', 'lte'],
      where: (d) => (!agentId || d.agent.id === agentId) && (!status || d.status === status),
    });
    return { ...page, data: page.data.map((d) => deploymentView(d.rec)) };
  });

  router.add('POST', '/v1/deployments/:id/archive', 'managed', ({ params }) => {
    const rec = getDeployment(emu, params.id!);
    const d = rec.deployment;
    if (!d.archived_at) {
      // "Archived deployments report `active` with `archived_at` set."
      d.archived_at = emu.state.clock.iso();
      d.updated_at = d.archived_at;
      d.status = 'active';
      d.paused_reason = null;
    }
    return deploymentView(rec);
  });

  router.add('POST', '/v1/deployments/:id/pause', 'managed', ({ params }) => {
    const rec = live(params.id!, 'paused');
    const d = rec.deployment;
    if (d.status !== 'paused') {
      d.status = 'paused';
      d.paused_reason = { type: 'manual' };
      d.updated_at = emu.state.clock.iso();
    }
    return deploymentView(rec);
  });

  router.add('POST', '/v1/deployments/:id/unpause', 'managed', ({ params }) => {
    const rec = live(params.id!, 'unpaused');
    const d = rec.deployment;
    if (d.status === 'paused') {
      d.status = 'active';
      d.paused_reason = null;
      d.updated_at = emu.state.clock.iso();
      // Occurrences that passed while paused do not fire late.
      rec.firedThrough = Math.max(rec.firedThrough, Date.now());
    }
    return deploymentView(rec);
  });

  router.add('POST', '/v1/deployments/:id/run', 'managed', ({ params }) => {
    const rec = getDeployment(emu, params.id!);
    return runDeployment(emu, rec, { type: 'manual' });
  });

  router.add('GET', '/v1/deployment_runs/:id', 'managed', ({ params }) => {
    const run = emu.state.deploymentRuns.get(params.id!);
    if (!run) throw notFound('deployment run', params.id!);
    return run;
  });

  router.add('GET', '/v1/deployment_runs', 'managed', ({ query }) => {
    const deploymentId = query.get('deployment_id');
    const hasError = query.bool('has_error');
    const trigger = query.enumOf('trigger_type', ['schedule', 'manual'] as const);
    return listPage(query, sortedById(emu.state.deploymentRuns.values()), (r) => r, {
      bounds: ['gt', 'gte', 'lt', 'lte'],
      where: (r) =>
        (!deploymentId || r.deployment_id === deploymentId) &&
        (hasError === undefined || (r.error !== null) === hasError) &&
        (!trigger || r.trigger_context.type === trigger),
    });
  });
}
