/**
 * Protocol hygiene: no progress notification may reach the client after, or in the same read as,
 * its call's result. The MCP SDK client reports such a notification through `onerror` ("Received
 * a progress notification for an unknown token"), which is what Claude Code logged before. The
 * whole workflow runs with a progress token on every call, over stdio against the built bin and
 * over InMemoryTransport, and any `onerror` fails the test.
 */
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { ASK_BASH_TOOLS, harness } from '../helpers.js';
import { capture } from '../setup/capture.js';

const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
const ROUNDS = 3;

const TURN_TOOLS = new Set(['start_session', 'send_message', 'confirm_tool_use']);

async function workflow(client: Client): Promise<{ errors: string[]; progress: number; calls: number; quietTurns: string[] }> {
  const errors: string[] = [];
  client.onerror = (e) => errors.push(String(e?.message ?? e));
  let progress = 0;
  let calls = 0;
  // Turn calls whose result came without any progress before it: the test would prove nothing there.
  const quietTurns: string[] = [];
  const call = async (name: string, args: Record<string, unknown>) => {
    calls++;
    let mine = 0;
    const r: any = await client.callTool({ name, arguments: args }, undefined, {
      onprogress: (p) => {
        progress++;
        mine++;
        capture(JSON.stringify(p));
      },
      timeout: 60_000,
    });
    capture(JSON.stringify(r));
    if (TURN_TOOLS.has(name) && mine === 0) quietTurns.push(name);
    if (r.isError) throw new Error(`${name}: ${r.content?.[0]?.text}`);
    return r.structuredContent;
  };
  const agent = await call('create_agent', { name: 'hygiene', model: 'claude-sonnet-4-6', tools: ASK_BASH_TOOLS });
  for (let i = 0; i < ROUNDS; i++) {
    // A burst (coalesced progress still pending when the turn ends) right before each result.
    const s = await call('start_session', { agent_id: agent.agent_id, message: '/events 1500\n/reply started' });
    expect(s.turn.stop_reason).toBe('end_turn');
    const asked = await call('send_message', { session_id: s.session_id, text: '/events 800\n/tool bash {"command":"ls"}' });
    expect(asked.stop_reason).toBe('requires_action');
    const pending = asked.pending_actions[0];
    const done = await call('confirm_tool_use', { session_id: s.session_id, tool_use_id: pending.id, result: 'allow' });
    expect(done.status).toBe('idle');
    await call('send_message', { session_id: s.session_id, text: '/think\n/events 300\n/reply bye' });
    await call('list_events', { session_id: s.session_id, limit: 50 });
    await call('session_usage', { session_id: s.session_id });
  }
  // Late notifications would arrive after the last result: give them the time to show up.
  await new Promise((r) => setTimeout(r, 300));
  return { errors, progress, calls, quietTurns };
}

describe('no progress notification after or racing with its result', () => {
  it('over stdio, against the built bin', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--emulator'],
      env: { PATH: process.env.PATH ?? '' },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d) => capture(String(d)));
    const client = new Client({ name: 'e2e-progress', version: '0' });
    await client.connect(transport);
    try {
      const { errors, progress, calls, quietTurns } = await workflow(client);
      console.log(`progress hygiene (stdio): ${calls} calls, ${progress} progress notifications, ${errors.length} client errors`);
      expect(errors).toEqual([]);
      // The test means something only if progress did flow: before every turn's result.
      expect(quietTurns).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('over InMemoryTransport', async () => {
    const h = await harness();
    try {
      const { errors, progress, calls, quietTurns } = await workflow(h.client);
      console.log(`progress hygiene (in memory): ${calls} calls, ${progress} progress notifications, ${errors.length} client errors`);
      expect(errors).toEqual([]);
      expect(quietTurns).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
