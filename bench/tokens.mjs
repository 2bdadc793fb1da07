// Figure 6 — tokens, estimated as characters / 4 of the JSON as sent: `tools/list` for the
// default tool set, `--dynamic-toolsets` at start and `--toolsets all` (on the wire, and the
// model-visible part: names, descriptions, input schemas), each toolset's own share; the results of a typical send_message, one
// list_events page and session_usage; and, against the 40,000-character output cap, the largest
// results we can provoke (a 10,000-event turn, a 60,000-character reply, a full-view page of 200).
import { call, connectServer, fixtures, MODEL, newSession, runDirectTurn } from './lib.mjs';
import { TOOLSETS } from '../dist/config.js';
import { listTokens } from '../dist/mcp/server.js';
import { ALL_TOOLS } from '../dist/tools/index.js';

// The default --max-output-chars: each half of a result on its own (docs/clients.md).
export const CAP = 12_000;
const tokens = (chars) => Math.ceil(chars / 4);

function measure(label, r, kind = 'typical') {
  const text = (r.content ?? [])
    .filter((c) => c.type === 'text')
    .map((c) => c.text)
    .join('');
  const structured = r.structuredContent ? JSON.stringify(r.structuredContent).length : 0;
  return {
    label,
    kind,
    textChars: text.length,
    structuredChars: structured,
    // Claude Code gives the model structuredContent when present (docs/api-behaviour.md, "MCP clients"); others read the text.
    tokens: tokens(Math.max(structured, text.length)),
    overCap: Math.max(structured, text.length) > CAP,
  };
}

export async function benchTokens({ emu, sdk, cli }) {
  const out = { lists: [], toolsets: [], results: [], dynamic: [] };
  for (const [label, args] of [
    ['tools/list, default tool set (core)', []],
    ['tools/list, --dynamic-toolsets at start', ['--dynamic-toolsets']],
    ['tools/list, --toolsets all', ['--toolsets', 'all']],
  ]) {
    const srv = await connectServer(emu, { cli, args });
    try {
      const { tools } = await srv.client.listTools();
      const chars = JSON.stringify(tools).length;
      const part = (k) => tools.reduce((n, t) => n + (t[k] === undefined ? 0 : JSON.stringify(t[k]).length), 0);
      const breakdown = { description: part('description'), inputSchema: part('inputSchema'), outputSchema: part('outputSchema') };
      breakdown.rest = chars - breakdown.description - breakdown.inputSchema - breakdown.outputSchema;
      out.lists.push({ label, tools: tools.length, chars, tokens: tokens(chars), model: listTokens(tools).model, breakdown });
      // Each toolset's own share of the full list, as the client received it.
      if (args[0] === '--toolsets') {
        for (const s of TOOLSETS) {
          const own = tools.filter((t) => ALL_TOOLS.find((d) => d.name === t.name)?.toolset === s);
          out.toolsets.push({ toolset: s, tools: own.length, ...listTokens(own) });
        }
      }
    } finally {
      await srv.close();
    }
  }

  // What a typical --dynamic-toolsets session pays: the list at start, then one toolset enabled
  // (the longer list from then on, and enable_toolset's result once).
  for (const s of TOOLSETS.filter((t) => t !== 'core')) {
    const srv = await connectServer(emu, { cli, args: ['--dynamic-toolsets'] });
    try {
      const start = listTokens((await srv.client.listTools()).tools);
      const r = await call(srv.client, 'enable_toolset', { toolset: s });
      const after = listTokens((await srv.client.listTools()).tools);
      out.dynamic.push({ toolset: s, start, after, result: measure(`enable_toolset ${s}`, r).tokens });
    } finally {
      await srv.close();
    }
  }

  const fx = await fixtures(sdk);
  const agent = await sdk.beta.agents.create({ name: 'bench-tools', model: MODEL, tools: [{ type: 'agent_toolset_20260401' }] });
  const srv = await connectServer(emu, { cli });
  try {
    const c = srv.client;
    const sessionId = (await sdk.beta.sessions.create({ agent: agent.id, environment_id: fx.envId })).id;
    // A typical turn: the agent thinks, runs one tool, and answers in a sentence.
    await call(c, 'send_message', { session_id: sessionId, text: 'Which files are in the repo?' });
    const typical = await call(c, 'send_message', {
      session_id: sessionId,
      text: '/think\n/tool bash {"command":"ls -la"}\n/reply The repository has a README, a src/ directory with the server and a test/ directory.',
    });
    out.results.push(measure('send_message (think, one tool call, a one-line reply)', typical));
    await runDirectTurn(sdk, sessionId, '/events 100'); // enough history to fill a page
    out.results.push(measure('list_events, one page (default limit 50)', await call(c, 'list_events', { session_id: sessionId })));
    out.results.push(measure('session_usage', await call(c, 'session_usage', { session_id: sessionId })));

    // Worst cases, for the cap.
    out.results.push(measure('list_events, limit 200, view=full', await call(c, 'list_events', { session_id: sessionId, limit: 200, view: 'full' }), 'stress'));
    const big = await newSession(sdk, fx);
    out.results.push(measure('send_message, a 10,000-event turn', await call(c, 'send_message', { session_id: big, text: '/events 10000' }), 'stress'));
    const long = await newSession(sdk, fx);
    out.results.push(
      measure(
        'send_message, a 60,000-character reply',
        await call(c, 'send_message', { session_id: long, text: `/reply ${'lorem ipsum '.repeat(5000)}` }),
        'stress',
      ),
    );
  } finally {
    await srv.close();
  }
  return out;
}
