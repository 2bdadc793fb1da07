/** Skills and their versions through the official SDK (docs/api-behaviour.md, "Skills"). */
import Anthropic, { toFile } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { EMU_ONLY, REAL, makeAgent, reportTarget, useTarget } from './target.js';

const t = useTarget();
reportTarget();

const BETAS = { betas: ['skills-2025-10-02'] };
const skillMd = (name: string, description: string) => `---\nname: ${name}\ndescription: ${description}\n---\n\n# ${name}\n\nSteps.\n`;
const upload = (files: Record<string, string>) => Promise.all(Object.entries(files).map(([path, text]) => toFile(Buffer.from(text), path)));
const slug = () => `contract-skill-${Date.now().toString(36)}`;

describe('skills', () => {
  it('create (multipart files[]) → retrieve → list → new version → versions list → retrieve version → delete version → delete', async () => {
    const c = t.client();
    const name = slug();
    const skill = await c.beta.skills.create({
      files: await upload({ [`${name}/SKILL.md`]: skillMd(name, 'Formats release notes.'), [`${name}/reference/style.md`]: '# Style\n' }),
      ...BETAS,
    });
    expect(skill).toMatchObject({ type: 'skill', display_name: name, source: { type: 'custom' } });
    expect(skill.id).toMatch(/^skill_/);
    expect(skill.latest_version_id).toBeTruthy();

    expect(await c.beta.skills.retrieve(skill.id, BETAS)).toEqual(skill);
    const v1 = await c.beta.skills.versions.retrieve(skill.latest_version_id, { skill_id: skill.id, ...BETAS });
    expect(v1).toMatchObject({ type: 'skill_version', skill_id: skill.id, name, description: 'Formats release notes.' });

    const custom = [];
    for await (const s of c.beta.skills.list({ source: 'custom', limit: 1, ...BETAS })) custom.push(s);
    expect(custom.map((s) => s.id)).toContain(skill.id);
    expect(custom.every((s) => s.source.type === 'custom')).toBe(true);

    const v2 = await c.beta.skills.versions.create(skill.id, {
      files: await upload({ [`${name}/SKILL.md`]: skillMd(name, 'Formats release notes, v2.') }),
      ...BETAS,
    });
    expect(v2.id).not.toBe(v1.id);
    expect(v2.description).toBe('Formats release notes, v2.');
    expect((await c.beta.skills.retrieve(skill.id, BETAS)).latest_version_id).toBe(v2.id);

    const versions = [];
    for await (const v of c.beta.skills.versions.list(skill.id, { limit: 1, ...BETAS })) versions.push(v.id);
    expect(versions).toEqual([v2.id, v1.id]); // newest first

    expect(await c.beta.skills.versions.delete(v2.id, { skill_id: skill.id, ...BETAS })).toEqual({ id: v2.id, type: 'skill_version_deleted' });
    expect((await c.beta.skills.retrieve(skill.id, BETAS)).latest_version_id).toBe(v1.id);
    expect(await c.beta.skills.delete(skill.id, BETAS)).toEqual({ id: skill.id, type: 'skill_deleted' });
    const gone = await c.beta.skills.retrieve(skill.id, BETAS).catch((e) => e);
    expect(gone).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it('display_name is kept; SKILL.md frontmatter name wins over the directory', async () => {
    const c = t.client();
    const name = slug();
    const skill = await c.beta.skills.create({
      files: await upload({ [`dir-${name}/SKILL.md`]: skillMd(name, 'd') }),
      display_name: 'Release notes',
      ...BETAS,
    });
    expect(skill.display_name).toBe('Release notes');
    const v = await c.beta.skills.versions.retrieve(skill.latest_version_id, { skill_id: skill.id, ...BETAS });
    expect(v.name).toBe(name);
    await c.beta.skills.delete(skill.id, BETAS);
  });

  it('refuses uploads without a SKILL.md at the root of one directory, without frontmatter, or renaming the skill', async () => {
    const c = t.client();
    const name = slug();
    const bad = async (files: Record<string, string>) => {
      const err = await c.beta.skills.create({ files: await upload(files), ...BETAS }).catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.BadRequestError);
      return err.message as string;
    };
    expect(await bad({ [`${name}/README.md`]: 'x' })).toContain('SKILL.md');
    expect(await bad({ [`${name}/SKILL.md`]: skillMd(name, 'd'), [`other/x.md`]: 'x' })).toContain('same top-level directory');
    expect(await bad({ [`${name}/SKILL.md`]: '# no frontmatter' })).toContain('frontmatter');
    expect(await bad({ [`${name}/SKILL.md`]: `---\nname: ${name}\n---\n` })).toContain('description');

    const skill = await c.beta.skills.create({ files: await upload({ [`${name}/SKILL.md`]: skillMd(name, 'd') }), ...BETAS });
    const renamed = await c.beta.skills.versions
      .create(skill.id, { files: await upload({ [`x/SKILL.md`]: skillMd(`${name}-x`, 'd') }), ...BETAS })
      .catch((e) => e);
    expect(renamed).toBeInstanceOf(Anthropic.BadRequestError);
    expect(renamed.message).toContain(name);
    await c.beta.skills.delete(skill.id, BETAS);
  });

  it.skipIf(REAL)(`lists Anthropic's pre-built skills read-only; a skill keeps its last version (${EMU_ONLY})`, async () => {
    const c = t.client();
    const prebuilt = [];
    for await (const s of c.beta.skills.list({ source: 'anthropic' })) prebuilt.push(s.id);
    expect(prebuilt.sort()).toEqual(['docx', 'pdf', 'pptx', 'xlsx']);
    const denied = await c.beta.skills.delete('xlsx').catch((e) => e);
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);

    const name = slug();
    const skill = await c.beta.skills.create({ files: await upload({ [`${name}/SKILL.md`]: skillMd(name, 'd') }) });
    const last = await c.beta.skills.versions.delete(skill.latest_version_id, { skill_id: skill.id }).catch((e) => e);
    expect(last).toBeInstanceOf(Anthropic.BadRequestError);
    await c.beta.skills.delete(skill.id);
  });

  it('agents take custom skills that exist, pinned to a version or latest', async () => {
    const c = t.client();
    const name = slug();
    const skill = await c.beta.skills.create({ files: await upload({ [`${name}/SKILL.md`]: skillMd(name, 'd') }), ...BETAS });
    const agent = await makeAgent(c, {
      skills: [
        { type: 'custom', skill_id: skill.id, version: skill.latest_version_id },
        { type: 'custom', skill_id: skill.id },
        { type: 'anthropic', skill_id: 'xlsx' },
      ],
    });
    expect(agent.skills).toEqual([
      { type: 'custom', skill_id: skill.id, version: skill.latest_version_id },
      { type: 'custom', skill_id: skill.id, version: 'latest' },
      { type: 'anthropic', skill_id: 'xlsx', version: 'latest' },
    ]);
    const missing = await makeAgent(c, { skills: [{ type: 'custom', skill_id: 'skill_doesnotexist' }] }).catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    const badVersion = await makeAgent(c, { skills: [{ type: 'custom', skill_id: skill.id, version: 'skillver_nope' }] }).catch((e) => e);
    expect(badVersion).toBeInstanceOf(Anthropic.BadRequestError);
    // A live run leaves no skill behind (the API may refuse while an agent refers to it).
    await c.beta.skills.delete(skill.id, BETAS).catch(() => undefined);
  });
});
