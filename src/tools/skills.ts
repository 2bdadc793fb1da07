import { z } from 'zod';
import type { Skill, SkillVersion } from '../api/client.js';
import { ToolError } from '../api/errors.js';
import { skillUpload, type SkillFile } from '../api/skill-upload.js';
import { quoted } from '../format/fence.js';
import { compact, defineTool, idSchema, limitSchema, listResult, pageSchema } from './support/define.js';

/**
 * The documentation's examples send the Skills beta; the SDK adds no beta header for skills by
 * itself (docs/api-behaviour.md, "Skills").
 */
const SKILLS_BETA = { betas: ['skills-2025-10-02'] };

const skillId = idSchema('skill_id', 'skill_01… or xlsx').describe('Skill id (skill_…, or an Anthropic one like xlsx), from list_skills.');

/** Caps of one upload through this server: what a tool argument can reasonably carry. */
const MAX_FILE_CHARS = 100_000;
const MAX_FILES = 20;
const MAX_UPLOAD_BYTES = 1024 * 1024;

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The `name:` of a SKILL.md's YAML frontmatter: the skill's folder and immutable slug. */
function frontmatterName(skillMd: string): string | undefined {
  const fm = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---(\r?\n|$)/.exec(skillMd)?.[1];
  const name =
    fm &&
    /^name:\s*(.*)$/m
      .exec(fm)?.[1]
      ?.trim()
      .replace(/^(["'])(.*)\1$/, '$2');
  return name || undefined;
}

/** A relative path inside the skill's folder: no leading /, no `.` or `..` segments, no backslashes. */
const relPath = z
  .string()
  .min(1)
  .max(256)
  .refine((p) => !p.startsWith('/') && !p.includes('\\') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..') && p !== 'SKILL.md', {
    message: 'path must be relative inside the skill folder (e.g. reference/style.md), without .. and not SKILL.md',
  });

function skillSummary(s: Skill) {
  return { skill_id: s.id, display_name: s.display_name, source: s.source.type, latest_version_id: s.latest_version_id, updated_at: s.updated_at };
}

function versionSummary(v: SkillVersion) {
  return { version_id: v.id, name: v.name, description: v.description, created_at: v.created_at };
}

const summaryShape = {
  skill_id: z.string(),
  display_name: z.string(),
  source: z.string(),
  latest_version_id: z.string(),
  updated_at: z.string(),
};

export const skillTools = [
  defineTool({
    name: 'list_skills',
    title: 'List skills',
    description: "List skills agents can use: custom ones uploaded with create_skill and Anthropic's pre-built ones (xlsx, pdf, …).",
    toolset: 'skills',
    kind: 'read',
    input: {
      source: z.enum(['custom', 'anthropic']).optional().describe('Only this source.'),
      limit: limitSchema(100, 20),
      page: pageSchema,
    },
    output: { skills: z.array(z.object(summaryShape)), next_page: z.string().optional() },
    handler: async (a, ctx) => {
      const page = await ctx.api.call((c, o) => c.beta.skills.list(compact({ source: a.source, limit: a.limit, page: a.page, ...SKILLS_BETA }), o));
      const skills = page.data.map(skillSummary);
      return listResult(
        'skills',
        skills,
        page.next_page,
        `${skills.length} skill(s)`,
        (s) => `${s.skill_id}  ${quoted(s.display_name, 120)}  (${s.source}, latest ${s.latest_version_id})`,
      );
    },
  }),

  defineTool({
    name: 'get_skill',
    title: 'Get a skill',
    description: "A skill and its versions (newest first, paged): each version's id, name and description. Pin a version_id in create_agent skills.",
    toolset: 'skills',
    kind: 'read',
    input: { skill_id: skillId, limit: limitSchema(100, 20), page: pageSchema.describe('next_page from the previous result (pages the versions).') },
    output: {
      ...summaryShape,
      created_at: z.string(),
      versions: z.array(z.object({ version_id: z.string(), name: z.string(), description: z.string(), created_at: z.string() })),
      next_page: z.string().optional(),
    },
    handler: async (a, ctx) => {
      const skill = await ctx.api.call((c, o) => c.beta.skills.retrieve(a.skill_id, SKILLS_BETA, o));
      const page = await ctx.api.call((c, o) => c.beta.skills.versions.list(a.skill_id, compact({ limit: a.limit, page: a.page, ...SKILLS_BETA }), o));
      const versions = page.data.map(versionSummary);
      const structured = compact({ ...skillSummary(skill), created_at: skill.created_at, versions, next_page: page.next_page ?? undefined });
      const text = [
        `${skill.id}  ${quoted(skill.display_name, 120)}  (${skill.source.type})`,
        `${versions.length} version(s), newest first:`,
        ...versions.map((v) => `${v.version_id}  ${v.created_at}  ${quoted(v.name, 120)}: ${quoted(v.description)}`),
        ...(page.next_page ? [`more: pass page=${page.next_page}`] : []),
      ].join('\n');
      return { structured: { ...structured, versions }, text };
    },
  }),

  defineTool({
    name: 'create_skill',
    bounded: true,
    title: 'Create a skill',
    description:
      'Upload a custom skill from content you pass: SKILL.md (YAML frontmatter name + description, then instructions) and optional ' +
      'extra files. With skill_id, adds a new version to that skill instead.',
    toolset: 'skills',
    kind: 'create',
    input: {
      skill_md: z.string().min(1).max(MAX_FILE_CHARS).describe('Full SKILL.md text, starting with ---\\nname: kebab-name\\ndescription: …\\n---.'),
      files: z
        .array(z.strictObject({ path: relPath.describe('e.g. reference/style.md.'), content: z.string().max(MAX_FILE_CHARS).describe('Text content.') }))
        .max(MAX_FILES)
        .optional()
        .describe(`Extra text files beside SKILL.md (≤ ${MAX_FILES}).`),
      display_name: z.string().min(1).max(255).optional().describe('Label (default: the name).'),
      skill_id: idSchema('skill_id', 'skill_01…').optional().describe('Add a version to this skill (same name) instead of creating one.'),
    },
    output: { skill_id: z.string(), version_id: z.string(), name: z.string(), hint: z.string() },
    handler: async (a, ctx) => {
      const name = frontmatterName(a.skill_md);
      if (!name || !SLUG.test(name) || name.length > 64) {
        throw new ToolError(
          'SKILL.md must start with YAML frontmatter whose name is kebab-case (≤ 64 chars): ---\\nname: my-skill\\ndescription: what it does and when to use it\\n---',
          'Fix skill_md and call create_skill again.',
        );
      }
      if (a.skill_id && a.display_name)
        throw new ToolError('display_name applies to a new skill only.', 'Drop display_name, or drop skill_id to create a new skill.');
      const files: SkillFile[] = [{ path: 'SKILL.md', content: a.skill_md }, ...(a.files ?? [])];
      if (new Set(files.map((f) => f.path)).size !== files.length) throw new ToolError('Two files have the same path.', 'Give each file its own path.');
      const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.content, 'utf8'), 0);
      if (bytes > MAX_UPLOAD_BYTES) {
        throw new ToolError(
          `The files total ${bytes.toLocaleString('en')} bytes; at most ${MAX_UPLOAD_BYTES.toLocaleString('en')} go through this tool.`,
          'Trim the files, or upload the skill with the Anthropic SDK or console.',
        );
      }
      const upload = await skillUpload(name, files);
      let skillIdOut: string;
      let versionId: string;
      if (a.skill_id) {
        const v = await ctx.api.call((c, o) => c.beta.skills.versions.create(a.skill_id!, { files: upload, ...SKILLS_BETA }, o));
        skillIdOut = v.skill_id;
        versionId = v.id;
      } else {
        // Not compact(): it would turn the File objects into plain ones.
        const s = await ctx.api.call((c, o) =>
          c.beta.skills.create({ files: upload, ...(a.display_name ? { display_name: a.display_name } : {}), ...SKILLS_BETA }, o),
        );
        skillIdOut = s.id;
        versionId = s.latest_version_id;
      }
      const hint = `Attach with create_agent (or update_agent) skills [{"type":"custom","skill_id":"${skillIdOut}"}]; add "version":"${versionId}" to pin this version.`;
      return {
        structured: { skill_id: skillIdOut, version_id: versionId, name, hint },
        text: `${a.skill_id ? 'Added version' : 'Created skill'} ${skillIdOut} "${name}" (version ${versionId}, ${files.length} file(s)).\n${hint}`,
      };
    },
  }),
];
