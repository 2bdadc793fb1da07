import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READING, agentAndSession, errText, harness, history, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(async () => {
  await h?.close();
});

describe('send_message', () => {
  it('follows a plain turn to end_turn and reports reply and usage', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: 'hello there' }));
    expect(d.stop_reason).toBe('end_turn');
    expect(d.status).toBe('idle');
    expect(d.reply).toBe('You said: hello there');
    expect(d.timed_out).toBe(false);
    expect(d.pending_actions).toEqual([]);
    expect(d.usage.model_requests).toBeGreaterThan(0);
    expect(d.usage.output_tokens).toBeGreaterThan(0);
    const events = await history(h, session_id);
    expect(d.last_event_id).toBe(events.at(-1).id);
  });

  it('does not end at the first idle: a second message reports only its own turn', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/reply first' }));
    const d = ok(await h.call('send_message', { session_id, text: '/reply second' }));
    expect(d.reply).toBe('second');
  });

  it('sends progress notifications when asked', async () => {
    const { session_id } = await agentAndSession(h);
    const seen: any[] = [];
    ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"ls"}\n/reply done' }, { onprogress: (p) => seen.push(p) }));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.some((p) => /agent\.tool_use/.test(p.message))).toBe(true);
  });

  it('coalesces progress for a burst of events instead of flooding the client', async () => {
    const { session_id } = await agentAndSession(h);
    const seen: any[] = [];
    const d = ok(await h.call('send_message', { session_id, text: '/events 3000\n/reply done' }, { onprogress: (p) => seen.push(p) }));
    expect(d.events_seen).toBeGreaterThan(3000);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(300);
    expect(seen.some((p) => /\(\+\d+ more\)/.test(p.message))).toBe(true);
    // Progress counters only go up.
    expect(seen.map((p) => p.progress)).toEqual([...seen.map((p) => p.progress)].sort((a, b) => a - b));
  });

  it('wait: false returns right after the send', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/sleep 300\n/reply late', wait: false }));
    expect(d.status).toBe('running');
    expect(d.last_event_id).toMatch(/\w+/);
    const w = ok(await h.call('wait_for_turn', { session_id }));
    expect(w.reply).toBe('late');
    expect(w.stop_reason).toBe('end_turn');
  });
});

