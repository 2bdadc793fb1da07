import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  TOOLSETS,
  DEFAULTS,
  DOCS_URL,
  ENV_ONLY,
  FLAGS,
  USAGE,
  checkFilesRoot,
  describeEndpoint,
  flagTable,
  ignoredByEmulator,
  parseConfig,
  type Config,
  type FlagSpec,
} from '../../src/config.js';
import { createApi } from '../../src/api/client.js';
import { silentLogger } from '../../src/log.js';
import { DEFAULT_PRICE_TABLE, costOf, priceFor } from '../../src/shared/pricing.js';
import { VERSION } from '../../src/version.js';
import { ALL_TOOLS, checkToolSelection, selectTools } from '../../src/tools/index.js';
import { readFileSync } from 'node:fs';

const cfg = (argv: string[], env: Record<string, string> = {}) => parseConfig(argv, env) as Config;

describe('config', () => {
  it('the version the server reports is the package version', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('defaults < env < flags', () => {
    expect(cfg([]).baseURL).toBeUndefined();
    // (https: a plain-http URL to another host is refused, see below)
    expect(cfg([], { ANTHROPIC_BASE_URL: 'https://a' }).baseURL).toBe('https://a');
    // MANAGED_AGENTS_* wins over ANTHROPIC_*: clients pass their own env, which may point at a model gateway.
    expect(cfg([], { ANTHROPIC_BASE_URL: 'https://a', MANAGED_AGENTS_BASE_URL: 'https://b' }).baseURL).toBe('https://b');
    expect(cfg(['--base-url', 'https://c'], { MANAGED_AGENTS_BASE_URL: 'https://b' }).baseURL).toBe('https://c');
    expect(cfg([], { ANTHROPIC_API_KEY: 'k1', MANAGED_AGENTS_API_KEY: 'k2' }).apiKey).toBe('k2');
    expect(cfg(['--timeout', '20'], { MANAGED_AGENTS_TIMEOUT_S: '30' }).turnTimeoutS).toBe(20);
    expect(cfg([], { MANAGED_AGENTS_TIMEOUT_S: '30' }).turnTimeoutS).toBe(30);
    expect(cfg([]).turnTimeoutS).toBeLessThanOrEqual(50);
  });

  it('a key goes only to a base URL of its own family', () => {
    // The inherited gateway URL never receives our key: MANAGED_AGENTS_API_KEY → the default endpoint.
    const inherited = cfg([], { MANAGED_AGENTS_API_KEY: 'k2', ANTHROPIC_BASE_URL: 'https://gateway.example' });
    expect(inherited.apiKey).toBe('k2');
    expect(inherited.baseURL).toBeUndefined();
    expect(inherited.ignoredBaseURL).toBe('ANTHROPIC_BASE_URL');
    expect(describeEndpoint(inherited).map((l) => l.text)).toEqual([
      'the key from MANAGED_AGENTS_API_KEY is sent to https://api.anthropic.com (the default endpoint)',
      'ANTHROPIC_BASE_URL is ignored: it pairs only with ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN, and the key comes from MANAGED_AGENTS_API_KEY',
    ]);
    const both = cfg([], { MANAGED_AGENTS_API_KEY: 'k2', ANTHROPIC_API_KEY: 'k1', MANAGED_AGENTS_BASE_URL: 'https://b', ANTHROPIC_BASE_URL: 'https://a' });
    expect([both.apiKey, both.baseURL, both.baseURLSource]).toEqual(['k2', 'https://b', 'MANAGED_AGENTS_BASE_URL']);
    const flag = cfg(['--base-url', 'https://c'], { MANAGED_AGENTS_API_KEY: 'k2' });
    expect(describeEndpoint(flag)[0]!.text).toBe('the key from MANAGED_AGENTS_API_KEY is sent to https://c (from --base-url)');
    // ANTHROPIC_* keys pair with ANTHROPIC_BASE_URL or the default.
    const theirs = cfg([], { ANTHROPIC_API_KEY: 'k1', ANTHROPIC_BASE_URL: 'https://a' });
    expect([theirs.apiKey, theirs.baseURL, theirs.keySource, theirs.baseURLSource]).toEqual(['k1', 'https://a', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL']);
    const token = cfg([], { ANTHROPIC_AUTH_TOKEN: 't1' });
    expect([token.authToken, token.baseURL, token.keySource]).toEqual(['t1', undefined, 'ANTHROPIC_AUTH_TOKEN']);
    // …and never to a URL set for this server: no key is used, and the reason is given.
    for (const [argv, env] of [
      [['--base-url', 'https://c'], { ANTHROPIC_API_KEY: 'k1' }],
      [[], { MANAGED_AGENTS_BASE_URL: 'https://b', ANTHROPIC_AUTH_TOKEN: 't1', ANTHROPIC_BASE_URL: 'https://a' }],
    ] as const) {
      const c = cfg([...argv], env);
      expect(c.apiKey).toBeUndefined();
      expect(c.authToken).toBeUndefined();
      expect(c.keyRefused).toMatch(
        /is set, but the only key is ANTHROPIC_(API_KEY|AUTH_TOKEN), which is sent only to ANTHROPIC_BASE_URL or the default endpoint/,
      );
      expect(describeEndpoint(c)[0]).toEqual({ level: 'warn', text: `no key is used: ${c.keyRefused}` });
    }
    // No line ever carries the key.
    for (const c of [inherited, both, flag, theirs, token]) {
      for (const l of describeEndpoint(c)) expect(l.text).not.toMatch(/k1|k2|t1/);
    }
  });

  it('an API without the key of its family answers every tool with the reason', async () => {
    const c = cfg(['--base-url', 'https://c'], { ANTHROPIC_API_KEY: 'sk-ant-not-for-this-host-000' });
    const api = createApi({ config: c, log: silentLogger });
    await expect(api.read(async () => 1)).rejects.toThrow(/--base-url is set, but the only key is ANTHROPIC_API_KEY/);
  });

  it('plain http only to this machine, unless --allow-insecure-http', () => {
    for (const url of ['http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010', 'http://127.1.2.3', 'http://api.localhost']) {
      expect(cfg(['--base-url', url], { MANAGED_AGENTS_API_KEY: 'k' }).baseURL).toBe(url);
    }
    for (const url of ['http://api.example.com', 'http://10.0.0.5:4010', 'http://0.0.0.0:4010', 'http://[::]:4010', 'http://127.0.0.1.example.com']) {
      expect(() => parseConfig(['--base-url', url], { MANAGED_AGENTS_API_KEY: 'k' })).toThrow(/is plain http to .* --allow-insecure-http/);
      expect(cfg(['--base-url', url, '--allow-insecure-http'], { MANAGED_AGENTS_API_KEY: 'k' }).baseURL).toBe(url);
      expect(cfg([], { MANAGED_AGENTS_BASE_URL: url, MANAGED_AGENTS_ALLOW_INSECURE_HTTP: '1', MANAGED_AGENTS_API_KEY: 'k' }).baseURL).toBe(url);
    }
    expect(() => parseConfig([], { ANTHROPIC_BASE_URL: 'http://gateway.example', ANTHROPIC_API_KEY: 'k' })).toThrow(/ANTHROPIC_BASE_URL is plain http/);
    // An ignored URL is not checked (it receives nothing); the in-process emulator replaces the URL.
    expect(cfg([], { ANTHROPIC_BASE_URL: 'http://gateway.example', MANAGED_AGENTS_API_KEY: 'k' }).baseURL).toBeUndefined();
    expect(cfg(['--emulator', '--base-url', 'http://x.example']).emulator).toBe(true);
    expect(() => parseConfig(['--base-url', 'ftp://x'], {})).toThrow(/must be an http\(s\) URL/);
    expect(() => parseConfig(['--base-url', 'not a url'], {})).toThrow(/is not a URL/);
  });

  it('--max-output-chars has a floor', () => {
    expect(() => parseConfig(['--max-output-chars', '10'], {})).toThrow(/--max-output-chars must be a whole number ≥ 4000/);
    expect(cfg(['--max-output-chars', '4000']).maxOutputChars).toBe(4000);
  });

  it('rejects unknown flags and bad values with a message', () => {
    expect(() => parseConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--api-key', 'x'], {})).toThrow(/Unknown option/);
    expect(() => parseConfig(['--timeout', 'soon'], {})).toThrow(/--timeout/);
    expect(() => parseConfig(['--toolsets', 'core,bogus'], {})).toThrow(/Unknown toolset 'bogus'/);
    expect(() => parseConfig(['--toolsets', 'agent'], {})).toThrow(/Unknown toolset 'agent'\. Did you mean agents\?/);
    expect(() => parseConfig(['--emulater'], {})).toThrow(/^Unknown option '--emulater'\. Did you mean --emulator\?$/);
    expect(() => parseConfig(['--read-only=1'], {})).toThrow(/Unknown option|does not take an argument/);
  });

  it('a --files-root that is missing or a file is refused at start-up, naming the cause', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-root-'));
    const file = join(dir, 'f');
    writeFileSync(file, 'x');
    expect(() => checkFilesRoot(cfg(['--files-root', dir]))).not.toThrow();
    expect(() => checkFilesRoot(cfg(['--files-root', join(dir, 'missing')]))).toThrow(/--files-root .*missing cannot be used \(ENOENT\)/);
    expect(() => checkFilesRoot(cfg([], { MANAGED_AGENTS_FILES_ROOT: file }))).toThrow(/is not a directory/);
    // Under --http without a root, local files are off: nothing to check.
    expect(() => checkFilesRoot(cfg(['--http', '0']))).not.toThrow();
  });

  it('--emulator says a base URL it does not use is ignored', () => {
    expect(ignoredByEmulator(cfg(['--emulator', '--base-url', 'https://a.example']))).toMatch(/^--base-url is ignored/);
    expect(ignoredByEmulator(cfg(['--emulator'], { MANAGED_AGENTS_BASE_URL: 'https://a.example' }))).toMatch(/^MANAGED_AGENTS_BASE_URL is ignored/);
    expect(ignoredByEmulator(cfg(['--emulator']))).toBeUndefined();
    expect(ignoredByEmulator(cfg(['--base-url', 'https://a.example']))).toBeUndefined();
  });

  it('--http [HOST:]PORT: loopback by default, tokens from env and file, refused off loopback without one', () => {
    expect(cfg([]).http).toBeUndefined();
    expect(cfg(['--http', '8080']).http).toMatchObject({ host: '127.0.0.1', port: 8080, tokens: [] });
    expect(cfg([], { MANAGED_AGENTS_HTTP: '[::1]:9' }).http).toMatchObject({ host: '::1', port: 9 });
    const tok = 'a'.repeat(16);
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'tokens');
    writeFileSync(file, `${'b'.repeat(20)}\n\n${'c'.repeat(20)}\n`);
    const h = cfg(['--http', '0.0.0.0:80', '--http-token-file', file], { MANAGED_AGENTS_HTTP_TOKENS: tok })!.http!;
    expect(h.tokens).toEqual([tok, 'b'.repeat(20), 'c'.repeat(20)]);
    expect(h.allowedHosts).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(cfg(['--http', '1', '--http-allowed-hosts', 'a.example, b.example']).http!.allowedHosts).toEqual(['a.example', 'b.example']);
    expect(() => parseConfig(['--http', '0.0.0.0:80'], {})).toThrow(/Refusing to serve HTTP on 0\.0\.0\.0 without a bearer token/);
    expect(() => parseConfig(['--http', 'example.com:80'], {})).toThrow(/without a bearer token/);
    expect(() => parseConfig(['--http', '80'], { MANAGED_AGENTS_HTTP_TOKENS: 'short' })).toThrow(/at least 16/);
    for (const bad of ['', 'x', '1:2:3', '70000', 'host:']) expect(() => parseConfig(['--http', bad], {})).toThrow(/--http takes/);
    expect(() => parseConfig(['--http', '1', '--http-token-file', '/no/such/file'], {})).toThrow(/Cannot read --http-token-file/);
  });

  it('toolsets: core is always on; all expands', () => {
    expect(cfg(['--toolsets', 'agents']).toolsets).toEqual(['core', 'agents']);
    expect(cfg(['--toolsets', 'all']).toolsets.length).toBeGreaterThan(3);
  });

  it('a price table file overrides and extends the built-in one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'price-'));
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ models: { 'my-model': { input: 2, output: 10 } }, runtime_per_hour: 0.1 }));
    const c = cfg(['--price-table', file]);
    expect(priceFor(c.priceTable, 'my-model')).toEqual({ input: 2, output: 10 });
    expect(priceFor(c.priceTable, 'claude-sonnet-4-6')).toEqual(DEFAULT_PRICE_TABLE.models['claude-sonnet-4-6']);
    expect(c.priceTable.runtime_per_hour).toBe(0.1);
    writeFileSync(file, '{"models": 3}');
    expect(() => cfg(['--price-table', file])).toThrow(/Invalid price table/);
  });

  it('prices: dated model ids resolve; cost = tokens at the model rate + runtime at $0.08/h', () => {
    const p = priceFor(DEFAULT_PRICE_TABLE, 'claude-haiku-4-5-20251001')!;
    expect(p).toEqual({ input: 1, output: 5 });
    const c = costOf(DEFAULT_PRICE_TABLE, p, { input_tokens: 1_000_000, output_tokens: 100_000, cache_read_input_tokens: 1_000_000 }, 3600);
    expect(c.input).toBeCloseTo(1);
    expect(c.output).toBeCloseTo(0.5);
    expect(c.cache_read).toBeCloseTo(0.1);
    expect(c.runtime).toBeCloseTo(0.08);
    expect(c.total).toBeCloseTo(1.68);
  });
});

