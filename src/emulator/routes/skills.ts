/**
 * Skills (SDK resources/beta/skills/{skills,versions}.d.ts): custom skills uploaded as files
 * (multipart `files[]`, every file under one top-level directory with a SKILL.md at its root),
 * each upload a new immutable version; Anthropic's pre-built skills are listed read-only. The SDK
 * sends no beta header for skills, so none is required (the documentation's examples send
 * `skills-2025-10-02`, which is accepted like any other).
 *
 * Readings (docs/emulator.md, "Skills"): "a Skill holds at least one version" (BetaSkill.latest_version_id),
 * so deleting a skill takes its versions with it and its last version cannot be deleted alone;
 * version content downloads are not emulated.
 */
import type { BetaSkill } from '@anthropic-ai/sdk/resources/beta/skills/skills';
import type { BetaSkillVersion } from '@anthropic-ai/sdk/resources/beta/skills/versions';
import { ApiError, badRequest, notFound, type Router } from '../wire/http.js';
import { listParams, paginate } from '../wire/pagination.js';
import { readForm } from '../wire/multipart.js';
import type { Emulator } from './context.js';
import type { SkillRecord } from '../runtime/state.js';
import { normalizeSkills, type Skill } from '../contract/normalize.js';

const PREBUILT_AT = '2025-10-13T00:00:00.000Z';
const prebuilt = (id: string, display_name: string, description: string): SkillRecord => ({
  skill: { type: 'skill', id, display_name, source: { type: 'anthropic' }, latest_version_id: '20251013', created_at: PREBUILT_AT, updated_at: PREBUILT_AT },
  versions: [{ version: { type: 'skill_version', id: '20251013', skill_id: id, name: id, description, created_at: PREBUILT_AT }, files: [] }],
});

