// `npm run bench`: start-up, per-call overhead, turn latency, concurrency, memory and result size
// of the built server, each next to its baseline in the same run (the reference MCP server, or the
// same API call made directly with the SDK), so ratios hold on a noisy machine.
//
//   npm run bench                  # build, bundle, measure; prints the table, writes bench/results.md
//   npm run bench -- --docs        # also replaces the latest-run section of docs/performance.md
//   npm run bench -- --only startup,tokens
//   npm run bench -- --only overhead,concurrency,startup --before /tmp/old-bin.mjs
//                                  # also measures an older build of the bin in the same run
//
// Set-up: the emulator runs inside this bench process (so its CPU is not the server's); the server
// is a separate child, `node dist/cli.js --base-url <emulator> ` with MANAGED_AGENTS_API_KEY=bench-key,
// driven over stdio by the MCP SDK client. Loopback only. Every count and wait is bounded.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from './bundle.mjs';
import { benchConcurrency } from './concurrency.mjs';
import { benchFanout, FANOUT_VARIANTS } from './fanout.mjs';
import { benchHeapCap } from './heapcap.mjs';
import { benchHostile } from './hostile.mjs';
import { benchHttp, httpRows } from './http.mjs';
import { benchLatency } from './latency.mjs';
import { BUNDLE, CLI, FLOOR_MCP, fmt, machine, sdkFor, startEmu, startEmuProcess } from './lib.mjs';
import { benchLiveHeap, benchMemory } from './memory.mjs';
import { benchOverhead } from './overhead.mjs';
import { benchStartup } from './startup.mjs';
import { benchTokens, CAP } from './tokens.mjs';
import { benchThin } from './thin.mjs';
import { benchTransport } from './transport.mjs';
import { benchUsageReport } from './usage-report.mjs';

const FIGURES = ['startup', 'overhead', 'latency', 'concurrency', 'memory', 'tokens', 'hostile', 'http', 'usage', 'fanout', 'thin'];
const { values } = parseArgs({
  options: { docs: { type: 'boolean', default: false }, only: { type: 'string' }, before: { type: 'string' } },
});
const only = values.only ? values.only.split(',').map((s) => s.trim()) : FIGURES;
for (const f of only) if (!FIGURES.includes(f)) throw new Error(`--only: unknown figure ${f} (known: ${FIGURES.join(', ')})`);

// The whole run must stay bounded: fail loudly rather than hang a CI job.
setTimeout(() => {
  process.stderr.write('bench: exceeded 12 minutes, giving up\n');
  process.exit(1);
}, 12 * 60_000).unref();

