/**
 * Which Node to develop with: .nvmrc names a major line whose releases satisfy every development
 * tool's `engines.node` and the package's own (scripts/check-node.mjs prints what the running Node
 * misses).
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { NVMRC, devRanges, satisfies } from '../../scripts/check-node.mjs';

it('reads the engine ranges npm packages use', () => {
  expect(satisfies([20, 19, 1], '^20.19.0 || >=22.12.0')).toBe(true);
  expect(satisfies([20, 18, 0], '^20.19.0 || >=22.12.0')).toBe(false);
  expect(satisfies([22, 1, 0], '>=22.19.0')).toBe(false);
  expect(satisfies([24, 0, 0], '^20.12||^22||>=24')).toBe(true);
  expect(satisfies([21, 0, 0], '^20.12||^22||>=24')).toBe(false);
  expect(satisfies([18, 0, 0], '>=20')).toBe(false);
});

it('.nvmrc names a Node line that every development tool and the package accept', () => {
  expect(NVMRC).toMatch(/^\d+$/);
  // nvm installs the newest release of the line.
  const newest = [Number(NVMRC), 999, 0];
  const ranges = devRanges();
  expect(ranges.length).toBeGreaterThan(3);
  for (const { name, range } of ranges) expect(satisfies(newest, range), `${name}: node ${range}`).toBe(true);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  expect(satisfies(newest, pkg.engines.node)).toBe(true);
});

it("the package's lowest Node runs every library the bin bundles (their own engines)", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const lowest = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.node)!.slice(1).map(Number);
  // What src/ imports at run time; the bundle is built from these (scripts/bundle.mjs).
  for (const name of ['@anthropic-ai/sdk', '@modelcontextprotocol/server', 'undici', 'zod', 'ajv']) {
    const range = JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')).engines?.node as string | undefined;
    if (range) expect(satisfies(lowest, range), `${name}: node ${range}`).toBe(true);
  }
  const manifest = JSON.parse(readFileSync(new URL('../../mcpb/manifest.json', import.meta.url), 'utf8'));
  expect(manifest.compatibility.runtimes.node).toBe(`>=${lowest.join('.')}`);
});