/** Anthropic's pre-built skills (docs: "pptx, xlsx, docx, pdf"): shared and read-only. */
const ANTHROPIC_SKILLS = new Map<string, SkillRecord>(
  [
    prebuilt('docx', 'Word documents', 'Create, edit and analyse Word documents.'),
    prebuilt('pdf', 'PDF', 'Extract text and tables from PDFs, fill forms, merge and split documents.'),
    prebuilt('pptx', 'PowerPoint presentations', 'Create and edit PowerPoint presentations.'),
    prebuilt('xlsx', 'Excel spreadsheets', 'Create, edit and analyse Excel spreadsheets with formulas and charts.'),
  ].map((r) => [r.skill.id, r]),
);

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The `name:` and `description:` of a SKILL.md's YAML frontmatter (single-line values, optionally quoted). */
function frontmatter(text: string): { name?: string; description?: string } | undefined {
  const m = /^---\r?\n([\s\S]*?)\r?\n---(\r?\n|$)/.exec(text.replace(/^\uFEFF/, ''));
  if (!m) return undefined;
  const out: Record<string, string> = {};
  for (const line of m[1]!.split(/\r?\n/)) {
    const kv = /^(name|description):\s*(.*)$/.exec(line);
    if (kv) out[kv[1]!] = kv[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

interface Upload {
  name: string;
  description: string;
  files: { path: string; content: Buffer }[];
  displayName?: string;
}

/** Reads and checks one upload: `files[]` under one top-level directory, a SKILL.md at its root with name and description. */
async function readUpload(form: FormData, op: string, extraFields: readonly string[]): Promise<Upload> {
  const files: { path: string; content: Buffer }[] = [];
  let displayName: string | undefined;
  for (const [key, value] of form) {
    if (key === 'files[]' || key === 'files') {
      if (typeof value === 'string') throw badRequest(`${op}: files: expected file parts, got a text field`);
      files.push({ path: (value as File).name, content: Buffer.from(await value.arrayBuffer()) });
    } else if (extraFields.includes(key) && typeof value === 'string') {
      displayName = value;
    } else throw badRequest(`${op}: unknown field '${key}'`);
  }
  if (files.length === 0) throw badRequest(`${op}: files: at least one file is required, with a SKILL.md at the root of its directory`);
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    if (parts.length < 2 || parts.some((p) => p === '' || p === '.' || p === '..') || f.path.includes('\\')) {
      throw badRequest(`${op}: files: '${f.path}' must be a relative path inside one top-level directory (e.g. my-skill/SKILL.md)`);
    }
    dirs.add(parts[0]!);
  }
  if (dirs.size > 1) throw badRequest(`${op}: files: all files must be in the same top-level directory (got ${[...dirs].join(', ')})`);
  const dir = [...dirs][0]!;
  const skillMd = files.find((f) => f.path === `${dir}/SKILL.md`);
  if (!skillMd) throw badRequest(`${op}: files: ${dir}/SKILL.md is missing (a SKILL.md must be at the root of the directory)`);
  if (new Set(files.map((f) => f.path)).size !== files.length) throw badRequest(`${op}: files: a path appears twice`);
  const fm = frontmatter(skillMd.content.toString('utf8'));
  if (!fm) throw badRequest(`${op}: SKILL.md must start with YAML frontmatter (--- name: … description: … ---)`);
  const name = fm.name || dir;
  if (name.length > 64 || !SLUG.test(name))
    throw badRequest(`${op}: SKILL.md name '${name.slice(0, 80)}': lowercase letters, digits and hyphens, at most 64 characters`);
  if (/anthropic|claude/.test(name)) throw badRequest(`${op}: SKILL.md name '${name}': must not contain the reserved words 'anthropic' or 'claude'`);
  if (!fm.description) throw badRequest(`${op}: SKILL.md frontmatter needs a non-empty description`);
  if (fm.description.length > 1024) throw badRequest(`${op}: SKILL.md description: at most 1024 characters`);
  if (displayName !== undefined && (displayName.length > 255 || /[\r\n]/.test(displayName))) {
    throw badRequest(`${op}: display_name: a single line of at most 255 characters`);
  }
  return { name, description: fm.description, files, displayName: displayName || undefined };
}

/** Every skill, custom and pre-built, in the order lists page them (created_at, then id). */
function allSkills(emu: Emulator): SkillRecord[] {
  const key = (r: SkillRecord) => `${r.skill.created_at}|${r.skill.id}`;
  return [...ANTHROPIC_SKILLS.values(), ...emu.state.skills.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function getSkill(emu: Emulator, id: string): SkillRecord {
  const rec = emu.state.skills.get(id) ?? ANTHROPIC_SKILLS.get(id);
  if (!rec) throw notFound('skill', id);
  return rec;
}

function custom(rec: SkillRecord, op: string): SkillRecord {
  if (rec.skill.source.type !== 'custom') throw new ApiError(403, 'permission_error', `${op}: ${rec.skill.id} is an Anthropic skill and read-only`);
  return rec;
}

/**
 * An agent's (or a session override's) `skills`, checked against what exists: a custom skill must
 * have been uploaded, and a pinned version must be one of its versions. At most 20 (docs: "Each
 * session supports up to 20 skills total").
 */
export function resolveSkills(emu: Emulator, list: Parameters<typeof normalizeSkills>[0]): Skill[] {
  const out = normalizeSkills(list);
  if (out.length > 20) throw badRequest(`skills: at most 20 skills, got ${out.length}`);
  out.forEach((s, i) => {
    const rec = s.type === 'custom' ? emu.state.skills.get(s.skill_id) : ANTHROPIC_SKILLS.get(s.skill_id);
    if (!rec) throw badRequest(`skills[${i}].skill_id: no ${s.type} skill '${s.skill_id}'`);
    if (s.version !== 'latest' && !rec.versions.some((v) => v.version.id === s.version)) {
      throw badRequest(`skills[${i}].version: skill ${s.skill_id} has no version '${s.version}'`);
    }
  });
  return out;
}

export function registerSkillRoutes(router: Router, emu: Emulator): void {
  const addVersion = (rec: SkillRecord, up: Upload): BetaSkillVersion => {
    const now = emu.state.clock.iso();
    const version: BetaSkillVersion = {
      type: 'skill_version',
      id: emu.state.ids.next('skillver'),
      skill_id: rec.skill.id,
      name: up.name,
      description: up.description,
      created_at: now,
    };
    rec.versions.push({ version, files: up.files });
    rec.skill.latest_version_id = version.id;
    rec.skill.updated_at = now;
    return version;
  };

  router.add('POST', '/v1/skills', 'none', async (ctx) => {
    const up = await readUpload(await readForm(ctx, 'skills.create', 'files[] parts'), 'skills.create', ['display_name']);
    const now = emu.state.clock.iso();
    const skill: BetaSkill = {
      type: 'skill',
      id: emu.state.ids.next('skill'),
      display_name: up.displayName ?? up.name,
      source: { type: 'custom' },
      latest_version_id: '',
      created_at: now,
      updated_at: now,
    };
    const rec: SkillRecord = { skill, versions: [] };
    addVersion(rec, up);
    skill.updated_at = now;
    emu.state.skills.set(skill.id, rec);
    return skill;
  });

  router.add('GET', '/v1/skills', 'none', ({ query }) => {
    const source = query.get('source');
    const items = allSkills(emu)
      .filter((r) => !source || r.skill.source.type === source)
      .map((r) => r.skill);
    return paginate(items, (s) => `${s.created_at}|${s.id}`, listParams(query));
  });

  router.add('GET', '/v1/skills/:id', 'none', ({ params }) => getSkill(emu, params.id!).skill);

  router.add('DELETE', '/v1/skills/:id', 'none', ({ params }) => {
    const rec = custom(getSkill(emu, params.id!), 'skills.delete');
    emu.state.skills.delete(rec.skill.id);
    return { id: rec.skill.id, type: 'skill_deleted' };
  });

  router.add('POST', '/v1/skills/:id/versions', 'none', async (ctx) => {
    const rec = custom(getSkill(emu, ctx.params.id!), 'skills.versions.create');
    const up = await readUpload(await readForm(ctx, 'skills.versions.create', 'files[] parts'), 'skills.versions.create', []);
    const slug = rec.versions[0]!.version.name;
    if (up.name !== slug) throw badRequest(`skills.versions.create: SKILL.md name '${up.name}' differs from the skill's name '${slug}', which cannot change`);
    return addVersion(rec, up);
  });

  router.add('GET', '/v1/skills/:id/versions', 'none', ({ params, query }) => {
    const rec = getSkill(emu, params.id!);
    return paginate(
      rec.versions.map((v) => v.version),
      (v) => v.id,
      listParams(query),
    );
  });

  const getVersion = (skillId: string, versionId: string) => {
    const rec = getSkill(emu, skillId);
    const i = rec.versions.findIndex((v) => v.version.id === versionId);
    if (i < 0) throw notFound('skill version', `${skillId}/${versionId}`);
    return { rec, i };
  };

  router.add('GET', '/v1/skills/:id/versions/:version', 'none', ({ params }) => {
    const { rec, i } = getVersion(params.id!, params.version!);
    return rec.versions[i]!.version;
  });

  router.add('DELETE', '/v1/skills/:id/versions/:version', 'none', ({ params }) => {
    const { rec, i } = getVersion(params.id!, params.version!);
    custom(rec, 'skills.versions.delete');
    if (rec.versions.length === 1) {
      throw badRequest(
        `skills.versions.delete: ${params.version} is the only version of ${rec.skill.id}; a skill holds at least one version (delete the skill instead)`,
      );
    }
    const [gone] = rec.versions.splice(i, 1);
    rec.skill.latest_version_id = rec.versions.at(-1)!.version.id;
    rec.skill.updated_at = emu.state.clock.iso();
    return { id: gone!.version.id, type: 'skill_version_deleted' };
  });
}
