/**
 * A skill's files as the SDK uploads them (`skills.create` / `skills.versions.create` send each as a
 * `files[]` part named by its path): SKILL.md and the extra files under one top-level directory.
 * Here because only src/api/ imports the SDK (its `toFile`).
 */
import { toFile } from '@anthropic-ai/sdk';

export interface SkillFile {
  /** Path under the skill's directory, e.g. `SKILL.md` or `reference/style.md`. */
  path: string;
  content: string;
}

export function skillUpload(directory: string, files: SkillFile[]): Promise<File[]> {
  return Promise.all(
    files.map((f) => toFile(Buffer.from(f.content, 'utf8'), `${directory}/${f.path}`, { type: f.path.endsWith('.md') ? 'text/markdown' : 'text/plain' })),
  );
}