describe('choosing tools: --tools, --exclude-tools, --dynamic-toolsets (docs/toolsets.md)', () => {
  const names = (c: Config) => selectTools(c).map((t) => t.name);
  const coreNames = ALL_TOOLS.filter((t) => t.toolset === 'core').map((t) => t.name);
  const other = ALL_TOOLS.find((t) => t.toolset !== 'core')!;

  it('--tools alone lists exactly the named tools, in registry order; with --toolsets it adds to them', () => {
    const only = cfg(['--tools', 'session_usage, send_message']);
    expect(only.toolsets).toEqual([]);
    expect(names(only)).toEqual(['send_message', 'session_usage']);
    // The environment variable says the same; the flag wins over it.
    expect(names(cfg([], { MANAGED_AGENTS_TOOLS: 'send_message' }))).toEqual(['send_message']);
    expect(names(cfg(['--tools', 'session_usage'], { MANAGED_AGENTS_TOOLS: 'send_message' }))).toEqual(['session_usage']);
    const added = cfg(['--toolsets', 'core', '--tools', other.name]);
    expect(names(added)).toEqual([...coreNames, other.name]);
    // Without either, the default toolset.
    expect(names(cfg([]))).toEqual(coreNames);
  });

  it('--exclude-tools removes a tool whatever selects it, and --read-only still wins', () => {
    const c = cfg(['--toolsets', 'all', '--tools', 'send_message', '--exclude-tools', 'send_message,list_agents']);
    expect(names(c)).not.toContain('send_message');
    expect(names(c)).not.toContain('list_agents');
    expect(names(c)).toHaveLength(ALL_TOOLS.length - 2);
    expect(names(cfg([], { MANAGED_AGENTS_EXCLUDE_TOOLS: 'send_message' }))).toEqual(coreNames.filter((n) => n !== 'send_message'));
    const ro = cfg(['--read-only', '--tools', 'send_message,get_session']);
    expect(names(ro)).toEqual(['get_session']);
    expect(checkToolSelection(ro)).toEqual(['--read-only removes send_message named in --tools: they change state']);
  });

  it('an unknown tool name stops the start, naming the valid ones and the nearest', () => {
    expect(() => checkToolSelection(cfg(['--tools', 'send_mesage']))).toThrow(ConfigError);
    expect(() => checkToolSelection(cfg(['--tools', 'send_mesage']))).toThrow(
      /Unknown tool 'send_mesage' in --tools\. Did you mean send_message\? Valid: .*create_agent/,
    );
    expect(() => checkToolSelection(cfg(['--exclude-tools', 'list_session']))).toThrow(/in --exclude-tools\. Did you mean list_sessions\?/);
    // Far from every name: no guess, only the list.
    expect(() => checkToolSelection(cfg(['--exclude-tools', 'frobnicate']))).toThrow(/^Unknown tool 'frobnicate' in --exclude-tools\. Valid: /);
    expect(() => checkToolSelection(cfg(['--tools', 'agents']))).toThrow("'agents' in --tools is a toolset, not a tool: pass it to --toolsets");
    // Removing every tool is a mistake, not a server with nothing to offer…
    expect(() => checkToolSelection(cfg(['--tools', 'send_message', '--exclude-tools', 'send_message']))).toThrow(/No tool is left to list/);
    // …except with the discovery pair, which can still add toolsets.
    expect(checkToolSelection(cfg(['--dynamic-toolsets', '--tools', 'send_message', '--exclude-tools', 'send_message']))).toEqual([]);
    expect(checkToolSelection(cfg(['--tools', 'send_message', '--exclude-tools', 'get_session']))).toEqual([]);
  });

  it('--dynamic-toolsets adds the discovery pair after the selection, and is refused with stateless --http', () => {
    for (const c of [cfg(['--dynamic-toolsets']), cfg([], { MANAGED_AGENTS_DYNAMIC_TOOLSETS: '1' })]) {
      expect(c.dynamicToolsets).toBe(true);
      expect(names(c)).toEqual([...coreNames, 'list_toolsets', 'enable_toolset']);
    }
    expect(cfg([]).dynamicToolsets).toBe(false);
    expect(() => cfg(['--dynamic-toolsets', '--http', '8080'])).toThrow(/--dynamic-toolsets needs one server per client, which stateless --http has not/);
    expect(() => cfg(['--http', '8080'], { MANAGED_AGENTS_DYNAMIC_TOOLSETS: 'true' })).toThrow(ConfigError);
  });
});

