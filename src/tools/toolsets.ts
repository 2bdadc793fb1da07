import { z } from 'zod';
import { TOOLSETS } from '../config.js';
import { advertised, defineTool, type ToolContext, type ToolsetState, type ToolsetSwitch } from './support/define.js';

/**
 * The discovery pair of --dynamic-toolsets (docs/toolsets.md): listed only in that mode, after the
 * selected tools. Both are `read`: they change nothing in the API, so --read-only keeps them.
 */

const stateShape = {
  name: z.string(),
  enabled: z.boolean(),
  tokens: z.number(),
  tools: z.array(z.string()),
};

function line(s: ToolsetState): string {
  const tools = s.tools.length ? s.tools.join(', ') : '(none: --read-only or --exclude-tools removes them)';
  return `${s.name} (${s.enabled ? 'on' : 'off'}, ~${s.tokens} tokens): ${tools}`;
}

function switchOf(ctx: ToolContext): ToolsetSwitch {
  if (!ctx.toolsets) throw new Error('Toolsets can be enabled only when the server runs with --dynamic-toolsets');
  return ctx.toolsets;
}

export const toolsetTools = [
  defineTool({
    name: 'list_toolsets',
    title: 'List toolsets',
    description: 'Toolsets: on or off, token cost, tools. enable_toolset adds one.',
    toolset: 'core',
    kind: 'read',
    bounded: true,
    input: {},
    output: { toolsets: advertised(z.array(z.object(stateShape))) },
    async handler(_args, ctx) {
      const toolsets = switchOf(ctx).list();
      return { structured: { toolsets }, text: toolsets.map(line).join('\n') };
    },
  }),
  defineTool({
    name: 'enable_toolset',
    title: 'Enable toolset',
    description: "Add a toolset's tools to the tool list (see list_toolsets).",
    toolset: 'core',
    kind: 'read',
    bounded: true,
    input: { toolset: z.enum(TOOLSETS).describe('Toolset name.') },
    output: {
      added: z.array(z.string()),
      calls: z.array(z.string()).optional(),
      hint: z.string().optional(),
      enabled: z.boolean(),
      tokens: z.number(),
      note: z.string().optional(),
    },
    async handler({ toolset }, ctx) {
      const { added, calls, state } = switchOf(ctx).enable(toolset);
      const note = added.length
        ? undefined
        : state.tools.length
          ? `${toolset} was already on: ${state.tools.join(', ')}.`
          : `Nothing to add: --read-only or --exclude-tools removes every tool of ${toolset}.`;
      // Some clients show the added tools to the model only from the request after next: these
      // lines are enough to call them now, under the same prefix as this tool's name.
      const ready = calls.length ? { calls, hint: 'Callable now, under the same name prefix as enable_toolset.' } : {};
      const structured = { added, ...ready, enabled: state.enabled, tokens: state.tokens, ...(note ? { note } : {}) };
      return { structured, text: note ?? [`Enabled ${line(state)}.`, ready.hint, ...calls].filter(Boolean).join('\n') };
    },
  }),
];
