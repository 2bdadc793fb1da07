/**
 * The error funnel's vocabulary: turns anything a handler throws into a text a model can act on —
 * what failed, whether retrying helps, and which tool to call next.
 *
 * Errors are classified by what the API states — HTTP status (the SDK's error classes), the error
 * body's `type` and `details.error_code` — and by the failed request (its path, or the resource the
 * handler blamed), never by the message's wording: the SDK documents that wording may change
 * (docs/api-behaviour.md, "Errors"). Retry advice comes from the tool's kind (its effect) and from
 * the retries actually made.
 */
import { quoted } from '../format/inert.js';
import {
  APIError,
  APIConnectionError,
  APIUserAbortError,
  NoCredentialsError,
  RESOURCES,
  RetryLaterError,
  failureOf,
  type Effect,
  type FailureFacts,
  type Resource,
} from './client.js';
import { codeAdvice } from './error-codes.js';
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

/** The list tool that shows valid ids of each resource (and, for events, what arrived). */
const LIST_TOOL: Record<Resource, string> = {
  agents: 'list_agents',
  environments: 'list_environments',
  sessions: 'list_sessions',
  events: 'list_events',
  vaults: 'list_vaults',
  credentials: 'list_credentials',
  memory_stores: 'list_memory_stores',
  memories: 'list_memories',
  memory_versions: 'list_memory_versions',
  files: 'list_files',
  threads: 'list_threads',
  resources: 'list_session_resources',
  skills: 'list_skills',
  deployments: 'list_deployments',
  deployment_runs: 'list_deployment_runs',
  dreams: 'list_dreams',
};

/** Error codes (the error body's `details.error_code`, documented in the SDK) that name a resource. */
const CODE_RESOURCE: Record<string, Resource> = {
  environment_not_found: 'environments',
  environment_archived: 'environments',
};

const isResource = (s: string | undefined): s is Resource => (RESOURCES as readonly string[]).includes(s ?? '');

/**
 * The collections in a request path with whether an id follows each:
 * /v1/memory_stores/ms_1/memories → [{memory_stores, id}, {memories, no id}].
 */
function pathResources(path: string | undefined): { resource: Resource; withId: boolean }[] {
  const segs = (path ?? '').split('/').filter(Boolean).slice(1);
  const out: { resource: Resource; withId: boolean }[] = [];
  for (let i = 0; i < segs.length; i++) {
    if (isResource(segs[i])) out.push({ resource: segs[i] as Resource, withId: i + 1 < segs.length && !isResource(segs[i + 1]) });
  }
  return out;
}

/**
 * What a failure is about: what the handler said (it knows which of its ids failed), else an error
 * code that names a resource, else the failed request's path. `missing` (for 404) takes the
 * deepest collection addressed by id and its parents; otherwise the last collection in the path
 * (the one a create or send acted on).
 */
function subjectOf(err: APIError, facts: FailureFacts | undefined, missing: boolean): Resource[] {
  if (facts?.resource) return [facts.resource];
  const coded = err.errorCode ? CODE_RESOURCE[err.errorCode] : undefined;
  if (coded) return [coded];
  const parts = pathResources(facts?.path);
  if (!missing) return parts.length ? [parts.at(-1)!.resource] : [];
  return parts
    .filter((p) => p.withId)
    .map((p) => p.resource)
    .reverse();
}

function listHint(resources: Resource[]): string {
  if (resources.length === 0) return 'The list_ tool of that resource shows valid ids.';
  const [first, ...parents] = resources.map((r) => LIST_TOOL[r]);
  return `${first}${parents.length ? ` (or ${parents.join(', ')} for the ids it sits under)` : ''} shows valid ids.`;
}

