/**
 * Every variant of the SDK's stream event union is either emitted by an emulator scenario below
 * AND rendered by list_events' line format (src/format/events.ts), or listed in IGNORED with the
 * reason. The union is read from the SDK-derived schema, so an SDK upgrade that adds a variant
 * fails this test until someone decides what to do with it.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { setWireObserver, type WireObserver } from '../../src/emulator/contract/wire-hooks.js';
import { eventLine, eventSummary } from '../../src/format/events.js';
import { loadSchemas } from './sdk-schemas.js';

/** Variants no emulator scenario produces, each with why. */
const IGNORED: Record<string, string> = {
  'session.thread_status_terminated':
    "the emulator writes it only to a subagent thread's own stream when the session ends under it; no scenario here reads that stream",
  'session.thread_status_rescheduled': 'a subagent thread retrying a transient error: the emulator has no fault that reschedules a thread',
  'agent.thread_context_compacted': 'context compaction needs a real context window; no scripted trigger yet',
  'workflow_run.created': 'workflows are not part of this server or the emulator',
  'workflow_run.status_running': 'workflows are not part of this server or the emulator',
  'workflow_run.status_idle': 'workflows are not part of this server or the emulator',
  'workflow_run.status_ended': 'workflows are not part of this server or the emulator',
  'workflow_run.error': 'workflows are not part of this server or the emulator',
  'workflow_run.phase_started': 'workflows are not part of this server or the emulator',
  'workflow_run.phase_ended': 'workflows are not part of this server or the emulator',
};

/** Variants whose type is their whole message: the line `<time> <type> (<id>)` says everything. */
const TYPE_IS_THE_MESSAGE: Record<string, string> = {
  'session.status_running': 'status change',
  'session.status_rescheduled': 'status change (the retry reason is the preceding session.error)',
  'session.status_terminated': 'status change',
  'session.deleted': 'status change',
  'user.interrupt': 'no payload',
  'agent.thinking': 'the API sends no thinking content',
  'span.model_request_start': 'span marker; its end carries the usage',
  event_start: 'stream preview of an event that follows in full',
  event_delta: 'stream preview of an event that follows in full',
};

let emu: EmulatorHandle;
let restore: WireObserver | undefined;
const emitted = new Map<string, any>();

beforeAll(async () => {
  emu = await startEmulator({ port: 0, pingIntervalMs: 50 });
  const previous = setWireObserver(undefined);
  restore = previous;
  // Chain to the run's gate observer, so these scenarios are validated like every other.
  setWireObserver({
    request: (r) => previous?.request?.(r),
    response: (r) => previous?.response?.(r),
    event: (e: any) => {
      if (!emitted.has(e.type)) emitted.set(e.type, e);
      previous?.event?.(e);
    },
  });
});

afterAll(async () => {
  setWireObserver(restore);
  await emu.close();
});

/** Union members, from the generated schema: each `$ref`'s `type` constant. */
async function unionTypes(): Promise<string[]> {
  const b = await loadSchemas();
  const defs = b.schema.definitions;
  const root = b.schema.properties[b.streamUnion] as any;
  const union = root.$ref ? defs[root.$ref.replace('#/definitions/', '')] : root;
  return union.anyOf.map((r: any) => defs[decodeURIComponent(r.$ref.replace('#/definitions/', ''))].properties.type.const as string);
}

