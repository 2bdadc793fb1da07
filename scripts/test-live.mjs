#!/usr/bin/env node
/**
 * `npm run test:live`: proves the product against the real Managed Agents API (docs/reliability.md,
 * "Verified against the SDK and the real API"). With MANAGED_AGENTS_API_KEY or ANTHROPIC_API_KEY set it
 *   1. runs the contract suite (test/emulator, real mode via TEST_API_BASE_URL),
 *   2. drives the core workflow through the BUILT server (dist/managed-agents-mcp.mjs over stdio),
 *   3. archives everything the run created, even when a step failed,
 * tagging every agent, environment and session with metadata
 * {"created_by":"managed-agents-mcp-live-test","run":"<id>"} and giving every session a hard
 * budget (LIVE_SESSION_BUDGET_USD, default $0.10). Without a key it says so and exits 0.
 *
 * LIVE_BASE_URL points the run elsewhere (the test of this script uses an emulator);
 * LIVE_SKIP_CONTRACT=1 skips step 1, LIVE_SKIP_BUILD=1 uses the dist/ already built.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const say = (m) => process.stdout.write(`[test:live] ${m}\n`);

const key = process.env.MANAGED_AGENTS_API_KEY || process.env.ANTHROPIC_API_KEY;
if (!key) {
  say('skipped: neither MANAGED_AGENTS_API_KEY nor ANTHROPIC_API_KEY is set, so nothing was sent to the API.');
  say('Set one (a key with Managed Agents access) to run the contract suite and the core workflow against the real API.');
  process.exit(0);
}

const baseURL = process.env.LIVE_BASE_URL || process.env.MANAGED_AGENTS_BASE_URL || 'https://api.anthropic.com';
const run = `live-${new Date()
  .toISOString()
  .replace(/[-:.TZ]/g, '')
  .slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
const TAG = { created_by: 'managed-agents-mcp-live-test', run };
const budgetUsd = Number(process.env.LIVE_SESSION_BUDGET_USD ?? '0.10');
const model = process.env.TEST_MODEL ?? 'claude-sonnet-4-6';
const startedAt = new Date(Date.now() - 60_000).toISOString();
say(`run ${run} against ${baseURL}; every session capped at $${budgetUsd.toFixed(2)} (list prices), everything tagged ${JSON.stringify(TAG)}`);

const failures = [];

function contractSuite() {
  if (process.env.LIVE_SKIP_CONTRACT === '1') {
    say('contract suite: skipped (LIVE_SKIP_CONTRACT=1)');
    return;
  }
  say('contract suite (test/emulator in real mode) …');
  const r = spawnSync('npx', ['vitest', 'run', 'test/emulator'], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      TEST_API_BASE_URL: baseURL,
      ANTHROPIC_API_KEY: key,
      TEST_LIVE_RUN: run,
      TEST_LIVE_BUDGET_USD: String(budgetUsd),
    },
  });
  if (r.status !== 0) failures.push(`contract suite exited with ${r.status}`);
}

async function workflow() {
  say('core workflow through the built server …');
  if (process.env.LIVE_SKIP_BUILD !== '1') {
    const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [fileURLToPath(new URL('../dist/managed-agents-mcp.mjs', import.meta.url)), '--toolsets', 'all'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MANAGED_AGENTS_API_KEY: key, MANAGED_AGENTS_BASE_URL: baseURL },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'test-live', version: '0.0.0' });
  await client.connect(transport);
  const call = async (name, args) => {
    const r = await client.callTool({ name, arguments: args }, undefined, { timeout: 180_000 });
    if (r.isError) throw new Error(`${name}: ${r.content?.[0]?.text}`);
    return r.structuredContent;
  };
  try {
    const agent = await call('create_agent', { name: `live-test ${run}`, model, system: 'Answer in one word.', metadata: TAG });
    const env = await call('create_environment', { name: `live-test-${run}`, metadata: TAG });
    const s = await call('start_session', {
      agent_id: agent.agent_id,
      environment_id: env.environment_id,
      title: `live-test ${run}`,
      metadata: TAG,
      budget: budgetUsd,
    });
    const turn = await call('send_message', { session_id: s.session_id, text: 'Reply with the word pong.', timeout_s: 120 });
    if (turn.stop_reason !== 'end_turn' || !turn.reply) throw new Error(`turn ended ${turn.stop_reason} with reply ${JSON.stringify(turn.reply)}`);
    say(`workflow: reply ${JSON.stringify(turn.reply.slice(0, 60))}, ${turn.events_seen} events`);
    const events = await call('list_events', { session_id: s.session_id });
    if (!events.events?.length) throw new Error('list_events returned no events');
    const usage = await call('session_usage', { session_id: s.session_id });
    say(`workflow: session_usage list cost ${usage.list_cost_usd ?? 'n/a'} USD, ${usage.tokens?.input ?? '?'} in / ${usage.tokens?.output ?? '?'} out tokens`);
    await call('archive_session', { session_id: s.session_id });
  } finally {
    await client.close();
  }
}

/** Archives every session, agent and environment carrying this run's tag; returns what is left. */
async function cleanup() {
  const c = new Anthropic({ apiKey: key, baseURL, maxRetries: 2 });
  const mine = (x) => x.metadata?.run === run && x.metadata?.created_by === TAG.created_by;
  const counts = { sessions: 0, agents: 0, environments: 0, budget_usd: 0 };
  const left = [];
  const each = async (label, page, archive) => {
    let n = 0;
    for await (const x of page) {
      if (++n > 2000) break; // a bounded walk: the run's own resources are the newest
      if (!mine(x)) continue;
      counts[label] += 1;
      if (label === 'sessions') {
        if (x.budget?.max_list_cost) counts.budget_usd += Number(x.budget.max_list_cost.amount) / 100;
        else left.push(`session ${x.id} had no budget`);
      }
      if (x.archived_at) continue;
      try {
        await archive(x);
      } catch (err) {
        left.push(`${label} ${x.id}: ${err.message}`);
      }
    }
  };
  await each('sessions', c.beta.sessions.list({ 'created_at[gte]': startedAt, include_archived: true }), (x) => c.beta.sessions.archive(x.id));
  await each('agents', c.beta.agents.list({ 'created_at[gte]': startedAt, include_archived: true }), (x) => c.beta.agents.archive(x.id));
  await each('environments', c.beta.environments.list({ include_archived: true }), (x) => c.beta.environments.archive(x.id));
  say(
    `cleanup: ${counts.sessions} sessions, ${counts.agents} agents, ${counts.environments} environments of run ${run}, all archived; ` +
      `hard budget across those sessions at most $${counts.budget_usd.toFixed(2)} (list prices)`,
  );
  return left;
}

try {
  contractSuite();
  await workflow().catch((err) => failures.push(`workflow: ${err.message}`));
} finally {
  const left = await cleanup().catch((err) => [`cleanup failed: ${err.message}`]);
  failures.push(...left.map((l) => `not archived: ${l}`));
  if (failures.length) {
    say(`FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else say('passed');
}
