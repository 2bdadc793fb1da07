// Packing and installing the npm tarball, as a user of the package would get it. Shared by the CI
// check (scripts/check-pack.mjs), the install-time bench (bench/install.mjs) and the package
// tests (test/package/).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * `npm pack` into `dest`; returns the tarball's absolute path. With `build: false` the lifecycle
 * scripts are skipped and the current dist/ is packed (tests run after `npm run build`); with
 * `build: true` `prepack` rebuilds first, as a publish would.
 */
export function packTarball(dest, { build = false } = {}) {
  dest = path.resolve(dest);
  mkdirSync(dest, { recursive: true });
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', dest, ...(build ? [] : ['--ignore-scripts'])], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // prepack's own output (the build) precedes the JSON on stdout.
  const [info] = JSON.parse(out.slice(out.indexOf('\n[') + 1 || out.indexOf('[')));
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path), size: info.size, unpackedSize: info.unpackedSize };
}

/**
 * Installs the tarball into a new empty project (an ESM package) and returns its directory.
 * `--offline`: the package has no runtime dependencies, so the install must not need the registry.
 */
export function installTarball(tarball, dir = mkdtempSync(path.join(os.tmpdir(), 'mam-install-'))) {
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync(NPM, ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', path.resolve(tarball)], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, npm_config_cache: mkdtempSync(path.join(os.tmpdir(), 'mam-npm-cache-')) },
  });
  return dir;
}
