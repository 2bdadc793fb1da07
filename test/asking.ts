/**
 * A client that asks the person (docs/approval.md): it declares form elicitation and answers each
 * form, on either MCP era — a 2025-era client on the v1 SDK, asked with elicitation/create
 * (test/helpers.ts), or a 2026-07-28 one on v2, asked in input-required rounds (test/modern.ts) —
 * and the turn the approval tests have it answer.
 */
import { ElicitRequestSchema, type ClientCapabilities, type ElicitRequest, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from '../src/config.js';
import { harness, history, type Harness } from './helpers.js';
import { modernHarness, type ModernClientOptions, type ModernHarness } from './modern.js';

/** What the tests read of a form the person was shown (its message, its fields). */
export type Form = ElicitRequest['params'];

/** The person's answer to the `n`th form (from 1). */
export type FormAnswer = (form: Form, n: number) => ElicitResult | Promise<ElicitResult>;

export type Era = '2025-11-25' | '2026-07-28';

/**
 * A harness whose client declares `elicitation` (form mode unless given) and answers each form with
 * `answer`; `asked` records the forms in order (clear it with `asked.length = 0`).
 */
export async function elicitingHarness<E extends Era = '2025-11-25'>(
  answer: FormAnswer,
  overrides: Partial<Config> = {},
  opts: { era?: E; elicitation?: ClientCapabilities['elicitation'] } = {},
): Promise<{ h: E extends '2026-07-28' ? ModernHarness : Harness; asked: Form[] }> {
  const elicitation = opts.elicitation ?? { form: {} };
  if (opts.era === '2026-07-28') {
    const h = await modernHarness(
      overrides,
      {},
      { capabilities: { elicitation } as ModernClientOptions['capabilities'], answer: (form, n) => answer(form as Form, n) },
    );
    return { h: h as never, asked: h.asked as Form[] };
  }
  const asked: Form[] = [];
  const h = await harness(
    overrides,
    {},
    {
      capabilities: { elicitation },
      setup: (client) =>
        client.setRequestHandler(ElicitRequestSchema, async (req) => {
          asked.push(req.params);
          return answer(req.params, asked.length);
        }),
    },
  );
  return { h: h as never, asked };
}

/** Two confirmations in one turn: the person is meant to allow the first and deny the second. */
export const TWO_COMMANDS = '/tool bash {"command":"ls -la"}\n/tool bash {"command":"rm -rf /tmp/x"}\n/reply all done';

/** The person allows the listing of TWO_COMMANDS and denies the removal, saying `why`. */
export const denyRemoval =
  (why: string): FormAnswer =>
  (form) => {
    const content: Record<string, string> = form.message.includes('rm -rf') ? { decision: 'deny', deny_message: why } : { decision: 'allow' };
    return { action: 'accept', content };
  };

/** The tool confirmations the API received for a session (its history), oldest first. */
export const confirmations = async (h: Pick<Harness, 'url'>, session: string) => (await history(h, session)).filter((e) => e.type === 'user.tool_confirmation');
