/**
 * The scripted agent (docs/emulator.md "Directives"). Each `user.message` is read line by line;
 * lines starting with `/` are directives, run in order; if nothing produced an `agent.message`,
 * the agent replies `You said: <text>`. Deterministic: no randomness, no clocks in content.
 */
import type { AbortReason, StoredEvent, TurnHost } from './types.js';
import { Turn, TurnAborted, sleep } from './turn.js';
import { resolveTool, type ToolResolution } from '../contract/normalize.js';
import { runToolBatch, type ToolCall } from './scripted-tools.js';

export interface Directive {
  name: string;
  args: string;
}

export function parseScript(text: string): { directives: Directive[]; plain: string } {
  const directives: Directive[] = [];
  const plain: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t.startsWith('/') && t.length > 1) {
      const m = /^\/(\S+)\s*(.*)$/s.exec(t)!;
      directives.push({ name: m[1]!.toLowerCase(), args: m[2]!.trim() });
    } else if (t) plain.push(line);
  }
  return { directives, plain: plain.join('\n') };
}

export const ERROR_TYPES = [
  'unknown_error',
  'model_overloaded_error',
  'model_rate_limited_error',
  'model_request_failed_error',
  'mcp_connection_failed_error',
  'mcp_authentication_failed_error',
  'billing_error',
  'credential_host_unreachable_error',
  'tool_use_limit_reached_error',
  'compaction_limit_reached_error',
  'repository_authentication_error',
  'repository_forbidden_error',
  'repository_not_found_error',
  'repository_checkout_error',
  'repository_clone_error',
] as const;

const MAX_EXTRA_EVENTS = 200_000;

export async function runTurn(rt: TurnHost, trigger: StoredEvent, signal: AbortSignal): Promise<void> {
  const turn = new Turn(rt, signal);
  try {
    if (trigger.type === 'user.define_outcome') await runOutcome(turn, trigger);
    else await runScript(turn, textOf(trigger), attachmentsOf(trigger));
    turn.finish('end_turn');
  } catch (err) {
    const reason = err instanceof TurnAborted ? err.reason : typeof err === 'string' ? (err as AbortReason) : undefined;
    if (reason === 'interrupt') {
      // docs/api-behaviour.md, "Events" (interrupt): an interrupted model request produces no final message; its span end closes it.
      turn.finish('end_turn');
    } else if (reason === undefined) {
      throw err;
    }
  }
}

function textOf(ev: StoredEvent): string {
  const content = (ev.content ?? []) as Array<{ type: string; text?: string }>;
  return content
    .filter((b) => b.type === 'text')
    .map((b) => b.text ?? '')
    .join('\n');
}

/**
 * The images and documents of a user.message, as the default reply acknowledges them:
 * `1 image (file_…) and 1 document ("notes.md", 12 characters of text)`; undefined when none.
 */
function attachmentsOf(ev: StoredEvent): { summary: string; chars: number } | undefined {
  type Source = { type: string; file_id?: string; data?: string; media_type?: string };
  const blocks = ((ev.content ?? []) as Array<{ type: string; source?: Source; title?: string | null }>).filter(
    (b) => b.type === 'image' || b.type === 'document',
  );
  if (blocks.length === 0) return undefined;
  let chars = 0;
  const what = (b: (typeof blocks)[number]) => {
    const s = b.source!;
    if (s.type === 'file') return s.file_id!;
    if (s.type === 'text') {
      chars += s.data!.length;
      return `${b.title ? `${JSON.stringify(b.title)}, ` : ''}${s.data!.length} characters of text`;
    }
    return s.type === 'base64' ? `base64 ${s.media_type}` : 'url';
  };
  const group = (type: string) => {
    const of = blocks.filter((b) => b.type === type);
    return of.length ? `${of.length} ${type}${of.length > 1 ? 's' : ''} (${of.map(what).join(', ')})` : undefined;
  };
  const summary = [group('image'), group('document')].filter(Boolean).join(' and ');
  return { summary, chars };
}

