/**
 * Who decides, end to end: the built CLI over stdio (with --emulator), driven by the real MCP SDK
 * client declaring form elicitation, as Claude Code does. The agent asks to run two commands; the
 * person allows one and denies the other; the turn finishes in one send_message.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { expect, it } from 'vitest';
import { capture } from '../setup/capture.js';

const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
if (!existsSync(CLI)) throw new Error('dist/managed-agents-mcp.mjs is missing: run `npm run build` first (npm test does)');

it('the person is asked over stdio, allows one command and denies another; the turn ends in one call', async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, '--emulator'],
    env: { PATH: process.env.PATH ?? '' },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (b) => capture(String(b)));
  const client = new Client({ name: 'e2e-approval', version: '0' }, { capabilities: { elicitation: { form: {} } } });
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (req) => {
    asked.push(req.params.message);
    const content: Record<string, string> = req.params.message.includes('rm -rf') ? { decision: 'deny', deny_message: 'no' } : { decision: 'allow' };
    return { action: 'accept', content };
  });
  await client.connect(transport);
  try {
    const call = async (name: string, args: Record<string, unknown>) => {
      const r: any = await client.callTool({ name, arguments: args });
      capture(JSON.stringify(r));
      expect(r.isError, `${name}: ${r.content?.[0]?.text}`).toBeFalsy();
      return r.structuredContent;
    };
    const agent = await call('create_agent', {
      name: 'e2e-approval',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }],
    });
    const s = await call('start_session', { agent_id: agent.agent_id });
    const d = await call('send_message', {
      session_id: s.session_id,
      text: '/tool bash {"command":"ls"}\n/tool bash {"command":"rm -rf /"}\n/reply finished',
    });
    expect(asked).toHaveLength(2);
    expect(d.stop_reason).toBe('end_turn');
    expect(d.pending_actions).toEqual([]);
    expect(d.reply).toContain('finished');
    const events = await call('list_events', { session_id: s.session_id, types: ['user.tool_confirmation'], view: 'full' });
    expect(events.events.map((e: any) => e.result)).toEqual(['allow', 'deny']);
  } finally {
    await client.close();
  }
});
