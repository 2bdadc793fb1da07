/**
 * A pending action's kind comes from the waited-on event's type; a type no tool of this server
 * answers is reported as `unknown`, naming the type, with no answer_with (an answer_with for the
 * wrong event would send the wrong answer). The emulator models the first-party API, which lists
 * only tool uses as waited on, so these cases feed the turn state the events of the SDK's Bedrock
 * variant (`agent.mcp_elicitation`, resources/beta/bedrock/sessions/events.d.ts) and an id absent
 * from history; the kinds the emulator does produce are covered through the protocol in
 * test/server/turns.test.ts and approval.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { TurnState } from '../../src/turns/digest.js';

const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 0, 0, n)).toISOString();

function turnWith(events: Array<Record<string, unknown>>): TurnState {
  const s = new TurnState('sesn_1');
  events.forEach((ev, i) => s.apply({ processed_at: at(i), ...ev } as any));
  return s;
}

describe('pending actions by kind', () => {
  it('an agent.mcp_elicitation waited on by a thread is an unknown kind that names its type, with no answer_with', () => {
    const s = turnWith([
      { id: 'sevt_1', type: 'session.status_running' },
      { id: 'sevt_2', type: 'session.thread_created', session_thread_id: 'sthr_1', agent_name: 'helper' },
      {
        id: 'sevt_3',
        type: 'agent.mcp_tool_use',
        name: 'search',
        mcp_server_name: 'docs',
        input: {},
        evaluated_permission: 'allow',
        session_thread_id: 'sthr_1',
      },
      {
        id: 'sevt_4',
        type: 'agent.mcp_elicitation',
        mcp_server_name: 'docs',
        mcp_tool_use_id: 'sevt_3',
        session_thread_id: 'sthr_1',
        request: { mode: 'url', message: 'sign in', url: 'https://example.com/login', elicitation_id: 'e1' },
      },
      { id: 'sevt_5', type: 'session.thread_status_idle', session_thread_id: 'sthr_1', stop_reason: { type: 'requires_action', event_ids: ['sevt_4'] } },
    ]);
    // The turn state meets the event before it knows it is waited on: the lookup by id (the
    // engine's history read) is what registers an event of any type.
    s.addKnownCall({ id: 'sevt_4', type: 'agent.mcp_elicitation', mcp_server_name: 'docs', session_thread_id: 'sthr_1', processed_at: at(4) } as any, true);
    const d = s.digest(false);
    expect(d.stop_reason).toBe('requires_action');
    expect(d.pending_actions).toHaveLength(1);
    const [p] = d.pending_actions;
    expect(p).toMatchObject({ id: 'sevt_4', kind: 'unknown', event_type: 'agent.mcp_elicitation', session_thread_id: 'sthr_1', agent: 'helper' });
    expect(p!.answer_with).toBeUndefined();
    expect(p!.note).toMatch(/agent\.mcp_elicitation event, which no tool of this server answers/);
    expect(d.hint).toMatch(/no tool of this server answers/);
    expect(d.hint).not.toMatch(/confirm_tool_use/);
  });

  it('a listed id absent from history is an unknown kind, not a tool confirmation', () => {
    const s = turnWith([
      { id: 'sevt_1', type: 'session.status_running' },
      { id: 'sevt_2', type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: ['sevt_gone'] } },
    ]);
    const [p] = s.digest(false).pending_actions;
    expect(p).toMatchObject({ id: 'sevt_gone', kind: 'unknown' });
    expect(p!.event_type).toBeUndefined();
    expect(p!.answer_with).toBeUndefined();
    expect(p!.note).toMatch(/not in its history/);
  });

  it('each known type keeps its own kind and answer', () => {
    const s = turnWith([
      { id: 'sevt_1', type: 'session.status_running' },
      { id: 'sevt_2', type: 'agent.tool_use', name: 'bash', input: {}, evaluated_permission: 'ask' },
      { id: 'sevt_3', type: 'agent.custom_tool_use', name: 'lookup', input: {} },
      { id: 'sevt_4', type: 'agent.mcp_tool_use', name: 'search', mcp_server_name: 'docs', input: {}, evaluated_permission: 'ask' },
      { id: 'sevt_5', type: 'session.status_idle', stop_reason: { type: 'requires_action', event_ids: ['sevt_2', 'sevt_3', 'sevt_4'] } },
    ]);
    const kinds = s.digest(false).pending_actions.map((p) => [p.kind, p.tool, p.answer_with?.tool]);
    expect(kinds).toEqual([
      ['tool_confirmation', 'bash', 'confirm_tool_use'],
      ['custom_tool_result', 'lookup', 'submit_custom_tool_result'],
      ['tool_confirmation', 'docs/search', 'confirm_tool_use'],
    ]);
  });
});
