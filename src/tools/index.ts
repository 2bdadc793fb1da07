import { TOOLSETS, type Config } from '../config.js';
import type { AnyTool } from './support/define.js';
import { agentTools } from './agents.js';
import { environmentTools } from './environments.js';
import { sessionTools } from './sessions.js';
import { sessionPartTools } from './session-parts.js';
import { turnTools } from './turns.js';
import { eventTools } from './events.js';
import { sessionUsageTools } from './session-usage.js';
import { vaultTools } from './vaults.js';
import { memoryTools } from './memory.js';
import { dreamTools } from './dreams.js';
import { fileTools } from './files.js';
import { checkSelection, selectFrom, type Selection } from './support/selection.js';
import { toolsetTools } from './toolsets.js';
import { fileTransferTools } from './file-transfer.js';
import { usageTools } from './usage.js';
import { skillTools } from './skills.js';
import { deploymentTools } from './deployments.js';

/** Every tool, in the order tools/list shows them: the create → run → audit loop first. */
export const ALL_TOOLS: AnyTool[] = [
  ...agentTools,
  ...environmentTools,
  ...sessionTools,
  ...sessionPartTools,
  ...turnTools,
  ...eventTools,
  ...sessionUsageTools,
  ...usageTools,
  ...vaultTools,
  ...memoryTools,
  ...dreamTools,
  ...fileTools,
  ...fileTransferTools,
  ...skillTools,
  ...deploymentTools,
].sort((a, b) => TOOLSETS.indexOf(a.toolset) - TOOLSETS.indexOf(b.toolset));

/** The discovery pair listed under --dynamic-toolsets, after the selected tools. */
export const DISCOVERY_TOOLS: AnyTool[] = toolsetTools;

/**
 * The tools a configuration lists at start: its toolsets and --tools, less --exclude-tools, only
 * reads under --read-only (docs/toolsets.md); plus the discovery pair under --dynamic-toolsets.
 */
export function selectTools(config: Selection & Partial<Pick<Config, 'dynamicToolsets'>>): AnyTool[] {
  return [...selectFrom(ALL_TOOLS, config), ...(config.dynamicToolsets ? DISCOVERY_TOOLS : [])];
}

/** Start-up check of --tools / --exclude-tools (throws ConfigError); returns warnings to log. */
export function checkToolSelection(config: Config): string[] {
  return checkSelection(ALL_TOOLS, config);
}
