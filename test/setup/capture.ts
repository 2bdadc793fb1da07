/**
 * Per-worker setup: tees everything the product can emit in a test process — stderr (logs, the
 * emulator's own messages) and whatever tests record with `capture()` (tool results, progress,
 * child-process output) — into .tmp/capture/<pid>.log, scanned for canary secrets at the end of
 * the run by test/setup/global.ts.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(process.cwd(), '.tmp', 'capture');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${process.pid}.log`);

export function capture(text: string): void {
  appendFileSync(file, text + '\n');
}

const write = process.stderr.write.bind(process.stderr);
(process.stderr as any).write = (chunk: any, ...rest: any[]) => {
  capture(String(chunk));
  return write(chunk, ...rest);
};
