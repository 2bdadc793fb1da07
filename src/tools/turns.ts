import { z } from 'zod';
import type { EventParams } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { defineTool, idSchema, onceAcrossRounds, sessionId, type ToolContext } from './define.js';
import { attachedNote, attachmentBlocks, attachmentsInput, messageEvent } from './attachments.js';
import { digestShape, followTurn, joinHint, renderDigest, sendOnly, textBudget, textEvent, timeoutInput } from './turn-common.js';

const waitInput = z
  .boolean()
  .optional()
  .describe('Follow the turn (default true); false returns after sending.');

const toolUseId = idSchema('tool_use_id', 'sevt_…');

async function sendAndFollow(
  ctx: ToolContext,
  session: string,
  events: EventParams[],
  wait: boolean | undefined,
  timeoutS: number | undefined,
) {
  const d = wait === false ? await sendOnly(ctx, session, events) : await followTurn(ctx, session, events, timeoutS);
  return { structured: d, text: renderDigest(d, textBudget(ctx)) };
}

export const turnTools = [
  defineTool({
    name: 'send_message',
    title: 'Send a message to a session',
    description:
      'Send a message to a session and follow the turn until it really ends. Returns the digest: reply, steps, ' +
      'pending_actions to answer (with answer_with), usage; on timed_out call wait_for_turn.',
    toolset: 'core',
    kind: 'action',
    input: {
      session_id: sessionId,
      text: z.string().min(1, 'text is empty').max(100_000).describe('The message for the agent.'),
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
    description:
      'Allow or deny pending tool_confirmation actions, then follow the rest of the turn like send_message.',
    toolset: 'core',
    kind: 'approve',
    input: {
      session_id: sessionId,
      tool_use_id: toolUseId.optional().describe('The pending action id (from pending_actions).'),
      tool_use_ids: z.array(toolUseId).max(256).optional().describe('Several ids, same answer.'),
      result: z.enum(['allow', 'deny']).describe('allow runs the tool; deny refuses it.'),
      deny_message: z.string().max(10_000).optional().describe('With deny: why (the agent reads it).'),
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: async (a, ctx) => {
      const ids = [...(a.tool_use_id ? [a.tool_use_id] : []), ...(a.tool_use_ids ?? [])];
      if (ids.length === 0) throw new ToolError('Give tool_use_id or tool_use_ids.', 'Take the ids from pending_actions of the last result.');
      if (a.deny_message && a.result !== 'deny') throw new ToolError('deny_message is only allowed with result "deny".');
      if (a.result === 'allow' && ctx.config.approval === 'deny') {
        throw new ToolError('This server runs with --approval deny: no tool call may be allowed.', 'Answer with result "deny", or ask the user to change the setting.');
      }
      const events = Array.from(new Set(ids)).map(
        (id) =>
          ({
            type: 'user.tool_confirmation',
            tool_use_id: id,
            result: a.result,
            ...(a.deny_message ? { deny_message: a.deny_message } : {}),
          }) as EventParams,
      );
      return sendAndFollow(ctx, a.session_id, events, a.wait, a.timeout_s);
    },
  }),

  defineTool({
    name: 'submit_custom_tool_result',
    title: 'Answer a custom tool call',
    description:
      'Answer a pending custom_tool_result action, then follow the rest of the turn like send_message. You are the tool: never asked of the user.',
    toolset: 'core',
    kind: 'action',
    input: {
      session_id: sessionId,
      custom_tool_use_id: idSchema('custom_tool_use_id', 'sevt_…').describe('The pending action id (from pending_actions).'),
      content: z.string().max(200_000).describe('The tool\'s result as text (JSON is fine).'),
      is_error: z.boolean().optional().describe('true if the tool failed; content then explains the error.'),
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
    title: 'Follow a running turn',
    description:
      'Follow a session\'s current turn until it ends (after timed_out, or a session driven elsewhere); if idle, digest of its last turn.',
    toolset: 'core',
    kind: 'read',
    input: {
      session_id: sessionId,
      after_event_id: idSchema('after_event_id', 'sevt_…')
        .optional()
        .describe('Report only what followed this event (a previous last_event_id).'),
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: async (a, ctx) => {
      const d = await followTurn(ctx, a.session_id, undefined, a.timeout_s, a.after_event_id);
      return { structured: d, text: renderDigest(d, textBudget(ctx)) };
    },
  }),

  defineTool({
    name: 'interrupt_session',
    title: 'Interrupt a running session',
    description:
      'Stop what the agent is doing; optionally redirect it with a new message (followed like send_message). Messages already queued still run.',
    toolset: 'core',
    kind: 'action',
    input: {
      session_id: sessionId,
      message: z.string().min(1).max(100_000).optional().describe('New instructions to send after it.'),
      wait: waitInput,
      timeout_s: timeoutInput,
    },
    output: digestShape,
    handler: async (a, ctx) => {
      const events = [{ type: 'user.interrupt' } as EventParams, ...(a.message ? [textEvent(a.message)] : [])];
      const r = a.message || a.wait === false ? await sendAndFollow(ctx, a.session_id, events, a.wait, a.timeout_s) : await bareInterrupt(ctx, a.session_id, events, a.timeout_s);
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
