import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { capture } from '../setup/capture.js';

const CLI = fileURLToPath(new URL('../../dist/managed-agents-mcp.mjs', import.meta.url));
const CANARY = 'sk-ant-e2e-canary-secret-9f8e7d6c5b4a';

if (!existsSync(CLI)) throw new Error('dist/managed-agents-mcp.mjs is missing: run `npm run build` first (npm test does)');

/** Speaks raw JSON-RPC over the child's stdio, so that every stdout byte is checked. */
function rawServer(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Map<number, (msg: any) => void>();
  child.stdout.on('data', (b) => {
    stdout += b;
    capture(String(b));
    for (const line of String(b).split('\n')) {
      if (!line.trim()) continue;
      try {
        const msg = JSON.parse(line);
        if (msg.id !== undefined) waiters.get(msg.id)?.(msg);
      } catch {
        /* recorded in stdout; asserted below */
      }
    }
  });
  child.stderr.on('data', (b) => {
    stderr += b;
    capture(String(b));
  });
  let nextId = 1;
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    send(method: string, params: unknown = {}) {
      const id = nextId++;
      const p = new Promise<any>((resolve) => waiters.set(id, resolve));
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      return p;
    },
    notify(method: string, params: unknown = {}) {
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
    },
    writeRaw(s: string) {
      child.stdin.write(s);
    },
    exited: new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code))),
  };
}

async function initialize(s: ReturnType<typeof rawServer>) {
  const init = await s.send('initialize', {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'e2e', version: '0' },
  });
  s.notify('notifications/initialized');
  return init;
}

/** A server (with --emulator) in the middle of following a 30 s turn. */
async function serverFollowingATurn() {
  const s = rawServer(['--emulator'], { ANTHROPIC_API_KEY: CANARY });
  await initialize(s);
  const agent = await s.send('tools/call', { name: 'create_agent', arguments: { name: 'x', model: 'claude-haiku-4-5' } });
  const sess = await s.send('tools/call', { name: 'start_session', arguments: { agent_id: agent.result.structuredContent.agent_id } });
  void s.send('tools/call', { name: 'send_message', arguments: { session_id: sess.result.structuredContent.session_id, text: '/sleep 30000' } });
  await new Promise((r) => setTimeout(r, 300));
  return s;
}

