import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, type Config } from '../../src/config.js';
import { DEFAULT_PRICE_TABLE, costOf, priceFor } from '../../src/pricing.js';
import { VERSION } from '../../src/version.js';
import { readFileSync } from 'node:fs';

const cfg = (argv: string[], env: Record<string, string> = {}) => parseConfig(argv, env) as Config;

describe('config', () => {
  it('the version the server reports is the package version', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });

  it('defaults < env < flags', () => {
    expect(cfg([]).baseURL).toBeUndefined();
    expect(cfg([], { ANTHROPIC_BASE_URL: 'http://a' }).baseURL).toBe('http://a');
    // MANAGED_AGENTS_* wins over ANTHROPIC_*: clients pass their own env, which may point at a model gateway.
    expect(cfg([], { ANTHROPIC_BASE_URL: 'http://a', MANAGED_AGENTS_BASE_URL: 'http://b' }).baseURL).toBe('http://b');
    expect(cfg(['--base-url', 'http://c'], { MANAGED_AGENTS_BASE_URL: 'http://b' }).baseURL).toBe('http://c');
    expect(cfg([], { ANTHROPIC_API_KEY: 'k1', MANAGED_AGENTS_API_KEY: 'k2' }).apiKey).toBe('k2');
    expect(cfg(['--timeout', '20'], { MANAGED_AGENTS_TIMEOUT_S: '30' }).turnTimeoutS).toBe(20);
    expect(cfg([], { MANAGED_AGENTS_TIMEOUT_S: '30' }).turnTimeoutS).toBe(30);
    expect(cfg([]).turnTimeoutS).toBeLessThanOrEqual(50);
  });

  it('rejects unknown flags and bad values with a message', () => {
    expect(() => parseConfig(['--nope'], {})).toThrow(ConfigError);
    expect(() => parseConfig(['--api-key', 'x'], {})).toThrow(/Unknown option/);
    expect(() => parseConfig(['--timeout', 'soon'], {})).toThrow(/--timeout/);
    expect(() => parseConfig(['--toolsets', 'core,bogus'], {})).toThrow(/Unknown toolset 'bogus'/);
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
