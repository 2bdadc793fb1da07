/** Deployments and deployment runs through the official SDK (docs/emulator.md, "Deployments"). */
import Anthropic from '@anthropic-ai/sdk';
import type { BetaManagedAgentsDeploymentInitialEventParams } from '@anthropic-ai/sdk/resources/beta/deployments';
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, makeAgent, makeEnv, reportTarget, useTarget } from './target.js';

const t = useTarget();
reportTarget();

const say = (text: string): BetaManagedAgentsDeploymentInitialEventParams[] => [{ type: 'user.message', content: [{ type: 'text', text }] }];

async function setup(c: Anthropic) {
  const agent = await makeAgent(c);
  const env = await makeEnv(c);
  return { agent, env };
}

async function idleEvents(c: Anthropic, sessionId: string) {
  for (let i = 0; i < 200; i++) {
    const events = [];
    for await (const e of c.beta.sessions.events.list(sessionId)) events.push(e);
    if (events.some((e) => e.type === 'session.status_idle')) return events;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`session ${sessionId} never went idle`);
}

async function all<T>(page: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of page) out.push(x);
  return out;
}

describe.skipIf(REAL)('deployments', () => {
  it("create → retrieve → update → list → archive, with the schedule's next fire times", async () => {
    const c = t.client();
    const { agent, env } = await setup(c);
    const d = await c.beta.deployments.create({
      name: 'weekday report',
      agent: agent.id,
      environment_id: env.id,
      initial_events: say('write the report'),
      description: 'every weekday',
      metadata: { team: 'ops' },
      schedule: { type: 'cron', expression: '0 9 * * 1-5', timezone: 'UTC' },
    });
    expect(d).toMatchObject({
      type: 'deployment',
      name: 'weekday report',
      status: 'active',
      paused_reason: null,
      archived_at: null,
      agent: { type: 'agent', id: agent.id, version: 1 },
      environment_id: env.id,
      vault_ids: [],
      resources: [],
      metadata: { team: 'ops' },
      initial_events: say('write the report'),
    });
    expect(d.id).toMatch(/^depl_/);
    const upcoming = d.schedule!.upcoming_runs_at!;
    expect(upcoming).toHaveLength(5);
    for (const u of upcoming) {
      const at = new Date(u);
      expect([at.getUTCHours(), at.getUTCMinutes()]).toEqual([9, 0]);
      expect([0, 6]).not.toContain(at.getUTCDay());
      expect(at.getTime()).toBeGreaterThan(Date.now());
    }
    expect(d.schedule!.last_run_at).toBeNull();

    // Updating the agent by id re-pins its latest version.
    await c.beta.agents.update(agent.id, { version: 1, system: 'v2' });
    const u = await c.beta.deployments.update(d.id, {
      name: 'renamed',
      agent: agent.id,
      metadata: { team: null, owner: 'me' },
      schedule: null,
      description: '',
    });
    expect(u).toMatchObject({ name: 'renamed', agent: { version: 2 }, metadata: { owner: 'me' }, schedule: null, description: null });
    expect((await c.beta.deployments.retrieve(d.id)).name).toBe('renamed');

    const other = await c.beta.deployments.create({ name: 'other', agent: agent.id, environment_id: env.id, initial_events: say('x') });
    await c.beta.deployments.pause(other.id);
    expect((await all(c.beta.deployments.list({ agent_id: agent.id }))).map((x) => x.id).sort()).toEqual([d.id, other.id].sort());
    expect((await all(c.beta.deployments.list({ agent_id: agent.id, status: 'paused' }))).map((x) => x.id)).toEqual([other.id]);
    const firstPage = await c.beta.deployments.list({ agent_id: agent.id, limit: 1 });
    expect(firstPage.data).toHaveLength(1);
    expect(firstPage.next_page).toBeTruthy();

    const archived = await c.beta.deployments.archive(other.id);
    expect(archived).toMatchObject({ status: 'active', paused_reason: null });
    expect(archived.archived_at).not.toBeNull();
    expect((await all(c.beta.deployments.list({ agent_id: agent.id }))).map((x) => x.id)).toEqual([d.id]);
    expect((await all(c.beta.deployments.list({ agent_id: agent.id, include_archived: true }))).length).toBe(2);
    const both = await c.beta.deployments.list({ include_archived: true, status: 'active' }).catch((e) => e);
    expect(both).toBeInstanceOf(Anthropic.BadRequestError);
    // Archiving again changes nothing.
    expect((await c.beta.deployments.archive(other.id)).archived_at).toBe(archived.archived_at);
  });

  it("run now: a session with the deployment's agent, environment and initial events, recorded as a run", async () => {
    const c = t.client();
    const { agent, env } = await setup(c);
    const d = await c.beta.deployments.create({
      name: 'triage',
      agent: agent.id,
      environment_id: env.id,
      initial_events: [
        { type: 'user.message', content: [{ type: 'text', text: '/reply triaged 3 issues' }] },
        { type: 'system.message', content: [{ type: 'text', text: 'be brief' }] },
      ],
    });
    const run = await c.beta.deployments.run(d.id);
    expect(run).toMatchObject({
      type: 'deployment_run',
      deployment_id: d.id,
      error: null,
      trigger_context: { type: 'manual' },
      agent: { type: 'agent', id: agent.id, version: 1 },
    });
    expect(run.id).toMatch(/^drun_/);
    const session = await c.beta.sessions.retrieve(run.session_id!);
    expect(session).toMatchObject({ deployment_id: d.id, environment_id: env.id, agent: { id: agent.id, version: 1 } });
    const events = await idleEvents(c, session.id);
    expect(events.map((e) => e.type)).toContain('system.message');
    const reply = events.find((e) => e.type === 'agent.message');
    expect(reply && 'content' in reply ? reply.content : []).toEqual([{ type: 'text', text: 'triaged 3 issues' }]);

    expect(await c.beta.deploymentRuns.retrieve(run.id)).toEqual(run);
    const runs = await all(c.beta.deploymentRuns.list({ deployment_id: d.id }));
    expect(runs.map((r) => r.id)).toEqual([run.id]);
    expect(await all(c.beta.deploymentRuns.list({ deployment_id: d.id, trigger_type: 'schedule' }))).toEqual([]);
    expect(await all(c.beta.deploymentRuns.list({ deployment_id: d.id, has_error: true }))).toEqual([]);
    expect(await all(c.beta.deploymentRuns.list({ deployment_id: 'depl_nope' }))).toEqual([]);
    expect((await all(c.beta.sessions.list({ deployment_id: d.id }))).map((s) => s.id)).toEqual([session.id]);

    const missing = await c.beta.deploymentRuns.retrieve('drun_nope').catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('pause and unpause; a paused deployment still runs manually; an archived one refuses with 409', async () => {
    const c = t.client();
    const { agent, env } = await setup(c);
    const d = await c.beta.deployments.create({ name: 'p', agent: agent.id, environment_id: env.id, initial_events: say('hi') });
    const paused = await c.beta.deployments.pause(d.id);
    expect(paused).toMatchObject({ status: 'paused', paused_reason: { type: 'manual' } });
    expect((await c.beta.deployments.pause(d.id)).status).toBe('paused');
    const manual = await c.beta.deployments.run(d.id);
    expect(manual.session_id).toMatch(/^sesn_/);
    expect(await c.beta.deployments.unpause(d.id)).toMatchObject({ status: 'active', paused_reason: null });

    await c.beta.deployments.archive(d.id);
    for (const call of [
      () => c.beta.deployments.run(d.id),
      () => c.beta.deployments.pause(d.id),
      () => c.beta.deployments.unpause(d.id),
      () => c.beta.deployments.update(d.id, { name: 'again' }),
    ]) {
      const err = await call().catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.ConflictError);
      expect(err.headers.get('x-should-retry')).toBe('false');
    }
    expect(await c.beta.deployments.retrieve(d.id).then((x) => x.schedule)).toBeNull();
  });

  it('a run whose environment is archived records the error and creates no session', async () => {
    const c = t.client();
    const { agent, env } = await setup(c);
    const d = await c.beta.deployments.create({ name: 'e', agent: agent.id, environment_id: env.id, initial_events: say('hi') });
    await c.beta.environments.archive(env.id);
    const run = await c.beta.deployments.run(d.id);
    expect(run).toMatchObject({ session_id: null, error: { type: 'environment_archived_error' } });
    expect((await all(c.beta.deploymentRuns.list({ deployment_id: d.id, has_error: true }))).map((r) => r.id)).toEqual([run.id]);
    // A manual run's failure does not pause the deployment.
    expect((await c.beta.deployments.retrieve(d.id)).status).toBe('active');
  });

  it('refuses what the SDK refuses', async () => {
    const c = t.client();
    const { agent, env } = await setup(c);
    const base = { name: 'v', agent: agent.id, environment_id: env.id, initial_events: say('x') };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ schedule: { type: 'cron', expression: '0 9 * *', timezone: 'UTC' } }, '5 fields'],
      [{ schedule: { type: 'cron', expression: '0 9 L * *', timezone: 'UTC' } }, 'not supported'],
      [{ schedule: { type: 'cron', expression: '@daily', timezone: 'UTC' } }, 'shortcuts'],
      [{ schedule: { type: 'cron', expression: '61 * * * *', timezone: 'UTC' } }, 'minute'],
      [{ schedule: { type: 'cron', expression: '0 9 * * *', timezone: 'Mars/Olympus' } }, 'timezone'],
      [{ initial_events: [] }, 'initial_events'],
      [{ initial_events: [{ type: 'system.message', content: [{ type: 'text', text: 'x' }] }] }, 'system.message must be the last'],
      [{ colour: 'blue' }, "unknown field 'colour'"],
    ];
    for (const [extra, words] of bad) {
      const err = await c.beta.deployments.create({ ...base, ...extra } as never).catch((e) => e);
      expect(err, JSON.stringify(extra)).toBeInstanceOf(Anthropic.BadRequestError);
      expect(err.message).toContain(words);
    }
    expect(await c.beta.deployments.create({ ...base, agent: 'agent_nope' }).catch((e) => e)).toBeInstanceOf(Anthropic.NotFoundError);
    expect(await c.beta.deployments.retrieve('depl_nope').catch((e) => e)).toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe.skipIf(REAL)(`scheduled runs (${EMU_ONLY})`, () => {
  it('the admin tick fires due occurrences once each; paused deployments skip them; a failure auto-pauses', async () => {
    const c = t.client();
    const { agent, env } = await setup(c);
    const d = await c.beta.deployments.create({
      name: 'quarter-hourly',
      agent: agent.id,
      environment_id: env.id,
      initial_events: say('/reply tick'),
      schedule: { type: 'cron', expression: '*/15 * * * *', timezone: 'Europe/Paris' },
    });
    const first = Date.parse(d.schedule!.upcoming_runs_at![0]!);
    const tick = (ms: number) => t.admin('POST', '/_emulator/deployments/tick', { now: new Date(ms).toISOString() });

    const fired = await tick(first + 30 * 60_000);
    expect(fired.data.map((r: any) => r.trigger_context)).toEqual(
      [0, 15, 30].map((m) => ({
        type: 'schedule',
        scheduled_at: new Date(first + m * 60_000).toISOString(),
      })),
    );
    expect((await tick(first + 30 * 60_000)).data).toEqual([]);
    const scheduled = await all(c.beta.deploymentRuns.list({ deployment_id: d.id, trigger_type: 'schedule' }));
    expect(scheduled).toHaveLength(3);
    expect(scheduled.every((r) => r.session_id)).toBe(true);
    const after = await c.beta.deployments.retrieve(d.id);
    expect(after.schedule!.last_run_at).toBe(fired.data[2].created_at);
    expect(Date.parse(after.schedule!.upcoming_runs_at![0]!)).toBe(first + 45 * 60_000);

    await c.beta.deployments.pause(d.id);
    expect((await tick(first + 60 * 60_000)).data).toEqual([]);
    await c.beta.deployments.unpause(d.id);
    expect((await tick(first + 75 * 60_000)).data.map((r: any) => r.trigger_context.scheduled_at)).toEqual([new Date(first + 75 * 60_000).toISOString()]);

    await c.beta.environments.archive(env.id);
    const failed = await tick(first + 120 * 60_000);
    expect(failed.data).toHaveLength(1);
    expect(failed.data[0]).toMatchObject({ session_id: null, error: { type: 'environment_archived_error' } });
    expect(await c.beta.deployments.retrieve(d.id)).toMatchObject({
      status: 'paused',
      paused_reason: { type: 'error', error: { type: 'environment_archived_error' } },
    });
  });
});
