/**
 * The conformance gate: validates what crosses the emulator's wire against the schemas derived
 * from the SDK (sdk-schemas.ts) with ajv. A violation names where it happened, the JSON path and
 * the offending value.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';

// CJS default export, seen through ESM interop.
const standaloneCode = ((standalone as any).default ?? standalone) as typeof import('ajv/dist/standalone/index.js').default;
import { loadSchemas, normalizeRoute, type SchemaBundle, type SdkRoute } from './sdk-schemas.js';

export interface Violation {
  kind: 'response' | 'event' | 'request';
  /** `GET /v1/agents/{}` or, for events, `stream <type>`. */
  where: string;
  path: string;
  message: string;
  value: unknown;
}

type Json = Record<string, any>;

/**
 * Turns `anyOf` of `$ref`s to objects told apart by a `type` constant into an ajv `discriminator`,
 * so a bad event reports the field inside its own variant and an unknown `type` is named as such,
 * instead of "must match a schema in anyOf".
 */
function discriminate(node: unknown, defs: Json): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) discriminate(n, defs);
    return;
  }
  const obj = node as Json;
  for (const v of Object.values(obj)) discriminate(v, defs);
  if (!Array.isArray(obj.anyOf)) return;
  const refs = obj.anyOf.filter((b: Json) => typeof b.$ref === 'string');
  const rest = obj.anyOf.filter((b: Json) => typeof b.$ref !== 'string');
  if (refs.length < 2) return;
  const tags = refs.map((b: Json) => {
    const d = defs[decodeURIComponent(b.$ref.replace('#/definitions/', ''))];
    return d?.type === 'object' && d.required?.includes('type') ? d.properties?.type?.const : undefined;
  });
  if (tags.some((t: unknown) => typeof t !== 'string') || new Set(tags).size !== tags.length) return;
  const disc = { type: 'object', discriminator: { propertyName: 'type' }, required: ['type'], oneOf: refs };
  delete obj.anyOf;
  if (rest.length) obj.anyOf = [disc, ...rest];
  else Object.assign(obj, disc);
}

function at(value: unknown, pointer: string): unknown {
  let v: any = value;
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    v = v?.[k];
  }
  return v;
}

function describe(err: ErrorObject): string {
  const p = err.params as Json;
  if (err.keyword === 'additionalProperties') return `unknown property '${p.additionalProperty}' (the SDK type has no such field)`;
  if (err.keyword === 'required') return `missing required property '${p.missingProperty}'`;
  if (err.keyword === 'discriminator') return `unknown ${p.tag} '${p.tagValue}' (not a variant the SDK defines)`;
  if (err.keyword === 'enum') return `${err.message}: ${JSON.stringify(p.allowedValues)}`;
  return err.message ?? err.keyword;
}

type Validators = Record<string, ValidateFunction>;
const CACHE = join(dirname(new URL(import.meta.url).pathname), '..', '..', '.cache', 'sdk-schemas');

/** The params of `route` that travel in `part`, as a closed object schema (refs into the shared document). */
function narrowed(bundle: SchemaBundle, route: SdkRoute, part: 'body' | 'query'): Json {
  let s = bundle.schema.properties[route.params!] as Json;
  if (s.$ref) s = bundle.schema.definitions[decodeURIComponent(s.$ref.replace('#/definitions/', ''))];
  const where = route.where ?? {};
  const fallback = route.method === 'POST' ? 'body' : 'query';
  const keep = (k: string) => (where[k] ?? fallback) === part;
  const props = Object.fromEntries(Object.entries(s.properties ?? {}).filter(([k]) => keep(k)));
  return JSON.parse(
    JSON.stringify({ type: 'object', properties: props, required: (s.required ?? []).filter(keep), additionalProperties: false }).replace(
      /"#\/definitions\//g,
      '"sdk#/definitions/',
    ),
  );
}

/**
 * Compiles every root once into two standalone ESM modules (ajv's `standalone`), cached next to
 * the schemas: compiling the whole SDK document costs seconds, importing the result milliseconds,
 * and every test file needs it.
 */
