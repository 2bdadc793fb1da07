import { ALL_TOOLS } from './dist/tools/index.js';
import { callLine } from './dist/tools/define.js';
import { TOOLSETS } from './dist/config.js';
for (const s of TOOLSETS) { const lines = ALL_TOOLS.filter(t=>t.toolset===s).map(callLine); const n = JSON.stringify(lines).length; console.log(s, lines.length, 'tools', Math.ceil(n/4), 'tokens'); if (s==='vaults') console.log(lines.join('\n')); }
