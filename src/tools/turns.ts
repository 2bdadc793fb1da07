import { z } from 'zod';
import type { EventParams } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { defineTool, idSchema, onceAcrossRounds, sessionId, type ToolContext } from './support/define.js';
import { confirmationEvents, gateConfirmation } from './support/approval.js';
import { pendingNow } from '../turns/engine.js';
import { attachedNote, attachmentBlocks, attachmentsInput, messageEvent } from './support/attachments.js';
import { digestShape, followTurn, joinHint, renderDigest, sendOnly, textBudget, textEvent, timeoutInput, turnWaitS } from './support/turn-common.js';
import { followMany, manyShape, MAX_SESSIONS_PER_WAIT, renderMany } from './support/turn-many.js';

/** Every field optional: wait_for_turn returns a digest for one session, turns and others for several. */
function partialShape<S extends z.ZodRawShape>(shape: S): { [K in keyof S]: z.ZodOptional<S[K]> } {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, (v as z.ZodType).optional()])) as any;
}

const waitInput = z.boolean().optional().describe('false: return once sent.');

const toolUseId = idSchema('tool_use_id', 'sevt_…');

async function sendAndFollow(ctx: ToolContext, session: string, events: EventParams[], wait: boolean | undefined, timeoutS: number | undefined) {
  const d = wait === false ? await sendOnly(ctx, session, events) : await followTurn(ctx, session, events, timeoutS);
  return { structured: d, text: renderDigest(d, textBudget(ctx)) };
}