const log = (s) => process.stderr.write(`${s}\n`);
const started = performance.now();
const ms = (x, d = 1) => `${fmt(x, d)} ms`;
const spread = (s, unit = 'ms', d = 1) => `${fmt(s.median, d)} ${unit} (${fmt(s.p10, d)}–${fmt(s.p90, d)})`.replace(/ \(/, ` (`);
const times = (x, d = 2) => `${fmt(x, d)}×`;
const ok = (b) => (b ? '✅ met' : '❌ missed');
const rows = [];
const notes = [];
/** Data-driven explanations of missed or borderline targets, printed under the table. */
const why = [];
const row = (figure, measure, ours, baseline, ratio, target, verdict) => rows.push({ figure, measure, ours, baseline, ratio, target, verdict });

const emu = await startEmu();
const sdk = sdkFor(emu);
const results = {};
try {
  if (only.includes('startup')) {
    log('bundling dist/cli.js → dist/managed-agents-mcp.mjs (esbuild, minified) …');
    const b = await bundle();
    log(`  ${fmt(b.ms, 0)} ms`);
    log('1. start-up: 15 rounds × (ours, ours bundled with and without code cache, reference) …');
    const r = (results.startup = await benchStartup({ runs: 15, emuUrl: emu.url, before: values.before }));
    const ref = r.reference;
    row(
      1,
      `start-up, spawn → tools/list answered (${r.ours.tools} tools), unbundled tsc output \`dist/cli.js\``,
      spread(r.ours.list),
      `reference ${spread(ref.list)}`,
      `${times(r.ratio.median)} (${fmt(r.ratio.p10, 2)}–${fmt(r.ratio.p90, 2)})`,
      'info',
      '',
    );
    if (r.bundled) {
      row(
        1,
        `start-up, spawn → tools/list answered, the shipped bin \`dist/managed-agents-mcp.mjs\` (esbuild bundle, code cache written by an earlier start)`,
        spread(r.bundled.list),
        `reference ${spread(ref.list)}`,
        `${times(r.ratioBundled.median)} (${fmt(r.ratioBundled.p10, 2)}–${fmt(r.ratioBundled.p90, 2)})`,
        '≤ 0.7×',
        ok(r.ratioBundled.median <= 0.7),
      );
      if (r.cold)
        row(
          1,
          'start-up, the shipped bin on its first start (no code cache: `MANAGED_AGENTS_CODE_CACHE=off`)',
          spread(r.cold.list),
          `reference ${spread(ref.list)}`,
          `${times(r.ratioCold.median)} (${fmt(r.ratioCold.p10, 2)}–${fmt(r.ratioCold.p90, 2)})`,
          'info',
          '',
        );
      row(
        1,
        'start-up CPU time (all threads) until tools/list is answered, the shipped bin',
        spread(r.bundled.cpu, 'ms', 0),
        `reference ${spread(ref.cpu, 'ms', 0)}`,
        `${times(r.cpuRatioBundled.median)} (${fmt(r.cpuRatioBundled.p10, 2)}–${fmt(r.cpuRatioBundled.p90, 2)})`,
        'info',
        '',
      );
    }
    if (!r.bundled || r.ratioBundled.median > 0.7) {
      why.push(
        `Start-up misses: the shipped bin takes ${times(r.bundled?.list ? r.ratioBundled.median : r.ratio.median)} the reference's time to answer tools/list (CPU time ${r.bundled ? times(r.cpuRatioBundled.median) : 'n/a'}). In a fresh node, importing ${Object.entries(
          r.imports,
        )
          .map(([m, t]) => `\`${m}\` takes ${ms(t.median, 0)}`)
          .join(', ')} (unbundled); both servers load the MCP SDK and zod. docs/performance.md says where the rest goes.`,
      );
    }
    if (r.before) {
      row(
        1,
        `before: start-up of ${values.before} (same run)`,
        spread(r.before.list),
        `reference ${spread(ref.list)}`,
        `${times(r.ratioBefore.median)} (${fmt(r.ratioBefore.p10, 2)}–${fmt(r.ratioBefore.p90, 2)}); CPU ${spread(r.before.cpu, 'ms', 0)}, ${times(r.cpuRatioBefore.median)}`,
        'info',
        '',
      );
    }
    row(
      1,
      'start-up, spawn → initialize answered: ours / bundled',
      `${ms(r.ours.init.median)} / ${r.bundled ? ms(r.bundled.init.median) : 'n/a'}`,
      `reference ${ms(ref.init.median)}`,
      '',
      'info',
      '',
    );
    row(
      1,
      'RSS right after tools/list: ours / bundled',
      `${fmt(r.ours.rss.median)} / ${r.bundled ? fmt(r.bundled.rss.median) : 'n/a'} MiB`,
      `reference ${fmt(ref.rss.median)} MiB`,
      '',
      'info',
      '',
    );
  }

  if (only.includes('overhead')) {
    log('2. per-call overhead: 500 interleaved get_session vs sessions.retrieve, per server build …');
    const variants = [['`dist/cli.js`', CLI]];
    variants.push(['the bin (bundle)', BUNDLE]);
    if (values.before) variants.push([`before: ${values.before}`, values.before]);
    results.overhead = {};
    for (const [label, cli] of variants) {
      const r = (results.overhead[label] = await benchOverhead({ emu, sdk, cli }));
      row(
        2,
        `\`get_session\` over MCP stdio vs direct SDK \`sessions.retrieve\` (${label})`,
        spread(r.mcp, 'ms', 2),
        `SDK ${spread(r.sdk, 'ms', 2)}`,
        `${times(r.ratio)}, +${ms(r.addedMs, 2)}`,
        '≤ +0.5 ms',
        ok(r.addedMs <= 0.5),
      );
      if (r.addedMs > 0.5)
        why.push(
          `Per-call overhead misses with ${label}: +${ms(r.addedMs, 2)} at the median. In the same run a bare stdio proxy making the call with the Anthropic SDK adds +${ms(r.sdkFloor.median - r.sdk.median, 2)} and a minimal MCP server on both SDKs +${ms(r.minimal.median - r.sdk.median, 2)}: the target is ${r.sdkFloor.median - r.sdk.median > 0.5 ? 'below' : 'above'} the floor of the SDK this server must use; docs/performance.md says where the rest goes.`,
        );
      if (label === '`dist/cli.js`') row(2, 'MCP `ping` round trip (the stdio/JSON-RPC share of the above)', spread(r.ping, 'ms', 2), '', '', 'info', '');
      else {
        const floorRow = (what, x) => row(2, what, spread(x, 'ms', 2), `SDK ${spread(r.sdk, 'ms', 2)}`, `+${ms(x.median - r.sdk.median, 2)}`, 'info', '');
        floorRow("floor: the same GET through a bare stdio proxy with Node's `fetch` (bench/floor-proxy.mjs: no SDK, no MCP, no checks)", r.floor);
        floorRow('floor: the same `sessions.retrieve` through a bare stdio proxy with the Anthropic SDK (no MCP, no checks)', r.sdkFloor);
        floorRow('floor: a minimal MCP server on both SDKs (bench/floor-mcp.mjs: `McpServer`, one tool, no checks)', r.minimal);
        row(2, 'MCP `ping` round trip, the bin', spread(r.ping, 'ms', 2), '', '', 'info', '');
      }
    }
  }

  if (only.includes('latency')) {
    log('3. turn latency: 50 turns (+5 warm-up) …');
    const r = (results.latency = await benchLatency({ emu, sdk, cli: BUNDLE }));
    row(
      3,
      'final `session.status_idle` → `send_message` result at the client (vs a direct SDK stream consumer seeing the idle)',
      spread(r.consumer, 'ms', 2),
      '',
      '',
      '≤ 5 ms',
      ok(r.consumer.median <= 5),
    );
    row(
      3,
      'cross-check: client `Date.now()` − idle `processed_at` (1 ms resolution)',
      spread(r.processedAt, 'ms', 0),
      '',
      '',
      '≤ 5 ms',
      ok(r.processedAt.median <= 5),
    );
    row(
      3,
      'whole `/reply` turn: `send_message` vs direct SDK (stream, send, read to idle)',
      spread(r.mcpTurn, 'ms', 2),
      `SDK ${spread(r.directTurn, 'ms', 2)}`,
      `+${ms(r.mcpTurn.median - r.directTurn.median, 2)}`,
      'info',
      '',
    );
    if (r.consumer.median > 5) why.push(`Turn latency misses: ${ms(r.consumer.median, 2)} from the idle to the result.`);
    if (r.idMatches !== r.turns) notes.push(`latency: the digest's last_event_id was the consumer's idle in only ${r.idMatches}/${r.turns} turns.`);
  }

  if (only.includes('concurrency')) {
    log('4. concurrency: 1, 10, 50, 200 concurrent /sleep 500 turns × 5 rounds, MCP, direct SDK and a minimal MCP server …');
    // The emulator runs in its own process here: see startEmuProcess.
    const emuProc = await startEmuProcess();
    let r;
    try {
      r = results.concurrency = await benchConcurrency({ emu: emuProc, sdk: sdkFor(emuProc), cli: BUNDLE, floorCli: FLOOR_MCP });
      if (values.before) results.concurrencyBefore = await benchConcurrency({ emu: emuProc, sdk: sdkFor(emuProc), cli: values.before, levels: [1, 50, 200] });
    } finally {
      await emuProc.close();
    }
    for (const x of r) {
      // /proc CPU time has 10 ms ticks: only the large levels give a meaningful per-turn figure.
      const gated = x.n >= 50;
      const cpu = gated ? `; server CPU ${fmt(x.cpuPerTurn.median, 1)} ms/turn` : '';
      // The target (issue 21): this server's wall time / the minimal MCP server's, same rounds.
      const target = gated && x.vsFloor;
      if (target && x.vsFloor.median > 1.05) {
        why.push(
          `Concurrency misses at ${x.n}: through the server the ${x.n} turns take ${times(x.vsFloor.median)} the wall time of the same turns through a minimal MCP server on both SDKs in the same rounds (${times(x.vsSdk.median)} of the same turns made directly with the SDK, the minimal server ${times(x.floor.vsSdk.median)}), using ${ms(x.cpuPerTurn.median, 1)} of server CPU per turn against the minimal server's ${ms(x.floor.cpuPerTurn.median, 1)} (${times(x.cpuVsFloor.median)}), on ${machine().nproc} cores shared with the emulator and the client.`,
        );
      }
      const b = results.concurrencyBefore?.find((y) => y.n === x.n);
      if (b)
        row(
          4,
          `before: ${x.n} concurrent turns through ${values.before}; server CPU ${fmt(b.cpuPerTurn.median, 1)} ms/turn`,
          spread(b.wall, 'ms', 0),
          `SDK ${spread(b.direct, 'ms', 0)}`,
          `${times(b.vsSdk.median)} (${fmt(b.vsSdk.p10, 2)}–${fmt(b.vsSdk.p90, 2)}) of SDK`,
          'info',
          '',
        );
      row(
        4,
        `${x.n} concurrent \`send_message\` turns (\`/sleep 500\`), wall time${cpu}`,
        spread(x.wall, 'ms', 0),
        `SDK ${spread(x.direct, 'ms', 0)}, ${times(x.directRatio.median)} of 1`,
        `${times(x.vsSdk.median)} (${fmt(x.vsSdk.p10, 2)}–${fmt(x.vsSdk.p90, 2)}) of SDK; ${times(x.ratio.median)} of 1 turn`,
        'info',
        '',
      );
      if (gated && x.floor) {
        row(
          4,
          `floor: the same ${x.n} turns through a minimal MCP server on both SDKs (bench/floor-mcp.mjs); its CPU ${fmt(x.floor.cpuPerTurn.median, 1)} ms/turn`,
          spread(x.floor.wall, 'ms', 0),
          `SDK ${spread(x.direct, 'ms', 0)}`,
          `${times(x.floor.vsSdk.median)} (${fmt(x.floor.vsSdk.p10, 2)}–${fmt(x.floor.vsSdk.p90, 2)}) of SDK`,
          'info',
          '',
        );
      }
      if (target) {
        row(
          4,
          `${x.n} concurrent turns: this server / the minimal MCP server, wall time round by round; server CPU per turn ${fmt(x.cpuPerTurn.median, 1)} / ${fmt(x.floor.cpuPerTurn.median, 1)} ms (${times(x.cpuVsFloor.median)})`,
          spread(x.wall, 'ms', 0),
          `minimal ${spread(x.floor.wall, 'ms', 0)}`,
          `${times(x.vsFloor.median)} (${fmt(x.vsFloor.p10, 2)}–${fmt(x.vsFloor.p90, 2)})`,
          '≤ 1.05× of minimal',
          ok(x.vsFloor.median <= 1.05),
        );
      }
    }
  }

  if (only.includes('memory')) {
    log('5. memory: peak RSS of fresh servers following 1k/10k/100k-event turns and paging 10k/100k histories, 3 rounds …');
    const r = (results.memory = await benchMemory({ emu, sdk, cli: BUNDLE, turnSizes: [1_000, 10_000, 100_000], historySizes: [10_000, 100_000] }));
    log('   … and the V8 heap after GC during the same operations (node --trace-gc), once …');
    const heap = (results.liveHeap = await benchLiveHeap({ emu, sdk, cli: BUNDLE, turnSizes: [1_000, 10_000, 100_000], historySizes: [10_000, 100_000] }));
    log('   … and a server with its V8 old space capped at 36 MiB: a 200,000-event turn, then 600,000 events paged …');
    const cap = (results.heapCap = await benchHeapCap({ emu, sdk, cli: BUNDLE }));
    for (const kind of ['turn', 'history']) {
      const group = r.filter((x) => x.kind === kind);
      group.forEach((x, i) => {
        const prev = group[i - 1];
        const ratio = prev ? x.peak.median / prev.peak.median : undefined;
        const live = heap[kind][x.n];
        const liveRatio = prev ? live / heap[kind][prev.n] : undefined;
        // Flat: 10× the events costs no more than 10 % more peak memory.
        let verdict = '';
        if (prev) {
          if (ratio <= 1.1) verdict = ok(true);
          else if (cap.survived) {
            // Peak RSS and the median heap between collections follow V8's heap sizing, which
            // grows with allocation pressure; the capped run below is what shows retention is bounded.
            why.push(
              `Peak RSS ${x.label} is ${times(ratio)} that at ${fmt(prev.n, 0)} events (median heap between collections ${times(liveRatio)}): V8 sizes its heap to the allocation rate of a longer run. Retention is bounded: with its old space capped at ${cap.capMiB} MiB the server still followed a ${fmt(cap.turnEvents, 0)}-event turn and paged ${fmt(cap.events, 0)} events.`,
            );
            verdict = `⚠️ RSS +${fmt((ratio - 1) * 100, 0)} %: V8 heap sizing (bounded: see the ${cap.capMiB} MiB row)`;
          } else if (liveRatio <= 1.1) {
            why.push(
              `Peak RSS ${x.label} is ${times(ratio)} that at ${fmt(prev.n, 0)} events while the V8 heap after GC stays ${times(liveRatio)}: V8 enlarges its heap under allocation pressure; it is not retention${group[i + 1] ? `, and 10× more events again cost ${times(group[i + 1].peak.median / x.peak.median)}` : ''}.`,
            );
            verdict = `⚠️ RSS +${fmt((ratio - 1) * 100, 0)} %, heap after GC ${times(liveRatio)}: V8 heap sizing`;
          } else {
            why.push(`Memory grows with events ${x.label}: ${times(ratio)} peak RSS and ${times(liveRatio)} heap after GC for 10× the events.`);
            verdict = ok(false);
          }
        }
        row(
          5,
          `peak RSS ${x.label} (${fmt(x.ms.median, 0)} ms${x.pages ? `, ${x.pages} pages` : ''})`,
          spread(x.peak, 'MiB'),
          `idle ${fmt(x.base.median)} MiB, +${fmt(x.growth.median)}; median heap between GCs ${fmt(live)} MiB`,
          prev ? `${times(ratio)} of ${fmt(prev.n, 0)}` : '',
          prev ? 'flat (≤ 1.1× for 10× events)' : '',
          verdict,
        );
      });
    }
    row(
      5,
      `bounded: old space capped at ${cap.capMiB} MiB, follow a ${fmt(cap.turnEvents, 0)}-event turn (${fmt(cap.turnMs / 1000, 1)} s), then page ${fmt(cap.events, 0)} events (${cap.pages} list_events calls)`,
      cap.survived ? 'survived' : 'ran out of memory',
      '',
      '',
      'flat',
      ok(cap.survived),
    );
  }

  if (only.includes('tokens')) {
    log('6. tokens: tools/list and typical and worst-case results …');
    const r = (results.tokens = await benchTokens({ emu, sdk, cli: BUNDLE }));
    for (const l of r.lists) {
      const isDefault = /default/.test(l.label);
      if (isDefault && l.tokens > 4000) why.push(`The default tools/list misses: ${fmt(l.tokens, 0)} tokens.`);
      row(
        6,
        `${l.label}: ${l.tools} tools, ${fmt(l.chars, 0)} chars`,
        `${fmt(l.tokens, 0)} tokens`,
        '',
        '',
        isDefault ? '≤ 4,000 tokens' : 'info',
        isDefault ? ok(l.tokens <= 4000) : '',
      );
      if (isDefault && l.model > 2400) why.push(`The default tools/list's model-visible part misses: ${fmt(l.model, 0)} tokens.`);
      row(
        6,
        `${l.label}: the part the model sees (names, descriptions, input schemas)`,
        `${fmt(l.model, 0)} tokens`,
        '',
        '',
        isDefault ? '≤ 2,400 tokens' : 'info',
        isDefault ? ok(l.model <= 2400) : '',
      );
      if (l.breakdown) {
        const b = l.breakdown;
        notes.push(
          `${l.label}: descriptions ${fmt(b.description / 4, 0)}, inputSchema ${fmt(b.inputSchema / 4, 0)}, outputSchema ${fmt(b.outputSchema / 4, 0)}, annotations+titles+names ${fmt(b.rest / 4, 0)} tokens.`,
        );
      }
    }
    for (const t of r.toolsets) {
      row(
        6,
        `toolset \`${t.toolset}\`'s own share of tools/list (${t.tools} tools): wire / model-visible`,
        `${fmt(t.wire, 0)} / ${fmt(t.model, 0)} tokens`,
        '',
        '',
        'info',
        '',
      );
    }
    for (const d of r.dynamic) {
      row(
        6,
        `--dynamic-toolsets session, \`${d.toolset}\` enabled: model-visible list at start → after, + enable_toolset's result once`,
        `${fmt(d.start.model, 0)} → ${fmt(d.after.model, 0)} (+${fmt(d.result, 0)}) tokens`,
        `wire ${fmt(d.start.wire, 0)} → ${fmt(d.after.wire, 0)}`,
        '',
        'info',
        '',
      );
    }
    for (const x of r.results.filter((y) => y.kind === 'typical')) {
      row(
        6,
        `result of ${x.label}: structured / text chars`,
        `${fmt(x.tokens, 0)} tokens`,
        `${fmt(x.structuredChars, 0)} / ${fmt(x.textChars, 0)}`,
        '',
        'info',
        '',
      );
    }
    const stress = r.results.filter((y) => y.kind === 'stress');
    const worst = stress.reduce((a, b) => (Math.max(a.structuredChars, a.textChars) >= Math.max(b.structuredChars, b.textChars) ? a : b));
    const all = r.results.every((x) => !x.overCap);
    for (const x of r.results.filter((y) => y.overCap)) why.push(`${x.label} is over the ${fmt(CAP, 0)}-character cap.`);
    row(
      6,
      `largest result provoked (${stress.map((s) => s.label.replace(/^send_message, |^list_events, /, '')).join('; ')}): ${worst.label}`,
      `${fmt(Math.max(worst.structuredChars, worst.textChars), 0)} chars`,
      `${fmt(worst.structuredChars, 0)} / ${fmt(worst.textChars, 0)}`,
      '',
      `≤ ${fmt(CAP, 0)} chars`,
      ok(all),
    );
  }
  if (only.includes('thin')) {
    log('11. against the thin-server floor (bench/thin-server.mjs; bench/thin-server-v1.mjs beside it): per call, memory, start-up, tokens …');
    const r = (results.thin = await benchThin({ emu, sdk, before: values.before }));
    const t = (results.transport = await benchTransport());
    row(
      11,
      "the SDK call alone, CPU: through this server's transport / through Node's `fetch`, same bounds (bench/transport.mjs)",
      `${fmt(t.transport, 0)} µs`,
      `${fmt(t.fetch, 0)} µs`,
      times(t.ratio),
      'info',
      '',
    );
    /** A per-call figure: its before row, the gated row against the thin server, and why when missed; `over` names the revision. */
    const perCall = (tool, c, over) => {
      if (c.before !== undefined)
        row(11, `before: \`${tool}\`${over} through ${values.before}`, ms(c.before, 2), ms(c.thin, 2), times(c.ratioBefore), 'info', '');
      row(11, `\`${tool}\`${over}, median of the same alternated rounds`, ms(c.ours, 2), ms(c.thin, 2), times(c.ratio), '≤ 1.00×', ok(c.ratio <= 1));
      if (c.ratio > 1)
        why.push(
          `\`${tool}\`${over} through this server takes ${times(c.ratio)} the thin server's time per call (+${ms(c.ours - c.thin, 2)}); docs/performance.md ("Against the thin server") says where it goes.`,
        );
    };
    /** The same server on the MCP SDK's v1 line: a reference next to the gated rows, never a target. */
    const V1 = 'v1 thin server';
    for (const [tool, c] of Object.entries(r.calls)) {
      perCall(tool, c, '');
      row(
        11,
        `… \`${tool}\` against the ${V1} (bench/thin-server-v1.mjs, 2025 only), same rounds`,
        ms(c.ours, 2),
        ms(c.thinV1, 2),
        times(c.ratioV1),
        'info',
        '',
      );
    }
    // The same calls over MCP 2026-07-28, the revision Claude Code speaks: the v2 client, ours and
    // the thin server only (the v1 thin server is 2025-only).
    const REV = ' over MCP 2026-07-28 (the v2 client)';
    if (values.before && r.beforeModern) notes.push(`thin: ${values.before} left out of the rows${REV}: ${r.beforeModern}`);
    for (const [tool, c] of Object.entries(r.callsModern)) perCall(tool, c, REV);
    const mem = r.memory;
    row(
      11,
      'idle RSS after start-up and tools/list',
      `${fmt(mem.ours.idle, 0)} MiB`,
      `${fmt(mem.thin.idle, 0)} MiB`,
      times(mem.ours.idle / mem.thin.idle),
      'reported',
      '',
    );
    if (mem.before)
      row(
        11,
        `before: idle / peak RSS of ${values.before}`,
        `${fmt(mem.before.idle, 0)} / ${fmt(mem.before.peak, 0)} MiB`,
        `${fmt(mem.thin.idle, 0)} / ${fmt(mem.thin.peak, 0)} MiB`,
        `${times(mem.before.idle / mem.thin.idle)} / ${times(mem.before.peak / mem.thin.peak)}`,
        'info',
        '',
      );
    if (mem.ours.peak / mem.thin.peak > 0.9)
      why.push(`Peak RSS over 200 calls is ${times(mem.ours.peak / mem.thin.peak)} the thin server's; docs/performance.md ("Memory") says where it goes.`);
    row(
      11,
      'peak RSS during 200 calls (fresh process, worst of three)',
      `${fmt(mem.ours.peak, 0)} MiB`,
      `${fmt(mem.thin.peak, 0)} MiB`,
      times(mem.ours.peak / mem.thin.peak),
      '≤ 0.90×',
      ok(mem.ours.peak / mem.thin.peak <= 0.9),
    );
    row(
      11,
      `… idle / peak RSS against the ${V1}`,
      `${fmt(mem.ours.idle, 0)} / ${fmt(mem.ours.peak, 0)} MiB`,
      `${fmt(mem.thinV1.idle, 0)} / ${fmt(mem.thinV1.peak, 0)} MiB`,
      `${times(mem.ours.idle / mem.thinV1.idle)} / ${times(mem.ours.peak / mem.thinV1.peak)}`,
      'info',
      '',
    );
    row(
      11,
      'start-up to tools/list, code cache written',
      ms(r.startup.warm, 0),
      ms(r.startup.thin, 0),
      times(r.startup.ratioWarm),
      '≤ 1.00×',
      ok(r.startup.ratioWarm <= 1),
    );
    row(
      11,
      'start-up to tools/list, first run (no cache yet)',
      ms(r.startup.first, 0),
      ms(r.startup.thin, 0),
      times(r.startup.ratioFirst),
      '≤ 1.20×',
      ok(r.startup.ratioFirst <= 1.2),
    );
    row(
      11,
      `… start-up against the ${V1}: code cache written / first run`,
      `${ms(r.startup.warm, 0)} / ${ms(r.startup.first, 0)}`,
      ms(r.startup.thinV1, 0),
      `${times(r.startup.ratioWarmV1)} / ${times(r.startup.ratioFirstV1)}`,
      'info',
      '',
    );
    row(
      11,
      `tools/list as sent (${r.tokens.ours.tools} vs ${r.tokens.thin.tools} tools)`,
      `${fmt(r.tokens.ours.wire, 0)} tokens`,
      `${fmt(r.tokens.thin.wire, 0)} tokens`,
      times(r.tokens.ours.wire / r.tokens.thin.wire),
      '≤ 4,000 tokens',
      ok(r.tokens.ours.wire <= 4000),
    );
    row(
      11,
      'tools/list, the part the model sees',
      `${fmt(r.tokens.ours.model, 0)} tokens`,
      `${fmt(r.tokens.thin.model, 0)} tokens`,
      times(r.tokens.ours.model / r.tokens.thin.model),
      '≤ 2,400 tokens',
      ok(r.tokens.ours.model <= 2400),
    );
    row(
      11,
      `… tools/list against the ${V1} (${r.tokens.thinV1.tools} tools): as sent / the part the model sees`,
      `${fmt(r.tokens.ours.wire, 0)} / ${fmt(r.tokens.ours.model, 0)} tokens`,
      `${fmt(r.tokens.thinV1.wire, 0)} / ${fmt(r.tokens.thinV1.model, 0)} tokens`,
      `${times(r.tokens.ours.wire / r.tokens.thinV1.wire)} / ${times(r.tokens.ours.model / r.tokens.thinV1.model)}`,
      'info',
      '',
    );
  }
  if (only.includes('hostile')) {
    log('7. hostile upstream: 16 calls, each on a fresh server against a misbehaving upstream …');
    const r = (results.hostile = await benchHostile({ bin: BUNDLE }));
    for (const x of r) {
      const limitS = (x.timeoutS || 30) + 10;
      // One new event per open earns no backoff: the per-turn cap (50) bounds that case.
      const maxReopens = x.mode === 'stream-one-then-close' ? 50 : 24;
      const endsAs = x.digest ? !x.isError && /timed out waiting/.test(x.text) : x.isError;
      const bounded = endsAs && x.nextOk && x.ms <= limitS * 1000 && x.requests <= 1000 && x.reopens <= maxReopens && x.peakRssMiB < 400;
      const first = x.text.split('\n')[0].replace(/^\w+ failed: /, '');
      row(
        7,
        `${x.label}`,
        `${ms(x.ms, 0)}, ${x.requests} requests, ${x.reopens} reopens, peak RSS ${fmt(x.peakRssMiB, 0)} MiB, ${x.stderrLines} stderr lines`,
        '',
        first.length > 90 ? `${first.slice(0, 90)}…` : first,
        `${x.digest ? 'timed-out digest' : 'error'} ≤ ${limitS} s, ≤ 1,000 requests, ≤ ${maxReopens} reopens, < 400 MiB, next call works`,
        ok(bounded),
      );
      if (!bounded)
        why.push(
          `Hostile upstream, ${x.label}: ${x.isError ? '' : 'no error; '}${Math.round(x.ms)} ms, ${x.requests} requests, ${x.reopens} reopens, ${fmt(x.peakRssMiB, 0)} MiB, next call ${x.nextOk ? 'worked' : 'failed'}.`,
        );
    }
  }

  if (only.includes('http')) {
    log('8. HTTP mode: get_session over stdio, HTTP, and through nginx with 1 and 2 replicas …');
    const r = (results.http = await benchHttp());
    for (const [measure, ours, baseline, ratio] of httpRows(r)) row(8, measure, ours, baseline, ratio, 'info', '');
  }

  if (only.includes('usage')) {
    log('9. usage_report over an emulator seeded with 5,000 sessions, 5 rounds …');
    const r = (results.usage = await benchUsageReport());
    const c = r.perCall;
    const same = (f) => [...new Set(c.map(f))].join('/');
    row(
      9,
      `\`usage_report\` over ${fmt(r.sessions, 0)} sessions (group_by ${same((x) => x.group_by)}), wall time at the client`,
      spread(r.wall, 'ms', 0),
      `SDK walk of the same list ${spread(r.direct, 'ms', 0)}`,
      times(r.ratio),
      'info',
      '',
    );
    row(
      9,
      '… requests made, sessions read, result tokens (per call)',
      `${same((x) => x.requests)} requests, ${same((x) => fmt(x.sessions, 0))} sessions, ${same((x) => fmt(x.tokens, 0))} tokens`,
      '',
      '',
      'all sessions read, one list walk',
      ok(c.every((x) => x.sessions === r.sessions && !x.incomplete && x.requests <= Math.ceil(r.sessions / 100) + 1)),
    );
    notes.push(
      `usage: seeding ${fmt(r.sessions, 0)} sessions took ${ms(r.seedMs, 0)}; the emulator (in the bench process) filters and pages the whole list on every request.`,
    );
  }

  if (only.includes('fanout')) {
    log('10. fan-out: four turns finishing at 1, 2, 3 and 4 s, collected four ways, 3 rounds …');
    const r = (results.fanout = await benchFanout({ emu, sdk, cli: BUNDLE }));
    for (const v of FANOUT_VARIANTS) {
      const x = r[v];
      const how =
        v === 'many'
          ? '`wait_for_turn {session_ids}` until all are reported'
          : v === 'all'
            ? 'one `wait_for_turn {session_ids, until:"all"}`'
            : `one \`wait_for_turn {session_id}\` per session, ${v}`;
      row(
        10,
        `4 turns finishing at 1–4 s, ${how}: first result in hand, from the sends`,
        spread(x.first, 'ms', 0),
        `all four ${spread(x.last, 'ms', 0)}`,
        `${fmt(x.calls.median, 0)} collecting calls, ${fmt(x.tokens.median, 0)} result tokens`,
        'info',
        '',
      );
    }
    const seq = r['in order (reversed)'];
    row(
      10,
      'time to the first result: `session_ids` vs one wait per session (reversed order)',
      spread(r.many.first, 'ms', 0),
      `in order ${spread(seq.first, 'ms', 0)}`,
      times(r.many.first.median / seq.first.median),
      'info',
      '',
    );
  }
} finally {
  await emu.close();
}

