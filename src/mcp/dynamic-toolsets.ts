/**
 * --dynamic-toolsets (docs/toolsets.md): the server lists its selection plus list_toolsets and
 * enable_toolset; enabling registers the toolset's tools on this server, which announces them with
 * notifications/tools/list_changed. The filters stay in force: --read-only and --exclude-tools
 * remove tools from what a toolset adds, as from the start-up selection.
 */
import { TOOLSETS, type Config, type Toolset } from '../config.js';
import { callLine, type AnyTool, type ToolsetState, type ToolsetSwitch } from '../tools/support/define.js';
import { ALL_TOOLS } from '../tools/index.js';
import { permitted } from '../tools/support/selection.js';

export interface SwitchDeps {
  config: Config;
  /** The tools listed now (the switch reads it; `add` grows it). */
  listed: () => readonly AnyTool[];
  /** Registers tools and announces the change. */
  add: (tools: AnyTool[]) => void;
  /** Model-visible tokens of a set of tools. */
  tokens: (tools: AnyTool[]) => number;
}

export function toolsetSwitch({ config, listed, add, tokens }: SwitchDeps): ToolsetSwitch {
  const own = new Map<Toolset, { tools: AnyTool[]; tokens: number }>();
  const ownOf = (name: Toolset) => {
    let o = own.get(name);
    if (!o) {
      const tools = ALL_TOOLS.filter((t) => t.toolset === name && permitted(t, config));
      o = { tools, tokens: tools.length ? tokens(tools) : 0 };
      own.set(name, o);
    }
    return o;
  };
  const state = (name: Toolset): ToolsetState => {
    const o = ownOf(name);
    const now = listed();
    return { name, enabled: o.tools.length > 0 && o.tools.every((t) => now.includes(t)), tools: o.tools.map((t) => t.name), tokens: o.tokens };
  };
  return {
    list: () => TOOLSETS.map(state),
    enable(name) {
      const now = listed();
      const missing = ownOf(name).tools.filter((t) => !now.includes(t));
      if (missing.length) add(missing);
      return { added: missing.map((t) => t.name), calls: missing.map(callLine), state: state(name) };
    },
  };
}
