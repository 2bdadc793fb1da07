/**
 * The skills toolset through the MCP protocol, against the emulator: create a skill from content,
 * list it, read it with its versions, add a version, attach it to an agent with create_agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errText, harness, ok, type Harness } from '../helpers.js';
import { requests } from '../reliability/util.js';

let h: Harness;
beforeAll(async () => {
  h = await harness({ toolsets: ['core', 'agents', 'skills'] });
});
afterAll(async () => {
  await h?.close();
});

const SKILL_MD = '---\nname: release-notes\ndescription: Writes release notes from a list of merged changes.\n---\n\n# Release notes\n\n1. Group by area.\n';

describe('skills', () => {
  it('create from content → list → get with versions → new version → attach with create_agent → get_agent shows it', async () => {
    const before = (await requests(h)).next;
    const created = ok(await h.call('create_skill', { skill_md: SKILL_MD, files: [{ path: 'reference/style.md', content: '# Style\nShort lines.\n' }] }));
    expect(created.skill_id).toMatch(/^skill_/);
    expect(created.version_id).toMatch(/^skillver_/);
    expect(created.name).toBe('release-notes');
    expect(created.hint).toContain(`"skill_id":"${created.skill_id}"`);
    // One multipart upload reached the API.
    const uploads = (await requests(h, before)).data.filter((r: any) => r.method === 'POST' && r.path === '/v1/skills');
    expect(uploads.map((r: any) => r.status)).toEqual([200]);

    const custom = ok(await h.call('list_skills', { source: 'custom' }));
    expect(custom.skills).toContainEqual(
      expect.objectContaining({ skill_id: created.skill_id, display_name: 'release-notes', source: 'custom', latest_version_id: created.version_id }),
    );
    const prebuilt = ok(await h.call('list_skills', { source: 'anthropic' }));
    expect(prebuilt.skills.map((s: any) => s.skill_id)).toContain('xlsx');

    const v2 = ok(await h.call('create_skill', { skill_id: created.skill_id, skill_md: SKILL_MD.replace('merged changes', 'merged pull requests') }));
    expect(v2.skill_id).toBe(created.skill_id);
    expect(v2.version_id).not.toBe(created.version_id);

    const got = ok(await h.call('get_skill', { skill_id: created.skill_id }));
    expect(got).toMatchObject({ skill_id: created.skill_id, source: 'custom', latest_version_id: v2.version_id });
    expect(got.versions.map((v: any) => v.version_id)).toEqual([v2.version_id, created.version_id]);
    expect(got.versions[0].description).toContain('merged pull requests');
    expect(got.versions[1].description).toContain('merged changes');
    const paged = ok(await h.call('get_skill', { skill_id: created.skill_id, limit: 1 }));
    expect(paged.versions).toHaveLength(1);
    const rest = ok(await h.call('get_skill', { skill_id: created.skill_id, limit: 1, page: paged.next_page }));
    expect(rest.versions.map((v: any) => v.version_id)).toEqual([created.version_id]);
    expect(rest.next_page).toBeUndefined();

    const agent = ok(
      await h.call('create_agent', {
        name: 'notes-writer',
        model: 'claude-sonnet-4-6',
        skills: [
          { type: 'custom', skill_id: created.skill_id, version: created.version_id },
          { type: 'anthropic', skill_id: 'xlsx' },
        ],
      }),
    );
    const shown = ok(await h.call('get_agent', { agent_id: agent.agent_id }));
    expect(shown.skills).toEqual([
      { type: 'custom', skill_id: created.skill_id, version: created.version_id },
      { type: 'anthropic', skill_id: 'xlsx', version: 'latest' },
    ]);
  });

  it('refuses a SKILL.md without frontmatter and paths that leave the skill folder, before any request', async () => {
    const before = (await requests(h)).next;
    expect(errText(await h.call('create_skill', { skill_md: '# no frontmatter' }))).toMatch(/frontmatter/);
    expect(errText(await h.call('create_skill', { skill_md: SKILL_MD, files: [{ path: '../escape.md', content: 'x' }] }))).toMatch(/relative/);
    expect(errText(await h.call('create_skill', { skill_md: SKILL_MD, files: [{ path: '/abs.md', content: 'x' }] }))).toMatch(/relative/);
    expect(errText(await h.call('create_skill', { skill_md: SKILL_MD, files: [{ path: 'SKILL.md', content: 'x' }] }))).toMatch(/SKILL\.md/);
    expect((await requests(h, before)).data).toEqual([]);
  });

  it('an API refusal names the problem and what to do: a renamed skill, an unknown skill, a missing description', async () => {
    const first = ok(await h.call('create_skill', { skill_md: SKILL_MD.replace('release-notes', 'changelog') }));
    const renamed = errText(await h.call('create_skill', { skill_id: first.skill_id, skill_md: SKILL_MD }));
    expect(renamed).toMatch(/HTTP 400/);
    expect(renamed).toContain('changelog');
    const missing = errText(await h.call('get_skill', { skill_id: 'skill_doesnotexist' }));
    expect(missing).toMatch(/HTTP 404/);
    expect(missing).toContain('list_skills');
    const noDescription = errText(await h.call('create_skill', { skill_md: '---\nname: bare\n---\n' }));
    expect(noDescription).toMatch(/HTTP 400.*description/s);
    const unknown = errText(
      await h.call('create_agent', { name: 'x', model: 'claude-sonnet-4-6', skills: [{ type: 'custom', skill_id: 'skill_doesnotexist' }] }),
    );
    expect(unknown).toMatch(/HTTP 400.*skill_doesnotexist/s);
  });
});
