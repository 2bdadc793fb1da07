/**
 * A session's usage as the API reports it, read one way for session_usage and usage_report, so
 * both count tokens, active time and cost alike (docs/api-behaviour.md, "Events", usage).
 */
import type { Session } from '../../api/client.js';
import { costOf, priceFor, type CostBreakdown, type ModelPrice, type PriceTable } from '../../shared/pricing.js';

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
export const centsToUsd = (amount: string | number) => round(Number(amount) / 100, 2);

export type SessionTokens = {
  input: number;
  output: number;
  cache_read: number;
  cache_creation_5m: number;
  cache_creation_1h: number;
};

/** The model id of the session's agent snapshot. */
export function modelOf(s: Session): string {
  return (s.agent?.model as { id?: string } | undefined)?.id ?? String(s.agent?.model ?? 'unknown');
}

export function tokensOf(s: Session): SessionTokens {
  const u = s.usage ?? {};
  return {
    input: u.input_tokens ?? 0,
    output: u.output_tokens ?? 0,
    cache_read: u.cache_read_input_tokens ?? 0,
    // Cache writes come nested by TTL (the SDK's type) or flat (the documentation's example):
    // count either; a flat figure is taken as the default 5-minute TTL.
    cache_creation_5m: u.cache_creation?.ephemeral_5m_input_tokens ?? (u as { cache_creation_input_tokens?: number }).cache_creation_input_tokens ?? 0,
    cache_creation_1h: u.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}

/**
 * Active seconds: usage.active_seconds counts concurrent threads once (the priced duration);
 * stats.active_seconds sums every thread's time, so it is only a fallback.
 */
export function activeOf(s: Session): { seconds?: number; from?: 'usage' | 'stats' } {
  if (s.usage?.active_seconds !== undefined) return { seconds: s.usage.active_seconds, from: 'usage' };
  if (s.stats?.active_seconds !== undefined) return { seconds: s.stats.active_seconds, from: 'stats' };
  return {};
}

/** The API's list cost in USD (whole cents), when it reports one. */
export function listCostOf(s: Session): number | undefined {
  const amount = s.usage?.list_cost?.amount;
  return amount !== undefined ? centsToUsd(amount) : undefined;
}

/** The price-table estimate of these tokens and active time, or undefined when the model has no price. */
export function estimateOf(
  table: PriceTable,
  model: string,
  tokens: SessionTokens,
  activeSeconds: number,
): { price: ModelPrice; cost: CostBreakdown } | undefined {
  const price = priceFor(table, model);
  if (!price) return undefined;
  const cost = costOf(
    table,
    price,
    {
      input_tokens: tokens.input,
      output_tokens: tokens.output,
      cache_read_input_tokens: tokens.cache_read,
      cache_creation: { ephemeral_5m_input_tokens: tokens.cache_creation_5m, ephemeral_1h_input_tokens: tokens.cache_creation_1h },
    },
    activeSeconds,
  );
  return { price, cost };
}
