// The floor of an MCP server built on the two SDKs this product uses, for figure 2: the MCP SDK's
// `McpServer` over stdio with one tool, `get_session`, that calls the Anthropic SDK's
// `sessions.retrieve` and returns the session as text — no output schema, no deadlines, no retries,
// no byte bounds, no redaction, no output cap. What it adds over a direct SDK call is the least a
// server made of these parts adds; what this server adds beyond it is the price of its guarantees.
//
// Spawned like the product's bin: `node bench/floor-mcp.mjs --base-url <url>`, key in
// MANAGED_AGENTS_API_KEY.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

const baseURL = process.argv[process.argv.indexOf('--base-url') + 1];
const sdk = new Anthropic({ apiKey: process.env.MANAGED_AGENTS_API_KEY, baseURL, maxRetries: 0 });
const server = new McpServer({ name: 'floor-mcp', version: '1.0.0' });
server.registerTool('get_session', { description: 'One session.', inputSchema: { session_id: z.string() } }, async ({ session_id }) => {
  const s = await sdk.beta.sessions.retrieve(session_id);
  return { content: [{ type: 'text', text: JSON.stringify(s) }] };
});
await server.connect(new StdioServerTransport());
