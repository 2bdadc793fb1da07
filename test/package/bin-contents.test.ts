/**
 * The server bundle carries only what serving needs (docs/performance.md, "Start-up"): every byte
 * of it is read, and compiled where there is no code cache, before the first response. The emulator lives in its own bundle beside it,
 * and zod's messages in languages other than English are left out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (file: string) => {
  const path = fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`dist/${file} is missing: run \`npm run build\` first (npm test does)`);
  return readFileSync(path, 'utf8');
};

describe('the bin (dist/managed-agents-mcp.mjs) and the server it runs (dist/managed-agents-mcp.cjs)', () => {
  const loader = read('managed-agents-mcp.mjs');
  const bin = read('managed-agents-mcp.cjs');
  const emulator = read('emulator.mjs');

  it('is a loader of a few kB that runs the server bundle beside it', () => {
    expect(loader.length).toBeLessThan(16_000);
    expect(loader).toContain('managed-agents-mcp.cjs');
    expect(loader).not.toContain('Invalid input');
  });

  it('loads the emulator from dist/emulator.mjs beside it instead of carrying it', () => {
    // A message only the emulator's request guard produces.
    const emulatorOnly = 'requires the anthropic-beta header';
    expect(emulator).toContain(emulatorOnly);
    expect(bin).not.toContain(emulatorOnly);
    expect(bin).toMatch(/import\(\s*["']\.\/emulator\.mjs["']\s*\)/);
  });

  it("keeps zod's English messages and leaves out the other languages'", () => {
    // zod's German label for a datetime string, from its `de` locale.
    expect(bin).not.toContain('ISO-Datum und -Uhrzeit');
    expect(bin).toContain('Invalid input');
  });
});
