import { gatePinnedVersion } from './support/policy-gate.js';
import { quoted } from '../format/fence.js';
import { z } from 'zod';
import type { Session, SessionCreateParams } from '../api/client.js';
import { BadRequestError, NotFoundError, blame } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import {
  advertised,
  compact,
  defineTool,
  onceAcrossRounds,
  type ToolContext,
  idSchema,
  limitSchema,
  metadataSchema,
  pageSchema,
  sessionId,
  listResult,
  freeObject,
  rfc3339,
} from './support/define.js';
import { UnseenTurns } from '../turns/unseen.js';
import { followTurn, joinHint, renderDigest, sendOnly, textBudget, timeoutInput } from './support/turn-common.js';
import { attachedNote, attachmentBlocks, attachmentsInput, messageEvent } from './support/attachments.js';
import { turnDigestSchema } from '../turns/digest.js';
import { formatUsd } from '../format/events.js';

const agentId = idSchema('agent_id', 'agent_01…');
const environmentId = idSchema('environment_id', 'env_01…');

// The API counts whole cents: a smaller budget would round to 0 and stop the first turn at once.
const budgetInput = z
  .number()
  .max(100_000)
  // A floor no model chooses in: checked, not advertised (a refinement is not rendered in tools/list).
  .refine((n) => n >= 0.01, 'budget: at least 0.01 (USD; the API counts whole cents)')
  .optional()
  .describe('USD cap at list prices (then budget_reached); none can be added later.');

const budgetParam = (usd: number) => ({
  type: 'limit' as const,
  max_list_cost: { amount: String(Math.round(usd * 100)), currency: 'USD' as const },
});

const statusEnum = z.enum(['idle', 'running', 'rescheduling', 'terminated']);

const sessionSummaryShape = {
  session_id: z.string(),
  status: z.string(),
  title: z.string().optional(),
  agent_id: z.string(),
  agent_version: z.number().optional(),
  environment_id: z.string(),
  created_at: z.string().optional(),
  archived: z.boolean().optional(),
  list_cost_usd: z.number().optional(),
};

function summarize(s: Session) {
  const cost = s.usage?.list_cost?.amount;
  return compact({
    session_id: s.id,
    status: s.status,
    title: s.title ?? undefined,
    agent_id: s.agent.id,
    agent_version: s.agent.version,
    environment_id: s.environment_id,
    created_at: s.created_at,
    archived: s.archived_at ? true : undefined,
    list_cost_usd: cost !== undefined ? Number(cost) / 100 : undefined,
  });
}

function sessionLine(s: ReturnType<typeof summarize>): string {
  return `${s.session_id} ${s.status}${s.title ? ` ${quoted(s.title, 120)}` : ''} agent ${s.agent_id} v${s.agent_version}${s.list_cost_usd !== undefined ? ` list cost ${formatUsd(s.list_cost_usd)}` : ''}${s.archived ? ' (archived)' : ''}`;
}

/** get_session's second line: what sessionLine leaves out. */
function detailLine(d: {
  environment_id: string;
  created_at?: string;
  budget_usd?: number;
  usage?: Record<string, unknown>;
  stats?: Record<string, unknown>;
  resources?: string[];
  vault_ids?: string[];
  metadata?: Record<string, string>;
}): string {
  const u = d.usage as { input_tokens?: number; output_tokens?: number; cache_read_input_tokens?: number } | undefined;
  const parts = [
    `environment ${d.environment_id}`,
    d.created_at && `created ${d.created_at}`,
    d.budget_usd !== undefined && `budget ${formatUsd(d.budget_usd)}`,
    u && `tokens ${u.input_tokens ?? 0} in, ${u.output_tokens ?? 0} out, ${u.cache_read_input_tokens ?? 0} cache read`,
    typeof d.stats?.active_seconds === 'number' && `active ${d.stats.active_seconds} s`,
    d.resources?.length && `resources: ${d.resources.join('; ')}`,
    d.vault_ids?.length && `vaults: ${d.vault_ids.join(', ')}`,
    d.metadata && `metadata ${JSON.stringify(d.metadata)}`,
  ];
  return parts.filter(Boolean).join(' · ');
}

/** The API reports list cost in whole cents (an integer amount in minor units); a text with costs says so once. */
export const WHOLE_CENTS_NOTE = 'List costs are whole cents as the API reports them; session_usage adds a finer estimate.';

function hasCost(sessions: { list_cost_usd?: number }[]): boolean {
  return sessions.some((s) => s.list_cost_usd !== undefined);
}

/**
 * Which id of a refused sessions.create is gone (archived or not found): its environment or its
 * agent. The error's code says so when the API sends one (`environment_archived`,
 * `environment_not_found`); otherwise each is looked up. Never decided by the message's wording.
 */