async function validatorModules(bundle: SchemaBundle): Promise<{ main: Validators; query: Validators }> {
  const self = createHash('sha256')
    .update(readFileSync(new URL(import.meta.url).pathname))
    .digest('hex')
    .slice(0, 8);
  const files = { main: join(CACHE, `${bundle.key}-${self}.validators.cjs`), query: join(CACHE, `${bundle.key}-${self}.query-validators.cjs`) };
  if (!existsSync(files.main) || !existsSync(files.query)) {
    const schema = structuredClone(bundle.schema) as Json;
    discriminate(schema, schema.definitions);
    const doc = { $id: 'sdk', definitions: schema.definitions, properties: schema.properties };
    const opts = { strict: false, discriminator: true, allErrors: false, code: { source: true, esm: false } } as const;
    const main = new Ajv(opts);
    // Query strings carry text: "20" must pass as a number and `types=a` as a one-item array.
    const query = new Ajv({ ...opts, coerceTypes: 'array' });
    main.addSchema(doc);
    query.addSchema(structuredClone(doc));
    const exportsMain: Record<string, string> = {};
    const exportsQuery: Record<string, string> = {};
    const add = (ajv: Ajv, exp: Record<string, string>, id: string, s: Json) => {
      const name = `v${Object.keys(exp).length}`;
      ajv.addSchema({ ...s, $id: name });
      exp[name] = name;
      return name;
    };
    const index: Record<string, string> = {};
    const qindex: Record<string, string> = {};
    index[bundle.streamUnion] = add(main, exportsMain, bundle.streamUnion, { $ref: `sdk#/properties/${bundle.streamUnion}` });
    for (const r of bundle.routes) {
      if (r.response) index[r.response] = add(main, exportsMain, r.response, { $ref: `sdk#/properties/${encodeURIComponent(r.response)}` });
      if (r.params) {
        if (r.method === 'POST') index[`${r.params}#body`] = add(main, exportsMain, r.params, narrowed(bundle, r, 'body'));
        qindex[`${r.params}#query`] = add(query, exportsQuery, r.params, narrowed(bundle, r, 'query'));
      }
    }
    mkdirSync(CACHE, { recursive: true });
    const write = (file: string, ajv: Ajv, exp: Record<string, string>, idx: Record<string, string>) =>
      writeFileSync(file, `${standaloneCode(ajv, exp)}\nexports.index = ${JSON.stringify(idx)};\n`);
    write(files.query, query, exportsQuery, qindex);
    write(files.main, main, exportsMain, index);
  }
  // Plain require: the module is generated code, not worth (seconds of) the test runner's transform.
  const load = (file: string) => {
    const mod = createRequire(import.meta.url)(file);
    const out: Validators = {};
    for (const [key, name] of Object.entries(mod.index as Record<string, string>)) out[key] = mod[name];
    return out;
  };
  return { main: load(files.main), query: load(files.query) };
}

export class Gate {
  private readonly byRoute = new Map<string, SdkRoute>();

  private constructor(
    readonly bundle: SchemaBundle,
    private readonly v: { main: Validators; query: Validators },
  ) {
    for (const r of bundle.routes) this.byRoute.set(`${r.method} ${r.route}`, r);
  }

  static async load(): Promise<Gate> {
    const bundle = await loadSchemas();
    return new Gate(bundle, await validatorModules(bundle));
  }

  route(method: string, route: string): SdkRoute | undefined {
    return this.byRoute.get(`${method} ${normalizeRoute(route)}`);
  }

  private run(v: ValidateFunction | undefined, value: unknown, kind: Violation['kind'], where: string): Violation[] {
    if (!v) return [{ kind, where, path: '/', message: 'no validator compiled for this root (stale cache?)', value: undefined }];
    if (v(value)) return [];
    const errs = v.errors ?? [];
    // The deepest error is the one that says what is actually wrong.
    const err = errs.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a), errs[0]!);
    return [{ kind, where, path: err.instancePath || '/', message: describe(err), value: at(value, err.instancePath) }];
  }

  response(method: string, route: string, body: unknown): Violation[] {
    const where = `${method} ${normalizeRoute(route)}`;
    const r = this.route(method, route);
    if (!r) return [{ kind: 'response', where, path: '/', message: 'route not in the SDK', value: undefined }];
    if (!r.response) return [];
    return this.run(this.v.main[r.response], body, 'response', where);
  }

  event(event: unknown): Violation[] {
    const type = (event as Json)?.type;
    return this.run(this.v.main[this.bundle.streamUnion], event, 'event', `stream ${type}`);
  }

  request(method: string, route: string, query: Record<string, unknown>, body: unknown, multipart = false): Violation[] {
    const where = `${method} ${normalizeRoute(route)}`;
    const r = this.route(method, route);
    if (!r) return [{ kind: 'request', where, path: '/', message: 'route not in the SDK', value: undefined }];
    if (!r.params) {
      return Object.keys(query).length || body !== undefined
        ? [{ kind: 'request', where, path: '/', message: 'the SDK method takes no params', value: { query, body } }]
        : [];
    }
    const out = this.run(this.v.query[`${r.params}#query`], { ...query }, 'request', `${where} (query)`);
    if (!multipart && r.method === 'POST') out.push(...this.run(this.v.main[`${r.params}#body`], body ?? {}, 'request', `${where} (body)`));
    return out;
  }
}

export function formatViolation(v: Violation): string {
  const value = JSON.stringify(v.value);
  return `${v.kind} ${v.where} at ${v.path}: ${v.message}; value ${value === undefined ? 'undefined' : value.slice(0, 200)}`;
}