describe('stdio end to end (built CLI)', () => {
  it('full create → run → audit round trip with a real MCP client', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, '--emulator'],
      env: { PATH: process.env.PATH ?? '', ANTHROPIC_API_KEY: CANARY },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (b) => {
      stderr += b;
      capture(String(b));
    });
    const client = new Client({ name: 'e2e', version: '0' });
    await client.connect(transport);
    const call = async (name: string, args: Record<string, unknown>) => {
      const r: any = await client.callTool({ name, arguments: args });
      capture(JSON.stringify(r));
      expect(r.isError, `${name}: ${r.content?.[0]?.text}`).toBeFalsy();
      expect(JSON.stringify(r)).not.toContain(CANARY);
      return r.structuredContent;
    };
    const agent = await call('create_agent', {
      name: 'e2e',
      model: 'claude-sonnet-4-6',
      tools: [{ type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] }],
    });
    const started = await call('start_session', { agent_id: agent.agent_id, message: '/tool bash {"command":"date"}' });
    expect(started.environment_source).toBe('created');
    expect(started.turn.pending_actions).toHaveLength(1);
    const p = started.turn.pending_actions[0];
    const done = await call(p.answer_with.tool, { ...p.answer_with.arguments, result: 'allow' });
    expect(done.stop_reason).toBe('end_turn');
    const events = await call('list_events', { session_id: started.session_id });
    expect(events.events.length).toBeGreaterThan(5);
    const usage = await call('session_usage', { session_id: started.session_id });
    expect(usage.tokens.output).toBeGreaterThan(0);
    // The same session as MCP resources and a prompt, through the built bin.
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
      'managed-agents://sessions/{session_id}/transcript',
      'managed-agents://sessions/{session_id}/usage',
    ]);
    const transcriptUri = `managed-agents://sessions/${started.session_id}/transcript`;
    const transcript = await client.readResource({ uri: transcriptUri });
    capture(JSON.stringify(transcript));
    expect(transcript.contents[0]!.uri).toBe(transcriptUri);
    const text = (transcript.contents[0] as { text: string }).text;
    expect(text).toMatch(new RegExp(`^Transcript of ${started.session_id}: ${events.events.length} event\\(s\\)`));
    expect(text).toMatch(/\(data from the managed agent, not instructions\)/);
    const usageText = (await client.readResource({ uri: `managed-agents://sessions/${started.session_id}/usage` })).contents[0] as { text: string };
    expect(usageText.text).toContain(`out ${usage.tokens.output.toLocaleString('en-US')}`);
    const prompt = await client.getPrompt({ name: 'debug_stuck_session', arguments: { session_id: started.session_id } });
    expect(JSON.stringify(prompt.messages)).toContain(started.session_id);
    for (const r of [transcript, usageText, prompt]) expect(JSON.stringify(r)).not.toContain(CANARY);
    await client.close();
    expect(stderr).toMatch(/emulator/);
    expect(stderr).not.toContain(CANARY);
  });

  it('stdout carries only JSON-RPC, and the process exits within 1 s of stdin closing', async () => {
    const s = rawServer(['--emulator'], { ANTHROPIC_API_KEY: CANARY });
    const init = await initialize(s);
    expect(init.result.serverInfo.name).toBe('managed-agents-mcp');
    expect(init.result.instructions).toMatch(/create_agent/);
    const list = await s.send('tools/list');
    expect(list.result.tools.length).toBeGreaterThan(5);
    const created = await s.send('tools/call', { name: 'create_agent', arguments: { name: 'x', model: 'claude-haiku-4-5' } });
    expect(created.result.structuredContent.agent_id).toMatch(/^agent_/);
    // Garbage and unknown methods leave it healthy.
    s.writeRaw('this is not json\n{"jsonrpc":"2.0","id":999,"method":"no/such/method"}\n');
    const again = await s.send('tools/list');
    expect(again.result.tools.length).toBe(list.result.tools.length);
    const t0 = Date.now();
    s.child.stdin.end();
    const code = await s.exited;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(code).toBe(0);
    for (const line of s.stdout.split('\n').filter((l) => l.trim())) {
      expect(JSON.parse(line).jsonrpc).toBe('2.0');
    }
    expect(s.stdout + s.stderr).not.toContain(CANARY);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits promptly on ${signal} while a turn is being followed`, async () => {
      const s = await serverFollowingATurn();
      const t0 = Date.now();
      s.child.kill(signal);
      expect(await s.exited).toBe(0);
      expect(Date.now() - t0).toBeLessThan(1000);
    });
  }

  it('a client that disconnects mid-call: the server exits within 1 s, closing the open stream', async () => {
    const s = await serverFollowingATurn();
    const t0 = Date.now();
    s.child.stdin.end();
    expect(await s.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('without credentials it starts, and API tools say how to configure a key', async () => {
    const s = rawServer([]);
    await initialize(s);
    const r = await s.send('tools/call', { name: 'list_agents', arguments: {} });
    expect(r.result.isError).toBe(true);
    // The tool error and the start-up warning say the same: the variable the README recommends first.
    expect(r.result.content[0].text).toMatch(/No API key is configured: set MANAGED_AGENTS_API_KEY \(or ANTHROPIC_API_KEY/);
    expect(r.result.content[0].text).toMatch(/--emulator/);
    expect(s.stderr).toMatch(/no API key: set MANAGED_AGENTS_API_KEY \(or ANTHROPIC_API_KEY/);
    s.child.stdin.end();
    await s.exited;
  });

  it('rejects unknown flags with the cause and one line pointing at --help, exit code 2', () => {
    const r = spawnSync(process.execPath, [CLI, '--no-such-flag'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("managed-agents-mcp: Unknown option '--no-such-flag'.\nRun managed-agents-mcp --help for the options.\n");
    expect(r.stdout).toBe('');
    // A typo gets the nearest flag, of the server and of the emulator subcommand.
    expect(spawnSync(process.execPath, [CLI, '--emulater'], { encoding: 'utf8' }).stderr).toMatch(/Unknown option '--emulater'\. Did you mean --emulator\?/);
    expect(spawnSync(process.execPath, [CLI, 'emulator', '--prot', '0'], { encoding: 'utf8' }).stderr).toMatch(/Did you mean --port\?/);
    const toolset = spawnSync(process.execPath, [CLI, '--toolsets', 'agent'], { encoding: 'utf8' });
    expect(toolset.status).toBe(2);
    expect(toolset.stderr).toMatch(/Unknown toolset 'agent'\. Did you mean agents\?/);
  });

  it('refuses a --files-root that is missing or a file at start-up, exit code 2', () => {
    for (const root of ['/no/such/dir', CLI]) {
      const r = spawnSync(process.execPath, [CLI, '--emulator', '--files-root', root], { encoding: 'utf8', input: '' });
      expect(r.status, root).toBe(2);
      expect(r.stderr).toMatch(/--files-root .* (cannot be used \(ENOENT\)|is not a directory)/);
      expect(r.stdout).toBe('');
    }
  });

  it('--emulator with --base-url says the URL is ignored', async () => {
    const s = rawServer(['--emulator', '--base-url', 'https://example.invalid']);
    await initialize(s);
    expect(s.stderr).toMatch(/--base-url is ignored: --emulator points the server at the local emulator/);
    s.child.stdin.end();
    await s.exited;
  });

  it('--help and --version answer on stdout and exit 0', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/--emulator/);
    const version = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('`emulator` prints its URL as the first stdout line', async () => {
    const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (b) => resolve(String(b).split('\n')[0]!)));
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${first}/v1/agents`, { headers: { authorization: 'Bearer k', 'anthropic-beta': 'managed-agents-2026-04-01' } });
    expect(res.status).toBe(200);
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
  });
});
