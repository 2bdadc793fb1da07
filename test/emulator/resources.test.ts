/** Every resource endpoint through the official SDK (docs/api-behaviour.md, "Wire"). */
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import { describe, expect, it } from 'vitest';
import { MODEL, REAL, liveBudget, liveTag, makeAgent, makeEnv, makeSession, reportTarget, turn, useTarget } from './target.js';

const t = useTarget();
reportTarget();

describe('agents', () => {
  it('create → retrieve → update (new version) → versions → archive', async () => {
    const c = t.client();
    const agent: BetaManagedAgentsAgent = await c.beta.agents.create({
      name: 'researcher',
      model: { id: MODEL, effort: 'medium' },
      system: 'be brief',
      metadata: { team: 'a' },
      tools: [{ type: 'agent_toolset_20260401' }],
    });
    expect(agent).toMatchObject({ type: 'agent', version: 1, archived_at: null, model: { id: MODEL, effort: { type: 'medium' } } });
    expect(agent.execution_identity).toEqual({ type: 'service_account' });
    expect(agent.tools[0]).toMatchObject({ type: 'agent_toolset_20260401', default_config: { enabled: true, permission_policy: { type: 'always_allow' } } });

    const v2 = await c.beta.agents.update(agent.id, { version: 1, system: 'be very brief', metadata: { team: null, owner: 'b' } });
    expect(v2.version).toBe(2);
    expect(v2.metadata).toEqual({ owner: 'b', ...liveTag });
    expect(v2.model.effort).toEqual({ type: 'medium' });
    expect((await c.beta.agents.retrieve(agent.id, { version: 1 })).system).toBe('be brief');
    expect((await c.beta.agents.retrieve(agent.id)).version).toBe(2);

    const versions = [];
    for await (const v of c.beta.agents.versions.list(agent.id, { limit: 1 })) versions.push(v.version);
    expect(versions.sort()).toEqual([1, 2]);

    const archived = await c.beta.agents.archive(agent.id);
    expect(archived.archived_at).not.toBeNull();
    const visible = [];
    for await (const a of c.beta.agents.list()) visible.push(a.id);
    expect(visible).not.toContain(agent.id);
    const all = [];
    for await (const a of c.beta.agents.list({ include_archived: true })) all.push(a.id);
    expect(all).toContain(agent.id);
  });

  it('validates MCP servers against toolsets', async () => {
    const err = await t
      .client()
      .beta.agents.create({ name: 'x', model: MODEL, mcp_servers: [{ type: 'url', name: 'docs', url: 'https://example.com/mcp' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain('docs');
  });
});

describe('environments', () => {
  it('create → retrieve → update → list → archive → delete; archived cannot start sessions', async () => {
    const c = t.client();
    const env = await makeEnv(c, { metadata: { a: '1', b: '2' } });
    expect(env).toMatchObject({ type: 'environment', config: { type: 'cloud', networking: { type: 'unrestricted' } } });
    expect(env.id).toMatch(/^env_/);
    expect((await c.beta.environments.retrieve(env.id)).name).toBe(env.name);
    const upd = await c.beta.environments.update(env.id, { description: 'd', metadata: { a: '', b: null, c: '3' } as never });
    expect(upd.description).toBe('d');
    expect(upd.metadata).toEqual({ c: '3', ...liveTag });
    const typeChange = await c.beta.environments.update(env.id, { config: { type: 'self_hosted' } }).catch((e) => e);
    expect(typeChange).toBeInstanceOf(Anthropic.BadRequestError);
    expect(typeChange.errorCode ?? typeChange.error?.error?.details?.error_code).toBe('invalid_config_type_change');
    const ids = [];
    for await (const e of c.beta.environments.list()) ids.push(e.id);
    expect(ids).toContain(env.id);
    await c.beta.environments.archive(env.id);
    const agent = await makeAgent(c);
    const err = await c.beta.sessions.create({ agent: agent.id, environment_id: env.id }).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.error?.error?.details?.error_code).toBe('environment_archived');
    expect(await c.beta.environments.delete(env.id)).toMatchObject({ id: env.id, type: 'environment_deleted' });
    expect(await c.beta.environments.retrieve(env.id).catch((e) => e)).toBeInstanceOf(Anthropic.NotFoundError);
  });
});

describe('sessions', () => {
  it('create with a string agent, a pinned version and overrides', async () => {
    const c = t.client();
    const agent = await makeAgent(c, { system: 'v1' });
    await c.beta.agents.update(agent.id, { system: 'v2' });
    const env = await makeEnv(c);
    const latest = await c.beta.sessions.create({ agent: agent.id, environment_id: env.id, title: 't', metadata: { k: 'v' } });
    expect(latest).toMatchObject({ type: 'session', status: 'idle', title: 't', agent: { version: 2, system: 'v2' }, vault_ids: [], budget: liveBudget });
    expect(latest.id).toMatch(/^sesn_/);
    expect(latest.usage).toBeTypeOf('object');
    const pinned = await c.beta.sessions.create({ agent: { type: 'agent', id: agent.id, version: 1 }, environment_id: env.id });
    expect(pinned.agent).toMatchObject({ version: 1, system: 'v1' });
    const over = await c.beta.sessions.create({
      agent: { type: 'agent_with_overrides', id: agent.id, system: 'override', model: 'claude-haiku-4-5' },
      environment_id: env.id,
    });
    expect(over.agent).toMatchObject({ system: 'override', model: { id: 'claude-haiku-4-5' } });
    expect((await c.beta.agents.retrieve(agent.id)).system).toBe('v2');
  });

  it('update (title, metadata, budget rules), retrieve, archive → terminated → sends are 409, delete', async () => {
    const c = t.client();
    const { session } = await makeSession(c, {}, { budget: { type: 'limit', max_list_cost: { amount: '500', currency: 'USD' } } });
    const upd = await c.beta.sessions.update(session.id, { title: 'renamed', metadata: { x: '1' } });
    expect(upd).toMatchObject({ title: 'renamed', metadata: { x: '1' } });
    const raised = await c.beta.sessions.update(session.id, { budget: { type: 'limit', max_list_cost: { amount: '900', currency: 'USD' } } });
    expect(raised.budget?.max_list_cost.amount).toBe('900');
    const notRaised = await c.beta.sessions.update(session.id, { budget: { type: 'limit', max_list_cost: { amount: '0', currency: 'USD' } } }).catch((e) => e);
    expect(notRaised).toBeInstanceOf(Anthropic.BadRequestError);
    expect(notRaised.error?.error?.details?.error_code).toBe('budget_not_raised');
    const vaults = await c.beta.sessions.update(session.id, { vault_ids: [] }).catch((e) => e);
    expect(vaults).toBeInstanceOf(Anthropic.BadRequestError);

    const { session: other } = await makeSession(c);
    // A live run caps every session it creates (liveBudget), so it never has one without a budget.
    if (!liveBudget) {
      const createOnly = await c.beta.sessions
        .update(other.id, { budget: { type: 'limit', max_list_cost: { amount: '100', currency: 'USD' } } })
        .catch((e) => e);
      expect(createOnly.error?.error?.details?.error_code).toBe('budget_create_only');
    }

    const archived = await c.beta.sessions.archive(session.id);
    expect(archived.status).toBe('terminated');
    expect(archived.archived_at).not.toBeNull();
    const send = await c.beta.sessions.events.send(session.id, { events: [{ type: 'user.message', content: [{ type: 'text', text: 'hi' }] }] }).catch((e) => e);
    expect(send).toBeInstanceOf(Anthropic.ConflictError);
    expect(send.headers.get('x-should-retry')).toBe('false');
    expect(await c.beta.sessions.delete(other.id)).toMatchObject({ id: other.id, type: 'session_deleted' });
    expect(await c.beta.sessions.retrieve(other.id).catch((e) => e)).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('list filters by agent, status and created_at', async () => {
    const c = t.client();
    const { agent, env, session } = await makeSession(c);
    const s2: BetaManagedAgentsSession = await c.beta.sessions.create({ agent: agent.id, environment_id: env.id });
    await c.beta.sessions.archive(s2.id);
    const idle = await c.beta.sessions.list({ agent_id: agent.id, statuses: ['idle'] });
    expect(idle.data.map((s) => s.id)).toEqual([session.id]);
    const withArchived = await c.beta.sessions.list({ agent_id: agent.id, include_archived: true });
    expect(withArchived.data.map((s) => s.id)).toEqual([s2.id, session.id]);
    const future = await c.beta.sessions.list({ agent_id: agent.id, 'created_at[gt]': new Date(Date.now() + 60_000).toISOString() });
    expect(future.data).toEqual([]);
    expect(future.next_page).toBeNull();
  });
});

describe('session resources and threads', () => {
  it('resources list/retrieve/add/delete and the primary thread', async () => {
    const c = t.client();
    const env = await makeEnv(c);
    const agent = await makeAgent(c);
    const store = await c.beta.memoryStores.create({ name: 'Team Notes' });
    const session = await c.beta.sessions.create({
      agent: agent.id,
      environment_id: env.id,
      resources: [
        { type: 'github_repository', url: 'https://github.com/acme/widgets', checkout: { type: 'branch', name: 'main' } },
        { type: 'memory_store', memory_store_id: store.id },
      ],
    });
    const list = await c.beta.sessions.resources.list(session.id);
    expect(list.data.map((r) => r.type)).toEqual(['github_repository', 'memory_store']);
    const gh = list.data[0]!;
    expect(gh).toMatchObject({ mount_path: '/workspace/widgets' });
    const mem = list.data[1]!;
    expect(mem).toMatchObject({ mount_path: '/mnt/memory/team-notes', access: 'read_write' });
    const id = (gh as { id: string }).id;
    expect((await c.beta.sessions.resources.retrieve(id, { session_id: session.id })).type).toBe('github_repository');
    if (!REAL) {
      const file = await c.beta.files.upload({ file: await toFile(Buffer.from('hello'), 'hello.txt') });
      const added = await c.beta.sessions.resources.add(session.id, { type: 'file', file_id: file.id });
      expect(added).toMatchObject({ type: 'file', file_id: file.id, mount_path: `/mnt/session/uploads/${file.id}` });
      expect(await c.beta.sessions.resources.delete(added.id, { session_id: session.id })).toMatchObject({ type: 'session_resource_deleted' });
    }
    const threads = await c.beta.sessions.threads.list(session.id);
    expect(threads.data).toHaveLength(1);
    const th = threads.data[0]!;
    expect(th).toMatchObject({ type: 'session_thread', session_id: session.id, parent_thread_id: null });
    expect(th.id).toMatch(/^sthr_/);
    expect((await c.beta.sessions.threads.retrieve(th.id, { session_id: session.id })).id).toBe(th.id);
  });
});

describe('vaults and credentials', () => {
  it('CRUD; secrets are write-only and never returned', async () => {
    const c = t.client();
    const vault = await c.beta.vaults.create({ display_name: 'prod', metadata: { env: 'prod' } });
    expect(vault.id).toMatch(/^vlt_/);
    const cred = await c.beta.vaults.credentials.create(vault.id, {
      display_name: 'docs',
      auth: { type: 'static_bearer', token: 'SECRET-TOKEN-123', mcp_server_url: 'https://mcp.example.com' },
    });
    const oauth = await c.beta.vaults.credentials.create(vault.id, {
      auth: {
        type: 'mcp_oauth',
        access_token: 'SECRET-ACCESS',
        mcp_server_url: 'https://mcp2.example.com',
        refresh: {
          client_id: 'cid',
          refresh_token: 'SECRET-REFRESH',
          token_endpoint: 'https://auth.example.com/token',
          token_endpoint_auth: { type: 'client_secret_post', client_secret: 'SECRET-CLIENT' },
        },
      },
    });
    const envVar = await c.beta.vaults.credentials.create(vault.id, {
      auth: { type: 'environment_variable', secret_name: 'API_TOKEN', secret_value: 'SECRET-VALUE', networking: { type: 'unrestricted' } },
    });
    const updated = await c.beta.vaults.credentials.update(cred.id, { vault_id: vault.id, auth: { type: 'static_bearer', token: 'SECRET-ROTATED' } });
    const listed = await c.beta.vaults.credentials.list(vault.id);
    const fetched = await c.beta.vaults.credentials.retrieve(oauth.id, { vault_id: vault.id });
    const everything = JSON.stringify([cred, oauth, envVar, updated, listed.data, fetched]);
    expect(everything).not.toMatch(/SECRET-/);
    expect(fetched.auth).toMatchObject({ type: 'mcp_oauth', refresh: { client_id: 'cid', token_endpoint_auth: { type: 'client_secret_post' } } });
    expect(listed.data).toHaveLength(3);
    await c.beta.vaults.credentials.archive(envVar.id, { vault_id: vault.id });
    expect((await c.beta.vaults.credentials.list(vault.id)).data).toHaveLength(2);
    expect(await c.beta.vaults.credentials.delete(envVar.id, { vault_id: vault.id })).toMatchObject({ type: 'vault_credential_deleted' });
    expect((await c.beta.vaults.update(vault.id, { display_name: 'production' })).display_name).toBe('production');
    expect((await c.beta.vaults.retrieve(vault.id)).metadata).toEqual({ env: 'prod', ...liveTag });
    expect((await c.beta.vaults.list()).data.map((v) => v.id)).toContain(vault.id);
    expect((await c.beta.vaults.archive(vault.id)).archived_at).not.toBeNull();
    expect(await c.beta.vaults.delete(vault.id)).toMatchObject({ id: vault.id, type: 'vault_deleted' });
  });
});

describe('memory stores and memories', () => {
  it('stores CRUD, memories with views, conflicts and preconditions', async () => {
    const c = t.client();
    const store = await c.beta.memoryStores.create({ name: 'notes', description: 'team notes' });
    expect(store.id).toMatch(/^memstore_/);
    const m = await c.beta.memoryStores.memories.create(store.id, { path: '/projects/a.md', content: 'hello' });
    expect(m).toMatchObject({ type: 'memory', path: '/projects/a.md', content_size_bytes: 5, content: null });
    expect(m.content_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await c.beta.memoryStores.memories.retrieve(m.id, { memory_store_id: store.id })).content).toBe('hello');
    const conflict = await c.beta.memoryStores.memories.create(store.id, { path: '/projects', content: 'x' }).catch((e) => e);
    expect(conflict).toBeInstanceOf(Anthropic.ConflictError);
    expect(conflict.error?.error?.type).toBe('memory_path_conflict_error');
    const stale = await c.beta.memoryStores.memories
      .update(m.id, { memory_store_id: store.id, content: 'x', precondition: { type: 'content_sha256', content_sha256: '0'.repeat(64) } })
      .catch((e) => e);
    expect(stale).toBeInstanceOf(Anthropic.ConflictError);
    const upd = await c.beta.memoryStores.memories.update(m.id, {
      memory_store_id: store.id,
      content: 'hello world',
      precondition: { type: 'content_sha256', content_sha256: m.content_sha256 },
    });
    expect(upd.memory_version_id).not.toBe(m.memory_version_id);
    await c.beta.memoryStores.memories.create(store.id, { path: '/top.md', content: '' });
    const shallow = await c.beta.memoryStores.memories.list(store.id, { depth: 1 });
    expect(shallow.data.map((i) => `${i.type}:${i.path}`)).toEqual(['memory_prefix:/projects/', 'memory:/top.md']);
    const full = await c.beta.memoryStores.memories.list(store.id, { view: 'full', path_prefix: '/projects/' });
    expect(full.data).toHaveLength(1);
    expect((full.data[0] as { content?: string | null }).content).toBe('hello world');
    expect(await c.beta.memoryStores.memories.delete(m.id, { memory_store_id: store.id })).toMatchObject({ type: 'memory_deleted' });
    expect((await c.beta.memoryStores.update(store.id, { description: '' })).description).toBe('');
    expect((await c.beta.memoryStores.list()).data.map((s) => s.id)).toContain(store.id);
    expect((await c.beta.memoryStores.archive(store.id)).archived_at).not.toBeNull();
    expect(await c.beta.memoryStores.delete(store.id)).toMatchObject({ type: 'memory_store_deleted' });
  });
});

describe.skipIf(REAL)('files (emulator only: uploads and /file outputs)', () => {
  it('upload, list, list by ids, retrieveMetadata, session outputs by scope_id, delete', async () => {
    const c = t.client();
    const up = await c.beta.files.upload({ file: await toFile(Buffer.from('a,b\n1,2\n'), 'data.csv', { type: 'text/csv' }) });
    expect(up).toMatchObject({ type: 'file', filename: 'data.csv', size_bytes: 8, mime_type: 'text/csv' });
    expect((await c.beta.files.retrieveMetadata(up.id)).filename).toBe('data.csv');
    expect((await c.beta.files.list({ ids: [up.id] })).data.map((f) => f.id)).toEqual([up.id]);
    const { session } = await makeSession(c);
    await turn(c, session.id, '/file report.md # Report\n/reply done');
    // Session outputs need both betas, as the documentation's examples send them.
    await expect(c.beta.files.list({ scope_id: session.id })).rejects.toMatchObject({ status: 400, error: { error: { type: 'invalid_request_error' } } });
    const outputs = await c.beta.files.list({ scope_id: session.id, betas: ['files-api-2025-04-14', 'managed-agents-2026-04-01'] });
    expect(outputs.data).toHaveLength(1);
    expect(outputs.data[0]).toMatchObject({ filename: 'report.md', scope: { type: 'session', id: session.id }, size_bytes: 8 });
    expect((await c.beta.files.retrieveMetadata(outputs.data[0]!.id)).scope?.id).toBe(session.id);
    // download: the raw Response (the SDK's __binaryResponse), body = the file's bytes.
    const res = await c.beta.files.download(outputs.data[0]!.id);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('# Report');
    expect(await c.beta.files.delete(up.id)).toMatchObject({ id: up.id });
    await expect(c.beta.files.retrieveMetadata(up.id)).rejects.toBeInstanceOf(Anthropic.NotFoundError);
  });
});
