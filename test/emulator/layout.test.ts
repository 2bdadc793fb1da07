/**
 * The emulator's import rules (docs/emulator.md "Layout"), read from the source: no import cycles
 * (type imports included), only the server and the routes import routes/, only the entry imports
 * the server, and nothing outside src/emulator/ but src/shared/ is imported.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../src/emulator');
const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
/** Every relative import of each file, as a path from src/emulator/ (`../shared/…` when it leaves). */
const allImports = new Map(
  files.map((f) => [
    f,
    [...readFileSync(join(root, f), 'utf8').matchAll(/(?:from|import\()\s*'(\.[^']+)\.js'/g)].map((m) => relative(root, join(root, dirname(f), `${m[1]}.ts`))),
  ]),
);
const imports = new Map([...allImports].map(([f, ts]) => [f, ts.filter((target) => files.includes(target))]));

function cycles(): string[] {
  const found: string[] = [];
  const done = new Set<string>();
  const walk = (f: string, path: string[]) => {
    if (path.includes(f)) return void found.push([...path.slice(path.indexOf(f)), f].join(' -> '));
    if (done.has(f)) return;
    for (const t of imports.get(f)!) walk(t, [...path, f]);
    done.add(f);
  };
  for (const f of files) walk(f, []);
  return found;
}

describe('emulator layout', () => {
  it('finds the folders it checks', () => {
    for (const dir of ['wire/', 'routes/', 'runtime/', 'contract/']) expect(files.some((f) => f.startsWith(dir))).toBe(true);
  });

  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('wire, runtime and contract never import routes', () => {
    const bad = [...imports]
      .filter(([f]) => /^(wire|runtime|contract)\//.test(f))
      .flatMap(([f, ts]) => ts.filter((t) => t.startsWith('routes/')).map((t) => `${f} -> ${t}`));
    expect(bad).toEqual([]);
  });

  it('leaves its own folder only for src/shared/ (docs/architecture.md)', () => {
    const outside = [...allImports].flatMap(([f, ts]) => ts.filter((t) => t.startsWith('../')).map((t) => `${f} -> ${t}`));
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.filter((l) => !/ -> \.\.\/shared\/[\w-]+\.ts$/.test(l))).toEqual([]);
  });

  it('only the entry imports the server, and nothing imports the entry', () => {
    const bad = [...imports].flatMap(([f, ts]) => ts.filter((t) => t === 'index.ts' || (t === 'server.ts' && f !== 'index.ts')).map((t) => `${f} -> ${t}`));
    expect(bad).toEqual([]);
  });
});
