/**
 * A turn digest within the output cap, and its text rendering (docs/approval.md#what-the-model-reads).
 *
 * The global cap (cap.ts) cuts blindly: the longest array or string loses its end, which for a
 * digest means pending actions and the closing fence. Here the frame is kept whole instead: the
 * pending actions (every one of them), the hint and the closing fences always survive; what is
 * cut is the middle of the reply, the oldest steps and then the length of tool inputs, each with
 * a marker saying how much and where to read all of it.
 */
import { OMITTED_HINT, replyCutMarker, UNTRUSTED_NOTE, type PendingAction, type TurnDigest } from './digest.js';
import { Fence } from '../format/fence.js';

const json = (v: unknown) => JSON.stringify(v) ?? '';

/** `text` with its middle replaced by a marker, at most about `keep` characters long. */
export function cutMiddle(text: string, keep: number): { text: string; cut: number } {
  if (text.length <= keep) return { text, cut: 0 };
  const room = Math.max(0, keep - 120);
  const head = Math.ceil(room * 0.6);
  const tail = room - head;
  const cut = text.length - head - tail;
  const marker = replyCutMarker(cut);
  return { text: text.slice(0, head) + marker + (tail > 0 ? text.slice(-tail) : ''), cut };
}

function clipInput(p: PendingAction, max: number): PendingAction {
  const raw = typeof p.input === 'string' && p.input_truncated ? p.input : json(p.input);
  if (raw.length <= max) return p;
  return { ...p, input: `${raw.slice(0, Math.max(0, max))}…`, input_truncated: true };
}

function withOmittedHint(d: TurnDigest): TurnDigest {
  if (!d.reply_truncated_chars && !d.steps_omitted) return d;
  if (d.hint?.includes(OMITTED_HINT)) return d;
  return { ...d, hint: d.hint ? `${d.hint} ${OMITTED_HINT}` : OMITTED_HINT };
}

/**
 * The digest, shrunk until its JSON fits `max` characters. Never drops a pending action: with
 * hundreds of them, their inputs go first; only past that are actions left out, and the hint then
 * says exactly how many and how to list them.
 */
export function fitDigest(digest: TurnDigest, max: number): TurnDigest {
  const agentText = digest.reply || digest.steps.length || digest.pending_actions.length || digest.outcome;
  let d = withOmittedHint(agentText ? { ...digest, untrusted: UNTRUSTED_NOTE } : digest);
  const over = () => json(d).length - max;
  if (over() <= 0) return d;
  // 1. Tool inputs of pending actions: an equal share each, at least 200 characters.
  const n = d.pending_actions.length;
  if (n) {
    const share = Math.max(200, Math.floor(max / 3 / n) - 300);
    d = { ...d, pending_actions: d.pending_actions.map((p) => clipInput(p, share)) };
  }
  // 2. The oldest steps.
  if (over() > 0 && d.steps.length) {
    const steps = [...d.steps];
    let omitted = d.steps_omitted ?? 0;
    let excess = over();
    while (steps.length && excess > 0) {
      excess -= json(steps.shift()).length + 1;
      omitted++;
    }
    d = withOmittedHint({ ...d, steps, steps_omitted: omitted });
  }
  // 3. The middle of the reply.
  if (over() > 0 && d.reply) {
    const r = cutMiddle(d.reply, Math.max(0, d.reply.length - over() - 200));
    d = withOmittedHint({ ...d, reply: r.text, reply_truncated_chars: (d.reply_truncated_chars ?? 0) + r.cut });
  }
  // 4. Inputs of pending actions entirely, then (hundreds of actions) the actions past what fits.
  if (over() > 0 && n) {
    d = { ...d, pending_actions: d.pending_actions.map((p) => clipInput(p, 0)) };
    let left = d.pending_actions.length;
    while (over() > 0 && left > 1) {
      left--;
      d = { ...d, pending_actions: digest.pending_actions.slice(0, left).map((p) => clipInput(p, 0)) };
    }
    if (left < n) {
      const more = `${n - left} more pending action(s) are not listed here: answer these, then wait_for_turn lists the rest.`;
      d = { ...d, hint: d.hint ? `${more} ${d.hint}` : more };
    }
  }
  return d;
}

