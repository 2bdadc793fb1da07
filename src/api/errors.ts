/**
 * The error funnel's vocabulary: turns anything a handler throws into a text a model can act on —
 * what failed, whether retrying helps, and which tool to call next.
 */
import { APIError, APIConnectionError, APIUserAbortError, NoCredentialsError, RetryLaterError } from './client.js';
import { ResponseLimitError } from './limits.js';
import { redact } from '../log.js';

/** A failure the server detected itself, with its own hint (bad combination of arguments, etc.). */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Which list tool shows valid ids for the resource a tool touches. */
function listToolFor(tool: string): string {
  if (/agent/.test(tool) && !/session|message|turn|tool_use|custom/.test(tool)) return 'list_agents';
  if (/environment/.test(tool)) return 'list_environments';
  if (/vault|credential/.test(tool)) return 'list_vaults';
  if (/memor/.test(tool)) return 'list_memory_stores';
  if (/file/.test(tool)) return 'list_files';
  return 'list_sessions';
}

function hintFor(tool: string, status: number | undefined, type: string | undefined, message: string): string {
  switch (status) {
    case 400:
      if (/environment_archived|archived environment/i.test(message)) {
        return 'The environment is archived: pass another environment_id (list_environments) or omit it to use the default.';
      }
      if (/tool_use|custom_tool_use|tool confirmation|unknown.*id/i.test(message)) {
        return 'Check pending_actions from the last send_message / wait_for_turn (or list_events types=["agent.tool_use","agent.custom_tool_use"]) for the ids still waiting.';
      }
      return 'Fix the request as the message says; retrying it unchanged will fail again.';
    case 401:
      return 'The API key was rejected: set a valid ANTHROPIC_API_KEY (or MANAGED_AGENTS_API_KEY) in the MCP server config, or run the server with --emulator.';
    case 403:
      return 'The key lacks permission for this (or the Managed Agents beta is not enabled for the organization).';
    case 404:
      return `No such resource: ${listToolFor(tool)} shows valid ids.`;
    case 409:
      if (/memor/.test(tool) && /precondition/i.test(`${type} ${message}`)) {
        return 'The memory changed since you read it: get_memory for its current content and content_sha256, merge your change, and write_memory again with that expected_sha256.';
      }
      if (/memor/.test(tool) && /path_conflict|conflicts? with/i.test(`${type} ${message}`)) {
        return 'Another memory already uses that path (or a parent/child of it): list_memories shows it; pass its memory_id to write_memory to update it, or pick another path.';
      }
      if (/archived|terminated/i.test(message)) return 'The session is archived or terminated and accepts no more events: start_session to begin a new one.';
      if (/version/i.test(message)) return 'The agent changed since that version: fetch the current version and retry with it.';
      if (/running/i.test(message)) return 'The session is running: interrupt_session first, or wait_for_turn until it is idle.';
      return 'The resource is in a state that does not allow this; get_session shows its state.';
    case 413:
      return 'The request is too large: send less content per call.';
    case 429:
      return type === 'rate_limit_error' ? 'Rate limited: wait a little and retry.' : 'Retry later.';
    default:
      if (status !== undefined && status >= 500) return 'A server-side failure: retrying later usually helps.';
      return 'Retry later, or check the request.';
  }
}

/** Tools whose request changes state and is not idempotent: a blind retry could do it twice. */
function isWriteTool(tool: string): boolean {
  return /^(create|start|send|confirm|submit|interrupt)_/.test(tool);
}

function retryHelps(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** The `isError` text for a failure of `tool`. Never contains a secret. */
export function errorText(tool: string, err: unknown): string {
  return redact(rawErrorText(tool, err));
}

function rawErrorText(tool: string, err: unknown): string {
  if (err instanceof NoCredentialsError) return `${tool} failed: ${err.message}`;
  if (err instanceof ToolError || err instanceof ResponseLimitError) return `${tool} failed: ${err.message}${err.hint ? `\nNext: ${err.hint}` : ''}`;
  if (err instanceof RetryLaterError) {
    return (
      `${tool} failed: ${describeApiError(err.cause)}\n` +
      `The API asked us to wait ${Math.ceil(err.retryAfterS)} s before retrying, longer than this server waits inside one call. Retry after that.`
    );
  }
  if (err instanceof APIUserAbortError) return `${tool} was cancelled.`;
  if (err instanceof APIConnectionError) {
    const isWrite = isWriteTool(tool);
    return (
      `${tool} failed: could not reach the Managed Agents API (${err.message}${causeCode(err)}).\n` +
      (isWrite
        ? 'The request may or may not have reached the API. Before retrying, check whether it took effect (list or get the resource), so nothing is created or sent twice.'
        : 'Retry when the API is reachable; check ANTHROPIC_BASE_URL / --base-url if this persists.')
    );
  }
  if (err instanceof APIError) {
    const lines = [`${tool} failed: ${describeApiError(err)}`];
    const status = err.status;
    // A 5xx other than 529 (overloaded: rejected before processing) may come after the API acted.
    if (status !== undefined && status >= 500 && status !== 529 && isWriteTool(tool)) {
      const check = /^(send|confirm|submit|interrupt)_/.test(tool)
        ? 'list_events (or wait_for_turn) shows whether it arrived'
        : `${listToolFor(tool)} shows whether it exists`;
      lines.push(`Retry helps: only after checking. The request may have taken effect before the failure: ${check}; resend only if it did not.`);
      return lines.join('\n');
    }
    lines.push(`Retry helps: ${retryHelps(status) ? 'yes' : 'no'}.`);
    lines.push(`Next: ${hintFor(tool, status, err.type ?? undefined, String(err.message))}`);
    return lines.join('\n');
  }
  const message = err instanceof Error ? err.message : String(err);
  return `${tool} failed: ${message}`;
}

function causeCode(err: unknown): string {
  let e: any = (err as any)?.cause;
  for (let i = 0; i < 4 && e; i++) {
    if (e.code) return `: ${e.code}`;
    e = e.cause;
  }
  return '';
}

export function describeApiError(err: APIError): string {
  const body = err.error as { error?: { type?: string; message?: string } } | undefined;
  const type = body?.error?.type ?? err.type ?? 'error';
  const msg = body?.error?.message ?? err.message;
  const parts = [err.status !== undefined ? `HTTP ${err.status} ${type}` : type, `— ${msg}`];
  if (err.requestID) parts.push(`(request_id ${err.requestID})`);
  return parts.join(' ');
}

export function isNotFound(err: unknown): boolean {
  return err instanceof APIError && err.status === 404;
}
