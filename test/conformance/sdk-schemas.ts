/**
 * JSON Schemas of the API's wire shapes, derived from the installed @anthropic-ai/sdk and never
 * written by hand (docs/conformance.md).
 *
 * 1. Routes: each SDK resource method's HTTP verb and route template come from the SDK's compiled
 *    .js (`this._client.post(...)` … `route: '/v1/agents/{agent_id}'`), and its params and result
 *    types from the matching .d.ts signature.
 * 2. Schemas: ts-json-schema-generator turns those types into one draft-07 document. Interfaces are
 *    closed (`additionalProperties: false`), string-literal unions become enums, and `string & {}`
 *    (the SDK's "known values or any string") stays an open string.
 * 3. Cache: .cache/sdk-schemas/<sdk version>-<generator version>-<hash>.json, so a run regenerates
 *    only when the SDK, the generator or this file changes.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const ROOT = join(dirname(new URL(import.meta.url).pathname), '..', '..');
const SDK = dirname(require.resolve('@anthropic-ai/sdk'));
const BETA = join(SDK, 'resources', 'beta');
/** The files (.js and .d.ts, recursively) of one resource group under resources/beta. */
function groupFiles(g: string, ext: RegExp): string[] {
  const files: string[] = [];
  const dir = join(BETA, g);
  if (existsSync(dir)) for (const f of walkAll(dir)) if (ext.test(f)) files.push(f);
  for (const e of ['.js', '.d.ts']) if (ext.test(e) && existsSync(join(BETA, `${g}${e}`))) files.push(join(BETA, `${g}${e}`));
  return files;
}

function walkAll(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walkAll(p, out);
    else out.push(p);
  }
  return out;
}

const routesOf = (g: string) =>
  new Set(groupFiles(g, /(?<!\.m)js$/).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/route: '([^']+)'/g)].map((m) => normalizeRoute(m[1]!))));

/**
 * The Managed Agents resource groups, found in the SDK itself (the rest of `beta` is other
 * products): a group under resources/beta whose requests carry the `managed-agents-…` beta or whose
 * documentation links to the Managed Agents guides; less a group whose every route is another
 * group's too (Bedrock's copy of the same API, served elsewhere); plus the groups this server's
 * tools call (`c.beta.files`, `c.beta.skills`: session outputs and agents' skills).
 */
export function managedAgentsGroups(): string[] {
  const names = new Set(
    readdirSync(BETA, { withFileTypes: true })
      .map((e) => (e.isDirectory() ? e.name : e.name.endsWith('.js') && !e.name.endsWith('.mjs') ? e.name.slice(0, -3) : ''))
      .filter((n) => n && n !== 'beta' && n !== 'index'),
  );
  const ma = [...names].filter((g) =>
    groupFiles(g, /(?<!\.m)js$|(?<!\.d\.m)\.d\.ts$/).some((f) => /\/managed-agents\/|'managed-agents-20/.test(readFileSync(f, 'utf8'))),
  );
  const routes = new Map(ma.map((g) => [g, routesOf(g)]));
  const copies = ma.filter((g) => {
    const own = routes.get(g)!;
    const others = new Set(ma.filter((o) => o !== g).flatMap((o) => [...routes.get(o)!]));
    return own.size > 0 && [...own].every((r) => others.has(r));
  });
  const src = walkAll(join(ROOT, 'src', 'tools'))
    .concat(walkAll(join(ROOT, 'src', 'turns')))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const called = [...src.matchAll(/\.beta\.(\w+)\./g)].map((m) => m[1]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).filter((g) => names.has(g));
  return [...new Set([...ma.filter((g) => !copies.includes(g)), ...called])].sort();
}

export type Where = 'body' | 'query' | 'path' | 'header';
export type Kind = 'json' | 'page' | 'bidi-page' | 'stream' | 'binary';

export interface SdkRoute {
  /** e.g. `beta.agents.create` */
  sdkMethod: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Route template with `{}` for every path parameter: `/v1/agents/{}`. */
  route: string;
  kind: Kind;
  /** Root names in the schema document (absent when the SDK method has none). */
  params?: string;
  /** Where each param travels, from the SDK's own "Body param:" / "Query param:" … doc prefixes. */
  where?: Record<string, Where>;
  response?: string;
}

export interface SchemaBundle {
  key: string;
  routes: SdkRoute[];
  /** Root name of the stream event union (`BetaManagedAgentsStreamSessionEvents`). */
  streamUnion: string;
  schema: { definitions: Record<string, any>; properties: Record<string, any> };
}

export const normalizeRoute = (r: string) => r.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '{}');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.js') && !e.name.endsWith('.mjs')) out.push(p);
  }
  return out;
}

