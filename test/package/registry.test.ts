/**
 * server.json, the MCP registry entry. No npm package ships the registry's server.schema.json
 * (looked for at the time of writing), so its rules for what this file uses are restated here
 * (schema 2025-12-11: name pattern, description ≤ 100, exact versions, stdio package transport,
 * environment variables with descriptions and secrecy), and the entry is checked against the
 * package and the server itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROOT } from '../../scripts/pack.mjs';
import { parseConfig } from '../../src/config.js';

const read = (f: string) => JSON.parse(readFileSync(path.join(ROOT, f), 'utf8'));
const pkg = read('package.json');
const server = read('server.json');

const exactVersion = z
  .string()
  .min(1)
  .max(255)
  .refine((v) => !/^[\^~<>=*]|\.x$|\.\*$|^latest$|\s/.test(v), 'a version range');
const envVar = z.strictObject({
  name: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  description: z.string().min(1),
  isRequired: z.boolean(),
  isSecret: z.boolean(),
  format: z.enum(['string', 'number', 'boolean', 'filepath']),
  default: z.string().optional(),
  placeholder: z.string().optional(),
});
const serverSchema = z.strictObject({
  $schema: z.literal('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json'),
  name: z
    .string()
    .min(3)
    .max(200)
    .regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
  title: z.string().min(1).max(100),
  description: z.string().min(1).max(100),
  version: exactVersion,
  packages: z
    .array(
      z.strictObject({
        registryType: z.literal('npm'),
        registryBaseUrl: z.url(),
        identifier: z.string(),
        version: exactVersion,
        runtimeHint: z.literal('npx'),
        transport: z.strictObject({ type: z.literal('stdio') }),
        environmentVariables: z.array(envVar),
      }),
    )
    .length(1),
});

describe('server.json (MCP registry entry)', () => {
  const parsed = serverSchema.safeParse(server);

  it('has the registry shape', () => {
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('names this package at its version, and package.json claims the name (mcpName)', () => {
    const [p] = server.packages;
    expect([server.version, p.version]).toEqual([pkg.version, pkg.version]);
    expect(p.identifier).toBe(pkg.name);
    expect(pkg.mcpName).toBe(server.name);
  });

  it('the API key is the one required secret', () => {
    const vars: z.infer<typeof envVar>[] = server.packages[0].environmentVariables;
    expect(vars.filter((v) => v.isSecret).map((v) => v.name)).toEqual(['MANAGED_AGENTS_API_KEY']);
    expect(vars.filter((v) => v.isRequired).map((v) => v.name)).toEqual(['MANAGED_AGENTS_API_KEY']);
  });

  it('every variable it lists is one the server reads, and covers what the .mcpb bundle passes', () => {
    const vars: z.infer<typeof envVar>[] = server.packages[0].environmentVariables;
    const sample = (v: z.infer<typeof envVar>) =>
      v.format === 'boolean' ? 'true' : v.name.endsWith('TOOLSETS') ? 'all' : v.name.endsWith('_URL') ? 'https://example.test' : 'value-x';
    const base = parseConfig([], {});
    for (const v of vars) expect(parseConfig([], { [v.name]: sample(v) }), v.name).not.toEqual(base);
    const bundleEnv = Object.keys(read('mcpb/manifest.json').server.mcp_config.env);
    expect(vars.map((v) => v.name)).toEqual(expect.arrayContaining(bundleEnv));
  });
});
