/**
 * The import rules of docs/architecture.md, checked on every `npm test`
 * (test/architecture/imports.test.ts) and by `npm run lint:imports`.
 *
 * Paths are matched by prefix (`^src/emulator/`), never by the files inside a part, so the rules
 * hold however a part arranges its own folders.
 */
const OUTSIDE_EMULATOR = '^src/(?!emulator/)';
const SDK = '^node_modules/@anthropic-ai/sdk/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'emulator-stands-alone',
      comment:
        'The emulator is a separate product part: it imports nothing from the server, tools, turns or API seam ' +
        '(only src/shared/pricing.ts, the list prices both sides need; src/shared/loopback.ts, what counts as this machine; and ' +
        "src/shared/multiagent-params.ts, the SDK's multiagent params as one schema, checked against the SDK type at compile time). " +
        'See docs/architecture.md.',
      severity: 'error',
      from: { path: '^src/emulator/' },
      to: { path: OUTSIDE_EMULATOR, pathNot: '^src/shared/' },
    },
    {
      name: 'only-the-entry-starts-the-emulator',
      comment: 'Only the process entry (src/cli.ts) may import the emulator: the server talks to it over HTTP like any API.',
      severity: 'error',
      from: { path: OUTSIDE_EMULATOR, pathNot: '^src/cli\\.ts$' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'sdk-only-through-the-seam',
      comment:
        'Only src/api/ imports @anthropic-ai/sdk (types included): everything else takes what it needs from ' +
        'src/api/client.ts, so the retry policy and error classification cannot be bypassed.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(api|emulator)/' },
      to: { path: SDK },
    },
    {
      name: 'emulator-uses-sdk-types-only',
      comment:
        "The emulator may import the SDK's type declarations (they are the API's contract), never its run-time " +
        'code: it must not depend on the client it emulates.',
      severity: 'error',
      from: { path: '^src/emulator/' },
      to: { path: SDK, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'turns-never-import-tools',
      comment: 'The turn engine (src/turns/) is below the tools: tools call it, it never calls them.',
      severity: 'error',
      from: { path: '^src/turns/' },
      to: { path: '^src/tools/' },
    },
    {
      name: 'format-is-pure',
      comment:
        'src/format/ turns data into text: it imports nothing but itself (src/format/secrets.ts: redaction before any cut; ' +
        'src/format/inert.ts: upstream text made inert, shared with the API error texts) and node:crypto (the fence nonce), so no API seam, no tools, no node: I/O.',
      severity: 'error',
      from: { path: '^src/format/' },
      to: { pathNot: '^(src/format/|crypto$)' },
    },
    {
      name: 'api-seam-is-the-bottom',
      comment: 'src/api/ is the lowest layer of the server but the pure src/format/: it never imports tools, turns or the server.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(tools/|turns/|mcp/|cli\\.ts)' },
    },
    {
      name: 'only-the-server-registers-tools',
      comment: 'Tools are data; src/mcp/server.ts registers them. Tools never import the server or the CLI.',
      severity: 'error',
      from: { path: '^src/tools/' },
      to: { path: '^src/(mcp/|cli\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count as dependencies (tagged "type-only"), so a type import of the SDK
    // outside src/api/ is caught, and the emulator's type imports are told apart from run-time ones.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
