import { z } from 'zod';
import { quoted } from '../format/fence.js';
import type { Deployment, DeploymentCreateParams, DeploymentRun, DeploymentUpdateParams } from '../api/client.js';
import { NotFoundError } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { gatePinnedVersion } from './support/policy-gate.js';
import { compact, defineTool, idSchema, limitSchema, listResult, metadataSchema, pageSchema, type ToolContext } from './support/define.js';

const deploymentId = idSchema('deployment_id', 'depl_01…').describe('Deployment id (depl_…), from list_deployments.');

/** Characters of each initial event shown by get_deployment: what it asks, not the whole brief. */
const EVENT_CLIP = 500;
/** Session lookups list_deployment_runs runs at once. */
const LOOKUPS_AT_ONCE = 5;

const deploymentShape = {
  deployment_id: z.string(),
  name: z.string(),
  status: z.enum(['active', 'paused', 'archived']),
  paused_reason: z.string().optional(),
  agent: z.string(),
  schedule: z.string().optional(),
  next_run_at: z.string().optional(),
};

/** `archived` is our third status: the API reports archived deployments as `active` with `archived_at` set. */
function deploymentSummary(d: Deployment) {
  const reason = d.paused_reason;
  return compact({
    deployment_id: d.id,
    name: d.name,
    status: d.archived_at ? ('archived' as const) : d.status,
    paused_reason: reason ? (reason.type === 'error' ? `error: ${reason.error.type}` : reason.type) : undefined,
    agent: `${d.agent.id} v${d.agent.version}`,
    schedule: d.schedule ? `${d.schedule.expression} (${d.schedule.timezone})` : undefined,
    next_run_at: d.schedule?.upcoming_runs_at?.[0],
  });
}

function deploymentLine(s: ReturnType<typeof deploymentSummary>): string {
  const when = s.schedule ? `  cron ${s.schedule}${s.next_run_at ? `, next ${s.next_run_at}` : ''}` : '  manual only';
  return `${s.deployment_id}  ${quoted(s.name, 120)}  ${s.status}${s.paused_reason ? ` (${s.paused_reason})` : ''}  ${s.agent}${when}`;
}

/** One line per initial event: its type and the start of its text. */
function eventLine(e: Deployment['initial_events'][number]): string {
  const clip = (t: string) => (t.length > EVENT_CLIP ? `${t.slice(0, EVENT_CLIP)}… (${t.length} chars)` : t);
  if (e.type === 'user.define_outcome') return `user.define_outcome: ${clip(e.description)}`;
  const text = e.content.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join(' ');
  return `${e.type}: ${clip(text)}`;
}

const runShape = {
  run_id: z.string(),
  deployment_id: z.string(),
  trigger: z.string(),
  created_at: z.string(),
  session_id: z.string().optional(),
  session_status: z.string().optional(),
  error: z.string().optional(),
};

function runSummary(r: DeploymentRun, sessionStatus?: string) {
  return compact({
    run_id: r.id,
    deployment_id: r.deployment_id,
    trigger: r.trigger_context.type === 'schedule' ? `schedule ${r.trigger_context.scheduled_at}` : 'manual',
    created_at: r.created_at,
    session_id: r.session_id ?? undefined,
    session_status: sessionStatus,
    error: r.error ? `${r.error.type}: ${r.error.message}` : undefined,
  });
}

function runLine(r: ReturnType<typeof runSummary>): string {
  const outcome = r.session_id ? `${r.session_id}${r.session_status ? ` (${r.session_status})` : ''}` : `failed: ${r.error}`;
  return `${r.run_id}  ${r.deployment_id}  ${r.trigger}  ${r.created_at}  ${outcome}`;
}

/** What to do after a run: follow its session, or fix what stopped it. */
function runHint(r: DeploymentRun): string {
  if (r.session_id) return `Follow it with wait_for_turn {session_id: "${r.session_id}"}; send_message continues it.`;
  return 'No session was created: fix what the error names (get_deployment shows the configuration), then run_deployment again.';
}

