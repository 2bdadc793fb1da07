/**
 * Model facts the SDK keeps as data: which models are deprecated, and their end-of-life dates (the
 * table `messages.create` warns from). The SDK's package.json exports no `./internal/*` path, so
 * the table is imported by its location in the package; the bundle (scripts/bundle.mjs) inlines
 * it, so the built server carries the table of the SDK it was built with.
 */
import { DEPRECATED_MODELS } from '../../node_modules/@anthropic-ai/sdk/internal/data/deprecated-models.mjs';

/** The end-of-life date of a deprecated model (dated ids included, as the SDK lists them), or undefined. */
export function endOfLife(model: string): string | undefined {
  return (DEPRECATED_MODELS as Record<string, string>)[model];
}

/** The one-line notice a create or update result carries for a deprecated model. */
export function deprecationNotice(model: string): string | undefined {
  const eol = endOfLife(model);
  return eol ? `Model ${model} is deprecated and reaches end of life on ${eol}: move the agent to a newer model (update_agent).` : undefined;
}