export const turnTools = [
  defineTool({
    name: 'send_message',
    title: 'Send a message to a session',
    description: 'Send a message and follow the turn to its end: reply, steps, pending_actions, usage. On timed_out, call wait_for_turn.',
    toolset: 'core',
    kind: 'action',
    input: {
      session_id: sessionId,
      text: z.string().min(1, 'text is empty').max(100_000).describe('The message.'),
      attachments: attachmentsInput,
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: async (a, ctx) => {
      const att = await onceAcrossRounds(ctx, 'attachments', () => attachmentBlocks(ctx, a.attachments));
      const r = await sendAndFollow(ctx, a.session_id, [messageEvent(a.text, att)], a.wait, a.timeout_s);
      const note = attachedNote(att);
      if (!note) return r;
      r.structured.hint = joinHint(note, r.structured.hint);
      return { structured: r.structured, text: renderDigest(r.structured, textBudget(ctx)) };
    },
  }),

  defineTool({
    name: 'confirm_tool_use',
    title: 'Allow or deny pending tool calls',
    description: 'Allow or deny pending tool_confirmation actions, then follow the turn like send_message.',
    toolset: 'core',
    kind: 'approve',
    input: {
      session_id: sessionId,
      tool_use_id: toolUseId.optional().describe('A pending action id.'),
      tool_use_ids: z.array(toolUseId).max(256).optional().describe('Several ids, same answer.'),
      result: z.enum(['allow', 'deny']).describe('Your verdict.'),
      deny_message: z.string().max(10_000).optional().describe('With deny: why, for the agent.'),
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: async (a, ctx) => {
      const ids = [...(a.tool_use_id ? [a.tool_use_id] : []), ...(a.tool_use_ids ?? [])];
      if (ids.length === 0) throw new ToolError('Give tool_use_id or tool_use_ids.', 'Take the ids from pending_actions of the last result.');
      if (a.deny_message && a.result !== 'deny') throw new ToolError('deny_message is only allowed with result "deny".');
      // Who may allow: the person under human (asked here, seeing what the API stored), the model, or nobody (approval.ts).
      const deadline = Date.now() + turnWaitS(ctx.config, a.timeout_s) * 1000;
      const pending = () => pendingNow({ api: ctx.api.seam, log: ctx.log, sessionId: a.session_id, timeoutMs: 0, stallMs: 0, signal: ctx.signal }, ctx.signal);
      const verdicts = await gateConfirmation(ctx, a.session_id, Array.from(new Set(ids)), a.result, a.deny_message, deadline, pending);
      return sendAndFollow(ctx, a.session_id, confirmationEvents(verdicts), a.wait, a.timeout_s);
    },
  }),

  defineTool({
    name: 'submit_custom_tool_result',
    title: 'Answer a custom tool call',
    description: 'Answer a pending custom_tool_result (you are the tool: do not ask the user), then follow the turn like send_message.',
    toolset: 'core',
    kind: 'action',
    input: {
      session_id: sessionId,
      custom_tool_use_id: idSchema('custom_tool_use_id', 'sevt_…').describe('The pending action id.'),
      content: z.string().max(200_000).describe('The result (text or JSON).'),
      is_error: z.boolean().optional().describe('true: the tool failed (content says why).'),
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: (a, ctx) =>
      sendAndFollow(
        ctx,
        a.session_id,
        [
          {
            type: 'user.custom_tool_result',
            custom_tool_use_id: a.custom_tool_use_id,
            content: [{ type: 'text', text: a.content }],
            ...(a.is_error !== undefined ? { is_error: a.is_error } : {}),
          } as EventParams,
        ],
        a.wait,
        a.timeout_s,
      ),
  }),

  defineTool({
    name: 'define_outcome',
    title: 'Give a session an outcome to reach',
    description:
      'Give the agent a task with a rubric: it works, a grader evaluates and sends it back to revise until satisfied or max_iterations. ' +
      'Followed like send_message; the digest adds each verdict as a step and the final one as outcome.',
    toolset: 'sessions',
    kind: 'action',
    input: {
      session_id: sessionId,
      description: z.string().min(1).max(100_000).describe('What the agent should produce.'),
      rubric: z.string().min(1).max(250_000).optional().describe('How to grade it (text or markdown).'),
      rubric_file_id: idSchema('rubric_file_id', 'file_…').optional().describe('Or: an uploaded file holding the rubric.'),
      max_iterations: z.int().min(1).max(20).optional().describe('Evaluate-then-revise cycles before giving up (API default 3).'),
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: (a, ctx) => {
      if ((a.rubric === undefined) === (a.rubric_file_id === undefined)) throw new ToolError('Give exactly one of rubric or rubric_file_id.');
      const event = {
        type: 'user.define_outcome',
        description: a.description,
        rubric: a.rubric !== undefined ? { type: 'text', content: a.rubric } : { type: 'file', file_id: a.rubric_file_id },
        ...(a.max_iterations ? { max_iterations: a.max_iterations } : {}),
      } as EventParams;
      return sendAndFollow(ctx, a.session_id, [event], a.wait, a.timeout_s);
    },
  }),

  defineTool({
    name: 'wait_for_turn',
    title: 'Follow running turns',
    description:
      'Follow a turn to its end (after timed_out, or driven elsewhere); if idle, the last turn. ' +
      'session_ids: returns as the first ends or needs an answer.',
    toolset: 'core',
    kind: 'read',
    input: {
      session_id: sessionId.optional(),
      session_ids: z.array(idSchema('session_ids', 'sesn_…')).max(MAX_SESSIONS_PER_WAIT).optional().describe('Up to 16.'),
      until: z.enum(['any', 'all']).optional().describe('all: every one.'),
      after_event_id: idSchema('after_event_id', 'sevt_…').optional().describe('After this event (a last_event_id).'),
      timeout_s: timeoutInput,
    },
    // One session: the digest. Several: turns (digests) and others (one line per session).
    output: { ...partialShape(digestShape), ...manyShape },
    handler: async (a, ctx) => {
      if (a.session_ids?.length) {
        if (a.after_event_id)
          throw new ToolError('after_event_id goes with one session_id.', 'With session_ids each session resumes where this server last reported it.');
        const ids = Array.from(new Set([...(a.session_id ? [a.session_id] : []), ...a.session_ids]));
        const r = await followMany(ctx, ids, a.until ?? 'any', a.timeout_s);
        return { structured: r, text: renderMany(r, ctx) };
      }
      if (!a.session_id) throw new ToolError('Give session_id, or session_ids for several.');
      if (a.until) throw new ToolError('until goes with session_ids.');
      const d = await followTurn(ctx, a.session_id, undefined, a.timeout_s, a.after_event_id);
      return { structured: d, text: renderDigest(d, textBudget(ctx)) };
    },
  }),

  defineTool({
    name: 'interrupt_session',
    title: 'Interrupt a running session',
    description: "Stop the agent's work; with message, redirect it (followed like send_message). Queued messages still run.",
    toolset: 'core',
    kind: 'action',
    input: {
      session_id: sessionId,
      message: z.string().min(1).max(100_000).optional().describe('New instructions.'),
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: async (a, ctx) => {
      const events = [{ type: 'user.interrupt' } as EventParams, ...(a.message ? [textEvent(a.message)] : [])];
      const r =
        a.message || a.wait === false
          ? await sendAndFollow(ctx, a.session_id, events, a.wait, a.timeout_s)
          : await bareInterrupt(ctx, a.session_id, events, a.timeout_s);
      r.structured.hint = joinHint(QUEUED_NOTE, r.structured.hint);
      return { structured: r.structured, text: renderDigest(r.structured, textBudget(ctx)) };
    },
  }),
];

/** What an interrupt does not do: the API has no way to withdraw a queued message. */
const QUEUED_NOTE = 'Messages queued before the interrupt were not withdrawn (the API cannot): they still run, each as its own turn.';

/**
 * A bare interrupt: the contract does not promise an idle when the session was not running
 * (docs/api-behaviour.md, "Events", Interrupt), so wait briefly and then ask the session for its status.
 */
async function bareInterrupt(ctx: ToolContext, session: string, events: EventParams[], timeoutS: number | undefined) {
  const d = await followTurn(ctx, session, events, Math.min(timeoutS ?? INTERRUPT_WAIT_S, INTERRUPT_WAIT_S));
  if (d.timed_out) {
    const s = await ctx.api.lookup((c, o) => c.beta.sessions.retrieve(session, {}, o));
    if (s.status !== 'running' && s.status !== 'rescheduling') {
      ctx.unseen.take(session);
      Object.assign(d, { status: s.status, timed_out: false, hint: `Interrupted; the session is ${s.status}.` });
    }
  }
  return { structured: d };
}

/** How long a bare interrupt waits for the session to settle before asking for its status. */
const INTERRUPT_WAIT_S = 10;