/** Each session's status (one read per distinct session, a few at a time); "deleted" when it is gone. */
async function sessionStatuses(ctx: ToolContext, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const todo = [...new Set(ids)];
  for (let i = 0; i < todo.length; i += LOOKUPS_AT_ONCE) {
    await Promise.all(
      todo.slice(i, i + LOOKUPS_AT_ONCE).map(async (id) => {
        try {
          out.set(id, (await ctx.api.lookup((c, o) => c.beta.sessions.retrieve(id, {}, o))).status);
        } catch (err) {
          if (err instanceof NotFoundError) out.set(id, 'deleted');
          else ctx.log.warn(`list_deployment_runs: status of ${id} unavailable`);
        }
      }),
    );
  }
  return out;
}

/** pause_deployment and unpause_deployment: the same call but for the verb (each name written out, so a search finds it). */
function pauseTool(name: 'pause_deployment' | 'unpause_deployment') {
  const pause = name === 'pause_deployment';
  return defineTool({
    name,
    bounded: true,
    title: pause ? 'Pause a deployment' : 'Unpause a deployment',
    description: pause
      ? "Stop a deployment's scheduled runs until unpause_deployment; run_deployment still works."
      : "Resume a paused deployment's schedule (missed times do not fire late).",
    toolset: 'deployments',
    kind: 'update',
    input: { deployment_id: deploymentId },
    output: deploymentShape,
    handler: async (a, ctx) => {
      const d = await ctx.api.call((c, o) => (pause ? c.beta.deployments.pause(a.deployment_id, {}, o) : c.beta.deployments.unpause(a.deployment_id, {}, o)));
      const s = deploymentSummary(d);
      return { structured: s, text: `${pause ? 'Paused' : 'Unpaused'}: ${deploymentLine(s)}` };
    },
  });
}

