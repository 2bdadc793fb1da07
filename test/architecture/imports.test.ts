/**
 * The import rules of docs/architecture.md, enforced: runs dependency-cruiser with
 * .dependency-cruiser.cjs over src/ and fails with each violated rule's reason.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

it('src/ keeps the import rules (dependency-cruiser)', async () => {
  // depcruise exits non-zero on violations; the JSON report is on stdout either way.
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const report = JSON.parse(stdout) as {
    summary: { violations: Violation[]; totalCruised: number; ruleSetUsed: { forbidden: { name: string; comment: string }[] } };
  };
  const rules = report.summary.ruleSetUsed.forbidden;
  // The rules are all there and the cruise saw the whole tree: an empty run cannot pass.
  expect(rules.map((r) => r.name)).toEqual(
    expect.arrayContaining([
      'emulator-stands-alone',
      'only-the-entry-starts-the-emulator',
      'sdk-only-through-the-seam',
      'emulator-uses-sdk-types-only',
      'turns-never-import-tools',
      'format-is-pure',
      'api-seam-is-the-bottom',
      'only-the-server-registers-tools',
      'shared-is-a-leaf',
      'nothing-imports-the-entry',
      'tool-helpers-below-the-tools',
      'mcp-sdk-in-the-surface',
    ]),
  );
  expect(report.summary.totalCruised).toBeGreaterThan(60);
  const why = (name: string) => rules.find((r) => r.name === name)?.comment ?? '';
  const broken = report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}\n  ${why(v.rule.name)}`);
  expect(broken, broken.join('\n')).toEqual([]);
}, 120_000);

it('the rules name folders, not files: a file that would need an exception is in the wrong folder', () => {
  const { forbidden } = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
    forbidden: { name: string; from: Record<string, unknown>; to: Record<string, unknown> }[];
  };
  const patterns = forbidden.flatMap((r) => [r.from, r.to].flatMap((end) => [end.path, end.pathNot].filter((p): p is string => typeof p === 'string')));
  expect(patterns.length).toBeGreaterThan(10);
  // The one file pattern allowed: the process entry itself, which nothing may import.
  const files = patterns.filter((p) => /\.ts\b|\\\.ts/.test(p) && p !== '^src/(cli|bin)\\.ts$');
  expect(files).toEqual([]);
});
