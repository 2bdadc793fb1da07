/** The errors of the response bounds (limits.ts), apart so that both ways of reading a body share them. */

const MIB = 1024 * 1024;

const CHECK_UPSTREAM = 'that the base URL points at the Managed Agents API and not at a proxy that rewrites responses.';

/** A response passed one of the bounds above; reading stopped there. */
export class ResponseLimitError extends Error {
  constructor(
    message: string,
    /** What to do about it. */
    readonly hint: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ResponseTooLargeError extends ResponseLimitError {
  constructor(what: 'a response body' | 'one event-stream event', limit: number, where: string) {
    super(
      `The API sent ${what} over ${limit / MIB} MiB (${where}); reading stopped there to bound memory.`,
      `${what === 'a response body' ? 'Ask for fewer items (a smaller limit), or check' : 'Check'} ${CHECK_UPSTREAM}`,
    );
  }
}

export class ResponseTooSlowError extends ResponseLimitError {
  constructor(ms: number, where: string) {
    super(
      `The API's response body had not arrived whole after ${ms / 1000} s (${where}); reading stopped there.`,
      `Retry later; if it persists, check ${CHECK_UPSTREAM}`,
    );
  }
}
