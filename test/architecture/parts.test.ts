/**
 * docs/architecture.md's table of parts names every file and folder directly under src/, so a new
 * part cannot go undocumented.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);

it('docs/architecture.md names every file and folder directly under src/', () => {
  const doc = readFileSync(new URL('docs/architecture.md', root), 'utf8');
  // The first cell of each row of "The parts" table.
  const named = new Set(
    doc
      .split('\n')
      .filter((l) => l.startsWith('| `src/'))
      .flatMap((l) => [...l.split('|')[1]!.matchAll(/`(src\/[^`]+?)\/?`/g)].map((m) => m[1]!)),
  );
  const parts = readdirSync(new URL('src/', root), { withFileTypes: true }).map((e) => `src/${e.name}`);
  expect(parts.length).toBeGreaterThan(10);
  expect(parts.filter((p) => !named.has(p))).toEqual([]);
});
