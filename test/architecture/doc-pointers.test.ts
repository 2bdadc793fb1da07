/**
 * Every design pointer in src/, test/, bench/, scripts/ and docs/ leads to a file in this repository:
 * each `docs/<name>.md` named exists, and nothing points at notes outside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const self = relative(root, fileURLToPath(import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return name === '__snapshots__' ? [] : files(path);
    return /\.(ts|mjs|js|cjs)$/.test(name) || (dir === 'docs' && name.endsWith('.md')) ? [path] : [];
  });
}

/** Pointers that lead outside the repository: the design notes it was built from. */
const OUTSIDE = [/api-contract/, /api-docs-notes/, /mcp-notes/, /contract §/i, /§\s?\d/, /(?<!docs\/)turn-engine\.md/, /\/work\/shared/];

it('every docs/ pointer names an existing file, and none leads outside the repository', () => {
  const sources = ['src', 'test', 'bench', 'scripts', 'docs'].flatMap(files).filter((f) => f !== self);
  expect(sources.length).toBeGreaterThan(80);
  const missing: string[] = [];
  const outside: string[] = [];
  let pointers = 0;
  for (const file of sources) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const m of text.matchAll(/\bdocs\/[\w./-]+?\.md\b/g)) {
      pointers++;
      if (!existsSync(join(root, m[0]))) missing.push(`${file}: ${m[0]}`);
    }
    text.split('\n').forEach((line, i) => {
      if (OUTSIDE.some((re) => re.test(line))) outside.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  // The pointers exist (the check would pass vacuously otherwise).
  expect(pointers).toBeGreaterThan(20);
  expect(missing, 'pointers to missing docs').toEqual([]);
  expect(outside, 'pointers outside the repository').toEqual([]);
});
