/**
 * The conformance gate bites: with a test-only rewrite the emulator renames one response field and
 * one event field on the wire, and the gate reports both at the right JSON path. This file swaps in
 * its own observer, so the deliberate divergences never reach the run's tally.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { setWireObserver, setWireRewrite, type WireObserver } from '../../src/emulator/contract/wire-hooks.js';
import { Gate, type Violation } from './gate.js';

let emu: EmulatorHandle;
let gate: Gate;
let client: Anthropic;
let restore: WireObserver | undefined;
const seen: Violation[] = [];

beforeAll(async () => {
  gate = await Gate.load();
  restore = setWireObserver({
    response: (r) => seen.push(...gate.response(r.method, r.route, r.body)),
    event: (e) => seen.push(...gate.event(e)),
  });
  emu = await startEmulator({ port: 0 });
  client = new Anthropic({ apiKey: 'sk-ant-emulator-test', baseURL: emu.url, maxRetries: 0 });
});

afterAll(async () => {
  setWireRewrite(undefined);
  setWireObserver(restore);
  await emu.close();
});

const rename = (obj: any, from: string, to: string) => {
  obj[to] = obj[from];
  delete obj[from];
};

describe('conformance gate', () => {
  it('passes the emulator as it is', async () => {
    seen.length = 0;
    await client.beta.agents.create({ name: 'gate-clean', model: 'claude-sonnet-4-6' });
    expect(seen).toEqual([]);
  });

  it('catches a renamed response field at its path', async () => {
    seen.length = 0;
    setWireRewrite({
      response: (method, route, body: any) => {
        if (method === 'POST' && route === '/v1/agents') rename(body.model, 'id', 'model_id');
        return body;
      },
    });
    const agent = await client.beta.agents.create({ name: 'gate-mutant', model: 'claude-sonnet-4-6' });
    setWireRewrite(undefined);
    // The rename really went over the wire to the SDK.
    expect((agent.model as any).model_id).toBe('claude-sonnet-4-6');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'response', where: 'POST /v1/agents', path: '/model' });
    expect(seen[0]!.message).toMatch(/'id'|'model_id'/);
  });

  it('catches a renamed event field and an event type the SDK does not define', async () => {
    const agent = await client.beta.agents.create({ name: 'gate-events', model: 'claude-sonnet-4-6' });
    const env = await client.beta.environments.create({ name: 'gate-env', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
    const session = await client.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    seen.length = 0;
    setWireRewrite({
      event: (ev: any) => {
        if (ev.type === 'agent.message') rename(ev.content[0], 'text', 'body');
        if (ev.type === 'span.model_request_start') ev.type = 'span.model_request_begun';
        return ev;
      },
    });
    const stream = await client.beta.sessions.events.stream(session.id);
    await client.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: '/reply hi' }] }] });
    const got: any[] = [];
    for await (const ev of stream) {
      got.push(ev);
      if (ev.type === 'session.status_idle') break;
    }
    stream.controller.abort();
    setWireRewrite(undefined);
    expect(got.find((e) => e.type === 'agent.message')?.content[0].body).toBe('hi');
    const msg = seen.find((v) => v.where === 'stream agent.message');
    expect(msg).toMatchObject({ kind: 'event', path: '/content/0' });
    const unknown = seen.find((v) => v.where === 'stream span.model_request_begun');
    expect(unknown).toMatchObject({ kind: 'event', path: '/' });
    expect(unknown!.message).toMatch(/unknown type 'span.model_request_begun'/);
  });

  it('checks request bodies and queries against the SDK params', () => {
    const body = gate.request('POST', '/v1/agents', {}, { name: 'a', model: 'claude-sonnet-4-6', colour: 'red' });
    expect(body).toEqual([
      expect.objectContaining({ where: 'POST /v1/agents (body)', path: '/', message: expect.stringMatching(/unknown property 'colour'/) }),
    ]);
    expect(gate.request('GET', '/v1/sessions', { limit: '20', statuses: 'idle' }, undefined)).toEqual([]);
    const query = gate.request('GET', '/v1/sessions', { statuses: 'napping' }, undefined);
    expect(query).toEqual([expect.objectContaining({ where: 'GET /v1/sessions (query)', path: '/statuses/0' })]);
  });
});
