/**
 * A bad --http value ends the start with one line saying what is wrong, never a stack trace
 * (docs/http.md). Against the built bin.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { CLI } from './http-procs.js';

it.each([['localhost.:0'], ['no-such-host.invalid:0'], ['127.0.0.1:99999'], ['127.0.0.1:abc']])(
  '--http %s: one line, exit 2, no stack',
  (spec) => {
    const r = spawnSync(process.execPath, [CLI, '--emulator', '--http', spec], {
      input: '',
      encoding: 'utf8',
      timeout: 30_000,
      env: { PATH: process.env.PATH ?? '' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toMatch(/^managed-agents-mcp: (cannot listen on --http|--http takes|Refusing to serve HTTP)/m);
  },
  40_000,
);

it('--http-max-connections takes a whole number', () => {
  const r = spawnSync(process.execPath, [CLI, '--http', '0', '--http-max-connections', 'lots'], { input: '', encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--http-max-connections takes a whole number/);
});
