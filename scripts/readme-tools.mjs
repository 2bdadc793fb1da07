// Regenerates the README's tool table from the built registry: `npm run docs`.
import { readFileSync, writeFileSync } from 'node:fs';
import { ALL_TOOLS } from '../dist/tools/index.js';
import { toolTable, TABLE_START, TABLE_END } from '../dist/tools/table.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const start = readme.indexOf(TABLE_START);
const end = readme.indexOf(TABLE_END);
if (start < 0 || end < 0) throw new Error('README has no tool table markers');
const next = readme.slice(0, start) + toolTable(ALL_TOOLS) + readme.slice(end + TABLE_END.length);
writeFileSync(new URL('../README.md', import.meta.url), next);
console.error(next === readme ? 'README tool table already up to date' : 'README tool table regenerated');
