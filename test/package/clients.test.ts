/**
 * The client configuration snippets in docs/clients.md (and mcp.json.example): each is parsed in
 * its own format, and the server command it names is started with --emulator and must list the
 * tools. The package is installed from its tarball into a project directory, and the commands run
 * there, so `npx -y managed-agents-mcp` resolves to it without the registry (npm_config_offline).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, installTarball, packTarball } from '../../scripts/pack.mjs';

interface StdioEntry {
  type?: string;
  command: string;
  args?: string[];
  env?: Record<string, string>;
}

const doc = readFileSync(path.join(ROOT, 'docs/clients.md'), 'utf8');
const snippets = new Map([...doc.matchAll(/<!-- snippet: ([\w-]+) -->\n```(\w+)\n([\s\S]*?)\n```/g)].map((m) => [m[1], { lang: m[2], text: m[3] }]));
const snippet = (id: string) => {
  const s = snippets.get(id);
  if (!s) throw new Error(`docs/clients.md has no snippet '${id}'`);
  return s;
};

let dir: string;
const work = mkdtempSync(path.join(os.tmpdir(), 'mam-clients-test-'));
beforeAll(() => {
  dir = installTarball(packTarball(work).tarball);
}, 120_000);
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs an entry as its client would (plus --emulator) in the project with the package installed. */
async function listTools(entry: StdioEntry): Promise<string[]> {
  const args = entry.args ?? [];
  // Placeholders the client fills in (${VAR}, ${input:…}, sk-ant-...) get a dummy: the emulator ignores it.
  const env = Object.fromEntries(Object.entries(entry.env ?? {}).map(([k, v]) => [k, /\$\{|^\$[A-Z_]+$|\.\.\./.test(v) ? 'sk-ant-dummy' : v]));
  const client = new Client({ name: 'clients-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: entry.command,
      args: args.includes('--emulator') ? args : [...args, '--emulator'],
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', npm_config_offline: 'true', ...env },
      stderr: 'ignore',
    }),
  );
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

const CORE = ['create_agent', 'start_session', 'send_message', 'session_usage'];

/** Evaluates a literal expression of the TypeScript snippet (objects, arrays, strings; env reads → a marker). */
function tsLiteral(node: ts.Expression): unknown {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isArrayLiteralExpression(node)) return node.elements.map((e) => tsLiteral(e));
  if (ts.isObjectLiteralExpression(node)) {
    return Object.fromEntries(
      node.properties.map((p) => {
        if (!ts.isPropertyAssignment(p)) throw new Error(`unsupported property ${p.getText()}`);
        return [ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) ? p.name.text : p.name.getText(), tsLiteral(p.initializer)];
      }),
    );
  }
  if (ts.isNonNullExpression(node) && node.expression.getText().startsWith('process.env.')) return '${' + node.expression.getText() + '}';
  throw new Error(`unsupported expression ${node.getText()}`);
}

