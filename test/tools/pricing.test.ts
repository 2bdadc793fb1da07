/** The built-in price table covers every model id of the SDK's model enum (docs/pricing.md). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICE_TABLE, costOf, priceFor } from '../../src/pricing.js';

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