describe('pending actions', () => {
  it('always_ask → requires_action with the exact answer; allow runs the tool', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"ls -la"}' }));
    expect(d.stop_reason).toBe('requires_action');
    expect(d.pending_actions).toHaveLength(1);
    const p = d.pending_actions[0];
    expect(p).toMatchObject({ kind: 'tool_confirmation', tool: 'bash', input: { command: 'ls -la' } });
    // The verdict is the caller's: answer_with leaves `result` to fill, and its placeholder is rejected as is.
    expect(p.answer_with).toEqual({ tool: 'confirm_tool_use', arguments: { session_id, tool_use_id: p.id, result: '<allow or deny>' } });
    expect(errText(await h.call(p.answer_with.tool, p.answer_with.arguments))).toMatch(/result/);
    const r = ok(await h.call(p.answer_with.tool, { ...p.answer_with.arguments, result: 'allow' }));
    expect(r.stop_reason).toBe('end_turn');
    expect(r.steps.some((s: string) => s.startsWith('agent.tool_result'))).toBe(true);
    expect(r.pending_actions).toEqual([]);
  });

  it('deny: the agent acknowledges and the turn ends', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"rm -rf /"}' }));
    const id = d.pending_actions[0].id;
    const r = ok(await h.call('confirm_tool_use', { session_id, tool_use_id: id, result: 'deny', deny_message: 'too dangerous' }));
    expect(r.stop_reason).toBe('end_turn');
    expect(r.steps.some((s: string) => s.includes('deny'))).toBe(true);
    expect(r.steps.some((s: string) => s.startsWith('agent.tool_result'))).toBe(false);
  });

  it('custom tool: pending custom_tool_result, answered with submit_custom_tool_result, quoted in the reply', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/tool get_weather {"city":"Paris"}' }));
    expect(d.pending_actions).toHaveLength(1);
    const p = d.pending_actions[0];
    expect(p).toMatchObject({ kind: 'custom_tool_result', tool: 'get_weather', input: { city: 'Paris' } });
    // No placeholder content that could pass for a real result: content is the caller's to write.
    expect(p.answer_with).toEqual({ tool: 'submit_custom_tool_result', arguments: { session_id, custom_tool_use_id: p.id } });
    expect(errText(await h.call(p.answer_with.tool, p.answer_with.arguments))).toMatch(/content/);
    const r = ok(await h.call('submit_custom_tool_result', { session_id, custom_tool_use_id: p.id, content: 'sunny, 21C' }));
    expect(r.stop_reason).toBe('end_turn');
    expect(r.reply).toContain('sunny, 21C');
  });

  it('several pending actions at once; a partial answer leaves the rest pending', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(
      await h.call('send_message', {
        session_id,
        text: '/tool bash {"command":"a"}\n/tool bash {"command":"b"}\n/tool get_weather {"city":"Oslo"}',
      }),
    );
    expect(d.pending_actions.map((p: any) => p.kind).sort()).toEqual(['custom_tool_result', 'tool_confirmation', 'tool_confirmation']);
    const [b1, b2] = d.pending_actions.filter((p: any) => p.kind === 'tool_confirmation');
    const custom = d.pending_actions.find((p: any) => p.kind === 'custom_tool_result');
    const r1 = ok(await h.call('confirm_tool_use', { session_id, tool_use_ids: [b1.id, b2.id], result: 'allow' }));
    expect(r1.stop_reason).toBe('requires_action');
    expect(r1.pending_actions.map((p: any) => p.id)).toEqual([custom.id]);
    // Its name and input come from history: the call happened before this digest's turn.
    expect(r1.pending_actions[0]).toMatchObject({ tool: 'get_weather', input: { city: 'Oslo' } });
    const r2 = ok(await h.call('submit_custom_tool_result', { session_id, custom_tool_use_id: custom.id, content: 'cold' }));
    expect(r2.stop_reason).toBe('end_turn');
  });

  it('a message sent while actions are pending is reported as queued behind them, not waited on', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"ls"}' }));
    const t0 = Date.now();
    const q = ok(await h.call('send_message', { session_id, text: '/reply after the tool', timeout_s: 10 }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(q.timed_out).toBe(false);
    expect(q.stop_reason).toBe('requires_action');
    expect(q.pending_actions.map((p: any) => p.id)).toEqual([d.pending_actions[0].id]);
    expect(q.pending_actions[0]).toMatchObject({ tool: 'bash', input: { command: 'ls' } });
    // Under the refuse-while-pending reading the API refuses the message instead of queueing it.
    const refused = READING.sendWhilePending === 'refuse';
    expect(q.hint).toMatch(refused ? /refused/ : /queued/);
    ok(await h.call('confirm_tool_use', { session_id, tool_use_id: d.pending_actions[0].id, result: 'allow' }));
    const w = refused ? ok(await h.call('send_message', { session_id, text: '/reply after the tool' })) : ok(await h.call('wait_for_turn', { session_id }));
    expect(w.reply).toBe('after the tool');
  });

  it('answering an unknown tool_use id is a clear error naming the next step', async () => {
    const { session_id } = await agentAndSession(h);
    const t = errText(await h.call('confirm_tool_use', { session_id, tool_use_id: 'sevt_doesnotexist', result: 'allow' }));
    expect(t).toMatch(/HTTP 400/);
    expect(t).toMatch(/pending_actions/);
  });
});

