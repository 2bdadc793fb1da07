// `npm run demo`: the product working end to end, with no API key and no spend. It starts the
// built server with --emulator over stdio, connects a real MCP client, and walks through
// create → run → audit, printing what a coding agent would see.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/managed-agents-mcp.mjs', import.meta.url));
const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);

const transport = new StdioClientTransport({ command: process.execPath, args: [cli, '--emulator'], stderr: 'pipe' });
const client = new Client({ name: 'demo', version: '1.0.0' });
await client.connect(transport);

let step = 0;
async function call(name, args, why) {
  step++;
  console.log(`\n${bold(`${step}. ${why}`)}\n${dim(`→ ${name} ${JSON.stringify(args)}`)}`);
  const r = await client.callTool({ name, arguments: args });
  const text = r.content?.[0]?.text ?? '';
  console.log(
    text
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  if (r.isError) throw new Error(`${name} failed`);
  return r.structuredContent;
}

const { tools } = await client.listTools();
console.log(bold(`managed-agents-mcp demo against the local emulator — ${tools.length} tools: ${tools.map((t) => t.name).join(', ')}`));
console.log(
  dim(
    'The emulator plays the remote agent with a script, not a model: a message line starting with /\n' +
      'is a directive (/think, /tool <name> <json>, /reply <text>; docs/emulator.md, "The scripted agent").\n' +
      'A real agent decides by itself; the results the server returns have the same shape.',
  ),
);

const agent = await call(
  'create_agent',
  {
    name: 'demo-researcher',
    model: 'claude-sonnet-4-6',
    system: 'You are a careful research assistant.',
    tools: [
      { type: 'agent_toolset_20260401', configs: [{ name: 'bash', permission_policy: { type: 'always_ask' } }] },
      {
        type: 'custom',
        name: 'lookup_ticket',
        description: 'Look up a support ticket by id',
        input_schema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
      },
    ],
  },
  'Create an agent once (bash needs confirmation; one custom tool)',
);

const session = await call(
  'start_session',
  { agent_id: agent.agent_id, title: 'demo task', message: 'Hello! Please summarise the repository.' },
  'Start a session and send the first message (the default environment is created on first use)',
);

const ask = await call(
  'send_message',
  { session_id: session.session_id, text: '/think\n/tool bash {"command":"git log --oneline | head -3"}' },
  'Send a message whose script calls bash (/tool): the turn pauses on requires_action, since bash is always_ask',
);
const pending = ask.pending_actions[0];

const after = await call(
  pending.answer_with.tool,
  { ...pending.answer_with.arguments, result: 'allow' },
  'Allow the tool call: answer_with gives the call, the verdict is ours to fill in; the same turn goes on',
);

const custom = await call(
  'send_message',
  { session_id: session.session_id, text: '/tool lookup_ticket {"id":"T-42"}' },
  'A third message, whose script calls the custom tool: our side must answer it',
);
await call(
  'submit_custom_tool_result',
  { session_id: session.session_id, custom_tool_use_id: custom.pending_actions[0].id, content: '{"id":"T-42","status":"resolved"}' },
  'Answer the custom tool; the same turn goes on with the result',
);

await call('list_events', { session_id: session.session_id, limit: 12 }, 'Read the history (compact: one line per event)');
await call(
  'session_usage',
  { session_id: session.session_id },
  'Audit tokens and cost. A turn starts with a message: the five "Turn on …" results above are three turns, since answering a confirmation or a custom tool continues the turn it paused',
);

await client.close();
console.log(`\n${bold('Done.')} Every call above went through the real MCP protocol and the real Anthropic SDK to the emulator.`);
void after;