function resourceFiles(): string[] {
  const files: string[] = [];
  for (const g of managedAgentsGroups()) {
    const dir = join(BETA, g);
    if (existsSync(dir)) walk(dir, files);
    if (existsSync(join(BETA, `${g}.js`))) files.push(join(BETA, `${g}.js`));
  }
  return files.filter((f) => !f.endsWith('index.js'));
}

/** Where each exported type name is declared, so the entry file can import it. */
function exportIndex(dtsFiles: string[]): { index: Map<string, string>; dupes: Set<string> } {
  const index = new Map<string, string>();
  const dupes = new Set<string>();
  for (const f of dtsFiles) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/^export (?:interface|type|declare class) (\w+)/gm)) {
      if (index.has(m[1]!)) dupes.add(m[1]!);
      else index.set(m[1]!, f);
    }
  }
  return { index, dupes };
}

/** Property → where it travels, for one params interface declared in `decl`. */
function paramLocations(decl: string, name: string): Record<string, Where> {
  const start = decl.search(new RegExp(`^export interface ${name}\\b`, 'm'));
  if (start < 0) return {};
  const body = decl.slice(start, decl.indexOf('\n}', start));
  const out: Record<string, Where> = {};
  for (const m of body.matchAll(/\/\*\*\s*\n\s*\* (Body|Query|Path|Header) param\b[\s\S]*?\*\/\s*\n\s*(\w+)\??:/g)) {
    out[m[2]!] = m[1]!.toLowerCase() as Where;
  }
  return out;
}

interface RawRoute extends SdkRoute {
  dts: string;
  paramsType?: string;
  responseType?: string;
  itemType?: string;
}