// ---------------------------------------------------------------- output

const m = machine();
const esc = (s) => String(s).replace(/\|/g, '\\|');
const table = [
  '| # | measure | ours: median (p10–p90) | baseline: median (p10–p90) | ratio / added | target | result |',
  '|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.figure} | ${esc(r.measure)} | ${esc(r.ours)} | ${esc(r.baseline)} | ${esc(r.ratio)} | ${esc(r.target)} | ${r.verdict} |`),
].join('\n');
const machineLine = `${m.nproc} CPUs (nproc), ${m.cpu}, ${m.memTotal} RAM, Node ${m.node}, ${m.os}`;
const elapsed = (performance.now() - started) / 1000;
const md = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machineLine}; whole run ${fmt(elapsed, 0)} s.`,
  '',
  table,
  '',
  'How: the server is a separate child (`node <bin> --base-url <emulator>`; the shipped bin `dist/managed-agents-mcp.mjs` unless a row names `dist/cli.js`), driven over stdio by the MCP SDK client; the emulator runs in the bench process (in a process of its own for figure 4).',
  'Start-up is spawn → `initialize` → `tools/list` over raw JSON-RPC, rotated round by round with the reference (`mcp-server-everything stdio`), 15 rounds.',
  `Per-call: 500 calls each, interleaved, after 50 warm-up. Turn latency: 50 turns. Concurrency: 5 rounds per level; the SDK column runs the same turns directly (the floor set by the emulator and client sharing ${m.nproc} cores), and the floor rows the same turns through a minimal MCP server in the same rounds (this server and it swap places every round); the target is the ratio of this server's wall time to the minimal server's, round by round.`,
  'Memory: VmHWM of a fresh server per measurement (3 rounds). Tokens: characters / 4 of the JSON sent (`structuredContent`, which Claude Code gives the model, or the text block, whichever is larger).',
  'Hostile upstream: one run per case, the bin pointed at test/reliability/hostile-upstream.mjs on loopback (`MANAGED_AGENTS_BASE_URL`); requests and reopens as the upstream counted them, peak RSS from /proc/<pid>/status VmHWM, the result column is the error the call ended with.',
  ...notes.map((n) => `Note: ${n}`),
  '',
  why.length ? `**Missed or borderline:**\n\n${why.map((w) => `- ${w}`).join('\n')}` : '**Every target met.**',
].join('\n');

process.stdout.write(`${md}\n`);
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
writeFileSync(here('./results.md'), `# Benchmark results\n\nReproduce: \`npm run bench\`\n\n${md}\n`);
writeFileSync(here('./results.json'), `${JSON.stringify({ machine: m, elapsedS: elapsed, results }, null, 1)}\n`);
log(`\nwrote bench/results.md and bench/results.json (${fmt(elapsed, 0)} s)`);

if (values.docs) {
  const docPath = here('../docs/performance.md');
  const doc = readFileSync(docPath, 'utf8');
  const start = '<!-- performance:start -->';
  const end = '<!-- performance:end -->';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  if (a < 0 || b < a) throw new Error('docs/performance.md has no performance markers');
  const section = `${start}\nReproduce with \`npm run bench\` (\`npm run bench -- --docs\` rewrites this section).\n\n${md}\n${end}`;
  writeFileSync(docPath, doc.slice(0, a) + section + doc.slice(b + end.length));
  log('updated the latest-run section of docs/performance.md');
}
process.exit(0);