async function runScript(turn: Turn, text: string, attached?: { summary: string; chars: number }): Promise<void> {
  const rt = turn.rt;
  turn.freshChars += text.length + (attached?.chars ?? 0);
  const { directives, plain } = parseScript(text);
  for (let i = 0; i < directives.length; i++) {
    const d = directives[i]!;
    if (!(await turn.ensureStep())) return;
    switch (d.name) {
      case 'reply':
        turn.message(d.args);
        break;
      case 'think':
        rt.emit({ type: 'agent.thinking' });
        break;
      case 'tokens': {
        const [a, b, w = 0, ...extra] = d.args.split(/\s+/).map(Number);
        if ([a, b, w].every((n) => Number.isInteger(n) && n! >= 0) && extra.length === 0) turn.setTokens(a!, b!, w);
        else turn.message(`/tokens needs two or three non-negative integers (input output [cache_write]), got '${d.args}'`);
        break;
      }
      case 'sleep': {
        const ms = Number(d.args);
        if (!Number.isFinite(ms) || ms < 0) turn.message(`/sleep needs a number of milliseconds, got '${d.args}'`);
        else await sleep(ms, turn.signal);
        break;
      }
      case 'events': {
        const n = Number(d.args);
        if (!Number.isInteger(n) || n < 0 || n > MAX_EXTRA_EVENTS) {
          turn.message(`/events needs an integer between 0 and ${MAX_EXTRA_EVENTS}, got '${d.args}'`);
          break;
        }
        for (let k = 1; k <= n; k++) {
          const t = `event ${k} of ${n}`;
          rt.emit({ type: 'agent.message', content: [{ type: 'text', text: t }] });
          turn.output(t.length);
          if (k % 200 === 0) {
            await rt.flow();
            turn.checkAbort();
          }
        }
        break;
      }
      case 'file': {
        const m = /^(\S+)\s*(.*)$/s.exec(d.args);
        if (!m) {
          turn.message('/file needs a file name');
          break;
        }
        writeOutputFile(rt, m[1]!, m[2]!);
        break;
      }
      case 'delegate': {
        // The rest of the line after `/delegate <agent>` is the subagent's script, so
        // `/delegate helper /tool bash {...}` makes the subagent call bash.
        const m = /^(\S+)\s*(.*)$/s.exec(d.args);
        if (!m || !rt.delegate) {
          turn.message(m ? 'Only the primary thread can delegate.' : '/delegate needs <agent name or id> <text>');
          break;
        }
        turn.closeStep();
        const out = await rt.delegate(m[1]!, m[2]!, turn.signal);
        turn.checkAbort();
        if (!(await turn.ensureStep())) return;
        if ('error' in out) turn.message(`I can't delegate: ${out.error}.`);
        else turn.message(`${out.agent} replied: ${out.reply}`);
        break;
      }
      case 'refuse':
        // The model declines: the turn ends with stop_reason refusal and the rest of the script is dropped.
        turn.finish('refusal');
        return;
      case 'error': {
        const stop = emitError(turn, d.args);
        if (stop) return;
        break;
      }
      case 'tool': {
        const batch: Directive[] = [];
        while (i < directives.length && directives[i]!.name === 'tool') batch.push(directives[i++]!);
        i--;
        const calls: ToolCall[] = [];
        for (const b of batch) {
          const m = /^(\S+)\s*(.*)$/s.exec(b.args);
          if (!m) {
            turn.message('/tool needs a tool name');
            continue;
          }
          let input: Record<string, unknown> = {};
          if (m[2]) {
            try {
              const parsed: unknown = JSON.parse(m[2]);
              if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
              input = parsed as Record<string, unknown>;
            } catch {
              turn.message(`The input for tool '${m[1]}' is not a JSON object: ${m[2]}`);
              continue;
            }
          }
          const res: ToolResolution = resolveTool(rt.session.agent.tools, m[1]!);
          if (res.kind === 'unknown') turn.message(`I can't use the tool '${m[1]}': ${res.reason}.`);
          else if ((res.kind === 'builtin' || res.kind === 'mcp') && !res.enabled) {
            turn.message(`I can't use the tool '${m[1]}': it is disabled on this agent.`);
          } else calls.push({ res, input, label: m[1]! });
        }
        if (calls.length > 0) {
          // `/error <type> exhausted` right after the run: retries run out while its calls wait.
          const next = directives[i + 1];
          const [type, mode] = next?.name === 'error' ? next.args.split(/\s+/) : [];
          const exhaust = mode === 'exhausted' && (ERROR_TYPES as readonly string[]).includes(type ?? '') ? () => void emitError(turn, next!.args) : undefined;
          const ok = await runToolBatch(turn, calls, exhaust);
          if (!ok) return;
        }
        break;
      }
      default:
        turn.message(`Unknown directive '/${d.name}'. See docs/emulator.md for the directive list.`);
    }
    turn.checkAbort();
  }
  if (!turn.replied) {
    if (!(await turn.ensureStep())) return;
    const said = plain || text;
    const ack = attached ? `Received ${attached.summary}.` : '';
    turn.message(said || !ack ? `You said: ${said}${ack ? ` ${ack}` : ''}` : ack);
  }
}