async function scenarios(): Promise<void> {
  const c = new Anthropic({ apiKey: 'sk-ant-emulator-test', baseURL: emu.url, maxRetries: 0 });
  const agent = await c.beta.agents.create({
    name: 'coverage',
    model: 'claude-sonnet-4-6',
    mcp_servers: [{ type: 'url', name: 'docs', url: 'https://mcp.example.com/mcp' }],
    tools: [
      { type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] },
      { type: 'mcp_toolset', mcp_server_name: 'docs' },
      { type: 'custom', name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
    ],
  });
  const cloud = await c.beta.environments.create({ name: 'cov-cloud', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
  const selfHosted = await c.beta.environments.create({ name: 'cov-self', config: { type: 'self_hosted' } } as never);

  /** Streams (with deltas) while `steps` run; each step sends events and says when it is done. */
  async function drive(
    envId: string,
    steps: Array<{ send: unknown[]; until: (ev: any) => boolean; answer?: (ev: any) => unknown[] | undefined }>,
    agentId = agent.id,
  ) {
    const s = await c.beta.sessions.create({ agent: agentId, environment_id: envId });
    const stream = await c.beta.sessions.events.stream(s.id, { event_deltas: ['agent.message', 'agent.thinking'] } as never);
    const it = stream[Symbol.asyncIterator]();
    for (const step of steps) {
      await c.beta.sessions.events.send(s.id, { events: step.send as never });
      for (;;) {
        const { value: ev, done } = await it.next();
        if (done) return s;
        const reply = step.answer?.(ev);
        if (reply) await c.beta.sessions.events.send(s.id, { events: reply as never });
        if (step.until(ev)) break;
      }
    }
    stream.controller.abort();
    return s;
  }
  const idleDone = (ev: any) => ev.type === 'session.status_idle' && ev.stop_reason.type !== 'requires_action';
  const msg = (text: string) => ({ type: 'user.message', content: [{ type: 'text', text }] });

  const s1 = await drive(cloud.id, [
    { send: [msg('/think\n/reply hello'), { type: 'system.message', content: [{ type: 'text', text: 'Be brief.' }] }], until: idleDone },
    {
      send: [msg('/tool bash {"command":"ls"}')],
      until: idleDone,
      answer: (ev) => (ev.type === 'agent.tool_use' ? [{ type: 'user.tool_confirmation', tool_use_id: ev.id, result: 'allow' }] : undefined),
    },
    {
      send: [msg('/tool docs/search {"q":"x"}')],
      until: idleDone,
      answer: (ev) => (ev.type === 'agent.mcp_tool_use' ? [{ type: 'user.tool_confirmation', tool_use_id: ev.id, result: 'allow' }] : undefined),
    },
    {
      send: [msg('/tool get_weather {"city":"Paris"}')],
      until: idleDone,
      answer: (ev) =>
        ev.type === 'agent.custom_tool_use'
          ? [{ type: 'user.custom_tool_result', custom_tool_use_id: ev.id, content: [{ type: 'text', text: 'sunny' }] }]
          : undefined,
    },
    { send: [msg('/error model_overloaded_error retrying\n/reply recovered')], until: idleDone },
    { send: [msg('/sleep 5000')], until: (ev) => ev.type === 'session.status_running', answer: undefined },
    { send: [{ type: 'user.interrupt' }], until: idleDone },
    {
      send: [{ type: 'user.define_outcome', description: 'A haiku', rubric: { type: 'text', content: 'Three lines' } }],
      until: (ev) => ev.type === 'span.outcome_evaluation_end',
    },
  ]);
  await c.beta.sessions.update(s1.id, { title: 'renamed' });
  await drive(cloud.id, [{ send: [msg('/error model_overloaded_error terminal')], until: (ev) => ev.type === 'session.status_terminated' }]);

  // Self-hosted: an allowed built-in call waits for the client's user.tool_result.
  const plain = await c.beta.agents.create({ name: 'coverage-self', model: 'claude-sonnet-4-6', tools: [{ type: 'agent_toolset_20260401' }] });
  await drive(
    selfHosted.id,
    [
      {
        send: [msg('/tool bash {"command":"ls"}')],
        until: idleDone,
        answer: (ev) =>
          ev.type === 'session.status_idle' && ev.stop_reason.type === 'requires_action'
            ? ev.stop_reason.event_ids.map((id: string) => ({ type: 'user.tool_result', tool_use_id: id, content: [{ type: 'text', text: 'a b' }] }))
            : undefined,
      },
    ],
    plain.id,
  );

  // Multi-agent: a coordinator delegates to a subagent thread, which replies (docs/multi-agent.md).
  const helper = await c.beta.agents.create({ name: 'helper', model: 'claude-sonnet-4-6' });
  const lead = await c.beta.agents.create({
    name: 'lead',
    model: 'claude-sonnet-4-6',
    multiagent: { type: 'coordinator', agents: [helper.id] },
  } as never);
  await drive(cloud.id, [{ send: [msg('/delegate helper /reply from the helper')], until: idleDone }], lead.id);

  const doomed = await c.beta.sessions.create({ agent: agent.id, environment_id: cloud.id });
  const stream = await c.beta.sessions.events.stream(doomed.id);
  await c.beta.sessions.delete(doomed.id);
  for await (const ev of stream) if (ev.type === 'session.deleted') break;
}

it('every SDK stream event type is emitted and rendered, or ignored with a reason', async () => {
  await scenarios();
  const types = await unionTypes();
  expect(types.length).toBeGreaterThan(30);
  const problems: string[] = [];
  let rendered = 0;
  for (const t of types) {
    const ev = emitted.get(t);
    if (IGNORED[t]) {
      if (ev) problems.push(`${t}: listed as ignored but the emulator emits it; cover it instead`);
      continue;
    }
    if (!ev) {
      problems.push(`${t}: no emulator scenario emits it and it is not in IGNORED`);
      continue;
    }
    const line = eventLine(ev);
    if (!line.includes(t)) problems.push(`${t}: list_events line does not name the type: ${line}`);
    else if (!eventSummary(ev) && !TYPE_IS_THE_MESSAGE[t]) problems.push(`${t}: list_events renders no content for it: ${line}`);
    else rendered += 1;
  }
  for (const t of Object.keys(IGNORED)) if (!types.includes(t)) problems.push(`${t}: in IGNORED but not in the SDK union`);
  const ignored = types.filter((t) => IGNORED[t]).length;
  process.stdout.write(`${rendered + ignored}/${types.length} event types covered (${rendered} emitted+rendered, ${ignored} ignored with reason)\n`);
  expect(problems).toEqual([]);
});
