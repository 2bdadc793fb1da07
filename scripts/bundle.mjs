// Bundles the built server (dist/cli.js and everything it imports, but the emulator) into one
// minified file, dist/managed-agents-mcp.cjs, and the package's bin (dist/bin.js) into
// dist/managed-agents-mcp.mjs, which runs it. Why one file: start-up was dominated by resolving and
// loading hundreds of modules (importing @anthropic-ai/sdk alone took ~130 ms); one minified file
// starts in about half the time (`npm run bench`, figure 1).
//
// It also bundles the emulator (dist/emulator/index.js) into dist/emulator.mjs, the package's
// `managed-agents-mcp/emulator` entry. With both self-contained the package has no runtime
// dependencies to install: `npx` fetches one tarball and starts (docs/install.md).
//
// The bin is a small loader (src/bin.ts) that runs the server's bundle, dist/managed-agents-mcp.cjs,
// with a V8 code cache: a start after the first does not compile it (docs/performance.md,
// "Start-up"). It is CommonJS because only a script, not an ES module, can be given cached data
// on Node 20.
//
// What the server does not need to start is left out of it: the emulator, which `--emulator` and
// the `emulator` subcommand load from dist/emulator.mjs beside the bin, and zod's error messages in
// 40-odd languages (the server uses English only). Every byte of it is read, and without a cache
// compiled, before the first response.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
export const ENTRY = dist('cli.js');
/** The server, as one CommonJS script: the bin runs it with a V8 code cache (src/bin.ts). */
export const SERVER_BUNDLE = dist('managed-agents-mcp.cjs');
export const BIN_ENTRY = dist('bin.js');
export const BUNDLE = dist('managed-agents-mcp.mjs');
export const EMULATOR_ENTRY = dist('emulator/index.js');
export const EMULATOR_BUNDLE = dist('emulator.mjs');

/** cli.js's `import('./emulator/index.js')` loads the emulator's own bundle, which sits beside the bin. */
const emulatorBeside = {
  name: 'emulator-beside-the-bin',
  setup(b) {
    b.onResolve({ filter: /^\.\/emulator\/index\.js$/ }, (args) => (args.importer === ENTRY ? { path: './emulator.mjs', external: true } : undefined));
  },
};

/** zod's `locales` namespace with English only: the other languages' messages are never used. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: args.importer, namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      resolveDir: dirname(args.path),
    }));
  },
};

async function bundleOne(entry, outfile, { minify, plugins = [], format = 'esm' }) {
  await build({
    plugins,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner:
      format === 'esm'
        ? { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" }
        : undefined,
  });
}

/** The bin (src/bin.ts, a few kB) and the server it runs (src/cli.ts and everything it imports). */
export async function bundle({ minify = true } = {}) {
  const t0 = performance.now();
  await bundleOne(ENTRY, SERVER_BUNDLE, { minify, plugins: [emulatorBeside, zodEnglishOnly], format: 'cjs' });
  await bundleOne(BIN_ENTRY, BUNDLE, { minify: false });
  chmodSync(BUNDLE, 0o755);
  return { ms: performance.now() - t0, file: BUNDLE };
}

/** The emulator entry is not minified: importers read its stack traces. */
export async function bundleEmulator() {
  const t0 = performance.now();
  await bundleOne(EMULATOR_ENTRY, EMULATOR_BUNDLE, { minify: false });
  return { ms: performance.now() - t0, file: EMULATOR_BUNDLE };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [what, r] of [
    ['dist/cli.js', await bundle()],
    ['dist/emulator/index.js', await bundleEmulator()],
  ]) {
    process.stderr.write(`bundled ${what} → ${r.file} in ${r.ms.toFixed(0)} ms\n`);
  }
}