/** Returns true when the turn is over (exhausted or terminal). */
function emitError(turn: Turn, args: string): boolean {
  const rt = turn.rt;
  const [type, mode] = args.split(/\s+/);
  if (!type || !(ERROR_TYPES as readonly string[]).includes(type) || !['retrying', 'exhausted', 'terminal'].includes(mode ?? '')) {
    turn.message(`/error needs <error_type> <retrying|exhausted|terminal> with a type among ${ERROR_TYPES.join(', ')}; got '${args}'`);
    return false;
  }
  const extra: Record<string, unknown> = {};
  if (type.startsWith('mcp_')) extra.mcp_server_name = rt.session.agent.mcp_servers[0]?.name ?? 'emulated-mcp';
  if (type === 'credential_host_unreachable_error') {
    extra.credential_id = 'vcrd_emulated';
    extra.vault_id = rt.session.vault_ids[0] ?? 'vlt_emulated';
  }
  if (type.startsWith('repository_')) extra.repository_url = null;
  rt.emit({
    type: 'session.error',
    error: { type, message: `Emulated ${type} (${mode})`, retry_status: { type: mode }, ...extra } as never,
  });
  if (mode === 'retrying') {
    rt.setStatus('rescheduling');
    rt.emit({ type: 'session.status_rescheduled' });
    rt.setStatus('running');
    rt.emit({ type: 'session.status_running' });
    return false;
  }
  turn.closeStep(true);
  if (mode === 'exhausted') {
    turn.finish('retries_exhausted');
  } else {
    turn.ended = true;
    rt.terminate();
  }
  return true;
}

function writeOutputFile(rt: TurnHost, name: string, text: string): void {
  const state = rt.state;
  const id = state.ids.next('file');
  const content = Buffer.from(text, 'utf8');
  state.files.set(id, {
    meta: {
      id,
      type: 'file',
      filename: name,
      mime_type: guessMime(name),
      size_bytes: content.length,
      created_at: state.clock.iso(),
      downloadable: true,
      expires_at: null,
      scope: { type: 'session', id: rt.id },
    },
    content,
  });
}

export function guessMime(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase();
  const map: Record<string, string> = {
    txt: 'text/plain',
    md: 'text/markdown',
    json: 'application/json',
    csv: 'text/csv',
    html: 'text/html',
    pdf: 'application/pdf',
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    webp: 'image/webp',
  };
  return (ext && map[ext]) || 'application/octet-stream';
}

/**
 * The grader's script, read from a text rubric's directive lines (docs/emulator.md "Outcomes"):
 * `/revise <n>` fails the first n evaluations (needs_revision), `/fail` makes the first evaluation
 * `failed`, `/grade-sleep <ms>` makes each evaluation take that long (one heartbeat each).
 */
export function parseGrader(rubric: unknown): { revise: number; fail: boolean; sleepMs: number } {
  const r = rubric as { type?: string; content?: string } | undefined;
  const g = { revise: 0, fail: false, sleepMs: 0 };
  if (r?.type !== 'text') return g;
  for (const d of parseScript(String(r.content ?? '')).directives) {
    const n = Number(d.args);
    if (d.name === 'revise' && Number.isInteger(n) && n >= 0) g.revise = n;
    else if (d.name === 'fail') g.fail = true;
    else if (d.name === 'grade-sleep' && Number.isFinite(n) && n >= 0) g.sleepMs = n;
  }
  return g;
}

