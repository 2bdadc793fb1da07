/**
 * Who decides (docs/approval.md, docs/security.md): a layer above the turn engine, and the gate in
 * front of every call that lets the remote agent run a tool without asking. When a turn stops on
 * `requires_action` with tool confirmations pending, the person is asked through the client (MCP
 * elicitation, form mode) under `human`, and under `auto` when the client can ask; `deny` refuses
 * every one; `model` (or `auto` with a client that cannot ask) hands them back to the model.
 * Under `human` nothing lets a tool run without the person's own "allow": `confirm_tool_use`
 * asks too, showing the input as the API stored it. Everything done before a form is a read, and
 * the form is a function of the API's state: a protocol that re-runs the handler with the answer
 * sees the same form. Custom tool results are never asked of the person: the model is the tool.
 */
import type { EventParams } from '../../api/client.js';
import { ToolError } from '../../api/errors.js';
import { shownInput, shownName } from '../../format/shown.js';
import { redact } from '../../format/secrets.js';
import type { PendingAction, TurnDigest } from '../../turns/digest.js';
import type { ElicitAnswer, ToolContext } from './define.js';

export const DENY_MESSAGE = 'Denied: this MCP server runs with --approval deny, which refuses every tool call that needs confirmation.';

/** Rounds of confirmations one call answers at most (an agent that keeps asking still ends). */
const MAX_ROUNDS = 20;
/** Frames the input for the person; no rendered value can draw it (`shown` counts dash runs). */
const RULE = '\u2500'.repeat(24);

/** What the user can do when the person cannot be asked: the one wording, in every error and hint. */
export const CANNOT_ASK =
  'This server runs with --approval human and this MCP client cannot show the person a form (MCP elicitation), so nothing can be allowed from here. ' +
  'The user can answer in a client that shows forms, or restart the server with --approval model (the model decides) or --approval deny (refuse all; for unattended runs).';

/** Said with every declined or cancelled form: `claude -p` declares forms and cancels each one. */
export const UNATTENDED =
  'A non-interactive client (claude -p) cancels every form: an unattended run needs --approval deny, or --approval model to let the model decide.';

/**
 * Who answers for this call: the person (asked through the client), the model, the deny policy,
 * or nobody (`human` with a client that cannot ask: nothing can be allowed).
 */
export type Decider = 'person' | 'model' | 'deny' | 'nobody';

export function decider(ctx: Pick<ToolContext, 'config' | 'elicit'>): Decider {
  switch (ctx.config.approval) {
    case 'deny':
      return 'deny';
    case 'model':
      return 'model';
    case 'human':
      return ctx.elicit ? 'person' : 'nobody';
    case 'auto':
      return ctx.elicit ? 'person' : 'model';
  }
}

/** Follows the rest of the turn after sending `events` (until `deadline`). */
export type FollowFn = (events: EventParams[] | undefined, deadline: number) => Promise<TurnDigest>;

export type Verdict = { id: string; tool: string; result: 'allow' | 'deny'; deny_message?: string };

/** The events that answer each pending confirmation with its verdict. */
export function confirmationEvents(verdicts: Verdict[]): EventParams[] {
  return verdicts.map(
    (v) =>
      ({
        type: 'user.tool_confirmation',
        tool_use_id: v.id,
        result: v.result,
        ...(v.deny_message ? { deny_message: v.deny_message } : {}),
      }) as EventParams,
  );
}

/**
 * Decides the pending confirmations of `first` by the configured policy, round after round, and
 * returns the digest of the whole call: replies, steps and usage of every round, the end of the
 * last one.
 */
export async function decide(ctx: ToolContext, first: TurnDigest, deadline: number, follow: FollowFn): Promise<TurnDigest> {
  let d = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const asks = confirmations(d);
    const by = decider(ctx);
    if (!asks.length || by === 'model') return d;
    if (by === 'nobody') return { ...d, hint: `${CANNOT_ASK} The session still waits on ${d.pending_actions.length} action(s).` };
    let verdicts: Verdict[];
    let who: string;
    if (by === 'deny') {
      verdicts = asks.map((p) => ({ id: p.id, tool: p.tool, result: 'deny', deny_message: DENY_MESSAGE }));
      who = 'policy --approval deny';
    } else {
      // The turn was followed (and the confirmations of earlier rounds sent): a retried call
      // (MCP 2026-07-28) resumes from here instead of sending again (docs/approval.md).
      ctx.checkpoint?.({ approval: { session_id: d.session_id, action_ids: asks.map((p) => p.id), digest: d } satisfies ApprovalPoint });
      const asked = await askPerson(ctx, d.session_id, asks, deadline);
      if (!Array.isArray(asked)) return unanswered(d, asked);
      verdicts = asked;
      who = 'the person';
    }
    const decided = verdicts.map((v) => `approval: ${who} answered ${v.result} for ${v.id} (${v.tool})`);
    d = merge(d, decided, await follow(confirmationEvents(verdicts), deadline));
  }
  return d;
}

