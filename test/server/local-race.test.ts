/**
 * A parent directory swapped for a symlink between the check and the open (docs/local-files.md):
 * another process flips `sub` between a real directory and a link to a directory outside the
 * root while upload_file reads `sub/file.txt` again and again. What reached the API (the
 * emulator's stored file contents) must never be the outside file.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { harness, ok, TEST_KEY } from '../helpers.js';

const ROUNDS = 300;

it('upload_file never sends a file from outside the root while a parent is being swapped for a symlink', async () => {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'ma-race-')));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'sub', 'file.txt'), 'inside');
  writeFileSync(path.join(outside, 'file.txt'), 'SECRET outside the root');
  // The swapper: renames only, as fast as it can, until killed.
  const swapper = spawn(
    process.execPath,
    [
      '-e',
      `
    const fs = require('fs'); const p = require('path');
    const sub = p.join(${JSON.stringify(root)}, 'sub'), saved = sub + '.real', link = sub + '.link';
    fs.symlinkSync(${JSON.stringify(outside)}, link);
    for (;;) { fs.renameSync(sub, saved); fs.renameSync(link, sub); fs.renameSync(sub, link); fs.renameSync(saved, sub); }
  `,
    ],
    { stdio: 'ignore' },
  );
  const h = await harness({ toolsets: ['core', 'files'], filesRoot: root });
  const sent: string[] = [];
  let refused = 0;
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const r = await h.call('upload_file', { path: 'sub/file.txt' });
      if (r.isError) refused++;
      else sent.push(ok(r).file_id);
    }
    const contents = await Promise.all(
      sent.map(async (id) => {
        const res = await fetch(`${h.url}/v1/files/${id}/content`, {
          headers: { authorization: `Bearer ${TEST_KEY}`, 'anthropic-beta': 'files-api-2025-04-14', 'anthropic-version': '2023-06-01' },
        });
        return res.text();
      }),
    );
    expect(contents.filter((c) => c.includes('SECRET'))).toEqual([]);
    // The race did happen: some reads were refused or saw the swap (printed for the record).
    console.log(`local race: ${sent.length} uploads sent (all from inside), ${refused} refused, of ${ROUNDS}`);
  } finally {
    swapper.kill();
    await h.close();
  }
}, 120_000);
