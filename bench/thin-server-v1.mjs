// A reference row of figure 11 (bench/thin.mjs), not its floor: the thin server of
// bench/thin-server.mjs on the MCP SDK's v1 maintenance line (`@modelcontextprotocol/sdk` 1.x,
// `McpServer` on a `StdioServerTransport`) instead of the v2 the product runs on. A 2025-only
// server: it cannot speak MCP 2026-07-28, which Claude Code speaks, so it is not a choice a user of
// this product has; it stays to show what the SDK line alone costs, its ratio printed next to the
// gated ones. The same 15 default tools' names and arguments, each passing the call through the
// Anthropic SDK and returning `JSON.stringify` of the response as text.
//
// Spawned like the product's bin: `node bench/thin-server-v1.mjs --base-url <url>`, key in
// MANAGED_AGENTS_API_KEY.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

const baseURL = process.argv[process.argv.indexOf('--base-url') + 1];
const sdk = new Anthropic({ apiKey: process.env.MANAGED_AGENTS_API_KEY, baseURL });
const server = new McpServer({ name: 'thin-server', version: '1.0.0' });

const json = (v) => ({ content: [{ type: 'text', text: JSON.stringify(v) }] });
const tool = (name, description, inputSchema, run) => server.registerTool(name, { description, inputSchema }, async (a) => json(await run(a)));
const str = z.string();
const opt = (t) => t.optional();
const page = { limit: opt(z.number()), page: opt(str), include_archived: opt(z.boolean()) };
const listParams = ({ limit, page: p, include_archived }) => ({ limit, page: p, include_archived });
const text = (t) => ({ type: 'user.message', content: [{ type: 'text', text: t }] });

/** Sends events and, unless `wait` is false, reads the stream to the turn's idle: the events, as JSON. */
async function turn(session_id, events, wait) {
  if (wait === false) return sdk.beta.sessions.events.send(session_id, { events });
  const stream = await sdk.beta.sessions.events.stream(session_id);
  try {
    const sent = await sdk.beta.sessions.events.send(session_id, { events });
    const echo = sent.data?.at(-1)?.id;
    let started = !echo;
    const seen = [];
    for await (const ev of stream) {
      if (ev.id === echo) started = true;
      else if (started) seen.push(ev);
      if (started && ev.type === 'session.status_idle') return seen;
    }
    return seen;
  } finally {
    stream.controller.abort();
  }
}

