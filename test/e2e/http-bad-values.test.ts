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

it('a request-state secret under 32 characters: one line naming it and --help, exit 2, no stack', () => {
  const r = spawnSync(process.execPath, [CLI, '--emulator', '--http', '127.0.0.1:0'], {
    input: '',
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '', MANAGED_AGENTS_STATE_SECRET: 'too-short' },
  });
  expect(r.status).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(/^managed-agents-mcp: MANAGED_AGENTS_STATE_SECRET must be at least 32 characters/m);
  expect(r.stderr).toMatch(/--help/);
  expect(r.stderr).not.toContain('too-short');
}, 40_000);
