/**
 * Seeding (docs/emulator.md "Seeding"): many finished sessions at once, for the usage report and
 * its benchmark. Agents, the environment and the sessions are made by the API's own create routes
 * (so they have exactly the shapes a client would get), then each session is backdated and given
 * its usage. Everything but the ids' random tails is deterministic for the same options.
 */
import type { Emulator } from './context.js';
import { badRequest, type RouteContext, type Router } from '../wire/http.js';
import type { SessionRuntime } from '../runtime/session-runtime.js';

export interface SeedOptions {
  /** How many sessions to create (1 – MAX_SEED_SESSIONS). */
  sessions: number;
  /** How many agents they are spread over (default 6); agent k runs SEED_MODELS[k mod 4]. */
  agents?: number;
  /** Over how many days their `created_at` is spread, evenly, oldest first (default 30). */
  days?: number;
  /** The first session's `created_at` (RFC 3339); default: `days` days before today, 00:00 UTC. */
  start?: string;
  /** The pseudo-random generator's seed (default 1): same seed, same usage. */
  seed?: number;
}

export interface SeedResult {
  environment_id: string;
  agents: { id: string; model: string }[];
  sessions: number;
  first_created_at: string;
  last_created_at: string;
}

export const MAX_SEED_SESSIONS = 100_000;
export const SEED_MODELS = ['claude-sonnet-4-6', 'claude-opus-4-8', 'claude-haiku-4-5', 'claude-sonnet-5'] as const;
const DAY_MS = 86_400_000;

/** mulberry32: a small, fast generator with a 32-bit state; enough to vary figures reproducibly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wholeIn(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`seed: ${name}: expected an integer ${min}–${max}`);
  return v;
}

/** The options as sent to `POST /_emulator/seed`, checked. */
export function seedOptions(body: unknown): SeedOptions {
  const b = (body ?? {}) as Record<string, unknown>;
  const known = new Set(['sessions', 'agents', 'days', 'start', 'seed']);
  for (const k of Object.keys(b)) if (!known.has(k)) throw badRequest(`seed: unknown field '${k}'`);
  const sessions = wholeIn(b.sessions, 'sessions', 1, MAX_SEED_SESSIONS);
  if (sessions === undefined) throw badRequest('seed: sessions: required');
  if (b.start !== undefined && (typeof b.start !== 'string' || Number.isNaN(Date.parse(b.start)))) throw badRequest('seed: start: expected an RFC 3339 time');
  return {
    sessions,
    agents: wholeIn(b.agents, 'agents', 1, 1000),
    days: wholeIn(b.days, 'days', 1, 3660),
    start: b.start as string | undefined,
    seed: wholeIn(b.seed, 'seed', 0, 2 ** 32 - 1),
  };
}

export async function seed(router: Router, emu: Emulator, opts: SeedOptions): Promise<SeedResult> {
  const create = async (path: string, body: unknown) => {
    const m = router.match('POST', path);
    if (!m || m === 'method') throw new Error(`seed: no route POST ${path}`);
    return (await m.route.handler({ params: m.params, body } as unknown as RouteContext)) as { id: string };
  };
  const days = opts.days ?? 30;
  const startMs = opts.start !== undefined ? Date.parse(opts.start) : Math.floor(Date.now() / DAY_MS) * DAY_MS - days * DAY_MS;
  const rand = mulberry32(opts.seed ?? 1);
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo));

  const env = await create('/v1/environments', { name: 'seed-environment' });
  const agents: SeedResult['agents'] = [];
  for (let k = 0; k < (opts.agents ?? 6); k++) {
    const model = SEED_MODELS[k % SEED_MODELS.length]!;
    agents.push({ id: (await create('/v1/agents', { name: `seed-agent-${k + 1}`, model })).id, model });
  }
  const span = days * DAY_MS;
  let first = '';
  let last = '';
  for (let i = 0; i < opts.sessions; i++) {
    const agent = agents[between(0, agents.length)]!;
    const { id } = await create('/v1/sessions', { agent: agent.id, environment_id: env.id, title: `seed session ${i + 1}` });
    const rt = emu.state.sessions.get(id) as SessionRuntime;
    rt.tokens.input = between(500, 50_000);
    rt.tokens.output = between(100, 8_000);
    rt.tokens.cacheRead = between(0, 200_000);
    rt.tokens.cache5m = between(0, 20_000);
    rt.tokens.cache1h = rand() < 0.2 ? between(0, 10_000) : 0;
    const createdMs = startMs + Math.floor((i * span) / opts.sessions);
    const activeMs = between(5_000, 1_800_000);
    // Four in five have ended; one in ten of those was archived too.
    const ended = rand() < 0.8 ? createdMs + activeMs + between(0, 600_000) : undefined;
    rt.backdate(createdMs, activeMs, ended);
    if (ended !== undefined && rand() < 0.1) {
      rt.session.archived_at = new Date(ended).toISOString();
      rt.thread.archived_at = rt.session.archived_at;
    }
    if (i === 0) first = rt.session.created_at;
    last = rt.session.created_at;
  }
  return { environment_id: env.id, agents, sessions: opts.sessions, first_created_at: first, last_created_at: last };
}