/** Where a call that asked the person resumes when retried with the answer. */
interface ApprovalPoint {
  session_id: string;
  action_ids: string[];
  digest: TurnDigest;
}

/**
 * The digest a retried call resumes from (saved before the ask, verified by the server), when it
 * is this session's: the caller then neither sends nor follows again, and `decide` asks.
 */
export function resumedDigest(ctx: ToolContext, sessionId: string): TurnDigest | undefined {
  const point = ctx.resumed?.approval as ApprovalPoint | undefined;
  return point?.session_id === sessionId && point.digest?.session_id === sessionId ? point.digest : undefined;
}

function confirmations(d: TurnDigest): PendingAction[] {
  if (d.timed_out || d.stop_reason !== 'requires_action') return [];
  return d.pending_actions.filter((p) => p.kind === 'tool_confirmation');
}

/** Why the person's answer is missing. */
export type Unanswered = 'declined' | 'timeout' | 'error';

/**
 * One form per confirmation, in order, each showing the input as the API stored it (`asks` come
 * from the API's events, never from a caller's arguments). Returns the verdicts when every one
 * was answered, or why not: nothing is sent unless the person answered all of them.
 */
export async function askPerson(ctx: ToolContext, sessionId: string, asks: PendingAction[], deadline: number): Promise<Verdict[] | Unanswered> {
  const agent = await agentLabel(ctx, sessionId);
  // A digest clips long inputs (head only): the form shows the whole input, as the API stored it.
  const stored = await storedCalls(
    ctx,
    sessionId,
    asks.map((p) => p.id),
  );
  const verdicts: Verdict[] = [];
  for (const [i, p] of asks.entries()) {
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    let answer: ElicitAnswer;
    try {
      answer = await ctx.elicit!(
        {
          message:
            `${agent} (session ${sessionId}) asks to run the tool ${shownName(p.tool)}` +
            `${asks.length > 1 ? ` (${i + 1} of ${asks.length})` : ''}. Its input, as the API stored it, between the lines ` +
            `(quoted; invisible characters shown as escapes; long values show their start and end):\n` +
            `${RULE}\n${redact(shownInput(stored.get(p.id)?.input ?? p.input))}\n${RULE}\nAllow this tool call?`,
          requestedSchema: {
            type: 'object',
            properties: {
              decision: { type: 'string', title: 'Decision', enum: ['allow', 'deny'], description: 'allow runs the tool call; deny refuses it.' },
              deny_message: { type: 'string', title: 'Reason (with deny)', description: 'Optional: told to the agent.', maxLength: 1000 },
            },
            required: ['decision'],
          },
        },
        left,
      );
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      ctx.log.warn(`approval request for ${p.id} got no answer: ${(err as Error)?.message ?? err}`);
      // The request's own timeout is the time left: past the deadline, it was nobody answering.
      return Date.now() >= deadline - 100 ? 'timeout' : 'error';
    }
    const decision = answer.content?.decision;
    if (answer.action !== 'accept' || (decision !== 'allow' && decision !== 'deny')) return 'declined';
    const message = typeof answer.content?.deny_message === 'string' ? answer.content.deny_message.trim() : '';
    verdicts.push({ id: p.id, tool: p.tool, result: decision, ...(decision === 'deny' && message ? { deny_message: message } : {}) });
  }
  return verdicts;
}

/** Events scanned, newest first, for the calls a form shows (the API lists at most 1,000 a page). */
const LOOKBACK = 5_000;

/** The tool-use events `ids` as the API stored them, newest first until all are found. */
async function storedCalls(ctx: ToolContext, sessionId: string, ids: string[]): Promise<Map<string, { tool: string; input: unknown }>> {
  const found = new Map<string, { tool: string; input: unknown }>();
  let page: string | undefined;
  for (let scanned = 0; found.size < ids.length && scanned < LOOKBACK; ) {
    const params = { order: 'desc' as const, limit: 1000, types: ['agent.tool_use', 'agent.mcp_tool_use'], ...(page ? { page } : {}) };
    const r = await ctx.api.lookup((c, o) => c.beta.sessions.events.list(sessionId, params as never, o));
    for (const ev of r.data as unknown as { id: string; type: string; name?: string; mcp_server_name?: string; input?: unknown }[]) {
      if (!ids.includes(ev.id)) continue;
      found.set(ev.id, { tool: ev.type === 'agent.mcp_tool_use' ? `${ev.mcp_server_name}/${ev.name}` : String(ev.name), input: ev.input });
    }
    scanned += r.data.length;
    page = (r as { next_page?: string | null }).next_page ?? undefined;
    if (!page || !r.data.length) break;
  }
  return found;
}

