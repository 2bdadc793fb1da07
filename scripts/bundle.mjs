// Bundles the built server (dist/cli.js and everything it imports, the emulator included) into
// one ESM file, dist/managed-agents-mcp.mjs — the package's bin. Why: start-up was dominated by
// resolving and loading hundreds of modules (importing @anthropic-ai/sdk alone took ~130 ms);
// one minified file starts in about half the time (`npm run bench`, figure 1).
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ENTRY = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
export const BUNDLE = fileURLToPath(new URL('../dist/managed-agents-mcp.mjs', import.meta.url));

export async function bundle({ minify = true } = {}) {
  const t0 = performance.now();
  await build({
    entryPoints: [ENTRY],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
    },
  });
  chmodSync(BUNDLE, 0o755);
  return { ms: performance.now() - t0, file: BUNDLE };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await bundle();
  process.stderr.write(`bundled dist/cli.js → ${r.file} in ${r.ms.toFixed(0)} ms\n`);
}
