/**
 * Event condensing: one short line per event for list_events' compact view and the turn digest's
 * `steps`. Lines keep the essential field of each type (the text, the tool and its input, the
 * error) and clip everything to a fixed width, so a page of history costs a predictable number of
 * tokens. Unknown event types (the union is open) still get a line.
 */

import { redact } from './secrets.js';

type AnyEvent = { id?: string; type: string; processed_at?: string | null; [k: string]: unknown };

/** One line of at most `max` characters; secrets are redacted before the cut, so none leaves a prefix. */
export function clip(text: string, max: number): string {
  const oneLine = redact(text).replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** Text of a content-block array (text blocks only; others are named). */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .map((b: any) => {
      if (b?.type === 'text') return String(b.text ?? '');
      if (b?.type === 'search_result') return `[search result: ${b.title ?? b.source ?? ''}]`;
      if (b?.type) return `[${b.type}]`;
      return '';
    })
    .join('');
}

function json(v: unknown, max: number): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? '';
  } catch {
    s = String(v);
  }
  return clip(s, max);
}

/** The essential content of an event, without its type or time. */
export function eventSummary(ev: AnyEvent, width = 160): string {
  const e = ev as any;
  switch (ev.type) {
    case 'user.message':
    case 'agent.message':
    case 'system.message':
      return clip(contentText(e.content), width);
    case 'agent.tool_use':
      return `${e.name} ${json(e.input, width - 30)}${e.evaluated_permission ? ` [permission: ${e.evaluated_permission}]` : ''}`;
    case 'agent.mcp_tool_use':
      return `${e.mcp_server_name}/${e.name} ${json(e.input, width - 40)}${e.evaluated_permission ? ` [permission: ${e.evaluated_permission}]` : ''}`;
    case 'agent.custom_tool_use':
      return `${e.name} ${json(e.input, width - 20)}`;
    case 'agent.tool_result':
    case 'agent.mcp_tool_result':
    case 'user.custom_tool_result':
    case 'user.tool_result': {
      const ref = e.tool_use_id ?? e.mcp_tool_use_id ?? e.custom_tool_use_id;
      return `${e.is_error ? 'ERROR ' : ''}for ${ref}: ${clip(contentText(e.content), width - 40)}`;
    }
    case 'user.tool_confirmation':
      return `${e.result} ${e.tool_use_id}${e.deny_message ? `: ${clip(e.deny_message, 80)}` : ''}`;
    case 'session.status_idle':
    case 'session.thread_status_idle': {
      const sr = e.stop_reason;
      const who = ev.type === 'session.thread_status_idle' ? `${e.agent_name} ` : '';
      if (sr?.type === 'requires_action') return `${who}requires_action ${(sr.event_ids ?? []).join(',')}`;
      return `${who}${sr?.type ?? ''}`;
    }
    case 'session.thread_created':
      return `${e.agent_name} ${e.session_thread_id}`;
    case 'session.thread_status_running':
    case 'session.thread_status_rescheduled':
    case 'session.thread_status_terminated':
      return String(e.agent_name ?? '');
    case 'agent.thread_message_sent':
      return `to ${e.to_agent_name ?? e.to_session_thread_id}: ${clip(contentText(e.content), width - 30)}`;
    case 'agent.thread_message_received':
      return `from ${e.from_agent_name ?? e.from_session_thread_id}: ${clip(contentText(e.content), width - 30)}`;
    case 'session.error':
      return `${e.error?.type ?? 'error'} (${e.error?.retry_status?.type ?? '?'}): ${clip(String(e.error?.message ?? ''), width - 40)}`;
    case 'span.model_request_end': {
      const u = e.model_usage ?? {};
      return `in ${u.input_tokens ?? 0} out ${u.output_tokens ?? 0} cache_read ${u.cache_read_input_tokens ?? 0}${e.is_error ? ' ERROR' : ''}`;
    }
    case 'session.usage': {
      const u = e.usage ?? {};
      return `total in ${u.input_tokens ?? 0} out ${u.output_tokens ?? 0}${u.list_cost ? ` cost ${formatCents(u.list_cost.amount)}` : ''}`;
    }
    case 'user.define_outcome':
      return clip(String(e.description ?? ''), width);
    case 'span.outcome_evaluation_start':
    case 'span.outcome_evaluation_ongoing':
      return `iteration ${e.iteration ?? 0}`;
    case 'span.outcome_evaluation_end':
      return `${e.result ?? '?'} (iteration ${e.iteration ?? 0}): ${clip(String(e.explanation ?? ''), width - 40)}`;
    case 'session.updated':
      return clip(
        Object.keys(e)
          .filter((k) => !['id', 'type', 'processed_at'].includes(k))
          .join(', '),
        width,
      );
    default:
      return '';
  }
}

/** `HH:MM:SS` of an RFC 3339 time (the date is rarely useful inside one session's history). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return 'queued';
  const m = /T(\d\d:\d\d:\d\d)/.exec(iso);
  return m ? m[1]! : iso;
}

/** `<time> <type> <summary> (<id>)` — the compact view of one event. */
export function eventLine(ev: AnyEvent, width = 160): string {
  const summary = eventSummary(ev, width);
  return `${shortTime(ev.processed_at)} ${ev.type}${summary ? ` ${summary}` : ''} (${ev.id ?? '-'})`;
}

export function formatCents(amount: string | number | undefined): string {
  return formatUsd(Number(amount ?? 0) / 100);
}

/**
 * A cost in USD, two decimals. Under one cent reads "< $0.01", never "$0.00": the API reports whole
 * cents, so a reported 0 means "less than a cent", not free.
 */
export function formatUsd(usd: number): string {
  return usd < 0.01 ? '< $0.01' : `$${usd.toFixed(2)}`;
}

/** Types whose appearance is worth a step line in a turn digest (and a progress notification). */
export function isStepEvent(type: string): boolean {
  return (
    type === 'agent.tool_use' ||
    type === 'agent.mcp_tool_use' ||
    type === 'agent.custom_tool_use' ||
    type === 'agent.tool_result' ||
    type === 'agent.mcp_tool_result' ||
    type === 'user.tool_confirmation' ||
    type === 'user.custom_tool_result' ||
    type === 'session.error' ||
    type === 'session.status_rescheduled' ||
    type === 'user.interrupt' ||
    type === 'agent.thread_context_compacted' ||
    type === 'session.thread_created' ||
    type === 'session.thread_status_idle' ||
    type === 'session.thread_status_terminated' ||
    type === 'agent.thread_message_sent' ||
    type === 'agent.thread_message_received' ||
    type === 'span.outcome_evaluation_end'
  );
}
