/**
 * The contract suite's target: the real API when TEST_API_BASE_URL and ANTHROPIC_API_KEY are set,
 * otherwise a local emulator on port 0 (started in beforeAll, closed in afterAll).
 */
import Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsStreamSessionEvents } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import { afterAll, beforeAll, it } from 'vitest';
import { readingsFromNames, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';

export const REAL = Boolean(process.env.TEST_API_BASE_URL && process.env.ANTHROPIC_API_KEY);
/** Set by `npm run test:live` (scripts/test-live.mjs): tag and cap whatever the suite creates. */
const LIVE_RUN = REAL ? process.env.TEST_LIVE_RUN : undefined;
/** The metadata a live run adds to every create ({} otherwise): exact metadata assertions include it. */
export const liveTag: Record<string, string> = LIVE_RUN ? { created_by: 'managed-agents-mcp-live-test', run: LIVE_RUN } : {};
/** The budget a live run gives every session created without one (null otherwise). */
export const liveBudget = LIVE_RUN
  ? {
      type: 'limit' as const,
      max_list_cost: { amount: String(Math.round(Number(process.env.TEST_LIVE_BUDGET_USD ?? '0.10') * 100)), currency: 'USD' as const },
    }
  : null;

/**
 * For a live run, every create the suite sends (agents, environments, sessions, vaults) carries
 * the run's metadata, and every session a hard budget, whichever test built the request, so the
 * run's cleanup finds and archives all of it and no session can spend more than the cap.
 */
const tagCreates: typeof fetch = (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const kind = /^\/v1\/(agents|environments|sessions|vaults)$/.exec(url.pathname)?.[1];
  if (!kind || init?.method?.toUpperCase() !== 'POST' || typeof init.body !== 'string') return fetch(input, init);
  const body = JSON.parse(init.body);
  body.metadata = { ...(body.metadata ?? {}), ...liveTag };
  if (kind === 'sessions' && !body.budget) body.budget = liveBudget;
  const headers = new Headers(init.headers);
  headers.delete('content-length');
  return fetch(input, { ...init, headers, body: JSON.stringify(body) });
};

export const EMU_ONLY = 'emulator only (directives, faults, admin routes): skipped against the real API';
export const MODEL = process.env.TEST_MODEL ?? 'claude-sonnet-4-6';

export interface Target {
  baseURL: string;
  apiKey: string;
  client(opts?: { maxRetries?: number; apiKey?: string; defaultHeaders?: Record<string, string> }): Anthropic;
  admin(method: string, path: string, body?: unknown): Promise<any>;
  raw(path: string, init?: RequestInit & { beta?: string | null }): Promise<Response>;
}

/** Registers beforeAll/afterAll for one test file and returns the (lazily filled) target. */
export function useTarget(emuOpts: { pingIntervalMs?: number } = {}): Target {
  let emu: EmulatorHandle | undefined;
  const t: Target = {
    baseURL: '',
    apiKey: REAL ? process.env.ANTHROPIC_API_KEY! : 'sk-ant-emulator-test',
    client(opts = {}) {
      return new Anthropic({
        apiKey: opts.apiKey ?? t.apiKey,
        baseURL: t.baseURL,
        maxRetries: opts.maxRetries ?? 0,
        defaultHeaders: opts.defaultHeaders,
        ...(LIVE_RUN ? { fetch: tagCreates } : {}),
      });
    },
    async admin(method, path, body) {
      if (REAL) throw new Error('admin routes exist only on the emulator');
      const res = await fetch(`${t.baseURL}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return res.json();
    },
    raw(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization') && !headers.has('x-api-key')) headers.set('authorization', `Bearer ${t.apiKey}`);
      if (init.beta !== null) headers.set('anthropic-beta', init.beta ?? 'managed-agents-2026-04-01');
      headers.set('anthropic-version', '2026-10-21');
      return fetch(`${t.baseURL}${path}`, { ...init, headers });
    },
  };
  beforeAll(async () => {
    if (REAL) {
      t.baseURL = process.env.TEST_API_BASE_URL!;
      return;
    }
    emu = await startEmulator({ port: 0, pingIntervalMs: emuOpts.pingIntervalMs ?? 100, readings: readingsFromNames(process.env.EMULATOR_READING) });
    t.baseURL = emu.url;
  });
  afterAll(async () => {
    await emu?.close();
  });
  return t;
}

/** Makes the real-API skip visible in every report. */
export function reportTarget(): void {
  it.skipIf(!REAL)('runs against the real API (set TEST_API_BASE_URL and ANTHROPIC_API_KEY; skipped: using the local emulator)', () => {});
}

export async function makeAgent(client: Anthropic, extra: Record<string, unknown> = {}) {
  return client.beta.agents.create({ name: `contract-${Date.now()}`, model: MODEL, ...extra } as never);
}

export async function makeEnv(client: Anthropic, extra: Record<string, unknown> = {}) {
  return client.beta.environments.create({
    name: `contract-env-${Date.now()}`,
    config: { type: 'cloud', networking: { type: 'unrestricted' } },
    ...extra,
  } as never);
}

export async function makeSession(client: Anthropic, agentExtra: Record<string, unknown> = {}, sessionExtra: Record<string, unknown> = {}) {
  const agent = await makeAgent(client, agentExtra);
  const env = await makeEnv(client);
  const session = await client.beta.sessions.create({ agent: agent.id, environment_id: env.id, ...sessionExtra } as never);
  return { agent, env, session };
}

export type Ev = BetaManagedAgentsStreamSessionEvents;
type Handler = (ev: Ev, send: (events: unknown[]) => Promise<unknown>) => Promise<void> | void;

/**
 * Stream-first turn: opens the stream, sends `text`, and collects events until an idle that is not
 * `requires_action` (or termination). `onEvent` may answer pending actions.
 */
export async function turn(client: Anthropic, sessionId: string, text: string | null, onEvent?: Handler, events?: unknown[]): Promise<Ev[]> {
  const stream = await client.beta.sessions.events.stream(sessionId);
  const send = (evs: unknown[]) => client.beta.sessions.events.send(sessionId, { events: evs as never });
  const seen: Ev[] = [];
  const sent = await send(events ?? [{ type: 'user.message', content: [{ type: 'text', text: text ?? '' }] }]);
  const firstId = (sent as { data?: Array<{ id: string }> }).data?.[0]?.id;
  let mine = false;
  for await (const ev of stream) {
    seen.push(ev);
    if ('id' in ev && ev.id === firstId) mine = true;
    await onEvent?.(ev, send);
    if (!mine) continue;
    if (ev.type === 'session.status_terminated' || ev.type === 'session.deleted') break;
    if (ev.type === 'session.status_idle' && ev.stop_reason.type !== 'requires_action') break;
  }
  stream.controller.abort();
  return seen;
}

export const texts = (events: Ev[]) => events.flatMap((e) => (e.type === 'agent.message' ? e.content.map((c) => (c.type === 'text' ? c.text : '')) : []));
export const types = (events: Ev[]) => events.map((e) => e.type);
export const idles = (events: Ev[]) => events.filter((e): e is Extract<Ev, { type: 'session.status_idle' }> => e.type === 'session.status_idle');
