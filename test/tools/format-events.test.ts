import { describe, expect, it } from 'vitest';
import { clip, contentText, eventLine, eventSummary, formatCents, formatUsd, isStepEvent, shortTime } from '../../src/format/events.js';

const T = '2026-05-01T12:34:56.789Z';
const text = (t: string) => [{ type: 'text', text: t }];

describe('clip', () => {
  it('collapses whitespace to single spaces and trims', () => {
    expect(clip('  a\n\n b\t c  ', 100)).toBe('a b c');
  });

  it('keeps text at exactly the limit and clips one past it with an ellipsis', () => {
    expect(clip('abcde', 5)).toBe('abcde');
    const out = clip('abcdef', 5);
    expect(out).toBe('abcd…');
    expect(out).toHaveLength(5);
  });
});

describe('contentText', () => {
  it('joins text blocks and names the other block types', () => {
    const content = [
      { type: 'text', text: 'see ' },
      { type: 'image', source: { type: 'url', url: 'https://x' } },
      { type: 'search_result', title: 'Docs', source: 'https://d', content: [] },
    ];
    expect(contentText(content)).toBe('see [image][search result: Docs]');
  });

  it('returns an empty string for a missing or non-array content', () => {
    expect(contentText(undefined)).toBe('');
    expect(contentText('text')).toBe('');
  });
});

describe('shortTime', () => {
  it('keeps HH:MM:SS of an RFC 3339 time', () => {
    expect(shortTime(T)).toBe('12:34:56');
  });

  it('says queued for a user event not yet processed', () => {
    expect(shortTime(null)).toBe('queued');
    expect(shortTime(undefined)).toBe('queued');
  });
});

describe('eventLine', () => {
  it('renders messages as time, type, text and id', () => {
    expect(eventLine({ id: 'sevt_1', type: 'user.message', processed_at: T, content: text('Hello\nthere') })).toBe(
      '12:34:56 user.message Hello there (sevt_1)',
    );
    expect(eventLine({ id: 'sevt_2', type: 'agent.message', processed_at: T, content: text('Done.') })).toBe('12:34:56 agent.message Done. (sevt_2)');
  });

  it('shows a queued user event', () => {
    expect(eventLine({ id: 'sevt_3', type: 'user.message', processed_at: null, content: text('hi') })).toBe('queued user.message hi (sevt_3)');
  });

  it('shows a built-in tool call with its input and permission', () => {
    const line = eventLine({
      id: 'sevt_4',
      type: 'agent.tool_use',
      processed_at: T,
      name: 'bash',
      input: { command: 'ls -la' },
      evaluated_permission: 'ask',
    });
    expect(line).toBe('12:34:56 agent.tool_use bash {"command":"ls -la"} [permission: ask] (sevt_4)');
  });

  it('prefixes MCP tool calls with their server', () => {
    const line = eventLine({
      id: 'sevt_5',
      type: 'agent.mcp_tool_use',
      processed_at: T,
      mcp_server_name: 'github',
      name: 'create_issue',
      input: { title: 'x' },
    });
    expect(line).toBe('12:34:56 agent.mcp_tool_use github/create_issue {"title":"x"} (sevt_5)');
  });

  it('shows custom tool calls', () => {
    expect(eventSummary({ type: 'agent.custom_tool_use', name: 'get_weather', input: { city: 'Paris' } })).toBe('get_weather {"city":"Paris"}');
  });

  it('shows tool results with the call they answer, and marks errors', () => {
    expect(eventSummary({ type: 'agent.tool_result', tool_use_id: 'sevt_4', content: text('file.txt') })).toBe('for sevt_4: file.txt');
    expect(eventSummary({ type: 'agent.mcp_tool_result', mcp_tool_use_id: 'sevt_5', is_error: true, content: text('denied') })).toBe(
      'ERROR for sevt_5: denied',
    );
    expect(eventSummary({ type: 'user.custom_tool_result', custom_tool_use_id: 'sevt_6', content: text('{"temp":20}') })).toBe('for sevt_6: {"temp":20}');
  });

  it('shows confirmations with their answer and deny message', () => {
    expect(eventSummary({ type: 'user.tool_confirmation', tool_use_id: 'sevt_4', result: 'allow' })).toBe('allow sevt_4');
    expect(eventSummary({ type: 'user.tool_confirmation', tool_use_id: 'sevt_4', result: 'deny', deny_message: 'not in prod' })).toBe(
      'deny sevt_4: not in prod',
    );
  });

  it('shows the stop reason of an idle, with the blocking ids for requires_action', () => {
    expect(eventSummary({ type: 'session.status_idle', stop_reason: { type: 'end_turn' } })).toBe('end_turn');
    expect(eventSummary({ type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: ['sevt_4', 'sevt_7'] } })).toBe(
      'requires_action sevt_4,sevt_7',
    );
  });

  it('shows session errors with their type and retry status', () => {
    const line = eventLine({
      id: 'sevt_8',
      type: 'session.error',
      processed_at: T,
      error: { type: 'model_overloaded_error', message: 'Overloaded', retry_status: { type: 'retrying' } },
    });
    expect(line).toBe('12:34:56 session.error model_overloaded_error (retrying): Overloaded (sevt_8)');
  });

  it('shows token counts of a model request and the running cost of session.usage', () => {
    expect(
      eventSummary({
        type: 'span.model_request_end',
        is_error: false,
        model_usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 },
      }),
    ).toBe('in 10 out 20 cache_read 5');
    expect(eventSummary({ type: 'session.usage', usage: { input_tokens: 100, output_tokens: 50, list_cost: { amount: '1234', currency: 'USD' } } })).toBe(
      'total in 100 out 50 cost $12.34',
    );
  });

  it('lists the changed fields of session.updated', () => {
    expect(eventSummary({ id: 'x', type: 'session.updated', processed_at: T, title: 't', metadata: { a: 'b' } })).toBe('title, metadata');
  });

  it('still gives a line for status events and unknown types', () => {
    expect(eventLine({ id: 'sevt_9', type: 'session.status_running', processed_at: T })).toBe('12:34:56 session.status_running (sevt_9)');
    expect(eventLine({ id: 'sevt_10', type: 'future.new_event', processed_at: T, foo: 1 })).toBe('12:34:56 future.new_event (sevt_10)');
    expect(eventLine({ type: 'agent.thinking', processed_at: T })).toBe('12:34:56 agent.thinking (-)');
  });

  it('clips long message text to the width', () => {
    const long = 'word '.repeat(200);
    const summary = eventSummary({ type: 'agent.message', content: text(long) }, 50);
    expect(summary).toHaveLength(50);
    expect(summary.endsWith('…')).toBe(true);
    const line = eventLine({ id: 'sevt_11', type: 'agent.message', processed_at: T, content: text(long) }, 50);
    expect(line).toBe(`12:34:56 agent.message ${summary} (sevt_11)`);
  });

  it('clips a large tool input', () => {
    const input = { content: 'x'.repeat(5000) };
    const summary = eventSummary({ type: 'agent.tool_use', name: 'write', input }, 160);
    expect(summary.length).toBeLessThanOrEqual(160);
    expect(summary.startsWith('write {"content":"xxx')).toBe(true);
    expect(summary.endsWith('…')).toBe(true);
  });
});