/** What start_session sends before its first turn: attachments uploaded, the session created. */
async function createSession(
  ctx: ToolContext,
  a: {
    attachments?: string[];
    environment_id?: string;
    agent_id: string;
    agent_version?: number;
    title?: string;
    metadata?: Record<string, string>;
    resources?: unknown[];
    vault_ids?: string[];
    budget?: number;
  },
) {
  // Checked (and uploaded) before the session exists: bad input creates nothing.
  const att = await attachmentBlocks(ctx, a.attachments);
  let env = a.environment_id ? { id: a.environment_id, source: 'argument' as const } : await ctx.defaultEnvironment.resolve(ctx.signal);
  const params: SessionCreateParams = {
    agent: a.agent_version ? { type: 'agent', id: a.agent_id, version: a.agent_version } : a.agent_id,
    environment_id: env.id,
    ...(a.title ? { title: a.title } : {}),
    ...(a.metadata ? { metadata: a.metadata } : {}),
    ...(a.resources ? { resources: a.resources as unknown as SessionCreateParams['resources'] } : {}),
    ...(a.vault_ids ? { vault_ids: a.vault_ids } : {}),
    ...(a.budget ? { budget: budgetParam(a.budget) } : {}),
  } as SessionCreateParams;
  let session: Session;
  try {
    session = await ctx.api.call((c, o) => c.beta.sessions.create(params, o));
  } catch (err) {
    const gone = await goneReference(ctx, err, a.agent_id, env.id);
    // The remembered default environment was archived or deleted meanwhile: look again once.
    if (gone === 'environments' && !a.environment_id && env.source !== 'configured') {
      ctx.defaultEnvironment.invalidate();
      env = await ctx.defaultEnvironment.resolve(ctx.signal);
      session = await ctx.api.call((c, o) => c.beta.sessions.create({ ...params, environment_id: env.id }, o));
    } else throw gone ? blame(err, gone) : err;
  }
  const out = {
    session_id: session.id,
    status: session.status,
    environment_id: env.id,
    environment_source: env.source,
    agent_id: session.agent.id,
    agent_version: session.agent.version,
    ...(a.budget ? { budget_usd: a.budget } : {}),
  };
  return { att, out };
}

async function goneReference(ctx: ToolContext, err: unknown, agentId: string, environmentId: string): Promise<'environments' | 'agents' | undefined> {
  if (!(err instanceof NotFoundError || err instanceof BadRequestError)) return undefined;
  if (err.errorCode === 'environment_archived' || err.errorCode === 'environment_not_found') return 'environments';
  const gone = (lookup: () => Promise<{ archived_at?: string | null }>) =>
    lookup().then(
      (r) => Boolean(r.archived_at),
      (e) => (e instanceof NotFoundError ? true : Promise.reject(err)),
    );
  if (await gone(() => ctx.api.lookup((c, o) => c.beta.environments.retrieve(environmentId, {}, o)))) return 'environments';
  if (await gone(() => ctx.api.lookup((c, o) => c.beta.agents.retrieve(agentId, {}, o)))) return 'agents';
  return undefined;
}

