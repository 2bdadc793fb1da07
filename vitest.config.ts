import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs every test once under the emulator's default readings, then the workflow and a
 * reduced chaos run once per reading of the behaviour the documentation leaves open
 * (docs/emulator.md "Readings"). `npx vitest run --project default <file>` runs a file once.
 */
const READING_SUITES = ['test/server/turns.test.ts', 'test/emulator/turns.test.ts', 'test/server/chaos.test.ts', 'test/server/multiagent.test.ts'];
const READINGS = ['queued-echo', 'refuse-while-pending', 'interrupt-idle-noop', 'flat-cache-usage', 'no-pings'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/setup/global.ts', 'test/setup/conformance-global.ts'],
    setupFiles: ['test/setup/capture.ts', 'test/setup/conformance.ts'],
    projects: [
      { extends: true, test: { name: 'default', include: ['test/**/*.test.ts'] } },
      ...READINGS.map((r) => ({
        extends: true as const,
        test: { name: `reading:${r}`, include: READING_SUITES, env: { EMULATOR_READING: r, CHAOS_TURNS: '30' } },
      })),
    ],
  },
});
