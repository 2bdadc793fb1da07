/**
 * Seeded sessions (docs/emulator.md "Seeding") as the SDK sees them: usage and stats as the SDK
 * types define them, `created_at` filters and paging of sessions.list over them. Emulator only.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_MODELS, startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';

const START = '2026-03-01T00:00:00.000Z';
const DAY = 86_400_000;
const SEED = { sessions: 250, agents: 5, days: 10, start: START, seed: 7 };

let emu: EmulatorHandle;
let client: Anthropic;

async function all(params: Parameters<Anthropic['beta']['sessions']['list']>[0]): Promise<BetaManagedAgentsSession[]> {
  const out: BetaManagedAgentsSession[] = [];
  for await (const s of client.beta.sessions.list(params)) out.push(s);
  return out;
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0, seed: SEED });
  client = new Anthropic({ apiKey: 'test', baseURL: emu.url, maxRetries: 0 });
});
afterAll(() => emu.close());

describe('seeded sessions', () => {
  it('carry usage and stats as the SDK types define them, spread over the days asked', async () => {
    const sessions = await all({ include_archived: true, limit: 100 });
    expect(sessions).toHaveLength(250);
    const models = new Set(sessions.map((s) => s.agent.model.id));
    expect([...models].sort()).toEqual([...SEED_MODELS].sort());
    expect(new Set(sessions.map((s) => s.agent.id)).size).toBe(5);
    for (const s of sessions) {
      const t = Date.parse(s.created_at);
      expect(t).toBeGreaterThanOrEqual(Date.parse(START));
      expect(t).toBeLessThan(Date.parse(START) + 10 * DAY);
      expect(s.usage.input_tokens).toBeGreaterThan(0);
      expect(s.usage.output_tokens).toBeGreaterThan(0);
      expect(s.usage.cache_creation).toBeDefined();
      expect(Number(s.usage.list_cost!.amount)).toBeGreaterThan(0);
      expect(s.usage.active_seconds).toBeGreaterThan(0);
      expect(s.stats.active_seconds).toBe(s.usage.active_seconds);
      expect(s.stats.duration_seconds!).toBeGreaterThanOrEqual(s.usage.active_seconds!);
    }
    const statuses = new Set(sessions.map((s) => s.status));
    expect(statuses).toEqual(new Set(['terminated', 'idle']));
    const archived = sessions.filter((s) => s.archived_at);
    expect(archived.length).toBeGreaterThan(0);
    // Archived sessions are listed only on request.
    expect(await all({ limit: 100 })).toHaveLength(250 - archived.length);
  });

  it('created_at filters select a window, paged in both orders', async () => {
    const from = new Date(Date.parse(START) + 2 * DAY).toISOString();
    const to = new Date(Date.parse(START) + 5 * DAY).toISOString();
    const everything = await all({ include_archived: true, limit: 100 });
    const expected = everything.filter((s) => s.created_at >= from && s.created_at < to).map((s) => s.id);
    expect(expected.length).toBe(75);
    const desc = await all({ include_archived: true, limit: 20, 'created_at[gte]': from, 'created_at[lt]': to });
    expect(desc.map((s) => s.id)).toEqual(expected);
    const asc = await all({ include_archived: true, limit: 30, order: 'asc', 'created_at[gte]': from, 'created_at[lt]': to });
    expect(asc.map((s) => s.id)).toEqual([...expected].reverse());
    const gt = await all({ include_archived: true, limit: 100, 'created_at[gt]': everything[0]!.created_at });
    expect(gt).toHaveLength(0);
    const lte = await all({ include_archived: true, limit: 100, 'created_at[lte]': everything.at(-1)!.created_at });
    expect(lte.map((s) => s.id)).toEqual([everything.at(-1)!.id]);
  });

  it('is deterministic: the same options give the same usage', async () => {
    const other = await startEmulator({ port: 0, seed: SEED });
    try {
      const c2 = new Anthropic({ apiKey: 'test', baseURL: other.url, maxRetries: 0 });
      const figures = async (c: Anthropic) => {
        const out: string[] = [];
        for await (const s of c.beta.sessions.list({ include_archived: true, limit: 100, order: 'asc' })) {
          out.push(`${s.title} ${s.agent.name} ${s.created_at} ${s.status} ${s.usage.input_tokens} ${s.usage.list_cost?.amount}`);
        }
        return out;
      };
      expect(await figures(c2)).toEqual(await figures(client));
    } finally {
      await other.close();
    }
  });

  it('POST /_emulator/seed adds sessions and refuses bad options', async () => {
    const post = (body: unknown) =>
      fetch(`${emu.url}/_emulator/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ sessions: 3, colour: 'red' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain("unknown field 'colour'");
    expect((await post({ agents: 2 })).status).toBe(400);
    expect((await post({ sessions: 0 })).status).toBe(400);
    const res = await post({ sessions: 3, agents: 1, start: '2025-01-01T00:00:00Z', days: 1 });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ sessions: 3, agents: [{ model: SEED_MODELS[0] }], first_created_at: '2025-01-01T00:00:00.000Z' });
    const added = await all({ include_archived: true, agent_id: body.agents[0].id, limit: 10 });
    expect(added).toHaveLength(3);
  });
});