/** The hint of a failed request, from its status, error type and code, and the resource it is about — never its wording. */
function hintFor(err: APIError, facts: FailureFacts | undefined): string {
  const status = err.status;
  const about = subjectOf(err, facts, status === 404)[0];
  const maybeDone =
    facts?.effect === 'idempotent' && facts.retries > 0 && (status === 404 || status === 409)
      ? ` An earlier attempt (this server retried after a failure) may already have done it: ${about ? LIST_TOOL[about] : 'the list tool'} shows the current state.`
      : '';
  switch (status) {
    case 400:
      if (err.errorCode === 'environment_archived') {
        return 'The environment is archived: pass another environment_id (list_environments) or omit it to use the default.';
      }
      if (about === 'events') {
        return 'Fix the request as the message says. If it answered a pending action, check pending_actions from the last send_message / wait_for_turn (or list_events types=["agent.tool_use","agent.custom_tool_use"]) for the ids still waiting.';
      }
      return 'Fix the request as the message says; retrying it unchanged will fail again.';
    case 401:
      return 'The API key was rejected: set a valid ANTHROPIC_API_KEY (or MANAGED_AGENTS_API_KEY) in the MCP server config, or run the server with --emulator.';
    case 403:
      return 'The key lacks permission for this (or the Managed Agents beta is not enabled for the organization).';
    case 404:
      return `No such resource: ${listHint(subjectOf(err, facts, true))}${maybeDone}`;
    case 409:
      if (err.type === 'memory_precondition_failed_error') {
        return 'The memory changed since you read it: get_memory for its current content and content_sha256, merge your change, and write_memory again with that expected_sha256.';
      }
      if (err.type === 'memory_path_conflict_error') {
        return 'Another memory already uses that path (or a parent/child of it): list_memories shows it; pass its memory_id to write_memory to update it, or pick another path.';
      }
      if (about === 'events' || about === 'sessions') {
        return (
          "The session's state does not allow this: if it is archived or terminated it accepts nothing more (start_session to begin a new one); if it is running, interrupt_session first or wait_for_turn until it is idle. get_session shows which." +
          maybeDone
        );
      }
      if (about === 'agents') {
        return 'The agent changed since that version, or is archived: get_agent shows its current version and state; retry with that version.' + maybeDone;
      }
      if (about === 'deployments') {
        return (
          "The deployment's state does not allow this: an archived deployment takes no runs or changes (create_deployment makes a new one); get_deployment shows its state." +
          maybeDone
        );
      }
      return `The resource is in a state that does not allow this (archived?): ${about ? LIST_TOOL[about] : 'its list tool'} shows its state.${maybeDone}`;
    case 413:
      return 'The request is too large: send less content per call.';
    case 429:
      return err.type === 'rate_limit_error' ? 'Rate limited: wait a little and retry.' : 'Retry later.';
    default:
      if (status !== undefined && status >= 500) return 'A server-side failure: retrying later usually helps.';
      return 'Retry later, or check the request.';
  }
}

/** Statuses at which the same request can succeed later (the API did not refuse it for what it is). */
function transient(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** "Retry helps: …", from the status and what this server already did. */
function retryAdvice(status: number | undefined, retries: number): string {
  if (!transient(status)) return 'Retry helps: no.';
  if (retries === 0) return 'Retry helps: yes.';
  return `Retry helps: yes. This server already retried ${retries} time(s): wait a little before trying again.`;
}

/**
 * The `isError` text for a failure of `tool`, whose kind has this `effect` (src/tools/support/define.ts,
 * effectOf). Never contains a secret.
 */
export function errorText(tool: string, effect: Effect, err: unknown): string {
  return redact(rawErrorText(tool, effect, err));
}

function rawErrorText(tool: string, effect: Effect, err: unknown): string {
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
    return (
      `${tool} failed: could not reach the Managed Agents API (${err.message}${causeCode(err)}).\n` +
      (effect === 'write'
        ? 'The request may or may not have reached the API. Before retrying, check whether it took effect (list or get the resource), so nothing is created or sent twice.'
        : 'Retry when the API is reachable; check ANTHROPIC_BASE_URL / --base-url if this persists.')
    );
  }
  if (err instanceof APIError) {
    const facts = failureOf(err);
    const lines = [`${tool} failed: ${describeApiError(err)}`];
    const status = err.status;
    // A code the SDK documents says more than the status: above all whether the API acted (a 503
    // storage_not_ready did not, so even a write is safe to resend later).
    const coded = codeAdvice(err.errorCode);
    if (coded) {
      lines.push(
        coded.retry !== 'no'
          ? `Retry helps: yes, later: the API did not act on the request.${(facts?.retries ?? 0) > 0 ? ` This server already retried ${facts!.retries} time(s).` : ''}`
          : 'Retry helps: no, not until what the next line says is done.',
      );
      lines.push(`Next: ${coded.next}`);
      return lines.join('\n');
    }
    // A 5xx other than 529 (overloaded: rejected before processing) may come after the API acted,
    // and a write is not retried then (src/api/client.ts): say so, and how to check.
    if (effect === 'write' && status !== undefined && status >= 500 && status !== 529) {
      const about = subjectOf(err, facts, false)[0];
      const check =
        about === 'events'
          ? 'list_events (or wait_for_turn) shows whether it arrived'
          : `${about ? LIST_TOOL[about] : 'the list tool of the resource'} shows whether it exists`;
      lines.push(`Retry helps: only after checking. The request may have taken effect before the failure: ${check}; resend only if it did not.`);
      return lines.join('\n');
    }
    lines.push(retryAdvice(status, facts?.retries ?? 0));
    lines.push(`Next: ${hintFor(err, facts)}`);
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
  // The API's words, and its type or code when not a plain identifier, are data: quoted on our line.
  const ident = (s: string) => (/^[a-z_]{1,64}$/.test(s) ? s : quoted(s, 64));
  const kind = ident(type) + (err.errorCode ? ` (${ident(err.errorCode)})` : '');
  const parts = [err.status !== undefined ? `HTTP ${err.status} ${kind}` : kind, `— the API says: ${quoted(msg)}`];
  if (err.requestID) parts.push(`(request_id ${err.requestID})`);
  return parts.join(' ');
}