describe('formatCents', () => {
  it('turns minor units into dollars', () => {
    expect(formatCents('2500')).toBe('$25.00');
    expect(formatCents(7)).toBe('$0.07');
    expect(formatCents(1)).toBe('$0.01');
  });

  it('reads a cost under one cent as "< $0.01", never "$0.00" (the API reports whole cents)', () => {
    expect(formatCents(undefined)).toBe('< $0.01');
    expect(formatCents('0')).toBe('< $0.01');
    expect(formatUsd(0.004)).toBe('< $0.01');
    expect(formatUsd(0.01)).toBe('$0.01');
  });
});

describe('isStepEvent', () => {
  it('counts tool traffic and errors as steps, not messages or spans', () => {
    for (const t of ['agent.tool_use', 'agent.mcp_tool_result', 'user.tool_confirmation', 'session.error', 'user.interrupt']) {
      expect(isStepEvent(t)).toBe(true);
    }
    for (const t of ['agent.message', 'user.message', 'span.model_request_end', 'session.status_idle']) {
      expect(isStepEvent(t)).toBe(false);
    }
  });
});

describe('outcome spans (docs/turn-engine.md, "Outcomes")', () => {
  it('each grader verdict is a step with its iteration and explanation; start and heartbeat name the iteration', () => {
    const end = { type: 'span.outcome_evaluation_end', result: 'needs_revision', iteration: 0, explanation: 'The second line\nis missing.' };
    expect(eventSummary(end)).toBe('needs_revision (iteration 0): The second line is missing.');
    expect(eventSummary({ type: 'span.outcome_evaluation_start', iteration: 2 })).toBe('iteration 2');
    expect(eventSummary({ type: 'span.outcome_evaluation_ongoing', iteration: 2 })).toBe('iteration 2');
    expect(isStepEvent('span.outcome_evaluation_end')).toBe(true);
    expect(isStepEvent('span.outcome_evaluation_start')).toBe(false);
    expect(isStepEvent('span.outcome_evaluation_ongoing')).toBe(false);
  });
});

describe('thread events (docs/multi-agent.md)', () => {
  it('name the subagent and what crossed between threads', () => {
    expect(eventSummary({ type: 'session.thread_created', agent_name: 'helper', session_thread_id: 'sthr_1' })).toBe('helper sthr_1');
    expect(eventSummary({ type: 'session.thread_status_idle', agent_name: 'helper', stop_reason: { type: 'requires_action', event_ids: ['sevt_9'] } })).toBe(
      'helper requires_action sevt_9',
    );
    expect(eventSummary({ type: 'session.thread_status_idle', agent_name: 'helper', stop_reason: { type: 'end_turn' } })).toBe('helper end_turn');
    expect(eventSummary({ type: 'agent.thread_message_sent', to_agent_name: 'helper', to_session_thread_id: 'sthr_1', content: text('do it') })).toBe(
      'to helper: do it',
    );
    expect(eventSummary({ type: 'agent.thread_message_received', from_session_thread_id: 'sthr_1', content: text('done') })).toBe('from sthr_1: done');
    for (const t of ['session.thread_created', 'session.thread_status_idle', 'agent.thread_message_sent', 'agent.thread_message_received']) {
      expect(isStepEvent(t)).toBe(true);
    }
    expect(isStepEvent('session.thread_status_running')).toBe(false);
  });
});
