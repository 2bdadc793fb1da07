/** The built-in price table covers every model id of the SDK's model enum (docs/pricing.md). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_TABLE, costOf, priceFor } from '../../src/shared/pricing.js';

function sdkModelIds(): string[] {
  const sdk = dirname(createRequire(import.meta.url).resolve('@anthropic-ai/sdk'));
  const dts = readFileSync(join(sdk, 'resources', 'beta', 'agents', 'agents.d.ts'), 'utf8');
  const line = /^export type BetaManagedAgentsModel = (.*);$/m.exec(dts)?.[1] ?? '';
  return [...line.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
}

describe('price table', () => {
  it('prices every model id in the SDK enum', () => {
    const ids = sdkModelIds();
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((id) => !priceFor(DEFAULT_PRICE_TABLE, id))).toEqual([]);
  });

  it('prices no model the SDK dropped from its enum (a retired model is not offered)', () => {
    const ids = new Set(sdkModelIds());
    expect(Object.keys(DEFAULT_PRICE_TABLE.models).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('has no estimate, rather than 0, for an unknown model', () => {
    expect(priceFor(DEFAULT_PRICE_TABLE, 'claude-nonexistent-9')).toBeUndefined();
  });

  it('dated ids use their undated price; the documented rates hold', () => {
    expect(priceFor(DEFAULT_PRICE_TABLE, 'claude-opus-4-5-20251101')).toEqual(priceFor(DEFAULT_PRICE_TABLE, 'claude-opus-4-5'));
    const c = costOf(DEFAULT_PRICE_TABLE, priceFor(DEFAULT_PRICE_TABLE, 'claude-sonnet-5')!, { input_tokens: 1_000_000, output_tokens: 1_000_000 }, 3600);
    expect(c.tokens).toBeCloseTo(12);
    expect(c.runtime).toBeCloseTo(0.08);
  });
});

describe('docs/pricing.md', () => {
  it('states the built-in table as src/shared/pricing.ts holds it: every model, price, multiplier and the runtime rate', () => {
    const doc = readFileSync(new URL('../../docs/pricing.md', import.meta.url), 'utf8');
    const stated: Record<string, { input: number; output: number }> = {};
    for (const row of doc.split('\n').filter((l) => /^\| claude-/.test(l))) {
      const [names, input, output] = row
        .split('|')
        .slice(1, 4)
        .map((c) => c.trim());
      // `claude-opus-4-8, -4-7` shares the family prefix of the first id.
      const [first, ...rest] = names!.split(',').map((n) => n.trim());
      const family = first!.replace(/-[\d-]+$/, '');
      for (const id of [first!, ...rest.map((r) => `${family}${r}`)]) stated[id] = { input: Number(input), output: Number(output) };
    }
    expect(stated).toEqual(DEFAULT_PRICE_TABLE.models);
    const t = DEFAULT_PRICE_TABLE;
    expect(doc).toContain(`$${t.runtime_per_hour} per active session-hour`);
    expect(doc).toContain(
      `Cache reads cost ${t.cache_read_multiplier}× input, 5-minute cache\nwrites ${t.cache_write_5m_multiplier}×, 1-hour writes ${t.cache_write_1h_multiplier}×`,
    );
  });
});
