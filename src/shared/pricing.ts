/**
 * The list-price table shared by the emulator (which computes `usage.list_cost` from it) and the
 * `session_usage` tool (which estimates a cost breakdown from it).
 *
 * Prices are USD per million tokens at Anthropic's published standard rates. Cache reads cost
 * 0.1× the input rate, 5-minute cache writes 1.25×, 1-hour cache writes 2×. Managed Agents adds
 * $0.08 per hour of active (`running`) session time (docs/api-behaviour.md, "Pricing"). Users can override
 * the table with `--price-table FILE` / `MANAGED_AGENTS_PRICE_TABLE` (a JSON object of the same shape).
 */

export interface ModelPrice {
  /** USD per million input tokens. */
  input: number;
  /** USD per million output tokens. */
  output: number;
}

export interface PriceTable {
  models: Record<string, ModelPrice>;
  /** USD per hour of active session runtime. */
  runtime_per_hour: number;
  cache_read_multiplier: number;
  cache_write_5m_multiplier: number;
  cache_write_1h_multiplier: number;
}

/**
 * One entry per model id in the SDK's `BetaManagedAgentsModel` enum, and none for an id the SDK
 * dropped (dated ids resolve to their undated entry; test/tools/pricing.test.ts checks both ways). Each price and its source
 * page are listed in docs/pricing.md.
 */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  models: {
    'claude-fable-5-2': { input: 8, output: 40 },
    'claude-fable-5-1': { input: 10, output: 50 },
    'claude-fable-5': { input: 10, output: 50 },
    'claude-opus-5-5': { input: 4, output: 20 },
    'claude-opus-5': { input: 5, output: 25 },
    'claude-opus-4-8': { input: 5, output: 25 },
    'claude-opus-4-7': { input: 5, output: 25 },
    'claude-opus-4-6': { input: 5, output: 25 },
    'claude-opus-4-5': { input: 5, output: 25 },
    'claude-sonnet-5-5': { input: 2, output: 10 },
    'claude-sonnet-5': { input: 2, output: 10 },
    'claude-sonnet-4-6': { input: 3, output: 15 },
    // Banded: this is the rate for prompts up to 100,000 tokens; longer prompts cost more.
    'claude-haiku-5-5': { input: 0.1, output: 0.5 },
    'claude-haiku-4-5': { input: 1, output: 5 },
  },
  runtime_per_hour: 0.08,
  cache_read_multiplier: 0.1,
  cache_write_5m_multiplier: 1.25,
  cache_write_1h_multiplier: 2,
};

/** Resolves a model id (possibly dated, e.g. `claude-haiku-4-5-20251001`) to its price, or undefined. */
export function priceFor(table: PriceTable, model: string): ModelPrice | undefined {
  if (table.models[model]) return table.models[model];
  const undated = model.replace(/-\d{8}$/, '');
  return table.models[undated];
}

export interface TokenCounts {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
}

export interface CostBreakdown {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  tokens: number;
  runtime: number;
  total: number;
}

/** Cost in USD (unrounded) of the given tokens at `price`, plus `activeSeconds` of runtime. */
export function costOf(table: PriceTable, price: ModelPrice, usage: TokenCounts, activeSeconds: number): CostBreakdown {
  const perToken = (usd: number) => usd / 1_000_000;
  const input = (usage.input_tokens ?? 0) * perToken(price.input);
  const output = (usage.output_tokens ?? 0) * perToken(price.output);
  const cache_read = (usage.cache_read_input_tokens ?? 0) * perToken(price.input) * table.cache_read_multiplier;
  const cache_write =
    (usage.cache_creation?.ephemeral_5m_input_tokens ?? 0) * perToken(price.input) * table.cache_write_5m_multiplier +
    (usage.cache_creation?.ephemeral_1h_input_tokens ?? 0) * perToken(price.input) * table.cache_write_1h_multiplier;
  const tokens = input + output + cache_read + cache_write;
  const runtime = (activeSeconds / 3600) * table.runtime_per_hour;
  return { input, output, cache_read, cache_write, tokens, runtime, total: tokens + runtime };
}

/** USD → the API's MonetaryAmount minor units (cents), as an integer decimal string. */
export function toCents(usd: number): string {
  return String(Math.round(usd * 100));
}
