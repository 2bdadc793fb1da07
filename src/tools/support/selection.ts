import { ConfigError, nearest, TOOLSETS, type Config } from '../../config.js';
import type { AnyTool } from './define.js';

/**
 * Which tools a configuration lists (docs/toolsets.md): the tools of its toolsets plus those named
 * by `--tools`, minus those named by `--exclude-tools`, and only reads under `--read-only`.
 * `--tools` without `--toolsets` leaves `toolsets` empty, so only the named tools remain.
 */
export type Selection = Pick<Config, 'toolsets' | 'readOnly'> & Partial<Pick<Config, 'tools' | 'excludeTools'>>;

/** What the filters allow, whatever selected the tool: the deny list and --read-only always win. */
export function permitted(tool: AnyTool, config: Selection): boolean {
  return !config.excludeTools?.includes(tool.name) && (!config.readOnly || tool.kind === 'read');
}

export function selectFrom(all: AnyTool[], config: Selection): AnyTool[] {
  return all.filter((t) => (config.toolsets.includes(t.toolset) || config.tools?.includes(t.name)) && permitted(t, config));
}

/**
 * Checks `--tools` and `--exclude-tools` against the registry at start-up: an unknown name is an
 * error that names the valid ones (and the nearest, for a typo), so a misspelt deny list cannot
 * silently leave a tool on. Returns warnings for names that --read-only overrides.
 */
export function checkSelection(all: AnyTool[], config: Selection & Pick<Config, 'dynamicToolsets'>): string[] {
  const names = all.map((t) => t.name);
  for (const [flag, given] of [
    ['--tools', config.tools ?? []],
    ['--exclude-tools', config.excludeTools ?? []],
  ] as const) {
    for (const n of given) if (!names.includes(n)) throw new ConfigError(unknownTool(flag, n, names));
  }
  const warnings: string[] = [];
  const dropped = all.filter((t) => config.tools?.includes(t.name) && !config.excludeTools?.includes(t.name) && !permitted(t, config));
  if (dropped.length) warnings.push(`--read-only removes ${dropped.map((t) => t.name).join(', ')} named in --tools: they change state`);
  if (!config.dynamicToolsets && selectFrom(all, config).length === 0) {
    throw new ConfigError('No tool is left to list: --exclude-tools or --read-only removes every tool selected by --toolsets / --tools');
  }
  return warnings;
}

function unknownTool(flag: string, name: string, names: string[]): string {
  if ((TOOLSETS as readonly string[]).includes(name) || name === 'all') return `'${name}' in ${flag} is a toolset, not a tool: pass it to --toolsets`;
  const near = nearest(name, names);
  return `Unknown tool '${name}' in ${flag}.${near ? ` Did you mean ${near}?` : ''} Valid: ${names.join(', ')}`;
}
