/**
 * The vaults, memory and files toolsets through the MCP protocol, against the emulator: happy
 * paths, secrets that never come back, the memory precondition, session output files, bad input.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARIES } from '../canaries.js';
import { agentAndSession, errText, harness, ok, type Harness } from '../helpers.js';
import { MAX_CONTENT_CHARS } from '../../src/tools/memory.js';

const BEARER = CANARIES[3]!;
const ENV_SECRET = CANARIES[4]!;

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'vaults', 'memory', 'files'] });
});
afterAll(async () => {
  await h?.close();
});

const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const requestsSince = async (since: number) => (await h.admin('GET', `/_emulator/requests?since=${since}`)).data as any[];
const nextIndex = async () => (await h.admin('GET', '/_emulator/requests')).next_index as number;

describe('vaults', () => {
  it('creates a vault, adds credentials of each type, lists them; no secret ever comes back', async () => {
    const results: any[] = [];
    const call = async (name: string, args: Record<string, unknown>) => {
      const r = await h.call(name, args);
      results.push(r);
      return r;
    };
    const v = ok(await call('create_vault', { display_name: 'ci vault', metadata: { team: 'infra' } }));
    expect(v.vault_id).toMatch(/^vlt_/);
    expect(v.display_name).toBe('ci vault');
    expect(v.hint).toMatch(/create_credential/);

    const since = await nextIndex();
    const bearer = ok(
      await call('create_credential', {
        vault_id: v.vault_id,
        display_name: 'docs mcp',
        auth: { type: 'static_bearer', token: BEARER, mcp_server_url: 'https://mcp.example.com/sse' },
      }),
    );
    expect(bearer).toMatchObject({ vault_id: v.vault_id, type: 'static_bearer', display_name: 'docs mcp', mcp_server_url: 'https://mcp.example.com/sse' });
    expect(bearer.credential_id).toMatch(/^vcrd_/);
    expect(bearer.hint).toContain(v.vault_id);

    // A secret's name is not a secret: it must come back as given (not redacted).
    const env = ok(
      await call('create_credential', {
        vault_id: v.vault_id,
        auth: {
          type: 'environment_variable',
          secret_name: 'GITHUB_TOKEN_FOR_CI',
          secret_value: ENV_SECRET,
          networking: { type: 'limited', allowed_hosts: ['api.github.com'] },
        },
      }),
    );
    expect(env).toMatchObject({ type: 'environment_variable', secret_name: 'GITHUB_TOKEN_FOR_CI', networking: 'limited (hosts api.github.com)' });

    const oauth = ok(
      await call('create_credential', {
        vault_id: v.vault_id,
        auth: { type: 'mcp_oauth', access_token: `${BEARER}-oauth`, mcp_server_url: 'https://mcp.example.org/' },
      }),
    );
    expect(oauth).toMatchObject({ type: 'mcp_oauth', refresh: false });

    // The secrets really reached the API: every create was accepted.
    const creates = (await requestsSince(since)).filter((e) => e.method === 'POST' && e.path === `/v1/vaults/${v.vault_id}/credentials`);
    expect(creates.map((e) => e.status)).toEqual([200, 200, 200]);

    const list = ok(await call('list_credentials', { vault_id: v.vault_id }));
    expect(list.credentials.map((c: any) => c.type).sort()).toEqual(['environment_variable', 'mcp_oauth', 'static_bearer']);
    expect(list.credentials.find((c: any) => c.type === 'environment_variable').secret_name).toBe('GITHUB_TOKEN_FOR_CI');
    const vaults = ok(await call('list_vaults', {}));
    expect(vaults.vaults).toContainEqual({ vault_id: v.vault_id, display_name: 'ci vault' });

    // An API error next to the secret (no such vault) does not echo it either.
    const missing = await call('create_credential', {
      vault_id: 'vlt_doesnotexist0000',
      auth: { type: 'static_bearer', token: BEARER, mcp_server_url: 'https://mcp.example.com/sse' },
    });
    expect(errText(missing)).toMatch(/404[\s\S]*list_vaults/);

    for (const r of results) {
      const json = JSON.stringify(r);
      expect(json).not.toContain(BEARER);
      expect(json).not.toContain(ENV_SECRET);
      // Not even redacted: the results never carried the secret in the first place.
      expect(json).not.toContain('[REDACTED]');
    }
  });

  it('archive_vault hides the vault from list_vaults', async () => {
    const v = ok(await h.call('create_vault', { display_name: 'short-lived' }));
    const a = ok(await h.call('archive_vault', { vault_id: v.vault_id }));
    expect(a.vault_id).toBe(v.vault_id);
    expect(a.archived_at).toMatch(/^\d{4}-/);
    const ids = (r: any) => r.vaults.map((x: any) => x.vault_id);
    expect(ids(ok(await h.call('list_vaults', { limit: 100 })))).not.toContain(v.vault_id);
    const all = ok(await h.call('list_vaults', { limit: 100, include_archived: true }));
    expect(all.vaults).toContainEqual({ vault_id: v.vault_id, display_name: 'short-lived', archived: true });
  });

  it('rejects malformed auth before any request, naming the field, without echoing the secret', async () => {
    const v = ok(await h.call('create_vault', { display_name: 'strict' }));
    const since = await nextIndex();
    const cases: [unknown, RegExp][] = [
      [{ type: 'static_bearer', token: BEARER }, /auth\.mcp_server_url/],
      [{ type: 'static_bearer', token: BEARER, mcp_server_url: 'ftp://x.example.com' }, /auth\.mcp_server_url/],
      [{ type: 'basic_auth', token: BEARER }, /auth\.type/],
      [{ type: 'environment_variable', secret_name: 'X', secret_value: ENV_SECRET, extra: 1 }, /auth.*extra/],
      [{ type: 'environment_variable', secret_name: 'not a name', secret_value: ENV_SECRET }, /auth\.secret_name/],
      [{ type: 'mcp_oauth', access_token: BEARER, mcp_server_url: 'https://m.example.com', expires_at: 'tomorrow' }, /auth\.expires_at/],
    ];
    for (const [auth, field] of cases) {
      const t = errText(await h.call('create_credential', { vault_id: v.vault_id, auth }));
      expect(t).toMatch(/Invalid arguments for tool create_credential/);
      expect(t).toMatch(field);
      expect(t).not.toContain(BEARER);
      expect(t).not.toContain(ENV_SECRET);
    }
    expect((await requestsSince(since)).filter((e) => e.path.includes('/credentials'))).toEqual([]);
    expect(errText(await h.call('list_credentials', { vault_id: '../vaults' }))).toMatch(/vault_id must be an id/);
    expect(errText(await h.call('create_vault', {}))).toMatch(/Invalid arguments for tool create_vault/);
  });
});

describe('memory', () => {
  it('creates a store, writes, lists, reads, updates and deletes memories', async () => {
    const s = ok(await h.call('create_memory_store', { name: 'notes', description: 'project notes' }));
    expect(s.memory_store_id).toMatch(/^memstore_/);
    expect(s.hint).toContain(`"memory_store_id":"${s.memory_store_id}"`);
    expect(ok(await h.call('list_memory_stores', {})).memory_stores).toContainEqual({
      memory_store_id: s.memory_store_id,
      name: 'notes',
      description: 'project notes',
    });

    const store = s.memory_store_id;
    const a = ok(await h.call('write_memory', { memory_store_id: store, path: '/notes/todo.md', content: '- ship it' }));
    expect(a).toEqual({ memory_id: expect.stringMatching(/^mem_/), path: '/notes/todo.md', size_bytes: 9, content_sha256: sha('- ship it') });
    ok(await h.call('write_memory', { memory_store_id: store, path: '/notes/deep/plan.md', content: 'plan' }));
    ok(await h.call('write_memory', { memory_store_id: store, path: '/readme.md', content: 'hi' }));

    const all = ok(await h.call('list_memories', { memory_store_id: store }));
    expect(all.memories).toHaveLength(3);
    expect(all.memories).toContain(`${a.memory_id} /notes/todo.md 9 B sha256 ${sha('- ship it').slice(0, 12)}`);
    const top = ok(await h.call('list_memories', { memory_store_id: store, path_prefix: '/notes/', depth: 1 }));
    expect(top.memories).toEqual([expect.stringMatching(/^\/notes\/deep\/ \(more below/), expect.stringMatching(/ \/notes\/todo\.md 9 B /)]);
    const paged = ok(await h.call('list_memories', { memory_store_id: store, limit: 2 }));
    expect(paged.memories).toHaveLength(2);
    expect(paged.next_page).toBeTruthy();
    expect(ok(await h.call('list_memories', { memory_store_id: store, limit: 2, page: paged.next_page })).memories).toHaveLength(1);

    const got = ok(await h.call('get_memory', { memory_store_id: store, memory_id: a.memory_id }));
    expect(got).toEqual({ memory_id: a.memory_id, path: '/notes/todo.md', size_bytes: 9, content_sha256: sha('- ship it'), content: '- ship it' });

    const upd = ok(
      await h.call('write_memory', {
        memory_store_id: store,
        memory_id: a.memory_id,
        path: '/notes/done.md',
        content: '- shipped',
        expected_sha256: got.content_sha256,
      }),
    );
    expect(upd).toMatchObject({ memory_id: a.memory_id, path: '/notes/done.md', content_sha256: sha('- shipped') });
    expect(ok(await h.call('get_memory', { memory_store_id: store, memory_id: a.memory_id })).content).toBe('- shipped');

    expect(ok(await h.call('delete_memory', { memory_store_id: store, memory_id: a.memory_id }))).toEqual({ memory_id: a.memory_id, deleted: true });
    expect(errText(await h.call('get_memory', { memory_store_id: store, memory_id: a.memory_id }))).toMatch(/404[\s\S]*list_memory_stores/);
  });

  it('clips long content with an explicit marker', async () => {
    const store = ok(await h.call('create_memory_store', { name: 'big' })).memory_store_id;
    const long = 'x'.repeat(30_000);
    const m = ok(await h.call('write_memory', { memory_store_id: store, path: '/big.txt', content: long }));
    const got = ok(await h.call('get_memory', { memory_store_id: store, memory_id: m.memory_id }));
    expect(got.size_bytes).toBe(30_000);
    expect(got.clipped).toBe(true);
    expect(got.content.startsWith('x'.repeat(MAX_CONTENT_CHARS))).toBe(true);
    expect(got.content).toContain(`[… clipped: ${(30_000 - MAX_CONTENT_CHARS).toLocaleString('en')} more characters not shown]`);
    expect(got.content.endsWith('not shown]')).toBe(true);
    expect(got.truncated).toBeUndefined();
  });

  it('a stale expected_sha256 is a 409 with a hint to re-read; the memory is unchanged', async () => {
    const store = ok(await h.call('create_memory_store', { name: 'race' })).memory_store_id;
    const m = ok(await h.call('write_memory', { memory_store_id: store, path: '/state.json', content: '{"v":1}' }));
    // Someone else writes in between.
    ok(await h.call('write_memory', { memory_store_id: store, memory_id: m.memory_id, path: '/state.json', content: '{"v":2}' }));
    const r = await h.call('write_memory', {
      memory_store_id: store,
      memory_id: m.memory_id,
      path: '/state.json',
      content: '{"v":"mine"}',
      expected_sha256: m.content_sha256,
    });
    const t = errText(r);
    expect(t).toMatch(/^write_memory failed: HTTP 409 memory_precondition_failed_error/);
    expect(t).toMatch(/Retry helps: no/);
    expect(t).toMatch(/Next: .*get_memory.*content_sha256.*expected_sha256/);
    expect(ok(await h.call('get_memory', { memory_store_id: store, memory_id: m.memory_id })).content).toBe('{"v":2}');
  });

  it('a path already in use is a 409 that points at updating by memory_id', async () => {
    const store = ok(await h.call('create_memory_store', { name: 'paths' })).memory_store_id;
    ok(await h.call('write_memory', { memory_store_id: store, path: '/a/b.md', content: '1' }));
    const t = errText(await h.call('write_memory', { memory_store_id: store, path: '/a/b.md', content: '2' }));
    expect(t).toMatch(/HTTP 409 memory_path_conflict_error/);
    expect(t).toMatch(/Next: .*list_memories.*memory_id/);
  });

  it('rejects bad input before any request', async () => {
    const store = ok(await h.call('create_memory_store', { name: 'strict' })).memory_store_id;
    const since = await nextIndex();
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['write_memory', { memory_store_id: store, path: 'no-slash.md', content: 'x' }, /path must look like/],
      ['write_memory', { memory_store_id: store, path: '/dir/', content: 'x' }, /path must look like/],
      ['write_memory', { memory_store_id: store, path: '/a.md', content: 'x', expected_sha256: 'abc' }, /expected_sha256/],
      ['write_memory', { memory_store_id: store, path: '/a.md', content: 'é'.repeat(60_000) }, /102,400 bytes/],
      ['write_memory', { memory_store_id: store, path: '/a.md' }, /content/],
      ['list_memories', { memory_store_id: store, path_prefix: '/notes' }, /path_prefix must start and end with \//],
      ['list_memories', { memory_store_id: store, depth: -1 }, /depth/],
      ['get_memory', { memory_store_id: store, memory_id: 'mem_1/../../x' }, /memory_id must be an id/],
      ['create_memory_store', { name: '' }, /name/],
    ];
    for (const [tool, args, msg] of bad) {
      const t = errText(await h.call(tool, args));
      expect(t, tool).toMatch(new RegExp(`Invalid arguments for tool ${tool}`));
      expect(t, tool).toMatch(msg);
    }
    // Schema-valid, but a precondition without an update makes no sense.
    const t = errText(await h.call('write_memory', { memory_store_id: store, path: '/a.md', content: 'x', expected_sha256: sha('x') }));
    expect(t).toMatch(/expected_sha256 applies to an update only[\s\S]*memory_id/);
    expect(await requestsSince(since)).toEqual([]);
  });
});

describe('files', () => {
  it("lists a session's output files and reads a text one", async () => {
    const { session_id } = await agentAndSession(h);
    const big = 'y'.repeat(25_000);
    ok(
      await h.call('send_message', {
        session_id,
        text: `/file report.md # Findings: all green\n/file chart.png PNGDATA\n/file big.txt ${big}\n/reply done`,
      }),
    );
    const other = await agentAndSession(h);
    ok(await h.call('send_message', { session_id: other.session_id, text: '/file other.txt not mine\n/reply ok' }));

    const listed = ok(await h.call('list_files', { scope_id: session_id }));
    expect(listed.files.map((f: any) => f.filename).sort()).toEqual(['big.txt', 'chart.png', 'report.md']);
    const report = listed.files.find((f: any) => f.filename === 'report.md');
    expect(report).toEqual({
      file_id: expect.stringMatching(/^file_/),
      filename: 'report.md',
      mime_type: 'text/markdown',
      size_bytes: Buffer.byteLength('# Findings: all green'),
      created_at: expect.stringMatching(/^\d{4}-/),
    });
    expect(ok(await h.call('list_files', {})).files.length).toBeGreaterThanOrEqual(4);
    const page = ok(await h.call('list_files', { scope_id: session_id, limit: 2 }));
    expect(page.files).toHaveLength(2);
    expect(ok(await h.call('list_files', { scope_id: session_id, limit: 2, page: page.next_page })).files).toHaveLength(1);

    const got = ok(await h.call('get_file', { file_id: report.file_id }));
    expect(got).toMatchObject({ ...report, session_id, content: '# Findings: all green' });
    expect(got.note).toBeUndefined();

    const since = await nextIndex();
    const png = ok(await h.call('get_file', { file_id: listed.files.find((f: any) => f.filename === 'chart.png').file_id }));
    expect(png.content).toBeUndefined();
    expect(png.note).toMatch(/^Binary \(image\/png, 7 bytes\)/);
    const large = ok(await h.call('get_file', { file_id: listed.files.find((f: any) => f.filename === 'big.txt').file_id }));
    expect(large.content).toBeUndefined();
    expect(large.note).toMatch(/25,000 bytes: over the 20,000-byte inline limit/);
    // Neither was downloaded.
    expect((await requestsSince(since)).filter((e) => e.path.endsWith('/content'))).toEqual([]);
  });

  it('bad ids are rejected before any request; unknown ones point at list_files', async () => {
    const since = await nextIndex();
    expect(errText(await h.call('get_file', { file_id: 'file_1?x=1' }))).toMatch(/Invalid arguments for tool get_file[\s\S]*file_id must be an id/);
    expect(errText(await h.call('list_files', { scope_id: '../sessions' }))).toMatch(/scope_id must be an id/);
    expect(errText(await h.call('list_files', { limit: 0 }))).toMatch(/Invalid arguments for tool list_files/);
    expect(await requestsSince(since)).toEqual([]);
    expect(errText(await h.call('get_file', { file_id: 'file_doesnotexist0000' }))).toMatch(/404[\s\S]*list_files shows valid ids/);
  });
});
