// The floor of an MCP server built on the two SDKs this product uses, for figures 2 and 4: the MCP
// SDK's `McpServer` (v2, served by `serveStdio` as the product is: both MCP eras) over stdio with two tools — no output schema, no deadlines, no retries, no byte
// bounds, no redaction, no output cap, no digest:
// - `get_session` calls the Anthropic SDK's `sessions.retrieve` and returns the session as text;
// - `send_message` makes a turn as the bench's direct SDK turn does (open the stream, send, read
//   to an idle that is not `requires_action`) and returns the idle event as text.
// What it adds over the same calls made directly with the SDK is the least a server made of these
// parts adds; what this server adds beyond it is the price of its guarantees.
//
// Spawned like the product's bin: `node bench/floor-mcp.mjs --base-url <url>`, key in
// MANAGED_AGENTS_API_KEY.
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

const baseURL = process.argv[process.argv.indexOf('--base-url') + 1];
const sdk = new Anthropic({ apiKey: process.env.MANAGED_AGENTS_API_KEY, baseURL, maxRetries: 0 });
function floor() {
  const server = new McpServer({ name: 'floor-mcp', version: '1.0.0' });
  server.registerTool('get_session', { description: 'One session.', inputSchema: z.object({ session_id: z.string() }) }, async ({ session_id }) => {
    const s = await sdk.beta.sessions.retrieve(session_id);
    return { content: [{ type: 'text', text: JSON.stringify(s) }] };
  });
  server.registerTool(
    'send_message',
    { description: 'One turn.', inputSchema: z.object({ session_id: z.string(), text: z.string() }) },
    async ({ session_id, text }) => {
      const stream = await sdk.beta.sessions.events.stream(session_id);
      try {
        const sent = await sdk.beta.sessions.events.send(session_id, { events: [{ type: 'user.message', content: [{ type: 'text', text }] }] });
        const echo = sent.data?.at(-1)?.id;
        let started = !echo;
        for await (const ev of stream) {
          if (ev.id === echo) started = true;
          if (started && ev.type === 'session.status_idle' && ev.stop_reason?.type !== 'requires_action') {
            return { content: [{ type: 'text', text: JSON.stringify(ev) }] };
          }
        }
        throw new Error('stream ended before idle');
      } finally {
        stream.controller.abort();
      }
    },
  );
  return server;
}
serveStdio(floor);
