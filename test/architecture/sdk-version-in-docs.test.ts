/**
 * The docs take the SDK version from the package (`npm run check:sdk` prints it): a version typed
 * by hand next to the SDK's name goes stale with the next upgrade, as "1.12" did.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const DOCS = join(import.meta.dirname, '..', '..', 'docs');

// A timing next to the word ("SDK 2.54 ms" in docs/performance.md's tables) is not a version.
it('no doc names a version of @anthropic-ai/sdk by hand', () => {
  const hits: string[] = [];
  for (const f of readdirSync(DOCS).filter((n) => n.endsWith('.md'))) {
    readFileSync(join(DOCS, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/(@anthropic-ai\/sdk`?\s*\(?v?\d+\.\d+|\bsdk-\d+\.\d+|SDK (version )?\d+\.\d+(?![\d.]*\s*ms\b)|\(version \d+\.\d+)/i.test(line))
          hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(hits).toEqual([]);
});
