/**
 * Global setup/teardown: clears the capture directory before the run and, after it, fails the run
 * if any canary secret appears anywhere the product wrote during the whole suite.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from './once.js';
import { CANARIES } from '../canaries.js';

const dir = join(process.cwd(), '.tmp', 'capture');

export const setup = once('secret scan', () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return () => {
    if (!existsSync(dir)) return;
    let bytes = 0;
    const files = readdirSync(dir);
    const leaks: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      bytes += text.length;
      for (const c of CANARIES) if (text.includes(c)) leaks.push(`${c.slice(0, 12)}… in ${f}`);
    }
    if (leaks.length) {
      process.exitCode = 1;
      throw new Error(`Secret canaries leaked into captured output:\n${leaks.join('\n')}`);
    }
    process.stdout.write(`secret scan: ${CANARIES.length} canaries, ${files.length} capture files, ${bytes} characters scanned, 0 leaks\n`);
  };
});
