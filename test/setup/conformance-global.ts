/**
 * Global setup/teardown of the conformance gate: generates (or reuses) the SDK-derived schemas
 * once before the workers start, and after the run prints how many responses, events and requests
 * were validated, failing the run on any violation.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { once } from './once.js';
import { Gate } from '../conformance/gate.js';

const dir = join(process.cwd(), '.tmp', 'conformance');

export const setup = once('conformance gate', async () => {
  rmSync(dir, { recursive: true, force: true });
  // Generates (or reuses) the schemas and the compiled validators before any worker needs them.
  const t0 = Date.now();
  const { bundle } = await Gate.load();
  process.stdout.write(
    `sdk schemas: ${bundle.routes.length} SDK routes, ${Object.keys(bundle.schema.definitions).length} definitions, ready in ${Date.now() - t0} ms\n`,
  );
  return () => {
    const total = { files: 0, responses: 0, events: 0, requests: 0 };
    const violations: string[] = [];
    if (existsSync(dir)) {
      for (const f of readdirSync(dir)) {
        for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) {
          const r = JSON.parse(line);
          total.files += 1;
          total.responses += r.responses;
          total.events += r.events;
          total.requests += r.requests;
          violations.push(...r.violations.map((v: string) => `${r.file}: ${v}`));
        }
      }
    }
    process.stdout.write(
      `conformance gate (${bundle.key}): ${total.responses} responses, ${total.events} stream events, ${total.requests} requests validated in ${total.files} test files; ${violations.length} violations\n`,
    );
    if (violations.length) {
      process.exitCode = 1;
      throw new Error(`Conformance violations:\n${violations.join('\n')}`);
    }
  };
});
