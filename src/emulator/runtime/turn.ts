/** One turn of the scripted agent: its model steps, token accounting and abort handling. */
import type { AbortReason, TurnHost, TurnStop } from './types.js';

/** Token rule (documented): see `closeStep`. */
export class Turn {
  replied = false;
  /** Characters that entered the conversation in this turn so far (user text, agent text, tool results). */
  freshChars = 0;
  private step: { startId: string; outChars: number; promptChars: number; override?: { input: number; output: number; cacheWrite: number } } | null = null;
  ended = false;

  constructor(
    readonly rt: TurnHost,
    readonly signal: AbortSignal,
  ) {}

  checkAbort(): void {
    if (this.signal.aborted) throw new TurnAborted(this.signal.reason as AbortReason);
  }

  /** Opens a model step unless one is open; returns false (and ends the turn) when the budget is reached. */
  async ensureStep(): Promise<boolean> {
    if (this.step) return true;
    if (this.rt.budgetReached()) {
      this.finish('budget_reached');
      return false;
    }
    const start = this.rt.emit({ type: 'span.model_request_start' });
    this.step = { startId: start.id, outChars: 0, promptChars: this.freshChars };
    const delay = this.rt.state.settings.stepDelayMs;
    if (delay > 0) await sleep(delay, this.signal);
    this.checkAbort();
    return true;
  }

  setTokens(input: number, output: number, cacheWrite = 0): void {
    if (this.step) this.step.override = { input, output, cacheWrite };
  }

  message(text: string): void {
    this.rt.emit({ type: 'agent.message', content: [{ type: 'text', text }] });
    this.output(text.length);
    this.replied = true;
  }

  output(chars: number): void {
    if (this.step) this.step.outChars += chars;
    this.freshChars += chars;
  }

  /**
   * Default usage of a model request, unless `/tokens` set it:
   *   input_tokens = 100 + ceil(promptChars / 4)  (this turn's text before the request started:
   *                                                the user message, earlier steps' output, tool results)
   *   cache_read_input_tokens = ceil(priorChars / 4) (all earlier turns: read from the prompt cache)
   *   output_tokens = ceil(outChars / 4) + 1       (text and tool inputs produced by this step)
   *   cache_creation_input_tokens = 0               (`/tokens <in> <out> <cache_write>` sets it)
   */
  closeStep(isError = false): void {
    const s = this.step;
    if (!s) return;
    this.step = null;
    const usage = s.override
      ? { input_tokens: s.override.input, output_tokens: s.override.output, cache_read_input_tokens: 0, cache_creation_input_tokens: s.override.cacheWrite }
      : {
          input_tokens: 100 + Math.ceil(s.promptChars / 4),
          output_tokens: Math.ceil(s.outChars / 4) + 1,
          cache_read_input_tokens: Math.ceil(this.rt.priorChars / 4),
          cache_creation_input_tokens: 0,
        };
    const t = this.rt.tokens;
    t.input += usage.input_tokens;
    t.output += usage.output_tokens;
    t.cacheRead += usage.cache_read_input_tokens;
    t.cache5m += usage.cache_creation_input_tokens; // written with the default 5-minute TTL
    this.rt.emit({
      type: 'span.model_request_end',
      model_request_start_id: s.startId,
      is_error: isError,
      model_usage: { ...usage, speed: this.rt.session.agent.model.speed ?? 'standard' },
    });
  }

  get stepOpen(): boolean {
    return this.step !== null;
  }

  finish(stop: TurnStop): void {
    if (this.ended) return;
    this.closeStep();
    this.ended = true;
    this.rt.priorChars += this.freshChars;
    this.rt.endTurn(stop);
  }
}

export class TurnAborted extends Error {
  constructor(readonly reason: AbortReason) {
    super(`turn aborted: ${reason}`);
  }
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new TurnAborted(signal.reason as AbortReason));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      reject(new TurnAborted(signal.reason as AbortReason));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
