import { TOOLSETS, type Config } from '../config.js';
import type { AnyTool } from './define.js';
import { agentTools } from './agents.js';
import { environmentTools } from './environments.js';
import { sessionTools } from './sessions.js';
import { turnTools } from './turns.js';
import { eventTools } from './events.js';
import { auditTools } from './audit.js';
import { vaultTools } from './vaults.js';
import { memoryTools } from './memory.js';
import { fileTools } from './files.js';
import { deploymentTools } from './deployments.js';

/** Every tool, in the order tools/list shows them: the create → run → audit loop first. */
export const ALL_TOOLS: AnyTool[] = [
  ...agentTools,
  ...environmentTools,
  ...sessionTools,
  ...turnTools,
  ...eventTools,
  ...auditTools,
  ...vaultTools,
  ...memoryTools,
  ...fileTools,
  ...deploymentTools,
].sort((a, b) => TOOLSETS.indexOf(a.toolset) - TOOLSETS.indexOf(b.toolset));

/** The tools a configuration exposes: its toolsets, and only reads under --read-only. */
export function selectTools(config: Pick<Config, 'toolsets' | 'readOnly'>): AnyTool[] {
  return ALL_TOOLS.filter((t) => config.toolsets.includes(t.toolset) && (!config.readOnly || t.kind === 'read'));
}
