// `npm run check:node`: is this Node one to develop with? The package runs on what `engines` in
// package.json says, but the development tools ask for more (their own `engines`); .nvmrc names the
// major line that satisfies all of them. Prints each tool whose range this Node misses; exits 1
// only with --strict. test/package/node-version.test.ts checks .nvmrc against the same ranges.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

/** Whether version [major, minor, patch] satisfies a range of the forms npm packages use for `engines.node`. */
export function satisfies(version, range) {
  const cmp = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  const parse = (v) => {
    const [a = 0, b = 0, c = 0] = v.replace(/^v/, '').split('.').map(Number);
    return [a, b, c];
  };
  return range.split('||').some((alt) =>
    alt
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .every((part) => {
        const m = /^(>=|<=|>|<|\^|~|=)?\s*v?(\d+(?:\.\d+){0,2})/.exec(part);
        if (!m) return true;
        const [op = '=', v] = [m[1], m[2]];
        const want = parse(v);
        const c = cmp(version, want);
        const parts = v.split('.').length;
        if (op === '>=') return c >= 0;
        if (op === '>') return c > 0;
        if (op === '<=') return c <= 0;
        if (op === '<') return c < 0;
        if (op === '^') return c >= 0 && version[0] === want[0];
        if (op === '~') return c >= 0 && version[0] === want[0] && (parts < 2 || version[1] === want[1]);
        return version.slice(0, parts).every((x, i) => x === want[i]);
      }),
  );
}

/** Every development tool with an `engines.node` range, and the range. */
export function devRanges() {
  return Object.keys(pkg.devDependencies)
    .map((name) => {
      try {
        return { name, range: require(`${name}/package.json`).engines?.node };
      } catch {
        return { name, range: undefined };
      }
    })
    .filter((d) => d.range);
}

export const NVMRC = readFileSync(new URL('.nvmrc', root), 'utf8').trim();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = process.versions.node.split('.').map(Number);
  const misses = devRanges().filter((d) => !satisfies(version, d.range));
  if (!satisfies(version, pkg.engines.node)) console.error(`Node ${process.version} is outside the package's own engines (${pkg.engines.node}).`);
  if (misses.length === 0) console.error(`Node ${process.version} suits development (.nvmrc: ${NVMRC}).`);
  else {
    console.error(`Node ${process.version} is older than some development tools want; develop with Node ${NVMRC} (.nvmrc, \`nvm use\`):`);
    for (const d of misses) console.error(`  ${d.name}: node ${d.range}`);
  }
  if (misses.length && process.argv.includes('--strict')) process.exit(1);
}
