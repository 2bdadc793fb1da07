/**
 * Who decides (docs/approval.md): a layer above the turn engine. When a turn stops on
 * `requires_action` with tool confirmations pending, `--approval human` asks the person through
 * the client (MCP elicitation, form mode) when the client can, `deny` refuses every one, and
 * `model` (or a client that cannot ask) hands them back to the model. Answers are sent and the
 * rest of the turn is followed, round after round, inside the same tool call and its deadline.
 * Custom tool results are never asked of the person: the model is the tool.
 */
import type { EventParams } from '../api/client.js';
import { neutralize } from '../format/fence.js';
import type { PendingAction, TurnDigest } from '../turns/digest.js';
import type { ElicitAnswer, ToolContext } from './define.js';

export const DENY_MESSAGE = 'Denied: this MCP server runs with --approval deny, which refuses every tool call that needs confirmation.';

/** Rounds of confirmations one call answers at most (an agent that keeps asking still ends). */
const MAX_ROUNDS = 20;
/** Frames the input for the person; the input cannot draw it (neutralize turns box lines into spaced dashes). */
const RULE = '\u2500'.repeat(24);
/** Characters of a tool input shown to the person. */
const INPUT_CHARS = 1500;

/** Follows the rest of the turn after sending `events` (until `deadline`). */
export type FollowFn = (events: EventParams[] | undefined, deadline: number) => Promise<TurnDigest>;

type Verdict = { id: string; tool: string; result: 'allow' | 'deny'; deny_message?: string };

/**
 * Decides the pending confirmations of `first` by the configured policy, round after round, and
 * returns the digest of the whole call: replies, steps and usage of every round, the end of the
 * last one.
 */
export async function decide(ctx: ToolContext, first: TurnDigest, deadline: number, follow: FollowFn): Promise<TurnDigest> {
  let d = first;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const asks = confirmations(d);
    if (!asks.length || ctx.config.approval === 'model') return d;
    let verdicts: Verdict[];
    let who: string;
    if (ctx.config.approval === 'deny') {
      verdicts = asks.map((p) => ({ id: p.id, tool: p.tool, result: 'deny', deny_message: DENY_MESSAGE }));
      who = 'policy --approval deny';
    } else {
      if (!ctx.elicit) return d;
      // The turn was followed (and the confirmations of earlier rounds sent): a retried call
      // (MCP 2026-07-28) resumes from here instead of sending again (docs/approval.md).
      ctx.checkpoint?.({ approval: { session_id: d.session_id, action_ids: asks.map((p) => p.id), digest: d } satisfies ApprovalPoint });
      const asked = await askPerson(ctx, d, asks, deadline);
      if (!Array.isArray(asked)) return asked;
      verdicts = asked;
      who = 'the person';
    }
    const decided = verdicts.map((v) => `approval: ${who} answered ${v.result} for ${v.id} (${v.tool})`);
    const events = verdicts.map(
      (v) =>
        ({
          type: 'user.tool_confirmation',
          tool_use_id: v.id,
          result: v.result,
          ...(v.deny_message ? { deny_message: v.deny_message } : {}),
        }) as EventParams,
    );
    d = merge(d, decided, await follow(events, deadline));
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

/**
 * One form per confirmation, in order. Returns the verdicts when every one was answered, or the
 * digest to hand back: nothing is sent unless the person answered all of them.
 */
async function askPerson(ctx: ToolContext, d: TurnDigest, asks: PendingAction[], deadline: number): Promise<Verdict[] | TurnDigest> {
  const agent = await agentLabel(ctx, d.session_id);
  const verdicts: Verdict[] = [];
  for (const [i, p] of asks.entries()) {
    const left = deadline - Date.now();
    if (left <= 0) return unanswered(d, 'timeout');
    let answer: ElicitAnswer;
    try {
      answer = await ctx.elicit!(
        {
          message:
            `${agent} (session ${d.session_id}) asks to run the tool ${neutralize(p.tool)}` +
            `${asks.length > 1 ? ` (${i + 1} of ${asks.length})` : ''}. Its input, as the agent wrote it, between the lines:\n` +
            `${RULE}\n${renderInput(p)}\n${RULE}\nAllow this tool call?`,
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
      return unanswered(d, Date.now() >= deadline - 100 ? 'timeout' : 'error');
    }
    const decision = answer.content?.decision;
    if (answer.action !== 'accept' || (decision !== 'allow' && decision !== 'deny')) return unanswered(d, 'declined');
    const message = typeof answer.content?.deny_message === 'string' ? answer.content.deny_message.trim() : '';
    verdicts.push({ id: p.id, tool: p.tool, result: decision, ...(decision === 'deny' && message ? { deny_message: message } : {}) });
  }
  return verdicts;
}

/** "Agent <name> (agent_…)", or the session's agent id alone when the name cannot be read. */
async function agentLabel(ctx: ToolContext, sessionId: string): Promise<string> {
  try {
    const s = await ctx.api.lookup((c, o) => c.beta.sessions.retrieve(sessionId, {}, o));
    const name = (s.agent as { name?: string }).name;
    return name ? `The managed agent "${neutralize(name)}" (${s.agent.id})` : `The managed agent ${s.agent.id}`;
  } catch {
    return 'The managed agent';
  }
}

/** A tool input shown plainly to a person: one `key: value` line per field, clipped. */
function renderInput(p: PendingAction): string {
  const input = p.input;
  const text =
    input && typeof input === 'object' && !Array.isArray(input)
      ? Object.entries(input)
          .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join('\n')
      : typeof input === 'string'
        ? input
        : JSON.stringify(input);
  const clipped = text.length > INPUT_CHARS ? `${text.slice(0, INPUT_CHARS)}\n[… ${text.length - INPUT_CHARS} more characters]` : text;
  return neutralize(clipped || '(no input)');
}

/** The digest handed back when the person did not decide: the pending actions, unchanged. */
function unanswered(d: TurnDigest, why: 'declined' | 'timeout' | 'error'): TurnDigest {
  const n = d.pending_actions.length;
  const reason = {
    declined: 'The person declined or cancelled the approval request: nothing was allowed.',
    timeout: 'The person did not answer the approval request within this call\'s timeout: nothing was allowed.',
    error: 'The approval request to the person failed: nothing was allowed.',
  }[why];
  const next =
    why === 'declined'
      ? ` The session still waits on ${n} action(s): ask the user what to do before answering them with answer_with.`
      : ` The session still waits on ${n} action(s): call wait_for_turn {"session_id":"${d.session_id}"} to ask again, or answer them with answer_with as the user decides.`;
  return { ...d, timed_out: why === 'timeout', hint: reason + next };
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