const GRADER_USAGE = { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

/**
 * A `user.define_outcome` turn (SDK `BetaManagedAgentsSpanOutcomeEvaluationEndEvent`): the agent works, the
 * grader evaluates (start → ongoing → end); `needs_revision` sends the agent back to revise, until a
 * terminal verdict: `satisfied`, `failed`, or `max_iterations_reached` (then one acknowledgment
 * message) — all in one turn, which ends idle `end_turn`. An interrupt ends it `interrupted`.
 * The session's `outcome_evaluations` entry follows each state.
 */
async function runOutcome(turn: Turn, trigger: StoredEvent): Promise<void> {
  const rt = turn.rt;
  const outcomeId = String(trigger.outcome_id);
  const description = String(trigger.description ?? '');
  const max = Number(trigger.max_iterations ?? 3);
  const grader = parseGrader(trigger.rubric);
  const evaluation = {
    type: 'outcome_evaluation' as const,
    outcome_id: outcomeId,
    description,
    iteration: 0,
    result: 'pending',
    explanation: null as string | null,
    completed_at: null as string | null,
  };
  rt.session.outcome_evaluations.push(evaluation);
  const settle = (result: string, explanation: string) => {
    evaluation.result = result;
    evaluation.explanation = explanation;
    evaluation.completed_at = rt.state.clock.iso();
  };
  let open: { id: string; iteration: number } | undefined;
  turn.freshChars += description.length;
  try {
    for (let iteration = 0; ; iteration++) {
      evaluation.iteration = iteration;
      evaluation.result = 'running';
      if (!(await turn.ensureStep())) return;
      turn.message(iteration === 0 ? `Working on the outcome: ${description}` : `Revision ${iteration}: addressed the grader's feedback.`);
      turn.closeStep();
      evaluation.result = 'evaluating';
      const start = rt.emit({ type: 'span.outcome_evaluation_start', outcome_id: outcomeId, iteration });
      open = { id: start.id, iteration };
      rt.emit({ type: 'span.outcome_evaluation_ongoing', outcome_id: outcomeId, iteration });
      if (grader.sleepMs > 0) await sleep(grader.sleepMs, turn.signal);
      const [result, explanation] = grader.fail
        ? ['failed', 'The rubric does not apply to what was produced.']
        : iteration >= grader.revise
          ? ['satisfied', `All criteria are met at iteration ${iteration}.`]
          : iteration + 1 >= max
            ? ['max_iterations_reached', `Criteria still unmet after ${max} evaluation(s): the rubric's first criterion is missing.`]
            : ['needs_revision', `Iteration ${iteration}: the rubric's first criterion is missing.`];
      if (result !== 'needs_revision') settle(result, explanation);
      else evaluation.explanation = explanation;
      open = undefined;
      rt.emit({
        type: 'span.outcome_evaluation_end',
        outcome_evaluation_start_id: start.id,
        outcome_id: outcomeId,
        iteration,
        result,
        explanation,
        usage: GRADER_USAGE,
      });
      if (result === 'needs_revision') continue;
      if (result === 'max_iterations_reached') {
        // The SDK: "one final acknowledgment turn follows before the session goes idle".
        if (!(await turn.ensureStep())) return;
        turn.message(`I could not meet the rubric within ${max} iteration(s).`);
      }
      return;
    }
  } catch (err) {
    if (err instanceof TurnAborted && err.reason === 'interrupt' && !evaluation.completed_at) {
      settle('interrupted', 'Interrupted by the user.');
      if (open) {
        rt.emit({
          type: 'span.outcome_evaluation_end',
          outcome_evaluation_start_id: open.id,
          outcome_id: outcomeId,
          iteration: open.iteration,
          result: 'interrupted',
          explanation: 'Interrupted by the user.',
          usage: GRADER_USAGE,
        });
      }
    }
    throw err;
  }
}