// Each test spawns npx and a server: generous under a loaded CI machine (no timing is asserted).
describe('docs/clients.md snippets', { timeout: 120_000 }, () => {
  it('Claude Code: `claude mcp add` lines parse and their commands run', async () => {
    const lines = snippet('claude-code-cli').text.split('\n');
    expect(lines.length).toBe(2);
    for (const line of lines) {
      const words = line.split(/\s+/);
      expect(words.slice(0, 3)).toEqual(['claude', 'mcp', 'add']);
      const sep = words.indexOf('--');
      expect(sep).toBeGreaterThan(3);
      const opts = words.slice(4, sep);
      const env: Record<string, string> = {};
      for (let i = 0; i < opts.length; i += 2) {
        expect(opts[i]).toBe('--env');
        const [k, v] = opts[i + 1].split('=');
        env[k] = v;
      }
      const [command, ...args] = words.slice(sep + 1);
      expect(await listTools({ command, args, env })).toEqual(expect.arrayContaining(CORE));
    }
  });

  for (const id of ['claude-code-mcp-json', 'cursor', 'claude-desktop', 'gemini-cli']) {
    it(`${id}: an mcpServers file whose server runs`, async () => {
      const { lang, text } = snippet(id);
      expect(lang).toBe('json');
      const servers: Record<string, StdioEntry> = JSON.parse(text).mcpServers;
      expect(Object.keys(servers)).toEqual(['managed-agents']);
      expect(await listTools(servers['managed-agents'])).toEqual(expect.arrayContaining(CORE));
    });
  }

  it('VS Code: `servers` with type stdio, the key from a password input, and the server runs', async () => {
    const cfg = JSON.parse(snippet('vscode').text);
    const entry: StdioEntry = cfg.servers['managed-agents'];
    expect(entry.type).toBe('stdio');
    const input = /^\$\{input:(.+)\}$/.exec(entry.env!.MANAGED_AGENTS_API_KEY)?.[1];
    expect(cfg.inputs).toContainEqual(expect.objectContaining({ id: input, type: 'promptString', password: true }));
    expect(await listTools(entry)).toEqual(expect.arrayContaining(CORE));
  });

  it('Agent SDK (TypeScript): the snippet parses and its mcpServers entry runs', async () => {
    const { text } = snippet('agent-sdk-ts');
    const src = ts.createSourceFile('snippet.ts', text, ts.ScriptTarget.Latest, true);
    expect((src as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics).toEqual([]);
    let servers: Record<string, StdioEntry> | undefined;
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAssignment(n) && n.name.getText() === 'mcpServers') servers = tsLiteral(n.initializer) as typeof servers;
      ts.forEachChild(n, visit);
    };
    visit(src);
    expect(servers?.['managed-agents']).toMatchObject({
      type: 'stdio',
      command: 'npx',
      env: { MANAGED_AGENTS_API_KEY: '${process.env.MANAGED_AGENTS_API_KEY}' },
    });
    // The prompt asks for the reply and the cost: the loop's tools are allowed, answering and audit included.
    const allowed = [...text.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    for (const tool of ['start_session', 'send_message', 'confirm_tool_use', 'submit_custom_tool_result', 'wait_for_turn', 'session_usage']) {
      expect(allowed, tool).toContain(tool);
    }
    expect(await listTools(servers!['managed-agents'])).toEqual(expect.arrayContaining(CORE));
  });

  it('Agent SDK (Python): the snippet parses and its mcp_servers entry runs', async () => {
    const { text } = snippet('agent-sdk-py');
    const py = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: text, encoding: 'utf8' });
    if (py.error) console.warn(`python3 not found (${py.error.message}): the snippet's syntax is not checked, only its mcp_servers dict`);
    else expect(py.stderr).toBe('');
    // A coroutine that is never run does nothing: the snippet must run it.
    expect(text).toMatch(/^(anyio|asyncio)\.run\(main\)$/m);
    // The dict literal is JSON once env reads are replaced and trailing commas dropped.
    const start = text.indexOf('{', text.indexOf('mcp_servers='));
    let depth = 0;
    let end = start;
    for (; end < text.length; end++) {
      if (text[end] === '{') depth++;
      if (text[end] === '}' && --depth === 0) break;
    }
    const json = text
      .slice(start, end + 1)
      .replace(/os\.environ\["(\w+)"\]/g, '"${$1}"')
      .replace(/,(\s*[}\]])/g, '$1');
    const servers: Record<string, StdioEntry> = JSON.parse(json);
    expect(servers['managed-agents']).toMatchObject({ type: 'stdio', command: 'npx', env: { MANAGED_AGENTS_API_KEY: '${MANAGED_AGENTS_API_KEY}' } });
    expect(await listTools(servers['managed-agents'])).toEqual(expect.arrayContaining(CORE));
  });

  it('Codex CLI: an [mcp_servers.<name>] table of config.toml whose server runs', async () => {
    const { lang, text } = snippet('codex');
    expect(lang).toBe('toml');
    // Node has no TOML parser; Python's standard library does (3.11+), as CI's machine has.
    const py = spawnSync('python3', ['-c', 'import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))'], { input: text, encoding: 'utf8' });
    expect(py.error, 'python3 with tomllib parses the snippet').toBeUndefined();
    expect(py.stderr).toBe('');
    const servers: Record<string, StdioEntry & { env_vars?: string[] }> = JSON.parse(py.stdout).mcp_servers;
    expect(Object.keys(servers)).toEqual(['managed-agents']);
    const { env_vars: forwarded = [], ...entry } = servers['managed-agents']!;
    // Codex passes the named variables from its own environment: the key stays out of the file.
    expect(forwarded).toEqual(['MANAGED_AGENTS_API_KEY']);
    expect(entry).not.toHaveProperty('env');
    expect(await listTools({ ...entry, env: Object.fromEntries(forwarded.map((v) => [v, '${' + v + '}'])) })).toEqual(expect.arrayContaining(CORE));
  });

  it('Gemini CLI: the key comes from the environment, and the server is not trusted by default', () => {
    const entry = JSON.parse(snippet('gemini-cli').text).mcpServers['managed-agents'];
    expect(entry.env.MANAGED_AGENTS_API_KEY).toBe('$MANAGED_AGENTS_API_KEY');
    expect(entry.trust).toBe(false);
  });

  it('mcp.json.example: the same entry as the Cursor snippet, plus an emulator one; both run', async () => {
    const servers: Record<string, StdioEntry> = JSON.parse(readFileSync(path.join(ROOT, 'mcp.json.example'), 'utf8')).mcpServers;
    expect(servers['managed-agents']).toEqual(JSON.parse(snippet('cursor').text).mcpServers['managed-agents']);
    expect(servers['managed-agents-emulator'].args).toContain('--emulator');
    for (const entry of Object.values(servers)) expect(await listTools(entry)).toEqual(expect.arrayContaining(CORE));
  });
});

it('npx resolves the installed package offline (what the snippets run is this package)', { timeout: 120_000 }, () => {
  const out = execFileSync('npx', ['-y', 'managed-agents-mcp', '--version'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, npm_config_offline: 'true' },
  });
  expect(out.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
});