/** Step 1: the SDK's own route table. */
export function sdkRoutes(): RawRoute[] {
  const out: RawRoute[] = [];
  for (const js of resourceFiles()) {
    const dts = js.replace(/\.js$/, '.d.ts');
    if (!existsSync(dts)) continue;
    const code = readFileSync(js, 'utf8');
    const decl = readFileSync(dts, 'utf8');
    const calls = code.matchAll(/this\._client\.(get|post|delete|getAPIList)\([\s\S]*?startApiCallSpan\)\(this\._client, '([^']+)'[\s\S]*?route: '([^']+)'/g);
    for (const [, verb, span, route] of calls) {
      const name = span!
        .split('.')
        .pop()!
        .replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
      const sig = new RegExp(`^\\s+${name}\\((.*)\\): (.*);$`, 'm').exec(decl);
      if (!sig) continue;
      const paramsType = /params\??: (\w+)/.exec(sig[1]!)?.[1];
      const ret = sig[2]!;
      const r: RawRoute = {
        sdkMethod: span!.replace(/^anthropic\./, ''),
        method: verb === 'getAPIList' ? 'GET' : (verb!.toUpperCase() as 'GET' | 'POST' | 'DELETE'),
        route: normalizeRoute(route!),
        kind: 'json',
        dts,
        paramsType,
        where: paramsType ? paramLocations(decl, paramsType) : undefined,
      };
      let m: RegExpExecArray | null;
      if ((m = /^PagePromise<(\w+), (?:\w+\.)?(\w+)>$/.exec(ret))) {
        r.kind = m[1]!.includes('Bidirectional') ? 'bidi-page' : 'page';
        r.itemType = m[2];
      } else if ((m = /^APIPromise<Stream<(?:\w+\.)?(\w+)>>$/.exec(ret))) {
        r.kind = 'stream';
        r.responseType = m[1];
      } else if (ret === 'APIPromise<Response>') r.kind = 'binary';
      else if ((m = /^APIPromise<(?:\w+\.)?(\w+)>$/.exec(ret))) r.responseType = m[1];
      else continue;
      out.push(r);
    }
  }
  return out;
}

const STREAM_UNION = 'BetaManagedAgentsStreamSessionEvents';

/** Steps 2–3: the schema bundle, from the cache when the inputs have not changed. */
export async function loadSchemas(opts: { log?: (m: string) => void } = {}): Promise<SchemaBundle> {
  const routes = sdkRoutes();
  const dtsFiles = resourceFiles()
    .map((f) => f.replace(/\.js$/, '.d.ts'))
    .filter(existsSync);
  dtsFiles.push(join(SDK, 'core', 'pagination.d.ts'));
  const { index, dupes } = exportIndex(dtsFiles);
  const imports = new Map<string, string>();
  /** A local name for an SDK type; `file` picks between same-named types of different modules. */
  const alias = (name: string, from?: string) => {
    const file = from ?? index.get(name);
    if (!file) throw new Error(`SDK type ${name} not found under ${relative(ROOT, BETA)}`);
    const key = `${name}|${file}`;
    if (!imports.has(key)) imports.set(key, `T${imports.size}`);
    return imports.get(key)!;
  };
  // Two modules export an `EventListParams`: the generator names definitions by type name, so a
  // homomorphic mapped type inlines such a root instead of letting one shadow the other.
  const root = (name: string, from: string) => (dupes.has(name) ? `{ [K in keyof ${alias(name, from)}]: ${alias(name, from)}[K] }` : alias(name, from));
  const props: string[] = [];
  const finalRoutes: SdkRoute[] = [];
  for (const r of routes) {
    const id = `${r.method} ${r.route}`;
    const route: SdkRoute = { sdkMethod: r.sdkMethod, method: r.method, route: r.route, kind: r.kind, where: r.where };
    if (r.paramsType) {
      route.params = `params ${id}`;
      props.push(`  ${JSON.stringify(route.params)}: ${root(r.paramsType, r.dts)};`);
    }
    if (r.itemType) {
      const page = r.kind === 'bidi-page' ? 'BidirectionalPageCursorResponse' : 'PageCursorResponse';
      route.response = `response ${id}`;
      props.push(`  ${JSON.stringify(route.response)}: ${alias(page)}<${alias(r.itemType)}>;`);
    } else if (r.responseType && r.kind !== 'stream') {
      route.response = `response ${id}`;
      props.push(`  ${JSON.stringify(route.response)}: ${root(r.responseType, r.dts)};`);
    }
    finalRoutes.push(route);
  }
  props.push(`  ${JSON.stringify(STREAM_UNION)}: ${alias(STREAM_UNION)};`);
  const importLines = [...imports].map(([key, local]) => {
    const [name, file] = key.split('|') as [string, string];
    return `import type { ${name} as ${local} } from ${JSON.stringify(file.replace(/\.d\.ts$/, '.js'))};`;
  });
  const entry = `${importLines.join('\n')}\nexport interface ConformanceRoots {\n${props.join('\n')}\n}\n`;

  const sdkVersion = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')).version as string;
  const genVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'ts-json-schema-generator', 'package.json'), 'utf8')).version as string;
  const self = readFileSync(new URL(import.meta.url).pathname, 'utf8');
  const hash = createHash('sha256').update(entry).update(self).digest('hex').slice(0, 12);
  const key = `sdk-${sdkVersion}-tsjsg-${genVersion}-${hash}`;
  const dir = join(ROOT, '.cache', 'sdk-schemas');
  const file = join(dir, `${key}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as SchemaBundle;

  const t0 = Date.now();
  mkdirSync(dir, { recursive: true });
  const entryFile = join(dir, `${key}.entry.ts`);
  writeFileSync(entryFile, entry);
  const { createGenerator } = await import('ts-json-schema-generator');
  const gen = createGenerator({
    path: entryFile,
    type: 'ConformanceRoots',
    skipTypeCheck: true,
    expose: 'all',
    topRef: false,
    additionalProperties: false,
    jsDoc: 'basic',
    tsconfig: undefined,
  });
  const schema = gen.createSchema('ConformanceRoots') as SchemaBundle['schema'];
  const bundle: SchemaBundle = { key, routes: finalRoutes, streamUnion: STREAM_UNION, schema };
  writeFileSync(file, JSON.stringify(bundle));
  opts.log?.(
    `sdk schemas: generated ${Object.keys(schema.definitions).length} definitions for ${finalRoutes.length} SDK routes in ${Date.now() - t0} ms (${key})`,
  );
  return bundle;
}