/**
 * The gate of `confirm_tool_use`: the verdicts to send for `ids`. A deny is always sent as given
 * (it lets nothing run). An allow is the person's to give when they decide: each id must be a
 * tool confirmation the session waits on now (read from the API), and the person is asked about
 * each, seeing the input the API stored; the verdicts are theirs. Throws when nothing may be
 * allowed, saying what the user can do.
 */
export async function gateConfirmation(
  ctx: ToolContext,
  sessionId: string,
  ids: string[],
  result: 'allow' | 'deny',
  denyMessage: string | undefined,
  deadline: number,
  pending: () => Promise<PendingAction[]>,
): Promise<Verdict[]> {
  const asGiven = (): Verdict[] => ids.map((id) => ({ id, tool: '', result, ...(denyMessage ? { deny_message: denyMessage } : {}) }));
  if (result === 'deny') return asGiven();
  const by = decider(ctx);
  if (by === 'deny')
    throw new ToolError(
      'This server runs with --approval deny: no tool call may be allowed.',
      'Answer with result "deny", or ask the user to change the setting.',
    );
  if (by === 'model') return asGiven();
  if (by === 'nobody') throw new ToolError(`${CANNOT_ASK} Nothing was sent.`, 'Tell the user; answering with result "deny" still works.');
  const waiting = new Map((await pending()).filter((p) => p.kind === 'tool_confirmation').map((p) => [p.id, p]));
  const unknown = ids.filter((id) => !waiting.has(id));
  if (unknown.length) {
    throw new ToolError(
      `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a tool confirmation this session waits on: nothing was sent.`,
      `wait_for_turn {"session_id":"${sessionId}"} lists the pending actions.`,
    );
  }
  const asked = await askPerson(
    ctx,
    sessionId,
    ids.map((id) => waiting.get(id)!),
    deadline,
  );
  if (!Array.isArray(asked)) {
    throw new ToolError(
      `${unansweredText(asked)} Under --approval ${ctx.config.approval} only the person allows a tool call: nothing was sent.`,
      'Ask the user to answer the form in their client; result "deny" is sent without asking.',
    );
  }
  return asked;
}

/** "Agent <name> (agent_…)", or the session's agent id alone when the name cannot be read. */
async function agentLabel(ctx: ToolContext, sessionId: string): Promise<string> {
  try {
    const s = await ctx.api.lookup((c, o) => c.beta.sessions.retrieve(sessionId, {}, o));
    const name = (s.agent as { name?: string }).name;
    return name ? `The managed agent ${shownName(name)} (${s.agent.id})` : `The managed agent ${s.agent.id}`;
  } catch {
    return 'The managed agent';
  }
}

/** What the model reads when the person did not decide: nothing was allowed, and what to do. */
export function unansweredText(why: Unanswered): string {
  return {
    declined: `The person declined or cancelled the approval request: nothing was allowed. ${UNATTENDED}`,
    timeout: "The person did not answer the approval request within this call's timeout: nothing was allowed.",
    error: 'The approval request to the person failed: nothing was allowed.',
  }[why];
}

/** The digest handed back when the person did not decide: the pending actions, unchanged. */
function unanswered(d: TurnDigest, why: Unanswered): TurnDigest {
  const n = d.pending_actions.length;
  const next =
    why === 'declined'
      ? ` The session still waits on ${n} action(s): ask the user what to do before answering them with answer_with.`
      : ` The session still waits on ${n} action(s): call wait_for_turn {"session_id":"${d.session_id}"} to ask again, or answer them with answer_with as the user decides.`;
  return { ...d, timed_out: why === 'timeout', hint: unansweredText(why) + next };
}

/** One digest for the whole call: every round's reply, steps and usage; the last round's end. */
function merge(a: TurnDigest, decided: string[], b: TurnDigest): TurnDigest {
  const sum = (x?: number, y?: number) => (x ?? 0) + (y ?? 0) || undefined;
  const usage = { ...b.usage };
  for (const k of Object.keys(usage) as (keyof typeof usage)[]) usage[k] += a.usage[k] ?? 0;
  const out: TurnDigest = {
    ...b,
    reply: [a.reply, b.reply].filter(Boolean).join('\n\n'),
    steps: [...a.steps, ...decided, ...b.steps],
    usage,
    events_seen: a.events_seen + b.events_seen,
  };
  const rt = sum(a.reply_truncated_chars, b.reply_truncated_chars);
  const so = sum(a.steps_omitted, b.steps_omitted);
  if (rt) out.reply_truncated_chars = rt;
  if (so) out.steps_omitted = so;
  return out;
}
