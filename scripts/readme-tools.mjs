// Regenerates every generated table in the README and docs/ from the built code: `npm run docs`.
// Each table sits between its markers; test/server/surface.test.ts and test/server/config.test.ts
// fail when one is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { ALL_TOOLS } from '../dist/tools/index.js';
import { toolTable, TABLE_START, TABLE_END, kindTable, KINDS_START, KINDS_END } from '../dist/tools/support/table.js';
import { costTable, COSTS_START, COSTS_END } from '../dist/mcp/toolset-costs.js';
import { flagTable, FLAGS_START, FLAGS_END } from '../dist/config.js';

const core = ALL_TOOLS.filter((t) => t.toolset === 'core');
const TABLES = {
  'README.md': [
    ['flag table', FLAGS_START, FLAGS_END, flagTable()],
    ['core tool table', TABLE_START, TABLE_END, toolTable(core)],
  ],
  'docs/tools.md': [
    ['tool table', TABLE_START, TABLE_END, toolTable(ALL_TOOLS)],
    ['toolset cost table', COSTS_START, COSTS_END, costTable()],
  ],
  'docs/approval.md': [['kind table', KINDS_START, KINDS_END, kindTable(ALL_TOOLS)]],
};

for (const [path, tables] of Object.entries(TABLES)) {
  const file = new URL(`../${path}`, import.meta.url);
  const before = readFileSync(file, 'utf8');
  let next = before;
  for (const [name, start, end, table] of tables) {
    const a = next.indexOf(start);
    const b = next.indexOf(end);
    if (a < 0 || b < 0) throw new Error(`${path} has no ${name} markers`);
    next = next.slice(0, a) + table + next.slice(b + end.length);
  }
  writeFileSync(file, next);
  console.error(`${path}: ${next === before ? 'tables already up to date' : 'tables regenerated'}`);
}
