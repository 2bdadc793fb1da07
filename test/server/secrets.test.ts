/**
 * Secrets at the size caps: a registered secret that straddles a cut (the digest's reply cap, the
 * result cap, list_events' one-line renderings) must not leave a prefix behind; only the known
 * credential fields are secrets (not any argument called `token`); and a secret shorter than 8
 * characters is still not echoed back. Canaries from test/canaries.ts: the global teardown also
 * scans everything captured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARIES } from '../canaries.js';
import { agentAndSession, harness, ok, type Harness } from '../helpers.js';
import { capResult } from '../../src/format/cap.js';
import { registerSecret } from '../../src/log.js';

const GH = CANARIES[2]!; // a github_repository authorization_token
const PREFIX = GH.slice(0, 8);

let h: Harness;
let session: string;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'vaults'] });
  const { agent_id } = await agentAndSession(h);
  const s = ok(
    await h.call('start_session', {
      agent_id,
      resources: [{ type: 'github_repository', url: 'https://github.com/acme/app', authorization_token: GH }],
      metadata: { token: 'plain-metadata-value-42' },
    }),
  );
  session = s.session_id;
});
afterAll(async () => {
  await h?.close();
});

const everything = (r: unknown) => JSON.stringify(r);

describe('a secret cut by a size cap leaves no prefix', () => {
  it('the reply cap (20,000 characters) and the text block cap', async () => {
    // The secret starts 10 characters before the reply cap.
    const r = await h.call('send_message', { session_id: session, text: `/reply ${'a'.repeat(19_990)}${GH} tail` });
    const d = ok(r);
    expect(d.reply_truncated_chars).toBeGreaterThan(0);
    expect(everything(r)).not.toContain(PREFIX);
    expect(everything(r)).toContain('[REDACTED]');
  });

  it("list_events' compact one-line renderings", async () => {
    for (const pad of [140, 150, 155]) {
      ok(await h.call('send_message', { session_id: session, text: `/reply ${'b'.repeat(pad)}${GH}` }));
    }
    const r = await h.call('list_events', { session_id: session, types: ['agent.message', 'user.message'], limit: 20 });
    const page = ok(r);
    expect(page.events.length).toBeGreaterThanOrEqual(6);
    expect(everything(r)).not.toContain(PREFIX);
  });

  it('the result cap, for every position of the cut', () => {
    registerSecret(GH);
    for (let at = 1; at < GH.length; at++) {
      // With a 4,000-character cap, a 6,000-character string is halved once (cut at 3,000) and the
      // text block is cut at 2,000: both cuts fall `at` characters into the secret.
      const value = 'c'.repeat(3000 - at) + GH + 'd'.repeat(6000 - 3000 - GH.length + at);
      const text = 'e'.repeat(2000 - at) + GH + 'f'.repeat(3000);
      const capped = capResult({ value }, text, 4000);
      expect((capped.structured.value as string).length).toBeLessThan(value.length);
      expect(capped.text.length).toBeLessThan(text.length);
      // What was kept right before the cut: the padding, then no part of the secret.
      expect(capped.structured.value, `cut at ${at}`).not.toContain(`c${GH.slice(0, at)}`);
      expect(capped.text, `cut at ${at}`).not.toContain(`e${GH.slice(0, at)}`);
      expect(everything(capped)).not.toContain(PREFIX);
    }
  });
});

describe('which values are secrets', () => {
  it('an argument named token inside metadata is data, not a secret', async () => {
    const d = ok(await h.call('send_message', { session_id: session, text: '/reply plain-metadata-value-42' }));
    expect(d.reply).toBe('plain-metadata-value-42');
  });

  it('a credential secret shorter than 8 characters is not echoed back', async () => {
    const v = ok(await h.call('create_vault', { display_name: 'short' }));
    ok(
      await h.call('create_credential', {
        vault_id: v.vault_id,
        auth: { type: 'static_bearer', token: 'q7Zk2', mcp_server_url: 'https://mcp.example.com/sse' },
      }),
    );
    const d = ok(await h.call('send_message', { session_id: session, text: '/reply the token is q7Zk2, and q7Zk2x is another word' }));
    expect(d.reply).toBe('the token is [REDACTED], and q7Zk2x is another word');
  });
});