describe('the flag table (FLAGS in src/config.ts) is the one statement of the flags', () => {
  const root = new URL('../../', import.meta.url);
  const read = (f: string) => readFileSync(new URL(f, root), 'utf8');
  const flags = Object.entries(FLAGS as Record<string, FlagSpec>);
  const envs = new Map<string, string | undefined>([
    ...flags.filter(([, f]) => f.env).map(([, f]) => [f.env!, f.default ?? (f.type === 'boolean' ? 'false' : undefined)] as const),
    ...ENV_ONLY.map((e) => [e.env, e.default] as const),
  ]);
  /** A value each string flag accepts, to show that its flag and its variable set the same thing. */
  const SAMPLE: Record<string, string> = {
    'base-url': 'https://a.example',
    toolsets: 'agents',
    tools: 'get_agent',
    'exclude-tools': 'list_agents',
    'default-environment': 'env_1',
    timeout: '30',
    'max-retries': '4',
    approval: 'deny',
    'files-root': '/srv',
    'max-file-bytes': '1000',
    http: '127.0.0.1:9',
    'http-allowed-hosts': 'a.example',
    'http-allowed-origins': 'https://a.example',
    'http-max-connections': '12',
  };
  const skipped = new Set(['price-table', 'http-token-file', 'help', 'version']);

  it('each flag and its environment variable set the same configuration, and the table names every variable the config reads', () => {
    let compared = 0;
    for (const [name, f] of flags) {
      if (skipped.has(name) || !f.env) continue;
      const value = f.type === 'boolean' ? undefined : SAMPLE[name];
      expect(f.type === 'boolean' || value !== undefined, `a sample value for --${name}`).toBe(true);
      const base = name.startsWith('http-') ? ['--http', '127.0.0.1:9'] : [];
      // Where a value came from is logged at start-up, so it names the flag or the variable.
      const { baseURLSource: _a, ...viaFlag } = cfg([...base, `--${name}`, ...(value === undefined ? [] : [value])]);
      const { baseURLSource: _b, ...viaEnv } = cfg(base, { [f.env]: value ?? '1' });
      expect(viaEnv, `--${name} vs ${f.env}`).toEqual(viaFlag);
      expect(viaFlag, `--${name} changes something`).not.toEqual(cfg(base));
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
    // Every variable config.ts reads by name is in the table.
    const src = read('src/config.ts');
    for (const m of src.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)) expect(envs.has(m[1]!), m[1]).toBe(true);
  });

  it('the defaults in the table are the ones parsing applies', () => {
    const c = cfg([]);
    expect(FLAGS.timeout.default).toBe(String(c.turnTimeoutS));
    expect(FLAGS['max-retries'].default).toBe(String(c.maxRetries));
    expect(FLAGS['max-output-chars'].default).toBe(String(c.maxOutputChars));
    expect(FLAGS['max-file-bytes'].default).toBe(String(c.maxFileBytes));
    expect(FLAGS.approval.default).toBe(c.approval);
    expect(FLAGS.toolsets.default).toBe(c.toolsets.join(','));
    expect(c.turnTimeoutS).toBe(DEFAULTS.turnTimeoutS);
  });

  it('--help shows every flag, variable and default of the table', () => {
    for (const [name, f] of flags) {
      expect(USAGE, name).toContain(`--${name}`);
      if (f.env) expect(USAGE, f.env).toContain(f.env);
      if (f.default) expect(USAGE.replace(/\s+/g, ' '), `${name} default`).toContain(`default ${f.default}`);
    }
    for (const e of ENV_ONLY) expect(USAGE, e.env).toContain(e.env);
    expect(USAGE).toContain(DOCS_URL);
  });

  it("the README's flag table is current (`npm run docs` regenerates it)", () => {
    expect(read('README.md')).toContain(flagTable());
  });

  it('server.json and the .mcpb manifest name only variables of the table, with its defaults', () => {
    const server = JSON.parse(read('server.json'));
    const vars = server.packages[0].environmentVariables as { name: string; default?: string }[];
    expect(vars.length).toBeGreaterThan(3);
    for (const v of vars) {
      expect(envs.has(v.name), `server.json: ${v.name}`).toBe(true);
      if (v.default !== undefined) expect(v.default, `server.json: ${v.name} default`).toBe(envs.get(v.name));
    }
    const manifest = JSON.parse(read('mcpb/manifest.json'));
    const mapped = Object.entries(manifest.server.mcp_config.env as Record<string, string>);
    expect(mapped.length).toBeGreaterThan(1);
    for (const [env, ref] of mapped) {
      expect(envs.has(env), `mcpb: ${env}`).toBe(true);
      const key = /^\$\{user_config\.(\w+)\}$/.exec(ref)?.[1];
      const option = manifest.user_config[key!];
      expect(option, `mcpb: ${env} maps to a user_config option`).toBeDefined();
      if (option.default !== undefined) expect(String(option.default), `mcpb: ${key} default`).toBe(envs.get(env));
    }
    // Where they list the toolsets, they list every one the server has.
    const toolsetsHelp = [
      vars.find((v) => v.name === FLAGS.toolsets.env) as { description: string } | undefined,
      manifest.user_config.toolsets as { description: string },
    ];
    for (const entry of toolsetsHelp) for (const t of TOOLSETS.slice(1)) expect(entry?.description, t).toContain(t);
  });

  it("package.json's repository, homepage and bugs follow the one placeholder namespace that server.json and --help use", () => {
    const pkg = JSON.parse(read('package.json'));
    const server = JSON.parse(read('server.json'));
    const [, owner, name] = /^io\.github\.([^/]+)\/(.+)$/.exec(server.name)!;
    const repo = `https://github.com/${owner}/${name}`;
    expect(pkg.mcpName).toBe(server.name);
    expect(pkg.repository).toEqual({ type: 'git', url: `git+${repo}.git` });
    expect(pkg.homepage).toBe(`${repo}#readme`);
    expect(pkg.bugs).toEqual({ url: `${repo}/issues` });
    expect(DOCS_URL).toBe(pkg.homepage);
  });
});
