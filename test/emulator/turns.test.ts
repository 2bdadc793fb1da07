/** The scripted agent end to end through the SDK stream (emulator only: directives). */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, idles, makeSession, reportTarget, texts, turn, types, useTarget, type Ev } from './target.js';

const t = useTarget();
reportTarget();

const ASK_BASH = { tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }] };

describe.skipIf(REAL)(`scripted turns (${EMU_ONLY})`, () => {
  it('a plain message: echo, running, model span, reply, usage, idle end_turn', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, 'hello there');
    expect(types(evs)).toEqual([
      'user.message',
      'session.status_running',
      'span.model_request_start',
      'agent.message',
      'span.model_request_end',
      'session.usage',
      'session.status_idle',
    ]);
    expect(texts(evs)).toEqual(['You said: hello there']);
    const end = evs.find((e) => e.type === 'span.model_request_end')!;
    expect(end).toMatchObject({ model_request_start_id: (evs[2] as { id: string }).id, is_error: false });
    expect((end as any).model_usage.input_tokens).toBe(100 + Math.ceil('hello there'.length / 4));
    expect(idles(evs)[0]).toMatchObject({ stop_reason: { type: 'end_turn' }, stop_details: null });
    const s = await c.beta.sessions.retrieve(session.id);
    expect(s.status).toBe('idle');
    expect(s.usage.input_tokens).toBeGreaterThan(100);
    expect(s.usage.list_cost).toMatchObject({ currency: 'USD' });
    // Second turn reads the first from the (emulated) prompt cache.
    const evs2 = await turn(c, session.id, '/reply again');
    expect((evs2.find((e) => e.type === 'span.model_request_end') as any).model_usage.cache_read_input_tokens).toBeGreaterThan(0);
    const history = await c.beta.sessions.events.list(session.id);
    expect(history.data.map((e) => e.id)).toEqual([...evs, ...evs2].map((e) => (e as { id: string }).id));
  });

  it('/reply, /think, /tokens and ordering of directives', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, '/think\n/reply one\n/tokens 1234 56\n/reply two');
    expect(texts(evs)).toEqual(['one', 'two']);
    expect(types(evs)).toContain('agent.thinking');
    const end = evs.find((e) => e.type === 'span.model_request_end') as any;
    expect(end.model_usage).toMatchObject({ input_tokens: 1234, output_tokens: 56 });
  });

  it('/events n emits n extra messages and history pages through them', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, '/events 2500\n/reply done');
    expect(evs.filter((e) => e.type === 'agent.message')).toHaveLength(2501);
    let n = 0;
    for await (const _ of c.beta.sessions.events.list(session.id, { types: ['agent.message'] })) n++;
    expect(n).toBe(2501);
  });

  it('a default (always_allow) built-in tool runs with a canned result', async () => {
    const c = t.client();
    const { session } = await makeSession(c, { tools: [{ type: 'agent_toolset_20260401' }] });
    const evs = await turn(c, session.id, '/tool bash {"command":"ls -la"}');
    const use = evs.find((e) => e.type === 'agent.tool_use') as any;
    expect(use).toMatchObject({ name: 'bash', input: { command: 'ls -la' }, evaluated_permission: 'allow', evaluation: { type: 'always_allow' } });
    expect(evs.find((e) => e.type === 'agent.tool_result')).toMatchObject({
      tool_use_id: use.id,
      content: [{ type: 'text', text: '(emulated bash) $ ls -la' }],
    });
    expect(idles(evs).map((i) => i.stop_reason.type)).toEqual(['end_turn']);
  });

  it('always_ask: requires_action, then allow runs the tool', async () => {
    const c = t.client();
    const { session } = await makeSession(c, ASK_BASH);
    const evs = await turn(c, session.id, '/tool bash {"command":"rm -rf build"}', async (ev, send) => {
      if (ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action') {
        const s = await c.beta.sessions.retrieve(session.id);
        expect(s.status).toBe('idle');
        await send([{ type: 'user.tool_confirmation', tool_use_id: ev.stop_reason.event_ids[0], result: 'allow' }]);
      }
    });
    const use = evs.find((e) => e.type === 'agent.tool_use') as any;
    expect(use).toMatchObject({ evaluated_permission: 'ask', evaluation: { type: 'always_ask' } });
    expect(idles(evs)[0]!.stop_reason).toEqual({ type: 'requires_action', event_ids: [use.id] });
    expect(types(evs)).toContain('agent.tool_result');
    expect(types(evs).filter((x) => x === 'session.status_running')).toHaveLength(2);
  });

  it('always_ask: deny → no result, the agent acknowledges the denial', async () => {
    const c = t.client();
    const { session } = await makeSession(c, ASK_BASH);
    const evs = await turn(c, session.id, '/tool bash {"command":"rm -rf /"}', async (ev, send) => {
      if (ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action') {
        await send([{ type: 'user.tool_confirmation', tool_use_id: ev.stop_reason.event_ids[0], result: 'deny', deny_message: 'too dangerous' }]);
      }
    });
    expect(types(evs)).not.toContain('agent.tool_result');
    expect(texts(evs).join('\n')).toContain('denied: too dangerous');
  });

  it('two parallel asks: one requires_action with both ids, partial resolution re-emits the rest', async () => {
    const c = t.client();
    const { session } = await makeSession(c, ASK_BASH);
    const seenIdles: string[][] = [];
    const evs = await turn(c, session.id, '/tool bash {"command":"a"}\n/tool bash {"command":"b"}', async (ev, send) => {
      if (ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action') {
        const ids = ev.stop_reason.event_ids;
        seenIdles.push(ids);
        await send([{ type: 'user.tool_confirmation', tool_use_id: ids[0], result: ids.length === 2 ? 'allow' : 'deny' }]);
      }
    });
    const uses = evs.filter((e) => e.type === 'agent.tool_use').map((e) => (e as any).id);
    expect(uses).toHaveLength(2);
    expect(seenIdles).toEqual([uses, [uses[1]]]);
    expect(evs.filter((e) => e.type === 'agent.tool_result')).toHaveLength(1);
    // both uses in ONE model step
    const firstEnd = evs.findIndex((e) => e.type === 'span.model_request_end');
    expect(evs.slice(0, firstEnd).filter((e) => e.type === 'agent.tool_use')).toHaveLength(2);
  });

  it('confirmations for unknown or already-resolved ids are 400s naming the id', async () => {
    const c = t.client();
    const { session } = await makeSession(c, ASK_BASH);
    let resolvedId = '';
    await turn(c, session.id, '/tool bash {"command":"x"}', async (ev, send) => {
      if (ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action') {
        const bogus: any = await send([{ type: 'user.tool_confirmation', tool_use_id: 'sevt_bogus', result: 'allow' }]).catch((e) => e);
        expect(bogus).toBeInstanceOf(Anthropic.BadRequestError);
        expect(bogus.message).toContain('sevt_bogus');
        resolvedId = ev.stop_reason.event_ids[0]!;
        const wrongKind: any = await send([{ type: 'user.custom_tool_result', custom_tool_use_id: resolvedId, content: [] }]).catch((e) => e);
        expect(wrongKind).toBeInstanceOf(Anthropic.BadRequestError);
        await send([{ type: 'user.tool_confirmation', tool_use_id: resolvedId, result: 'allow' }]);
      }
    });
    expect(resolvedId).not.toBe('');
    const again = await c.beta.sessions.events
      .send(session.id, { events: [{ type: 'user.tool_confirmation', tool_use_id: resolvedId, result: 'allow' }] })
      .catch((e) => e);
    expect(again).toBeInstanceOf(Anthropic.BadRequestError);
    expect(again.message).toContain(resolvedId);
  });

  it('custom tool: custom_tool_use → requires_action → result is quoted in the reply', async () => {
    const c = t.client();
    const { session } = await makeSession(c, {
      tools: [{ type: 'custom', name: 'lookup', description: 'look up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
    });
    const evs = await turn(c, session.id, '/tool lookup {"q":"weather"}', async (ev, send) => {
      if (ev.type === 'agent.custom_tool_use') {
        await send([{ type: 'user.custom_tool_result', custom_tool_use_id: ev.id, content: [{ type: 'text', text: 'sunny, 21C' }] }]);
      }
    });
    expect(evs.find((e) => e.type === 'agent.custom_tool_use')).toMatchObject({ name: 'lookup', input: { q: 'weather' } });
    expect(texts(evs).join('\n')).toContain('sunny, 21C');
    expect(idles(evs).at(-1)!.stop_reason.type).toBe('end_turn');
  });

  it('MCP tool: mcp_tool_use (always_ask by default) → confirm → mcp_tool_result', async () => {
    const c = t.client();
    const { session } = await makeSession(c, {
      mcp_servers: [{ type: 'url', name: 'docs', url: 'https://mcp.example.com' }],
      tools: [{ type: 'mcp_toolset', mcp_server_name: 'docs' }],
    });
    const evs = await turn(c, session.id, '/tool docs/search {"q":"x"}', async (ev, send) => {
      if (ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action') {
        await send([{ type: 'user.tool_confirmation', tool_use_id: ev.stop_reason.event_ids[0], result: 'allow' }]);
      }
    });
    const use = evs.find((e) => e.type === 'agent.mcp_tool_use') as any;
    expect(use).toMatchObject({ name: 'search', mcp_server_name: 'docs', evaluated_permission: 'ask' });
    expect(evs.find((e) => e.type === 'agent.mcp_tool_result')).toMatchObject({ mcp_tool_use_id: use.id });
  });

  it('unknown and disabled tools get a reply saying so', async () => {
    const c = t.client();
    const { session } = await makeSession(c, { tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'web_search', enabled: false }] }] });
    const evs = await turn(c, session.id, '/tool nope {}\n/reply x\n/tool web_search {"query":"q"}');
    const all = texts(evs).join('\n');
    expect(all).toContain("'nope'");
    expect(all).toContain('disabled');
    expect(types(evs)).not.toContain('agent.tool_use');
  });

  it('user.interrupt stops a sleeping turn with end_turn', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, '/sleep 20000\n/reply never', async (ev, send) => {
      if (ev.type === 'span.model_request_start') await send([{ type: 'user.interrupt' }]);
    });
    expect(texts(evs)).toEqual([]);
    expect(types(evs)).toContain('user.interrupt');
    expect(idles(evs).at(-1)!.stop_reason.type).toBe('end_turn');
    expect((await c.beta.sessions.retrieve(session.id)).status).toBe('idle');
  });

  it('a message sent during a running turn is queued (processed_at null) and runs next', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const stream = await c.beta.sessions.events.stream(session.id);
    const msg = (text: string) => [{ type: 'user.message' as const, content: [{ type: 'text' as const, text }] }];
    const first = (await c.beta.sessions.events.send(session.id, { events: msg('/sleep 50\n/reply first') })).data![0]!;
    expect(first.processed_at).toBeTruthy();
    const queued = (await c.beta.sessions.events.send(session.id, { events: msg('/reply second') })).data![0]!;
    expect(queued.processed_at).toBeNull();
    const seen: Ev[] = [];
    for await (const ev of stream) {
      seen.push(ev);
      if (idles(seen).length === 2) break;
    }
    expect(texts(seen)).toEqual(['first', 'second']);
    const echoes = seen.filter((e) => (e as { id?: string }).id === queued.id) as Array<{ processed_at: string | null }>;
    const echo = echoes.find((e) => e.processed_at)!;
    expect(echo.processed_at).toBeTruthy();
    // The queued-echo reading streams it once more, earlier, unprocessed (docs/emulator.md "Readings").
    expect(echoes.map((e) => e.processed_at === null)).toEqual(process.env.EMULATOR_READING?.includes('queued-echo') ? [true, false] : [false]);
    // The queued echo comes after the first turn's idle.
    expect(seen.indexOf(echo as Ev)).toBeGreaterThan(seen.indexOf(idles(seen)[0]!));
  });

  it('budget_reached before a model request; raising the budget lets the next message run', async () => {
    const c = t.client();
    const { session } = await makeSession(c, {}, { budget: { type: 'limit', max_list_cost: { amount: '1', currency: 'USD' } } });
    const first = await turn(c, session.id, '/tokens 1000000 0\n/reply expensive');
    expect(idles(first).at(-1)!.stop_reason.type).toBe('end_turn');
    const second = await turn(c, session.id, 'more');
    expect(idles(second).at(-1)!.stop_reason.type).toBe('budget_reached');
    expect(types(second)).not.toContain('span.model_request_start');
    const usage = second.find((e) => e.type === 'session.usage') as any;
    expect(Number(usage.usage.list_cost.amount)).toBeGreaterThanOrEqual(1);
    await c.beta.sessions.update(session.id, { budget: { type: 'limit', max_list_cost: { amount: '10000', currency: 'USD' } } });
    const third = await turn(c, session.id, 'again');
    expect(texts(third)).toEqual(['You said: again']);
  });

  it('/error retrying: session.error, rescheduled, running, and the turn continues', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, '/error model_overloaded_error retrying\n/reply recovered');
    const err = evs.find((e) => e.type === 'session.error') as any;
    expect(err.error).toMatchObject({ type: 'model_overloaded_error', retry_status: { type: 'retrying' } });
    const i = types(evs).indexOf('session.error');
    expect(types(evs).slice(i, i + 3)).toEqual(['session.error', 'session.status_rescheduled', 'session.status_running']);
    expect(texts(evs)).toEqual(['recovered']);
  });

  it('/error exhausted: idle retries_exhausted, the rest of the script is dropped', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, '/error model_request_failed_error exhausted\n/reply never');
    expect(texts(evs)).toEqual([]);
    expect(idles(evs).at(-1)!.stop_reason.type).toBe('retries_exhausted');
    expect((evs.find((e) => e.type === 'span.model_request_end') as any).is_error).toBe(true);
    expect(texts(await turn(c, session.id, 'ok?'))).toEqual(['You said: ok?']);
  });

  it('/error terminal: terminated, the stream closes, further sends are 409', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const evs = await turn(c, session.id, '/error billing_error terminal');
    expect(types(evs).slice(-3)).toEqual(['session.error', 'span.model_request_end', 'session.status_terminated']);
    expect((await c.beta.sessions.retrieve(session.id)).status).toBe('terminated');
    const err = await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'x' }] }] }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.ConflictError);
  });

  it('initial_events start a turn at create time; user.define_outcome is echoed with an outcome id', async () => {
    const c = t.client();
    const stream0: Ev[] = [];
    const { session } = await makeSession(c, {}, { initial_events: [{ type: 'user.message', content: [{ type: 'text', text: '/reply booted' }] }] });
    // The turn ran without a stream; history has it.
    for await (const e of c.beta.sessions.events.list(session.id)) stream0.push(e as Ev);
    const evs = await turn(c, session.id, null, undefined, [
      { type: 'user.define_outcome', description: 'a report', rubric: { type: 'text', content: 'is a report' } },
    ]);
    expect(texts(stream0 as Ev[])).toContain('booted');
    const echo = evs.find((e) => e.type === 'user.define_outcome') as any;
    expect(echo.outcome_id).toMatch(/^outc_/);
    expect(types(evs)).toContain('span.outcome_evaluation_end');
    expect((await c.beta.sessions.retrieve(session.id)).outcome_evaluations[0]).toMatchObject({ outcome_id: echo.outcome_id, result: 'satisfied' });
  });

  it('deleting an idle session emits session.deleted and ends the stream; a running one is 409', async () => {
    const c = t.client();
    const { session } = await makeSession(c);
    const stream = await c.beta.sessions.events.stream(session.id);
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/sleep 10000' }] }] });
    const busy = await c.beta.sessions.delete(session.id).catch((e) => e);
    expect(busy).toBeInstanceOf(Anthropic.ConflictError);
    await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.interrupt' }] });
    const seen: string[] = [];
    let deleted = false;
    for await (const ev of stream) {
      seen.push(ev.type);
      if (ev.type === 'session.status_idle' && !deleted) {
        deleted = true;
        await c.beta.sessions.delete(session.id);
      }
    }
    expect(seen.at(-1)).toBe('session.deleted');
  });
});
