// Bundles the built server (dist/cli.js and everything it imports, including the emulator that
// `--emulator` loads lazily) into one ESM file, dist/bundle/cli.js, so start-up pays for one file
// read and parse instead of resolving and loading hundreds of modules. Used by `npm run bench`
// to measure whether bundling closes the start-up gap; the product's bin is unchanged.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { BUNDLE, CLI } from './lib.mjs';

export async function bundle({ minify = true } = {}) {
  const t0 = performance.now();
  await build({
    entryPoints: [CLI],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);" },
  });
  return { ms: performance.now() - t0, file: BUNDLE };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await bundle();
  process.stderr.write(`bundled ${CLI} → ${r.file} in ${r.ms.toFixed(0)} ms\n`);
}
