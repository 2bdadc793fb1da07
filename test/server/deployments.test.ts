/**
 * The deployments toolset through the MCP protocol, against the emulator: create → run now → the
 * run's session followed to its end → runs listed with session status → pause/unpause → scheduled
 * runs (emulator tick) → archive → a refused run that says what to do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errText, harness, ok, type Harness } from '../helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'environments', 'deployments'] });
});
afterAll(async () => {
  await h?.close();
});

async function agentAndEnv() {
  const agent = ok(await h.call('create_agent', { name: 'reporter', model: 'claude-sonnet-4-6' }));
  const env = ok(await h.call('create_environment', { name: 'deploy-env' }));
  return { agent_id: agent.agent_id as string, environment_id: env.environment_id as string };
}

describe('deployments toolset', () => {
  it('create → run now → follow the session → list runs → pause/unpause → archive → run refused', async () => {
    const { agent_id, environment_id } = await agentAndEnv();
    const created = ok(
      await h.call('create_deployment', {
        name: 'daily digest',
        agent_id,
        environment_id,
        message: '/reply digest sent',
        cron: '0 8 * * *',
        timezone: 'Europe/Berlin',
      }),
    );
    expect(created).toMatchObject({
      name: 'daily digest',
      status: 'active',
      agent: `${agent_id} v1`,
      schedule: '0 8 * * * (Europe/Berlin)',
      environment_id,
    });
    expect(created.deployment_id).toMatch(/^depl_/);
    expect(new Date(created.next_run_at).getTime()).toBeGreaterThan(Date.now());
    expect(created.hint).toContain('run_deployment');
    const id = created.deployment_id as string;

    const run = ok(await h.call('run_deployment', { deployment_id: id }));
    expect(run).toMatchObject({ deployment_id: id, trigger: 'manual' });
    expect(run.session_id).toMatch(/^sesn_/);
    expect(run.error).toBeUndefined();
    expect(run.hint).toContain(`wait_for_turn {session_id: "${run.session_id}"}`);

    const turn = ok(await h.call('wait_for_turn', { session_id: run.session_id }));
    expect(turn).toMatchObject({ status: 'idle', stop_reason: 'end_turn', reply: 'digest sent' });

    const runs = ok(await h.call('list_deployment_runs', { deployment_id: id }));
    expect(runs.runs).toEqual([expect.objectContaining({ run_id: run.run_id, session_id: run.session_id, session_status: 'idle', trigger: 'manual' })]);

    const got = ok(await h.call('get_deployment', { deployment_id: id }));
    expect(got.initial_events).toEqual(['user.message: /reply digest sent']);
    expect(got.upcoming_runs_at).toHaveLength(5);
    expect(got.environment_id).toBe(environment_id);

    expect(ok(await h.call('pause_deployment', { deployment_id: id }))).toMatchObject({ status: 'paused', paused_reason: 'manual' });
    expect(ok(await h.call('list_deployments', { status: 'paused' })).deployments.map((d: any) => d.deployment_id)).toEqual([id]);
    expect(ok(await h.call('unpause_deployment', { deployment_id: id })).status).toBe('active');

    expect(ok(await h.call('archive_deployment', { deployment_id: id })).archived_at).toBeTruthy();
    expect(ok(await h.call('list_deployments', {})).deployments.map((d: any) => d.deployment_id)).not.toContain(id);
    expect(ok(await h.call('list_deployments', { include_archived: true })).deployments).toContainEqual(
      expect.objectContaining({ deployment_id: id, status: 'archived' }),
    );

    const refused = errText(await h.call('run_deployment', { deployment_id: id }));
    expect(refused).toContain('HTTP 409');
    expect(refused).toContain('Retry helps: no.');
    expect(refused).toMatch(/Next: .*archived deployment takes no runs.*create_deployment/);
  });

  it('scheduled runs show with their trigger; a run that could not start a session says why and what next', async () => {
    const { agent_id, environment_id } = await agentAndEnv();
    const d = ok(await h.call('create_deployment', { name: 'hourly', agent_id, environment_id, message: 'check', cron: '0 * * * *' }));
    const first = Date.parse(d.next_run_at);
    const fired = await h.admin('POST', '/_emulator/deployments/tick', { now: new Date(first + 60 * 60_000).toISOString() });
    expect(fired.data).toHaveLength(2);

    const scheduled = ok(await h.call('list_deployment_runs', { deployment_id: d.deployment_id, trigger: 'schedule', limit: 1 }));
    expect(scheduled.runs).toHaveLength(1);
    expect(scheduled.runs[0].trigger).toBe(`schedule ${new Date(first + 60 * 60_000).toISOString()}`);
    expect(scheduled.next_page).toBeTruthy();
    const older = ok(await h.call('list_deployment_runs', { deployment_id: d.deployment_id, trigger: 'schedule', page: scheduled.next_page }));
    expect(older.runs[0].trigger).toBe(`schedule ${new Date(first).toISOString()}`);

    ok(await h.call('archive_environment', { environment_id }));
    const failed = ok(await h.call('run_deployment', { deployment_id: d.deployment_id }));
    expect(failed.session_id).toBeUndefined();
    expect(failed.error).toMatch(/^environment_archived_error: /);
    expect(failed.hint).toContain('No session was created');
    const onlyFailed = ok(await h.call('list_deployment_runs', { deployment_id: d.deployment_id, failed: true }));
    expect(onlyFailed.runs.map((r: any) => r.run_id)).toEqual([failed.run_id]);
  });

  it('update_deployment changes the schedule, the message and the pinned agent version; later runs use them', async () => {
    const { agent_id, environment_id } = await agentAndEnv();
    const d = ok(await h.call('create_deployment', { name: 'u', agent_id, environment_id, message: '/reply one' }));
    expect(d.schedule).toBeUndefined();
    ok(await h.call('update_agent', { agent_id, version: 1, system: 'second version' }));

    const u = ok(
      await h.call('update_deployment', {
        deployment_id: d.deployment_id,
        cron: '30 6 * * 1',
        timezone: 'Asia/Tokyo',
        message: '/reply two',
        agent_version: 2,
        name: 'weekly',
      }),
    );
    expect(u).toMatchObject({ name: 'weekly', agent: `${agent_id} v2`, schedule: '30 6 * * 1 (Asia/Tokyo)' });
    // Monday 06:30 in Tokyo is Sunday 21:30 UTC.
    const next = new Date(u.next_run_at);
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([0, 21, 30]);

    const run = ok(await h.call('run_deployment', { deployment_id: d.deployment_id }));
    expect(ok(await h.call('wait_for_turn', { session_id: run.session_id })).reply).toBe('two');
    expect(ok(await h.call('get_session', { session_id: run.session_id })).agent_version).toBe(2);

    const cleared = ok(await h.call('update_deployment', { deployment_id: d.deployment_id, clear_schedule: true }));
    expect(cleared.schedule).toBeUndefined();
    expect(errText(await h.call('update_deployment', { deployment_id: d.deployment_id, cron: '* * * * *', clear_schedule: true }))).toContain('not both');
    expect(errText(await h.call('update_deployment', { deployment_id: d.deployment_id, cron: '0 9 * * 1 extra' }))).toMatch(/HTTP 400 .*5 fields/);
  });

  it('bad input is refused before the API: ids, and the toolset stays off by default', async () => {
    expect(errText(await h.call('get_deployment', { deployment_id: '../x' }))).toContain('deployment_id must be an id');
    const bad = errText(await h.call('create_deployment', { name: 'x', agent_id: 'agent_nope', message: 'hi', cron: '0 9 * *' }));
    expect(bad).toMatch(/HTTP (400|404)/);
    const plain = await harness();
    try {
      const names = (await plain.client.listTools()).tools.map((t) => t.name);
      expect(names.some((n) => n.includes('deployment'))).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
