/**
 * --dynamic-toolsets through the protocol (docs/toolsets.md): the server lists its selection plus
 * list_toolsets and enable_toolset; enabling a toolset announces its tools with
 * notifications/tools/list_changed, after which the client lists and calls them. Enabling is
 * idempotent, and --read-only and --exclude-tools still decide what a toolset adds.
 */
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { TOOLSETS, type Config } from '../../src/config.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { harness, ok, type Harness } from '../helpers.js';

const open: Harness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

/** A dynamic-mode server whose client counts tools/list_changed notifications. */
async function dynamic(overrides: Partial<Config> = {}) {
  const changed: number[] = [];
  let wake: (() => void) | undefined;
  const h = await harness(
    { dynamicToolsets: true, ...overrides },
    {},
    {
      setup: (client) =>
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
          changed.push(Date.now());
          wake?.();
        }),
    },
  );
  open.push(h);
  const names = async () => (await h.client.listTools()).tools.map((t) => t.name);
  /** Resolves once `n` notifications have arrived in all (fails the test after 5 s). */
  const notified = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${changed.length} of ${n} tools/list_changed notifications`)), 5000);
      wake = () => changed.length >= n && (clearTimeout(t), resolve());
      wake();
    });
  return { h, names, changed, notified };
}

const toolsOf = (toolset: string, keep: (t: (typeof ALL_TOOLS)[number]) => boolean = () => true) =>
  ALL_TOOLS.filter((t) => t.toolset === toolset && keep(t)).map((t) => t.name);
const coreNames = toolsOf('core');

describe('--dynamic-toolsets', () => {
  it('starts with the core tools and the discovery pair, and declares tools.listChanged', async () => {
    const { h, names } = await dynamic();
    expect(await names()).toEqual([...coreNames, 'list_toolsets', 'enable_toolset']);
    expect(h.client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    // The model is told where the other tools are.
    expect(h.client.getInstructions()).toMatch(/\nOnly some tools are listed: list_toolsets shows the rest .*enable_toolset adds them\.$/);
    const { tools } = await h.client.listTools();
    for (const n of ['list_toolsets', 'enable_toolset']) expect(tools.find((t) => t.name === n)?.annotations).toEqual({ readOnlyHint: true });
    // enable_toolset offers every toolset by name.
    expect((tools.find((t) => t.name === 'enable_toolset')!.inputSchema.properties as any).toolset.enum).toEqual([...TOOLSETS]);
  });

  it('list_toolsets gives each toolset on one line: on or off, its tools and their model-visible tokens', async () => {
    const { h } = await dynamic();
    const r = await h.call('list_toolsets', {});
    const { toolsets } = ok(r);
    expect(toolsets.map((s: any) => s.name)).toEqual([...TOOLSETS]);
    for (const s of toolsets) {
      expect(s.tools).toEqual(toolsOf(s.name));
      expect(s.enabled).toBe(s.name === 'core');
      expect(s.tokens).toBeGreaterThan(0);
    }
    const text: string = r.content[0].text;
    expect(text.split('\n')).toHaveLength(TOOLSETS.length);
    expect(text).toMatch(/^core \(on, ~\d+ tokens\): create_agent, /);
    // The core's figure is what its tools cost in tools/list (names, descriptions, input schemas).
    const listed = (await h.client.listTools()).tools.filter((t) => coreNames.includes(t.name));
    const model = Math.ceil(JSON.stringify(listed.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema }))).length / 4);
    expect(toolsets[0].tokens).toBe(model);
  });

  it('enable_toolset announces the new tools with tools/list_changed; they are then listed and callable; again changes nothing', async () => {
    const { h, names, changed, notified } = await dynamic();
    // Not listed, not callable before.
    expect(await names()).not.toContain('list_vaults');
    // An unknown tool is a JSON-RPC error (-32602), as MCP says; the v1 SDK made it an isError result.
    await expect(h.call('list_vaults', {})).rejects.toThrow(/-32602.*list_vaults not found/);

    const res = await h.call('enable_toolset', { toolset: 'vaults' });
    const r = ok(res);
    expect(r).toEqual({
      added: toolsOf('vaults'),
      calls: expect.any(Array),
      hint: expect.stringMatching(/^Callable now/),
      enabled: true,
      tokens: expect.any(Number),
    });
    // Enough to call each added tool before the client shows it (Claude Code lists it one request
    // late): one line per tool with its arguments, required ones bare, object shapes spelled out.
    expect(r.calls).toHaveLength(r.added.length);
    r.calls.forEach((c: string, i: number) => expect(c.startsWith(`${r.added[i]}(`)).toBe(true));
    expect(r.calls).toContain('archive_vault(vault_id) — ' + ALL_TOOLS.find((t) => t.name === 'archive_vault')!.description);
    expect(r.calls.find((c: string) => c.startsWith('create_credential('))).toMatch(
      /^create_credential\(vault_id, display_name\?, auth: object \(\{type:"static_bearer"/,
    );
    expect(r.calls.find((c: string) => c.startsWith('list_vaults('))).toMatch(/^list_vaults\(limit\?: number, page\?, include_archived\?: bool\) — /);
    // The text half carries the same lines.
    for (const c of r.calls) expect(res.content[0].text).toContain(c);
    console.log(`enable_toolset vaults: result ${Math.ceil(JSON.stringify(r).length / 4)} tokens for ${r.added.length} tools`);
    await notified(1);
    // Several tools registered at once: one notification.
    await new Promise((res) => setTimeout(res, 50));
    expect(changed).toHaveLength(1);
    expect(await names()).toEqual([...coreNames, ...toolsOf('vaults'), 'list_toolsets', 'enable_toolset']);
    expect(ok(await h.call('create_vault', { display_name: 'dyn' })).vault_id).toMatch(/^vlt_/);
    expect(ok(await h.call('list_vaults', {})).vaults.map((v: any) => v.display_name)).toContain('dyn');

    // Idempotent: nothing added, no notification, the same list.
    const again = await h.call('enable_toolset', { toolset: 'vaults' });
    expect(ok(again)).toMatchObject({ enabled: true, added: [], note: `vaults was already on: ${toolsOf('vaults').join(', ')}.` });
    await new Promise((res) => setTimeout(res, 50));
    expect(changed).toHaveLength(1);
    const core = ok(await h.call('enable_toolset', { toolset: 'core' }));
    expect(core.added).toEqual([]);
    expect(
      ok(await h.call('list_toolsets', {}))
        .toolsets.filter((s: any) => s.enabled)
        .map((s: any) => s.name),
    ).toEqual(['core', 'vaults']);

    // A second toolset keeps the registry's order in tools/list.
    ok(await h.call('enable_toolset', { toolset: 'agents' }));
    await notified(2);
    expect(await names()).toEqual([...coreNames, ...toolsOf('agents'), ...toolsOf('vaults'), 'list_toolsets', 'enable_toolset']);
  });

  it('--read-only and --exclude-tools still decide what a toolset adds', async () => {
    const { h, names } = await dynamic({ readOnly: true, excludeTools: ['list_credentials'] });
    const reads = (t: (typeof ALL_TOOLS)[number]) => t.kind === 'read' && t.name !== 'list_credentials';
    expect(await names()).toEqual([...toolsOf('core', reads), 'list_toolsets', 'enable_toolset']);
    const r = ok(await h.call('enable_toolset', { toolset: 'vaults' }));
    expect(r.added).toEqual(toolsOf('vaults', reads));
    expect(r.added).not.toContain('create_vault');
    expect(await names()).not.toContain('list_credentials');
    // A toolset with no tool left adds nothing, and says why.
    const none = TOOLSETS.find((s) => toolsOf(s).length > 0 && toolsOf(s, reads).length === 0);
    if (none) {
      const n = ok(await h.call('enable_toolset', { toolset: none }));
      expect(n).toEqual({
        enabled: false,
        added: [],
        tokens: expect.any(Number),
        note: `Nothing to add: --read-only or --exclude-tools removes every tool of ${none}.`,
      });
    }
  });

  it('starts from --tools and --toolsets when given, and enables the rest of a toolset one of whose tools is listed', async () => {
    const { h, names } = await dynamic({ toolsets: [], tools: ['get_session', 'list_vaults'] });
    expect(await names()).toEqual(['get_session', 'list_vaults', 'list_toolsets', 'enable_toolset']);
    const states = ok(await h.call('list_toolsets', {})).toolsets;
    expect(states.find((s: any) => s.name === 'core').enabled).toBe(false);
    const r = ok(await h.call('enable_toolset', { toolset: 'vaults' }));
    expect(r.added).toEqual(toolsOf('vaults').filter((n) => n !== 'list_vaults'));
  });

  it('without the flag, the discovery pair is neither listed nor callable', async () => {
    const h = await harness();
    open.push(h);
    const listed = (await h.client.listTools()).tools.map((t) => t.name);
    expect(listed).not.toContain('list_toolsets');
    expect(h.client.getInstructions()).not.toMatch(/list_toolsets/);
    // An unknown tool is a JSON-RPC error (-32602), as MCP says; the v1 SDK made it an isError result.
    await expect(h.call('enable_toolset', { toolset: 'vaults' })).rejects.toThrow(/-32602.*enable_toolset not found/);
  });
});
