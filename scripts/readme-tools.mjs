// Regenerates the README's generated tables from the built registry: `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { ALL_TOOLS } from '../dist/tools/index.js';
import { toolTable, TABLE_START, TABLE_END } from '../dist/tools/table.js';
import { costTable, COSTS_START, COSTS_END } from '../dist/toolset-costs.js';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
let next = readme;
for (const [name, start, end, table] of [
  ['tool table', TABLE_START, TABLE_END, toolTable(ALL_TOOLS)],
  ['toolset cost table', COSTS_START, COSTS_END, costTable()],
]) {
  const a = next.indexOf(start);
  const b = next.indexOf(end);
  if (a < 0 || b < 0) throw new Error(`README has no ${name} markers`);
  next = next.slice(0, a) + table + next.slice(b + end.length);
}
writeFileSync(file, next);
console.error(next === readme ? 'README tables already up to date' : 'README tables regenerated');
