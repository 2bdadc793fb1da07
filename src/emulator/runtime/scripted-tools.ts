/**
 * `/tool` directives. A run of consecutive `/tool` lines is one model step (parallel tool calls):
 * every call is emitted, the step closes, and if any call blocks (an `always_ask` permission, a
 * custom tool, or a built-in tool on a self-hosted environment) the session idles ONCE with
 * `requires_action` listing all blocking ids (docs/api-behaviour.md, "Events"). When all are resolved,
 * results are emitted and a new model step acknowledges them.
 */
import { Turn, TurnAborted } from './turn.js';
import type { ToolResolution } from '../contract/normalize.js';
import type { Policy } from '../contract/validate.js';
import type { PendingKind, Resolution, TurnHost } from './types.js';

export interface ToolCall {
  res: Exclude<ToolResolution, { kind: 'unknown' }>;
  input: Record<string, unknown>;
  label: string;
}

interface Emitted {
  call: ToolCall;
  id: string;
  blocking?: PendingKind;
}

function permission(policy: Policy) {
  if (policy.type === 'always_ask') return { evaluated_permission: 'ask' as const, evaluation: { type: 'always_ask' as const } };
  if (policy.type === 'auto') {
    return { evaluated_permission: 'allow' as const, evaluation: { type: 'auto' as const, evaluated_permission: { type: 'allow' as const } } };
  }
  return { evaluated_permission: 'allow' as const, evaluation: { type: 'always_allow' as const } };
}

/** The canned output of an allowed built-in or MCP tool. */
export function cannedResult(call: ToolCall): string {
  const input = call.input;
  if (call.res.kind === 'mcp') return `(emulated ${call.res.server}/${call.res.name}) ok: ${JSON.stringify(input)}`;
  switch (call.label) {
    case 'bash':
      return `(emulated bash) $ ${String(input.command ?? '')}`;
    case 'read':
      return `(emulated read) contents of ${String(input.file_path ?? '')}`;
    case 'write':
      return `(emulated write) wrote ${String(input.content ?? '').length} characters to ${String(input.file_path ?? '')}`;
    default:
      return `(emulated ${call.label}) ok: ${JSON.stringify(input)}`;
  }
}

function textOf(content: unknown[] | undefined): string {
  return (content ?? [])
    .map((b) => (b && typeof b === 'object' && (b as { type?: string }).type === 'text' ? String((b as { text?: unknown }).text) : '[non-text block]'))
    .join('\n');
}

/**
 * Returns false when the turn ended inside (budget reached, or `exhaust`). `exhaust` (a `/tool` run
 * followed by `/error <type> exhausted`): the session lists the blocking calls, then its retries
 * run out before they are answered; the calls stay answerable, and answering the last of them runs
 * the rest of this batch (docs/emulator.md, "The scripted agent").
 */
export async function runToolBatch(turn: Turn, calls: ToolCall[], exhaust?: () => void): Promise<boolean> {
  const rt = turn.rt;
  const emitted: Emitted[] = [];
  for (const call of calls) {
    const inputChars = JSON.stringify(call.input).length;
    turn.output(inputChars);
    if (call.res.kind === 'custom') {
      const ev = rt.emit({ type: 'agent.custom_tool_use', name: call.res.name, input: call.input });
      emitted.push({ call, id: ev.id, blocking: 'custom' });
    } else if (call.res.kind === 'builtin') {
      const perm = permission(call.res.policy);
      const ev = rt.emit({ type: 'agent.tool_use', name: call.res.name, input: call.input, ...perm });
      const blocking: PendingKind | undefined =
        perm.evaluated_permission === 'ask'
          ? 'confirm'
          : rt.selfHosted && call.res.name !== 'web_fetch' && call.res.name !== 'web_search'
            ? 'result'
            : undefined;
      emitted.push({ call, id: ev.id, blocking });
    } else {
      const perm = permission(call.res.policy);
      const ev = rt.emit({ type: 'agent.mcp_tool_use', name: call.res.name, mcp_server_name: call.res.server, input: call.input, ...perm });
      emitted.push({ call, id: ev.id, blocking: perm.evaluated_permission === 'ask' ? 'confirm' : undefined });
    }
  }
  for (const e of emitted) if (e.blocking) rt.awaitAction(e.id, e.blocking);
  turn.closeStep();
  const blockingIds = emitted.filter((e) => e.blocking).map((e) => e.id);
  if (exhaust && blockingIds.length > 0 && rt.parkActions) {
    rt.parkActions(blockingIds, (signal) => resumeBatch(rt, emitted, signal));
    exhaust();
    return false;
  }
  if (blockingIds.length > 0) await rt.waitForActions(blockingIds, turn.signal);
  turn.checkAbort();
  return acknowledge(turn, emitted);
}

/** Runs, as a new turn, what a parked batch left to do once its calls are answered (TurnHost.parkActions). */
async function resumeBatch(rt: TurnHost, emitted: Emitted[], signal: AbortSignal): Promise<void> {
  const turn = new Turn(rt, signal);
  try {
    if (await acknowledge(turn, emitted)) turn.finish('end_turn');
  } catch (err) {
    const reason = err instanceof TurnAborted ? err.reason : undefined;
    if (reason === 'interrupt') turn.finish('end_turn');
    else if (reason === undefined) throw err;
  }
}

/** The results of a batch whose blocking calls are answered, and a model step that acknowledges them. */
async function acknowledge(turn: Turn, emitted: Emitted[]): Promise<boolean> {
  const rt = turn.rt;

  const notes: string[] = [];
  for (const e of emitted) {
    const r: Resolution | undefined = rt.takeResolution(e.id);
    const name = e.call.label;
    if (e.blocking === 'custom' || e.blocking === 'result') {
      const text = textOf(r?.content);
      turn.freshChars += text.length;
      notes.push(r?.isError ? `The tool ${name} returned an error: ${text}` : `The tool ${name} returned: ${text}`);
      continue;
    }
    const allowed = e.blocking === 'confirm' ? r?.allow === true : true;
    if (!allowed) {
      notes.push(`The ${name} call was denied${r?.denyMessage ? `: ${r.denyMessage}` : ''}. I will not run it.`);
      continue;
    }
    if (e.blocking === 'confirm' && rt.selfHosted && e.call.res.kind === 'builtin') {
      notes.push(`The ${name} call was allowed; a self-hosted worker runs it.`);
      continue;
    }
    const text = cannedResult(e.call);
    turn.freshChars += text.length;
    if (e.call.res.kind === 'mcp') {
      rt.emit({ type: 'agent.mcp_tool_result', mcp_tool_use_id: e.id, content: [{ type: 'text', text }], is_error: false });
    } else {
      rt.emit({ type: 'agent.tool_result', tool_use_id: e.id, content: [{ type: 'text', text }], is_error: false });
    }
    notes.push(`The tool ${name} finished: ${text}`);
  }
  if (!(await turn.ensureStep())) return false;
  turn.message(notes.join('\n'));
  return true;
}