export const sessionTools = [
  defineTool({
    name: 'start_session',
    title: 'Start a session',
    description: 'Start a session (one task) of an agent; with message, also run the first turn like send_message.',
    toolset: 'core',
    kind: 'create',
    input: {
      agent_id: agentId.describe('agent_… id.'),
      agent_version: z.int().min(1).max(1e9).optional().describe('Default: latest.'),
      environment_id: environmentId.optional().describe("env_… id; default: this server's own."),
      title: z.string().max(500).optional().describe('Title.'),
      metadata: metadataSchema,
      resources: z
        // Passed to the API as given (it validates the shapes): only their size is ours to bound.
        .array(freeObject().refine((r) => JSON.stringify(r).length <= 20_000, 'a resource: at most 20,000 characters of JSON'))
        .max(100)
        .optional()
        .describe('{type:"github_repository", url, authorization_token?} | {type:"file", file_id} | {type:"memory_store", memory_store_id}.'),
      vault_ids: z.array(idSchema('vault id', 'vlt_01…')).max(50).optional().describe('Vaults of MCP credentials.'),
      budget: budgetInput,
      message: z.string().min(1).max(100_000).optional().describe('First message.'),
      attachments: attachmentsInput,
      wait: z.boolean().optional().describe('false: return once sent.'),
      timeout_s: timeoutInput,
    },
    output: {
      session_id: z.string(),
      status: z.string(),
      environment_id: z.string(),
      environment_source: z.enum(['argument', 'configured', 'reused', 'created']),
      agent_id: z.string(),
      agent_version: z.number(),
      budget_usd: z.number().optional(),
      turn: advertised(turnDigestSchema.optional()),
      hint: z.string().optional(),
    },
    secrets: (a) => (a.resources ?? []).map((r) => (typeof r.authorization_token === 'string' ? r.authorization_token : undefined)),
    handler: async (a, ctx) => {
      if (a.attachments?.length && !a.message) throw new ToolError('attachments go with message.', 'Add a message, or attach them later with send_message.');
      // First, before anything is written: the person may have to be asked (policy-gate.ts).
      if (a.agent_version) await gatePinnedVersion(ctx, a.agent_id, a.agent_version);
      // Created once per call, however many rounds of asking the person it takes (define.ts).
      const { att, out } = await onceAcrossRounds(ctx, 'started', () => createSession(ctx, a));
      // The text states the status the structured result carries: after the first turn, if any.
      const head = (status: string) =>
        `Started ${out.session_id} for agent ${out.agent_id} v${out.agent_version} in environment ${out.environment_id} (${out.environment_source}); status ${status}.`;
      if (!a.message) return { structured: out, text: `${head(out.status)}\nNext: send_message with this session_id.` };
      if (a.wait === false) {
        const sent = await sendOnly(ctx, out.session_id, [messageEvent(a.message, att)]);
        const hint = joinHint(attachedNote(att) ?? '', sent.hint).trim();
        return { structured: { ...out, status: 'running', hint }, text: `${head('running')}\n${hint}` };
      }
      const turn = await followTurn(ctx, out.session_id, [messageEvent(a.message, att)], a.timeout_s);
      const note = attachedNote(att);
      if (note) turn.hint = joinHint(note, turn.hint);
      return { structured: { ...out, status: turn.status, turn }, text: `${head(turn.status)}\n${renderDigest(turn, textBudget(ctx) - 300)}` };
    },
  }),

  defineTool({
    name: 'get_session',
    bounded: true,
    title: 'Get a session',
    description: "One session's status, agent, environment, usage and budget.",
    toolset: 'core',
    kind: 'read',
    input: { session_id: sessionId },
    output: {
      ...sessionSummaryShape,
      metadata: z.record(z.string(), z.string()).optional(),
      usage: freeObject().optional(),
      stats: freeObject().optional(),
      budget_usd: z.number().optional(),
      resources: z.array(z.string()).optional(),
      vault_ids: z.array(z.string()).optional(),
      hint: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const s = await ctx.api.call((c, o) => c.beta.sessions.retrieve(a.session_id, {}, o));
      const budget = s.budget?.max_list_cost?.amount;
      const summary = summarize(s);
      const structured = compact({
        ...summary,
        metadata: s.metadata,
        usage: s.usage as Record<string, unknown>,
        stats: s.stats as Record<string, unknown>,
        budget_usd: budget !== undefined ? Number(budget) / 100 : undefined,
        resources: (s.resources ?? []).map((r: any) => `${r.type} ${r.url ?? r.file_id ?? r.memory_store_id ?? ''} → ${r.mount_path ?? ''}`.trim()),
        vault_ids: s.vault_ids,
      });
      const unseen = ctx.unseen.take(s.id);
      const hint = unseen ? UnseenTurns.note(s.id, unseen) : undefined;
      return {
        structured: hint ? { ...structured, hint } : structured,
        // Everything the structured half says, for clients that relay only the text (docs/clients.md).
        text: [sessionLine(summary), detailLine(structured), ...(hasCost([structured]) ? [WHOLE_CENTS_NOTE] : []), ...(hint ? [hint] : [])].join('\n'),
      };
    },
  }),

  defineTool({
    name: 'list_sessions',
    title: 'List sessions',
    description: 'List sessions, newest first.',
    toolset: 'core',
    kind: 'read',
    input: {
      agent_id: agentId.optional().describe("Only this agent's."),
      statuses: z.array(statusEnum).max(4).optional().describe('Only these.'),
      created_after: rfc3339.optional().describe('RFC 3339 time, inclusive.'),
      created_before: rfc3339.optional().describe('RFC 3339 time, inclusive.'),
      include_archived: z.boolean().optional().describe('Also archived ones.'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: {
      sessions: z.array(z.object(sessionSummaryShape)),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) =>
        c.beta.sessions.list(
          {
            limit: a.limit,
            ...(a.page ? { page: a.page } : {}),
            ...(a.agent_id ? { agent_id: a.agent_id } : {}),
            ...(a.statuses ? { statuses: a.statuses } : {}),
            ...(a.created_after ? { 'created_at[gte]': a.created_after } : {}),
            ...(a.created_before ? { 'created_at[lte]': a.created_before } : {}),
            ...(a.include_archived ? { include_archived: true } : {}),
          },
          o,
        ),
      );
      const r = listResult('sessions', page.data.map(summarize), page.next_page, `${page.data.length} session(s)`, sessionLine);
      return hasCost(r.structured.sessions) ? { ...r, text: `${r.text}\n${WHOLE_CENTS_NOTE}` } : r;
    },
  }),

  defineTool({
    name: 'archive_session',
    bounded: true,
    title: 'Archive a session',
    description: 'End a session for good (irreversible); history and usage stay readable.',
    toolset: 'core',
    kind: 'delete',
    input: { session_id: sessionId },
    output: { session_id: z.string(), status: z.string(), archived_at: z.string().optional() },
    handler: async (a, ctx) => {
      const s = await ctx.api.call((c, o) => c.beta.sessions.archive(a.session_id, {}, o));
      return {
        structured: compact({ session_id: s.id, status: s.status, archived_at: s.archived_at ?? undefined }),
        text: `Archived ${s.id} (${s.status}).`,
      };
    },
  }),

  defineTool({
    name: 'update_session',
    bounded: true,
    title: 'Update a session',
    description:
      "Change a session's title, metadata or budget. A budget can only be raised (e.g. to resume after budget_reached), on a session started with one.",
    toolset: 'sessions',
    kind: 'update',
    input: {
      session_id: sessionId,
      title: z.string().max(500).optional().describe('New title.'),
      metadata: z
        .record(z.string().max(64), z.string().max(512).nullable())
        .refine((m) => Object.keys(m).length <= 16, 'metadata: at most 16 keys')
        .optional()
        .describe('Keys to set; a null value deletes the key.'),
      budget: budgetInput.describe('New cap in USD, above what is already spent.'),
    },
    output: { ...sessionSummaryShape, budget_usd: z.number().optional() },
    handler: async (a, ctx) => {
      if (a.title === undefined && a.metadata === undefined && a.budget === undefined) {
        throw new ToolError('Nothing to update: give title, metadata or budget.');
      }
      const s = await ctx.api.call((c, o) =>
        c.beta.sessions.update(
          a.session_id,
          {
            ...(a.title !== undefined ? { title: a.title } : {}),
            ...(a.metadata ? { metadata: a.metadata } : {}),
            ...(a.budget ? { budget: budgetParam(a.budget) } : {}),
          } as any,
          o,
        ),
      );
      const budget = s.budget?.max_list_cost?.amount;
      return {
        structured: compact({ ...summarize(s), budget_usd: budget !== undefined ? Number(budget) / 100 : undefined }),
        text: `Updated ${sessionLine(summarize(s))}`,
      };
    },
  }),

  defineTool({
    name: 'delete_session',
    bounded: true,
    title: 'Delete a session',
    description: 'Permanently delete a session and its history (irreversible; prefer archive_session to keep the audit trail).',
    toolset: 'sessions',
    kind: 'delete',
    input: { session_id: sessionId },
    output: { session_id: z.string(), deleted: z.boolean() },
    handler: async (a, ctx) => {
      const r = await ctx.api.call((c, o) => c.beta.sessions.delete(a.session_id, {}, o));
      return { structured: { session_id: r.id, deleted: true }, text: `Deleted ${r.id}.` };
    },
  }),

  defineTool({
    name: 'list_threads',
    title: 'List session threads',
    description: "List a multi-agent session's threads: the primary (the coordinator) and each subagent thread, with its agent, status and parent.",
    toolset: 'sessions',
    kind: 'read',
    input: {
      session_id: sessionId,
      statuses: z.array(statusEnum).max(4).optional().describe('Only threads in these statuses.'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: {
      threads: z.array(
        z.object({
          thread_id: z.string(),
          agent: z.string().describe('Agent name (or advisor model).'),
          status: z.string(),
          parent_thread_id: z.string().optional().describe('Absent on the primary thread.'),
          archived: z.boolean().optional(),
        }),
      ),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.sessions.threads.list(a.session_id, compact({ limit: a.limit, page: a.page, statuses: a.statuses }), o));
      const threads = page.data.map((t) =>
        compact({
          thread_id: t.id,
          agent: 'name' in t.agent ? t.agent.name : `advisor ${t.agent.model}`,
          status: t.status,
          parent_thread_id: t.parent_thread_id ?? undefined,
          archived: t.archived_at ? true : undefined,
        }),
      );
      return listResult(
        'threads',
        threads,
        page.next_page,
        `${threads.length} thread(s) of ${a.session_id}`,
        (t) =>
          `${t.thread_id}  ${t.agent}  ${t.status}${t.parent_thread_id ? `  (parent ${t.parent_thread_id})` : '  (primary)'}${t.archived ? ' [archived]' : ''}`,
      );
    },
  }),
];