describe('timeouts, interrupts and errors', () => {
  it('times out with a resumable state, then wait_for_turn finishes the turn with nothing lost', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/reply before\n/sleep 1500\n/reply after', timeout_s: 0.5 }));
    expect(d.timed_out).toBe(true);
    expect(d.status).toBe('running');
    expect(d.hint).toMatch(/wait_for_turn/);
    const w = ok(await h.call('wait_for_turn', { session_id, after_event_id: d.last_event_id }));
    expect(w.timed_out).toBe(false);
    expect(w.stop_reason).toBe('end_turn');
    expect(w.reply).toBe('after');
    // The two digests together hold every agent message of the turn, once.
    expect(`${d.reply}|${w.reply}`).toBe('before|after');
  });

  it('wait_for_turn on an idle session returns its last turn', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/reply only' }));
    const w = ok(await h.call('wait_for_turn', { session_id }));
    expect(w.reply).toBe('only');
    expect(w.stop_reason).toBe('end_turn');
  });

  it('interrupt_session stops a running turn and can redirect it', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/sleep 5000\n/reply never', wait: false }));
    const r = ok(await h.call('interrupt_session', { session_id, message: '/reply redirected' }));
    expect(r.stop_reason).toBe('end_turn');
    expect(r.reply).toBe('redirected');
    const events = await history(h, session_id);
    expect(events.some((e) => e.type === 'agent.message' && e.content[0].text === 'never')).toBe(false);
  });

  it('a bare interrupt stops a running turn and reports the session idle', async () => {
    const { session_id } = await agentAndSession(h);
    ok(await h.call('send_message', { session_id, text: '/sleep 5000\n/reply never', wait: false }));
    const r = ok(await h.call('interrupt_session', { session_id }));
    expect(r.timed_out).toBe(false);
    expect(r.status).toBe('idle');
    expect(r.steps).toContain('user.interrupt');
    expect(ok(await h.call('get_session', { session_id })).status).toBe('idle');
  });

  it('a retrying session.error is a step, not the end of the turn', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/error model_overloaded_error retrying\n/reply recovered' }));
    expect(d.stop_reason).toBe('end_turn');
    expect(d.reply).toBe('recovered');
    expect(d.steps.some((s: string) => s.includes('model_overloaded_error (retrying)'))).toBe(true);
  });

  it('exhausted errors end the turn with retries_exhausted and a hint', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/error model_overloaded_error exhausted\n/reply unreachable' }));
    expect(d.stop_reason).toBe('retries_exhausted');
    expect(d.reply).toBe('');
    expect(d.hint).toMatch(/send_message again/);
  });

  it('after retries_exhausted the calls it waited on stay listed and answerable; answering runs the session again', async () => {
    const { session_id } = await agentAndSession(h);
    // The session lists the bash call, then its retries run out before it is answered.
    const first = ok(await h.call('send_message', { session_id, text: '/tool bash {"command":"ls"}\n/error model_overloaded_error exhausted' }));
    const d = first.stop_reason === 'requires_action' ? ok(await h.call('wait_for_turn', { session_id })) : first;
    expect(d.stop_reason).toBe('retries_exhausted');
    expect(d.pending_actions).toHaveLength(1);
    const [p] = d.pending_actions;
    expect(p).toMatchObject({ kind: 'tool_confirmation', tool: 'bash', answer_with: { tool: 'confirm_tool_use' } });
    expect(d.hint).toMatch(/repeated errors \(model_overloaded_error\)/);
    expect(d.hint).toMatch(/still accepts answers to the 1 call/);
    const after = ok(await h.call('confirm_tool_use', { ...p.answer_with.arguments, result: 'allow' }));
    expect(after.stop_reason).toBe('end_turn');
    expect(after.reply).toMatch(/The tool bash finished: \(emulated bash\) \$ ls/);
    expect(after.pending_actions).toEqual([]);
  });

  it('a refusal ends the turn with its own hint', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/refuse\n/reply never' }));
    expect(d.stop_reason).toBe('refusal');
    expect(d.reply).toBe('');
    expect(d.hint).toMatch(/declined to continue/);
  });

  it('the tool-use limit is named as such, not as repeated errors', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/error tool_use_limit_reached_error exhausted' }));
    expect(d.stop_reason).toBe('retries_exhausted');
    expect(d.pending_actions).toEqual([]);
    expect(d.hint).toMatch(/tool-use limit/);
    expect(d.hint).not.toMatch(/repeated errors/);
  });

  it('a terminal error terminates the session; further messages get a 409 that says to start a new session', async () => {
    const { session_id } = await agentAndSession(h);
    const d = ok(await h.call('send_message', { session_id, text: '/error unknown_error terminal' }));
    expect(d.stop_reason).toBe('terminated');
    expect(d.status).toBe('terminated');
    const t = errText(await h.call('send_message', { session_id, text: 'hello?' }));
    expect(t).toMatch(/409/);
    expect(t).toMatch(/start_session/);
  });

  it('budget_reached ends the turn', async () => {
    const a = ok(await h.call('create_agent', { name: 'b', model: 'claude-opus-4-6' }));
    const s = ok(await h.call('start_session', { agent_id: a.agent_id, budget: 0.01 }));
    const d1 = ok(await h.call('send_message', { session_id: s.session_id, text: '/tokens 100000 100000\n/reply expensive' }));
    expect(d1.stop_reason).toBe('end_turn');
    const d2 = ok(await h.call('send_message', { session_id: s.session_id, text: 'again' }));
    expect(d2.stop_reason).toBe('budget_reached');
    expect(d2.hint).toMatch(/budget/);
  });
});

