import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: ['test/setup/global.ts', 'test/setup/conformance-global.ts'],
    setupFiles: ['test/setup/capture.ts', 'test/setup/conformance.ts'],
  },
});
