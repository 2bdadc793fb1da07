/**
 * `npm run test:live` (scripts/test-live.mjs) itself: without a key it skips and exits 0; with one
 * it drives the built server and archives everything it tagged. The live path runs here against a
 * local emulator (LIVE_BASE_URL, dummy key), so nothing reaches the real API.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { capture } from '../setup/capture.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/test-live.mjs', import.meta.url));
const BASE_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };

function runScript(env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { ...BASE_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (out += b));
    child.on('close', (code) => {
      capture(out);
      resolve({ code, out });
    });
  });
}

describe('npm run test:live', () => {
  it('without a key: says it skipped and why, exits 0', async () => {
    const r = await runScript({});
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/skipped: neither MANAGED_AGENTS_API_KEY nor ANTHROPIC_API_KEY is set/);
    expect(r.out).not.toMatch(/\[test:live\] (run live-|contract suite \(|core workflow|cleanup)/);
  });

  describe('with a key, against an emulator', () => {
    let emu: EmulatorHandle;
    beforeAll(async () => {
      emu = await startEmulator({ port: 0 });
    });
    afterAll(async () => {
      await emu.close();
    });

    it('runs the workflow through the built server with a capped, tagged session and archives all it created', async () => {
      const r = await runScript({ LIVE_BASE_URL: emu.url, ANTHROPIC_API_KEY: 'sk-ant-live-script-dummy', LIVE_SKIP_CONTRACT: '1', LIVE_SKIP_BUILD: '1' });
      expect(r.out).toMatch(/\[test:live\] passed/);
      expect(r.code).toBe(0);
      const run = /run (live-\S+) against/.exec(r.out)?.[1];
      expect(run).toBeDefined();
      expect(r.out).toMatch(/cleanup: 1 sessions, 1 agents, 1 environments .*at most \$0\.10/);

      const c = new Anthropic({ apiKey: 'x', baseURL: emu.url, maxRetries: 0 });
      const sessions = (await c.beta.sessions.list({ include_archived: true })).data.filter((s) => s.metadata?.run === run);
      expect(sessions).toHaveLength(1);
      expect(sessions[0]!.metadata).toEqual({ created_by: 'managed-agents-mcp-live-test', run });
      expect(sessions[0]!.budget).toMatchObject({ max_list_cost: { amount: '10', currency: 'USD' } });
      expect(sessions[0]!.archived_at).not.toBeNull();
      const agents = (await c.beta.agents.list({ include_archived: true })).data.filter((a) => a.metadata?.run === run);
      const envs = (await c.beta.environments.list({ include_archived: true })).data.filter((e) => e.metadata?.run === run);
      expect(agents.map((a) => Boolean(a.archived_at))).toEqual([true]);
      expect(envs.map((e) => Boolean(e.archived_at))).toEqual([true]);
    });

    it('archives what it created even when the workflow fails, and fails the run', async () => {
      await fetch(`${emu.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ match: { method: 'POST', path: '/v1/sessions/*/events' }, status: 400, message: 'refused for the test' }] }),
      });
      const r = await runScript({ LIVE_BASE_URL: emu.url, ANTHROPIC_API_KEY: 'sk-ant-live-script-dummy', LIVE_SKIP_CONTRACT: '1', LIVE_SKIP_BUILD: '1' });
      await fetch(`${emu.url}/_emulator/faults`, { method: 'DELETE' });
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAILED:\n\s+- workflow: send_message/);
      expect(r.out).toMatch(/cleanup: 1 sessions, 1 agents, 1 environments .*all archived/);
      const run = /run (live-\S+) against/.exec(r.out)![1];
      const c = new Anthropic({ apiKey: 'x', baseURL: emu.url, maxRetries: 0 });
      const sessions = (await c.beta.sessions.list({ include_archived: true })).data.filter((s) => s.metadata?.run === run);
      expect(sessions.map((s) => Boolean(s.archived_at))).toEqual([true]);
    });
  });
});