export const deploymentTools = [
  defineTool({
    name: 'create_deployment',
    bounded: true,
    title: 'Create a deployment',
    description: 'Deploy an agent: each run starts a session with this message; with cron, runs also start on that schedule. run_deployment runs it now.',
    toolset: 'deployments',
    kind: 'create',
    input: {
      name: z.string().min(1).max(256).describe('Deployment name.'),
      agent_id: idSchema('agent_id', 'agent_01…').describe('Agent id (agent_…).'),
      agent_version: z.int().min(1).max(1e9).optional().describe('Pin this agent version (default: latest).'),
      environment_id: idSchema('environment_id', 'env_01…').optional().describe('Environment id (env_…); omit for the default environment.'),
      message: z.string().min(1).max(100_000).describe("The user message each run's session starts with."),
      cron: z.string().min(1).max(256).optional().describe('5-field cron, e.g. "0 9 * * 1-5"; omit for manual runs only.'),
      timezone: z.string().min(1).max(64).optional().describe('IANA timezone of cron (default UTC).'),
      description: z.string().max(2048).optional().describe('What it does.'),
      vault_ids: z.array(idSchema('vault id', 'vlt_01…')).max(50).optional().describe('Vaults with credentials for its sessions.'),
      metadata: metadataSchema,
    },
    output: { ...deploymentShape, environment_id: z.string(), hint: z.string() },
    handler: async (a, ctx) => {
      // Every run starts a session on the pinned version: the same loosening as start_session's pin (policy-gate.ts).
      if (a.agent_version) await gatePinnedVersion(ctx, a.agent_id, a.agent_version);
      const env = a.environment_id ?? (await ctx.defaultEnvironment.resolve(ctx.signal)).id;
      const params: DeploymentCreateParams = compact({
        name: a.name,
        agent: a.agent_version ? { type: 'agent' as const, id: a.agent_id, version: a.agent_version } : a.agent_id,
        environment_id: env,
        initial_events: [{ type: 'user.message' as const, content: [{ type: 'text' as const, text: a.message }] }],
        schedule: a.cron ? { type: 'cron' as const, expression: a.cron, timezone: a.timezone ?? 'UTC' } : undefined,
        description: a.description,
        vault_ids: a.vault_ids,
        metadata: a.metadata,
      });
      const d = await ctx.api.call((c, o) => c.beta.deployments.create(params, o));
      const s = deploymentSummary(d);
      const hint = `run_deployment {deployment_id: "${d.id}"} runs it now${d.schedule ? '; pause_deployment stops the schedule' : ''}.`;
      return { structured: { ...s, environment_id: d.environment_id, hint }, text: `Created ${deploymentLine(s)}\n${hint}` };
    },
  }),

  defineTool({
    name: 'list_deployments',
    title: 'List deployments',
    description: 'List deployments: status, agent, schedule and next run.',
    toolset: 'deployments',
    kind: 'read',
    input: {
      status: z.enum(['active', 'paused']).optional().describe('Only this status.'),
      agent_id: idSchema('agent_id', 'agent_01…').optional().describe("Only this agent's."),
      include_archived: z.boolean().optional().describe('Include archived (not with status).'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: { deployments: z.array(z.object(deploymentShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) =>
        c.beta.deployments.list(compact({ limit: a.limit, page: a.page, status: a.status, agent_id: a.agent_id, include_archived: a.include_archived }), o),
      );
      const items = page.data.map(deploymentSummary);
      return listResult('deployments', items, page.next_page, `${items.length} deployment(s)`, deploymentLine);
    },
  }),

  defineTool({
    name: 'get_deployment',
    title: 'Get a deployment',
    description: 'One deployment: status, agent, environment, schedule (next runs, last run) and what each run is sent.',
    toolset: 'deployments',
    kind: 'read',
    input: { deployment_id: deploymentId },
    output: {
      ...deploymentShape,
      description: z.string().optional(),
      environment_id: z.string(),
      initial_events: z.array(z.string()),
      upcoming_runs_at: z.array(z.string()).optional(),
      last_run_at: z.string().optional(),
      vault_ids: z.array(z.string()).optional(),
      resources: z.number().optional(),
      budget_usd: z.number().optional(),
      metadata: z.record(z.string(), z.string()).optional(),
      archived_at: z.string().optional(),
      created_at: z.string(),
    },
    handler: async (a, ctx) => {
      const d = await ctx.api.call((c, o) => c.beta.deployments.retrieve(a.deployment_id, {}, o));
      const s = deploymentSummary(d);
      const out = compact({
        ...s,
        description: d.description ?? undefined,
        environment_id: d.environment_id,
        initial_events: d.initial_events.map(eventLine),
        upcoming_runs_at: d.schedule?.upcoming_runs_at,
        last_run_at: d.schedule?.last_run_at ?? undefined,
        vault_ids: d.vault_ids,
        resources: d.resources.length || undefined,
        budget_usd: d.budget ? Number(d.budget.max_list_cost.amount) / 100 : undefined,
        metadata: d.metadata,
        archived_at: d.archived_at ?? undefined,
        created_at: d.created_at,
      });
      const text = [
        deploymentLine(s),
        `environment ${d.environment_id}${out.description ? `; ${out.description}` : ''}`,
        ...(out.upcoming_runs_at?.length ? [`next runs: ${out.upcoming_runs_at.join(', ')}`] : []),
        ...(out.last_run_at ? [`last scheduled run: ${out.last_run_at}`] : []),
        'each run is sent:',
        ...out.initial_events.map((e) => `  ${e}`),
      ].join('\n');
      return { structured: { ...out, initial_events: out.initial_events ?? [] }, text };
    },
  }),

  defineTool({
    name: 'update_deployment',
    bounded: true,
    title: 'Change a deployment',
    description: "Change a deployment's name, message, schedule or pinned agent version; later runs use it. Omitted fields stay.",
    toolset: 'deployments',
    kind: 'update',
    input: {
      deployment_id: deploymentId,
      name: z.string().min(1).max(256).optional().describe('New name.'),
      message: z.string().min(1).max(100_000).optional().describe('New first message of each run.'),
      cron: z.string().min(1).max(256).optional().describe('New 5-field cron (replaces the schedule, with timezone).'),
      timezone: z.string().min(1).max(64).optional().describe('IANA timezone of cron (default UTC).'),
      clear_schedule: z.boolean().optional().describe('true: manual runs only from now on.'),
      agent_version: z.int().min(1).max(1e9).optional().describe('Pin this version of its agent.'),
      description: z.string().max(2048).optional().describe('New description ("" clears it).'),
    },
    output: deploymentShape,
    handler: async (a, ctx) => {
      if (a.cron && a.clear_schedule) throw new ToolError('Pass cron or clear_schedule, not both.', 'cron replaces the schedule; clear_schedule removes it.');
      if (a.timezone && !a.cron) throw new ToolError('timezone goes with cron.', 'Pass the cron expression too (get_deployment shows the current one).');
      const agentId = a.agent_version ? (await ctx.api.lookup((c, o) => c.beta.deployments.retrieve(a.deployment_id, {}, o))).agent.id : undefined;
      if (agentId) await gatePinnedVersion(ctx, agentId, a.agent_version!);
      const params: DeploymentUpdateParams = compact({
        name: a.name,
        initial_events: a.message ? [{ type: 'user.message' as const, content: [{ type: 'text' as const, text: a.message }] }] : undefined,
        agent: agentId ? { type: 'agent' as const, id: agentId, version: a.agent_version } : undefined,
        description: a.description,
      });
      if (a.cron) params.schedule = { type: 'cron', expression: a.cron, timezone: a.timezone ?? 'UTC' };
      if (a.clear_schedule) params.schedule = null;
      if (a.description === '') params.description = null;
      const d = await ctx.api.call((c, o) => c.beta.deployments.update(a.deployment_id, params, o));
      const s = deploymentSummary(d);
      return { structured: s, text: `Updated ${deploymentLine(s)}` };
    },
  }),

  pauseTool('pause_deployment'),
  pauseTool('unpause_deployment'),

  defineTool({
    name: 'run_deployment',
    bounded: true,
    title: 'Run a deployment now',
    description: 'Start a run of a deployment now (paused ones too): a new session with its agent and message. Returns the session_id to follow.',
    toolset: 'deployments',
    kind: 'action',
    input: { deployment_id: deploymentId },
    output: { ...runShape, hint: z.string() },
    handler: async (a, ctx) => {
      const run = await ctx.api.call((c, o) => c.beta.deployments.run(a.deployment_id, {}, o));
      const s = runSummary(run);
      const hint = runHint(run);
      return {
        structured: { ...s, hint },
        text: `${run.session_id ? `Run ${run.id} started session ${run.session_id}.` : `Run ${run.id} failed: ${s.error}`}\nNext: ${hint}`,
      };
    },
  }),

  defineTool({
    name: 'archive_deployment',
    bounded: true,
    title: 'Archive a deployment',
    description: 'Archive a deployment (irreversible): no more runs, scheduled or manual. Past runs and their sessions stay.',
    toolset: 'deployments',
    kind: 'delete',
    input: { deployment_id: deploymentId },
    output: { deployment_id: z.string(), archived_at: z.string().optional() },
    handler: async (a, ctx) => {
      const d = await ctx.api.call((c, o) => c.beta.deployments.archive(a.deployment_id, {}, o));
      return { structured: compact({ deployment_id: d.id, archived_at: d.archived_at ?? undefined }), text: `Archived deployment ${d.id}.` };
    },
  }),

  defineTool({
    name: 'list_deployment_runs',
    title: 'List deployment runs',
    description: 'Runs of deployments, newest first: trigger, the session each started (with its status) or why none started.',
    toolset: 'deployments',
    kind: 'read',
    input: {
      deployment_id: deploymentId.optional().describe("Only this deployment's runs (depl_…)."),
      failed: z.boolean().optional().describe('true: only runs that started no session; false: only those that did.'),
      trigger: z.enum(['manual', 'schedule']).optional().describe('Only runs of this trigger.'),
      limit: limitSchema(50, 10),
      page: pageSchema,
    },
    output: { runs: z.array(z.object(runShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) =>
        c.beta.deploymentRuns.list(compact({ limit: a.limit, page: a.page, deployment_id: a.deployment_id, has_error: a.failed, trigger_type: a.trigger }), o),
      );
      const statuses = await sessionStatuses(
        ctx,
        page.data.flatMap((r) => (r.session_id ? [r.session_id] : [])),
      );
      const runs = page.data.map((r) => runSummary(r, r.session_id ? statuses.get(r.session_id) : undefined));
      return listResult('runs', runs, page.next_page, `${runs.length} run(s)`, runLine);
    },
  }),
];