/** The argument template of an answer, with the verdict or result left for the caller. */
function answerLine(d: TurnDigest, kind: PendingAction['kind']): string {
  return kind === 'tool_confirmation'
    ? `confirm_tool_use {"session_id":"${d.session_id}","tool_use_id":<id>,"result":"allow" or "deny"} (tool_use_ids for several)`
    : `submit_custom_tool_result {"session_id":"${d.session_id}","custom_tool_use_id":<id>,"content":<your result>}`;
}

/**
 * Text rendering of a digest in about `maxChars` characters, the agent's words fenced off as data.
 * The head, pending actions, usage and hint are laid out first; the reply and steps get the rest.
 */
export function renderDigest(d: TurnDigest, maxChars = 20_000): string {
  const fence = new Fence();
  const pending = d.pending_actions;
  const u = d.usage;
  // One status line: how the turn ended, what it cost, where to resume.
  const status = !d.timed_out
    ? `Turn on ${d.session_id}: ${d.stop_reason ?? d.status}`
    : pending.length // time ran out while asking the person: the session waits on them
      ? `Turn on ${d.session_id}: ${d.stop_reason ?? d.status} (timed out waiting for an answer)`
      : `Turn still running on ${d.session_id} (timed out waiting)`;
  const cost = `${u.input_tokens} in, ${u.output_tokens} out, ${u.cache_read_input_tokens} cache read tokens (${u.model_requests} model requests)`;
  const head = `${status}; ${cost}${d.last_event_id ? `; last event ${d.last_event_id}` : ''}.`;
  const tail: string[] = [];
  if (pending.length) {
    const width = Math.max(0, Math.min(300, Math.floor(maxChars / 3 / pending.length) - 60));
    const lines = pending.map((p) => {
      const input = typeof p.input === 'string' && p.input_truncated ? p.input : json(p.input);
      const shown = width === 0 ? '' : ` ${input.length > width ? `${input.slice(0, width)}…` : input}`;
      return `${p.id} ${p.kind} ${p.tool}${shown}`;
    });
    tail.push(`Pending actions (${pending.length}), oldest first:`, ...fence.wrap('pending tool calls', lines.join('\n')));
    // tool_result (self-hosted) has no answer here: the hint says who sends it.
    for (const kind of new Set(pending.map((p) => p.kind))) if (kind !== 'tool_result') tail.push(`Answer ${kind} with ${answerLine(d, kind)}.`);
  }
  if (d.outcome) {
    const o = d.outcome;
    tail.push(`Outcome ${o.outcome_id}: ${o.result} after ${o.evaluations} evaluation(s).`);
    // The grader is remote too: its explanation is data, fenced like the reply.
    if (o.explanation) tail.push(...fence.wrap('grader explanation', o.explanation));
  }
  if (d.hint) tail.push(d.hint);

  const fixed = head.length + tail.join('\n').length + 400;
  let room = Math.max(0, maxChars - fixed);
  const body: string[] = [];
  // Steps: the newest ones, within a third of the room (all of it when there is no reply).
  if (d.steps.length) {
    const stepRoom = d.reply ? Math.floor(room / 3) : room;
    const kept: string[] = [];
    let used = 0;
    for (let i = d.steps.length - 1; i >= 0; i--) {
      const line = `- ${d.steps[i]}`;
      if (used + line.length + 1 > stepRoom && kept.length) break;
      kept.unshift(line);
      used += line.length + 1;
    }
    const earlier = d.steps.length - kept.length + (d.steps_omitted ?? 0);
    if (earlier) kept.unshift(`- … ${earlier} earlier step(s) omitted (list_events shows them)`);
    room -= used;
    body.push(...fence.wrap('steps', kept.join('\n')));
  }
  if (d.reply) {
    const r = cutMiddle(d.reply, room);
    body.unshift(...fence.wrap('agent reply', r.text));
  }
  return [head, ...body, ...tail].join('\n');
}
