/**
 * The import rules of docs/architecture.md, enforced: runs dependency-cruiser with
 * .dependency-cruiser.cjs over src/ and fails with each violated rule's reason.
 */
import { execFile } from 'node:child_process';
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
    ]),
  );
  expect(report.summary.totalCruised).toBeGreaterThan(60);
  const why = (name: string) => rules.find((r) => r.name === name)?.comment ?? '';
  const broken = report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}\n  ${why(v.rule.name)}`);
  expect(broken, broken.join('\n')).toEqual([]);
}, 120_000);
