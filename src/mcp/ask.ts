/**
 * Asking the person across rounds (MCP 2026-07-28; docs/approval.md, "Asking across rounds").
 *
 * On that revision a server sends no requests to the client: a tool that needs a person returns
 * an input-required result with the form, the client asks, and retries the same `tools/call` with
 * the answer. The handler runs again from the start, so this is what makes `ctx.elicit(form)`
 * return the answer on the retry: each ask of a call has a key (its order within the call and a
 * hash of its form), answers of earlier rounds ride in the signed request state, and a tool that
 * asks after a side effect (sending a message, following a turn) saves a checkpoint first, which
 * the retried call resumes from instead of repeating the side effect.
 *
 * Nothing here knows the MCP SDK: src/mcp/server.ts signs and verifies the state and builds the
 * result; this is the bookkeeping of one call.
 */
import { createHash } from 'node:crypto';
import type { ElicitAnswer, ElicitForm } from '../tools/support/define.js';

/** What rides in `requestState` between rounds, signed (src/mcp/server.ts). */
export interface AskState {
  v: 1;
  /** The tool, a hash of its arguments and of the caller: a state answers only the call it was made for. */
  tool: string;
  args: string;
  who: string;
  /** Where the retried call resumes (`ctx.resumed`): the parts saved with `checkpoint` before the ask. */
  resume?: Record<string, unknown>;
  /** Answers of earlier rounds since that checkpoint, by ask key. */
  answers: Record<string, ElicitAnswer>;
}

/** Thrown by `ctx.elicit` when the answer is not here yet: the call ends with an input-required result. */
export class InputNeeded extends Error {
  constructor(
    readonly key: string,
    readonly form: ElicitForm,
  ) {
    super('input required');
  }
}

export function hashOf(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value ?? null))
    .digest('base64url')
    .slice(0, 22);
}

/** One call's asks: answered from the verified state or this round's responses, or `InputNeeded`. */
export class AskRounds {
  private count = 0;
  private point: Record<string, unknown> | undefined;
  private answers: Record<string, ElicitAnswer>;

  constructor(
    private readonly bound: Pick<AskState, 'tool' | 'args' | 'who'>,
    resumed: AskState | undefined,
    /** This round's answers, as the client sent them (untrusted: checked per ask). */
    private readonly responses: Record<string, unknown> | undefined,
  ) {
    this.point = resumed?.resume;
    this.answers = { ...resumed?.answers };
  }

  /** What the previous round saved, verified. */
  get resumed(): Record<string, unknown> | undefined {
    return this.point;
  }

  /**
   * Adds `part` to the resume point (a part of the same name is replaced). When that changes the
   * point, answers given before belong to what it replaces; the same part again changes nothing.
   */
  checkpoint(part: Record<string, unknown>): void {
    const point = { ...this.point, ...part };
    if (hashOf(point) === hashOf(this.point)) return;
    this.point = point;
    this.answers = {};
    this.count = 0;
  }

  ask(form: ElicitForm): ElicitAnswer {
    const key = `ask${this.count++}_${hashOf(form)}`;
    const known = this.answers[key] ?? answerOf(this.responses?.[key]);
    if (!known) throw new InputNeeded(key, form);
    this.answers[key] = known;
    return known;
  }

  /** The state for the next round. */
  state(): AskState {
    return { v: 1, ...this.bound, ...(this.point === undefined ? {} : { resume: this.point }), answers: this.answers };
  }
}

/** An elicitation answer as the client sent it, or undefined when it is not one. */
function answerOf(raw: unknown): ElicitAnswer | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { action, content } = raw as { action?: unknown; content?: unknown };
  if (action !== 'accept' && action !== 'decline' && action !== 'cancel') return undefined;
  const clean: Record<string, string | number | boolean | string[]> = {};
  if (content && typeof content === 'object' && !Array.isArray(content)) {
    for (const [k, v] of Object.entries(content)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') clean[k] = v;
      else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) clean[k] = v;
    }
  }
  return action === 'accept' ? { action, content: clean } : { action };
}
