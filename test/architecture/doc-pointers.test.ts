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

it('every src/ path named in the docs, the README, CONTRIBUTING.md and the code exists (a moved file leaves no stale pointer)', () => {
  const sources = [...['src', 'test', 'bench', 'scripts', 'docs'].flatMap(files), 'README.md', 'CONTRIBUTING.md', '.dependency-cruiser.cjs'].filter(
    (f) => f !== self,
  );
  const stale: string[] = [];
  let named = 0;
  for (const file of sources) {
    const text = readFileSync(join(root, file), 'utf8');
    // A path written out: src/ then folders and a file name with its extension, or a folder ending in /.
    for (const m of text.matchAll(/(?<![\w./-])src\/(?:[\w-]+\/)*(?:[\w-]+\.(?:ts|mjs|js)\b|(?=[\s`'),;]))/g)) {
      named++;
      if (!existsSync(join(root, m[0]))) stale.push(`${file}: ${m[0]}`);
    }
  }
  expect(named).toBeGreaterThan(100);
  expect([...new Set(stale)]).toEqual([]);
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

it('every relative link in the README, CONTRIBUTING.md and docs/ leads to a file (and heading) that exists', () => {
  const pages = [
    'README.md',
    'CONTRIBUTING.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const broken: string[] = [];
  let links = 0;
  for (const page of pages) {
    // A comment is a note to maintainers, not a link a reader follows.
    const text = readFileSync(join(root, page), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      links++;
      const [file, hash] = target.split('#');
      const path = file ? join(root, page, '..', file) : join(root, page);
      if (!existsSync(path)) {
        broken.push(`${page}: ${target}`);
        continue;
      }
      if (hash && path.endsWith('.md')) {
        const headings = [...readFileSync(path, 'utf8').matchAll(/^#+ (.+)$/gm)].map((h) => anchor(h[1]!));
        if (!headings.includes(hash)) broken.push(`${page}: ${target} (no such heading)`);
      }
    }
  }
  expect(links).toBeGreaterThan(30);
  expect(broken).toEqual([]);
});