describe('a dropped stream loses nothing', () => {
  it('digest equals the history when the stream drops mid-turn', async () => {
    const { session_id } = await agentAndSession(h);
    await h.admin('POST', '/_emulator/faults', {
      rules: [{ match: { method: 'GET', path: `/v1/sessions/${session_id}/events/stream` }, times: 1, drop_stream_after_events: 3 }],
    });
    const d = ok(await h.call('send_message', { session_id, text: '/reply one\n/sleep 100\n/events 5\n/reply two' }));
    await h.admin('DELETE', '/_emulator/faults');
    expect(d.stop_reason).toBe('end_turn');
    const events = await history(h, session_id);
    const start = events.findIndex((e) => e.type === 'user.message');
    const turn = events.slice(start + 1);
    const texts = turn.filter((e) => e.type === 'agent.message').map((e) => e.content[0].text);
    expect(d.reply).toBe(texts.join('\n\n'));
    expect(d.events_seen).toBe(turn.length + 1);
    expect(d.last_event_id).toBe(events.at(-1).id);
    const log = await h.admin('GET', '/_emulator/requests');
    const opens = log.data.filter((r: any) => r.path === `/v1/sessions/${session_id}/events/stream`);
    expect(opens.length).toBeGreaterThanOrEqual(2);
  });
});

describe('bad arguments', () => {
  it('rejects a malformed id before any request is sent', async () => {
    const before = (await h.admin('GET', '/_emulator/requests')).data.length;
    const t = errText(await h.call('send_message', { session_id: '../agents', text: 'x' }));
    expect(t).toMatch(/session_id/);
    const after = (await h.admin('GET', '/_emulator/requests')).data.length;
    expect(after).toBe(before);
  });

  it('names the missing field', async () => {
    const t = errText(await h.call('send_message', { session_id: 'sesn_x' }));
    expect(t).toMatch(/Invalid arguments for tool send_message/);
    expect(t).toMatch(/text/);
  });

  it('a 404 names the list tool', async () => {
    const t = errText(await h.call('get_session', { session_id: 'sesn_nope' }));
    expect(t).toMatch(/HTTP 404 not_found_error/);
    expect(t).toMatch(/request_id/);
    expect(t).toMatch(/list_sessions/);
  });
});
