/**
 * The import rules of docs/architecture.md, checked on every `npm test`
 * (test/architecture/imports.test.ts) and by `npm run lint:imports`.
 *
 * Paths are matched by folder (`^src/emulator/`), never by the files inside a part: a file that
 * would need an exception is in the wrong folder. The files directly in src/ are the process entry
 * (flags and environment → configuration, the log, transports started).
 */
const SDK = '^node_modules/@anthropic-ai/sdk/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'emulator-stands-alone',
      comment:
        'The emulator is a separate product part: it imports nothing from the server, tools, turns or API seam, ' +
        'only src/shared/ (the list prices both sides need, what counts as this machine, the multiagent params ' +
        'held to the SDK type). See docs/architecture.md.',
      severity: 'error',
      from: { path: '^src/emulator/' },
      to: { path: '^src/(?!emulator/|shared/)' },
    },
    {
      name: 'shared-is-a-leaf',
      comment:
        'src/shared/ is what the emulator may import too: it imports nothing else of src/, so importing it ' +
        'brings no part of the server into the emulator.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(?!shared/)' },
    },
    {
      name: 'only-the-entry-starts-the-emulator',
      comment: 'Only the process entry (the files directly in src/: the CLI) may import the emulator: the server talks to ' + 'it over HTTP like any API.',
      severity: 'error',
      from: { path: '^src/(?!emulator/)[^/]+/' },
      to: { path: '^src/emulator/' },
    },
    {
      name: 'nothing-imports-the-entry',
      comment: 'The process entry (src/cli.ts, src/bin.ts) is the top: no part imports it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^src/(cli|bin)\\.ts$' },
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
      name: 'mcp-sdk-in-the-surface',
      comment:
        'The MCP SDK is imported by src/mcp/ and the process entry (the stdio transport) only: tools, turns and the ' +
        'API seam know nothing of the protocol, so a change of MCP SDK stays in one part.',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: '^src/mcp/' },
      to: { path: '^node_modules/@modelcontextprotocol/' },
    },
    {
      name: 'turns-never-import-tools',
      comment: 'The turn engine (src/turns/) is below the tools and the MCP surface: they call it, it never calls them.',
      severity: 'error',
      from: { path: '^src/turns/' },
      to: { path: '^src/(tools|mcp)/' },
    },
    {
      name: 'format-is-pure',
      comment:
        'src/format/ turns data into text (redaction, upstream text made inert, fences, caps): it imports nothing but ' +
        'itself and node:crypto (the fence nonce), so no API seam, no tools, no node: I/O.',
      severity: 'error',
      from: { path: '^src/format/' },
      to: { pathNot: '^(src/format/|crypto$)' },
    },
    {
      name: 'api-seam-is-the-bottom',
      comment: 'src/api/ is the lowest layer of the server, above only the pure src/format/: it never imports tools, turns ' + 'or the MCP surface.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(tools|turns|mcp)/' },
    },
    {
      name: 'only-the-server-registers-tools',
      comment: 'Tools are data; src/mcp/ registers them. Tools never import the MCP surface.',
      severity: 'error',
      from: { path: '^src/tools/' },
      to: { path: '^src/mcp/' },
    },
    {
      name: 'tool-helpers-below-the-tools',
      comment:
        'src/tools/support/ holds what the tool files share (defineTool, the approval gate, selection, ...): the tool ' +
        'files import it, it never imports a tool file or the registry.',
      severity: 'error',
      from: { path: '^src/tools/support/' },
      to: { path: '^src/tools/[^/]+$' },
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
