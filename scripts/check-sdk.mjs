// `npm run check:sdk`: the drift check of an SDK upgrade. For the installed @anthropic-ai/sdk it
// lists every Managed Agents resource method, request parameter, stream event type, stop reason,
// status and error code, each marked covered or not by the tools (T), the emulator (E), the turn
// engine (R) and the conformance gate (G), and ends with the uncovered lines. Everything is read
// from code, never from a hand-kept list: the SDK's compiled resources and type declarations, the
// tools' and the turn engine's sources, the emulator's routes and sources, and the gate's own
// resource-group rule (test/conformance/sdk-schemas.ts, mirrored here for plain Node).
// docs/conformance.md, "The drift check", says how to read it. `--uncovered` prints only those.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const SDK = dirname(require.resolve('@anthropic-ai/sdk'));
const BETA = join(SDK, 'resources', 'beta');
const VERSION = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8')).version;

function walk(dir, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}
const read = (f) => readFileSync(f, 'utf8');
const isJs = (f) => f.endsWith('.js') && !f.endsWith('.mjs');
const isDts = (f) => f.endsWith('.d.ts');
const normalizeRoute = (r) => r.replace(/\{[^}]+\}|:[A-Za-z_]+/g, '{}');

function groupFiles(g) {
  const files = existsSync(join(BETA, g)) && !g.includes('.') ? walk(join(BETA, g)) : [];
  for (const e of ['.js', '.d.ts']) if (existsSync(join(BETA, `${g}${e}`))) files.push(join(BETA, `${g}${e}`));
  return files;
}
const routesOf = (g) =>
  new Set(
    groupFiles(g)
      .filter(isJs)
      .flatMap((f) => [...read(f).matchAll(/route: '([^']+)'/g)].map((m) => normalizeRoute(m[1]))),
  );

const SRC = (dir) => walk(join(ROOT, 'src', dir)).filter((f) => f.endsWith('.ts'));
const toolsText = SRC('tools').map(read).join('\n');
const turnsText = [...SRC('turns'), ...SRC('format')].map(read).join('\n');
const apiText = SRC('api').map(read).join('\n');
const emulatorFiles = SRC('emulator');
const emulatorText = emulatorFiles.map(read).join('\n');

// ---- the gate's resource groups (the same rule as test/conformance/sdk-schemas.ts) -----------------
const names = new Set(
  readdirSync(BETA, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? e.name : isJs(e.name) ? e.name.slice(0, -3) : ''))
    .filter((n) => n && n !== 'beta' && n !== 'index'),
);
const ma = [...names].filter((g) =>
  groupFiles(g)
    .filter((f) => isJs(f) || isDts(f))
    .some((f) => /\/managed-agents\/|'managed-agents-20/.test(read(f))),
);
const routes = new Map(ma.map((g) => [g, routesOf(g)]));
const copies = ma.filter((g) => {
  const others = new Set(ma.filter((o) => o !== g).flatMap((o) => [...routes.get(o)]));
  return routes.get(g).size > 0 && [...routes.get(g)].every((r) => others.has(r));
});
const called = [...`${toolsText}\n${turnsText}`.matchAll(/\.beta\.(\w+)\./g)]
  .map((m) => m[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))
  .filter((g) => names.has(g));
const GROUPS = [...new Set([...ma.filter((g) => !copies.includes(g)), ...called])].sort();
const files = GROUPS.flatMap(groupFiles);
const dtsText = files.filter(isDts).map(read).join('\n');

// ---- methods and their params ---------------------------------------------------------------------
const emuRoutes = new Set([...emulatorText.matchAll(/router\.add\('(GET|POST|DELETE)', '([^']+)'/g)].map((m) => `${m[1]} ${normalizeRoute(m[2])}`));
const methods = [];
for (const js of files.filter(isJs)) {
  const dts = js.replace(/\.js$/, '.d.ts');
  if (!existsSync(dts)) continue;
  const decl = read(dts);
  for (const m of read(js).matchAll(
    /this\._client\.(get|post|delete|getAPIList)\([\s\S]*?startApiCallSpan\)\(this\._client, '([^']+)'[\s\S]*?route: '([^']+)'/g,
  )) {
    const sdkMethod = m[2].replace(/^anthropic\./, '');
    const name = sdkMethod
      .split('.')
      .pop()
      .replace(/_(\w)/g, (_, c) => c.toUpperCase());
    const sig = new RegExp(`^\\s+${name}\\((.*)\\): (.*);$`, 'm').exec(decl);
    const paramsType = sig && /params\??: (\w+)/.exec(sig[1])?.[1];
    const http = `${m[1] === 'getAPIList' ? 'GET' : m[1].toUpperCase()} ${normalizeRoute(m[3])}`;
    // The SDK call as a tool writes it: c.beta.memoryStores.memories.list( → `memoryStores.memories.list(`.
    const path = sdkMethod
      .replace(/^beta\./, '')
      .split('.')
      .map((p, i, all) => (i < all.length - 1 ? p.replace(/_(\w)/g, (_, c) => c.toUpperCase()) : name));
    const callText = `.${path.join('.')}(`;
    const params = [];
    if (paramsType) {
      const start = decl.search(new RegExp(`^export interface ${paramsType}\\b`, 'm'));
      if (start >= 0) {
        const body = decl.slice(start, decl.indexOf('\n}', start));
        for (const p of body.matchAll(/^ {4}(?:'([^']+)'|(\w+))\??:/gm)) {
          const pname = p[1] ?? p[2];
          if (pname !== 'betas' && pname !== 'workspace_id') params.push(pname);
        }
      }
    }
    methods.push({ sdkMethod, http, callText, params });
  }
}

// ---- events, stop reasons, statuses, error codes --------------------------------------------------
const unionMembers = (typeName) => {
  const m = new RegExp(`^export type ${typeName} = (.*);$`, 'm').exec(dtsText);
  return m ? [...m[1].matchAll(/(?:\w+\.)?(\w+)/g)].map((x) => x[1]) : [];
};
const literalType = (iface) => {
  const start = dtsText.search(new RegExp(`^export interface ${iface} \\{`, 'm'));
  if (start < 0) return undefined;
  const body = dtsText.slice(start, dtsText.indexOf('\n}', start));
  return /^ {4}type: '([^']+)';/m.exec(body)?.[1];
};
const events = unionMembers('BetaManagedAgentsStreamSessionEvents').map(literalType).filter(Boolean);
const stopLine = /stop_reason: ((?:\w+ \| )*\w+);/.exec(dtsText)?.[1] ?? '';
const stopReasons = stopLine.split(' | ').map(literalType).filter(Boolean);
const statuses = [];
for (const m of dtsText.matchAll(/^export type (\w+Status) = ('[^;]+);$/gm)) {
  for (const v of m[2].matchAll(/'([^']+)'/g)) statuses.push({ of: m[1], value: v[1] });
}
const sessionStatus = /^ {4}status: ('rescheduling'[^;]*);$/m.exec(dtsText)?.[1];
if (sessionStatus) for (const v of sessionStatus.matchAll(/'([^']+)'/g)) statuses.push({ of: 'BetaManagedAgentsSession.status', value: v[1] });
const codeFiles = [...files.filter(isDts), join(SDK, 'resources', 'shared.d.ts'), join(SDK, 'resources', 'files.d.ts')];
const codes = [...new Set(codeFiles.flatMap((f) => [...read(f).matchAll(/error_code: '([^']+)'/g)].map((m) => m[1])))].sort();

// ---- coverage -----------------------------------------------------------------------------------
const has = (text, s) => text.includes(s);
const quoted = (text, s) => text.includes(`'${s}'`) || text.includes(`"${s}"`) || text.includes(`\`${s}\``);
const emuFaultsAnyCode = /error_code: z\.string\(\)/.test(read(join(ROOT, 'src', 'emulator', 'wire', 'faults.ts')));
const rows = [];
const row = (section, item, marks, applies = 'TERG') => rows.push({ section, item, marks, applies });

for (const m of methods) {
  const t = has(toolsText, m.callText) || has(turnsText, m.callText);
  const e = emuRoutes.has(m.http);
  row('method', `${m.sdkMethod}  ${m.http}`, { T: t, E: e, R: has(turnsText, m.callText), G: true }, 'TEG');
  for (const p of m.params) {
    // A tool sends it when its name is written in the tools' source; the emulator reads it when
    // its own code names it (params, validation, query reads).
    row(
      'param',
      `${m.sdkMethod}(${p})`,
      {
        T: t && quoted(toolsText, p) | new RegExp(`\\b${p}\\b`).test(toolsText),
        E: e && (quoted(emulatorText, p) || new RegExp(`\\b${p.replace(/[[\]]/g, '\\$&')}\\b`).test(emulatorText)),
        G: true,
      },
      'TEG',
    );
  }
}
// An event the emulator names whole, or builds from a template (`session.thread_status_${s}`) in a
// file that names the rest ('running') as a literal.
const templated = (ev) =>
  emulatorFiles.some((f) => {
    const text = read(f);
    return [...text.matchAll(/`([a-z_.]+)\$\{/g)].some((m) => ev.startsWith(m[1]) && quoted(text, ev.slice(m[1].length)));
  });
for (const ev of events) row('event', ev, { T: quoted(toolsText, ev), E: quoted(emulatorText, ev) || templated(ev), R: quoted(turnsText, ev), G: true }, 'ERG');
for (const s of stopReasons) row('stop reason', s, { E: quoted(emulatorText, s), R: quoted(turnsText, s), G: true }, 'ERG');
for (const s of statuses) {
  const text = s.of.includes('Dream') ? toolsText : `${toolsText}\n${turnsText}`;
  row('status', `${s.of}: ${s.value}`, { T: quoted(text, s.value), E: quoted(emulatorText, s.value), G: true }, 'TEG');
}
// The tools' side of a code: a text of its own (a key of src/api/error-codes.ts, or a quoted
// check in src/api or a tool); without one it gets the advice of its status and error type.
for (const c of codes)
  row(
    'error code',
    c,
    { T: new RegExp(`^\\s+${c}:`, 'm').test(apiText) || quoted(apiText, c) || quoted(toolsText, c), E: emuFaultsAnyCode || quoted(emulatorText, c), G: true },
    'TEG',
  );

const mark = (r) => [...'TERG'].map((k) => (r.applies.includes(k) ? (r.marks[k] ? k : '-') : ' ')).join('');
const uncovered = rows.filter((r) => [...r.applies].some((k) => !r.marks[k]));
const only = process.argv.includes('--uncovered');

console.log(`@anthropic-ai/sdk ${VERSION}: Managed Agents groups ${GROUPS.join(', ')}`);
console.log('marks: T tools, E emulator, R turn engine, G conformance gate; "-" not covered, blank: does not apply');
const sections = [...new Set(rows.map((r) => r.section))];
for (const s of sections) {
  const of = rows.filter((r) => r.section === s);
  const miss = of.filter((r) => uncovered.includes(r)).length;
  console.log(`\n${s}${s.endsWith('s') ? 'es' : 's'}: ${of.length}, ${of.length - miss} fully covered`);
  if (!only) for (const r of of) console.log(`  ${mark(r)}  ${r.item}`);
}
console.log(`\nuncovered (${uncovered.length}):`);
for (const r of uncovered) console.log(`  ${mark(r)}  ${r.section}: ${r.item}`);