tool(
  'create_agent',
  'Create an agent.',
  {
    name: str,
    model: z.union([str, z.record(str, z.unknown())]),
    system: opt(str),
    description: opt(str),
    tools: opt(z.array(z.record(str, z.unknown()))),
    mcp_servers: opt(z.array(z.record(str, z.unknown()))),
    skills: opt(z.array(z.record(str, z.unknown()))),
    multiagent: opt(z.record(str, z.unknown())),
    metadata: opt(z.record(str, str)),
  },
  (a) => sdk.beta.agents.create(a),
);
tool('list_agents', 'List agents.', page, async (a) => (await sdk.beta.agents.list(listParams(a))).data);
tool(
  'create_environment',
  'Create an environment.',
  {
    name: str,
    description: opt(str),
    networking: opt(z.record(str, z.unknown())),
    packages: opt(z.record(str, z.array(str))),
    metadata: opt(z.record(str, str)),
  },
  ({ networking, packages, ...a }) => sdk.beta.environments.create({ ...a, config: { type: 'cloud', networking, packages } }),
);
tool('list_environments', 'List environments.', page, async (a) => (await sdk.beta.environments.list(listParams(a))).data);
tool(
  'start_session',
  'Start a session.',
  {
    agent_id: str,
    agent_version: opt(z.number()),
    environment_id: opt(str),
    title: opt(str),
    metadata: opt(z.record(str, str)),
    resources: opt(z.array(z.record(str, z.unknown()))),
    vault_ids: opt(z.array(str)),
    budget: opt(z.number()),
    message: opt(str),
    attachments: opt(z.array(str)),
    wait: opt(z.boolean()),
    timeout_s: opt(z.number()),
  },
  async ({ agent_id, agent_version, environment_id, message, wait, ...a }) => {
    const s = await sdk.beta.sessions.create({
      agent: agent_version ? { type: 'agent', id: agent_id, version: agent_version } : agent_id,
      environment_id,
      title: a.title,
      metadata: a.metadata,
      resources: a.resources,
      vault_ids: a.vault_ids,
    });
    return message ? { session: s, turn: await turn(s.id, [text(message)], wait) } : s;
  },
);
tool('get_session', 'Get a session.', { session_id: str }, ({ session_id }) => sdk.beta.sessions.retrieve(session_id));
tool(
  'list_sessions',
  'List sessions.',
  { agent_id: opt(str), statuses: opt(z.array(str)), created_after: opt(str), created_before: opt(str), ...page },
  async (a) => (await sdk.beta.sessions.list({ agent_id: a.agent_id, limit: a.limit, page: a.page, include_archived: a.include_archived })).data,
);
tool('archive_session', 'Archive a session.', { session_id: str }, ({ session_id }) => sdk.beta.sessions.archive(session_id));
tool(
  'send_message',
  'Send a message.',
  { session_id: str, text: str, attachments: opt(z.array(str)), wait: opt(z.boolean()), timeout_s: opt(z.number()) },
  (a) => turn(a.session_id, [text(a.text)], a.wait),
);
tool(
  'confirm_tool_use',
  'Allow or deny a tool call.',
  {
    session_id: str,
    tool_use_id: opt(str),
    tool_use_ids: opt(z.array(str)),
    result: z.enum(['allow', 'deny']),
    deny_message: opt(str),
    wait: opt(z.boolean()),
    timeout_s: opt(z.number()),
  },
  (a) =>
    turn(
      a.session_id,
      [...(a.tool_use_ids ?? [a.tool_use_id])].map((id) => ({
        type: 'user.tool_confirmation',
        tool_use_id: id,
        result: a.result,
        ...(a.deny_message ? { deny_message: a.deny_message } : {}),
      })),
      a.wait,
    ),
);
tool(
  'submit_custom_tool_result',
  'Answer a custom tool call.',
  { session_id: str, custom_tool_use_id: str, content: str, is_error: opt(z.boolean()), wait: opt(z.boolean()), timeout_s: opt(z.number()) },
  (a) =>
    turn(
      a.session_id,
      [{ type: 'user.custom_tool_result', custom_tool_use_id: a.custom_tool_use_id, content: [{ type: 'text', text: a.content }], is_error: a.is_error }],
      a.wait,
    ),
);
tool(
  'wait_for_turn',
  'Wait for the turn.',
  { session_id: str, after_event_id: opt(str), timeout_s: opt(z.number()) },
  async ({ session_id }) => (await sdk.beta.sessions.events.list(session_id, { limit: 50, order: 'desc' })).data,
);
tool('interrupt_session', 'Interrupt.', { session_id: str, message: opt(str), wait: opt(z.boolean()), timeout_s: opt(z.number()) }, (a) =>
  turn(a.session_id, [{ type: 'user.interrupt' }, ...(a.message ? [text(a.message)] : [])], a.wait),
);
tool(
  'list_events',
  'List events.',
  { session_id: str, types: opt(z.array(str)), after_event_id: opt(str), limit: opt(z.number()), page: opt(str), view: opt(z.enum(['compact', 'full'])) },
  async (a) => (await sdk.beta.sessions.events.list(a.session_id, { limit: a.limit, page: a.page })).data,
);
tool('session_usage', 'Session usage.', { session_id: str }, async ({ session_id }) => (await sdk.beta.sessions.retrieve(session_id)).usage);

await server.connect(new StdioServerTransport());
