// A small, scripted, misbehaving stand-in for the Managed Agents API, on loopback (node:http,
// port 0), for the reliability suite and `npm run bench`. The emulator (src/emulator/) stays a
// faithful model of the API; this one breaks the contract on purpose, one way per mode, and counts
// what the server under test asks of it. Big bodies are streamed with backpressure, never built
// in memory. Plain ESM so that bench/ (no build step) and the TypeScript tests share it.
import { once } from 'node:events';
import http from 'node:http';

/**
 * list-*   every list (events, environments, sessions) misbehaves; streams and gets are ordinary.
 * stream-* the event stream misbehaves; lists return a short, valid history.
 */
export const MODES = [
  'list-self-cursor', // next_page points at the page itself, forever
  'list-fresh-empty', // empty pages, each with a new next_page
  'list-fresh-one', // one-item pages, each with a new next_page
  'list-50mb', // one list response of 50 MB
  'list-trickle', // a list response that sends one byte every 100 ms, forever (page_1: no declared length)
  'stream-close', // the stream opens (headers) and closes at once
  'stream-malformed', // the stream sends frames whose data is not JSON
  'stream-one-then-close', // the stream sends one new event, then closes: every reopen "makes progress"
  'stream-300mb-line', // the stream sends a 300 MB line without a newline
  'stream-50mb-event', // the stream sends one 50 MB event (many data lines, no blank line until the end)
  'stream-trickle-json', // the stream is answered with a JSON body, one byte every 100 ms, forever (every second open: status 400)
];

export const SESSION_ID = 'sesn_hostile01';
const PING = 'event: ping\ndata: {}\n\n';

/** Writes `chunk` to `res` every `ms` until the connection closes: a body that never ends. */
function keepWriting(res, chunk, ms) {
  const timer = setInterval(() => res.write(chunk), ms);
  res.on('close', () => clearInterval(timer));
}
const T0 = Date.parse('2026-11-26T10:00:00.000Z');
const at = (n) => new Date(T0 + n).toISOString();
const MB = 1024 * 1024;

const agentMessage = (n) => ({
  id: `sevt_h${n}`,
  type: 'agent.message',
  content: [{ type: 'text', text: `event ${n}` }],
  processed_at: at(1000 + n),
});

/** A short, valid history: a turn that is running. Ascending order. */
const HISTORY = [
  { id: 'sevt_user1', type: 'user.message', content: [{ type: 'text', text: 'hello' }], processed_at: at(0) },
  { id: 'sevt_run1', type: 'session.status_running', processed_at: at(1) },
];

const session = () => ({
  id: SESSION_ID,
  type: 'session',
  status: 'running',
  title: 'hostile',
  agent: { id: 'agent_hostile01', type: 'agent', version: 1, name: 'hostile', model: { id: 'claude-sonnet-4-6' } },
  environment_id: 'env_hostile01',
  created_at: at(0),
  updated_at: at(1),
  archived_at: null,
  metadata: {},
  resources: [],
  vault_ids: [],
  usage: {},
  stats: {},
});

/** Writes `total` bytes made by `chunk(i)` (plus `head`/`tail`) with backpressure; stops if the client goes. */
async function pump(res, { head = '', chunk, total, tail = '' }, counts) {
  const alive = () => !res.destroyed && !res.writableEnded;
  const write = async (s) => {
    counts.bytesSent += Buffer.byteLength(s);
    if (res.write(s)) return;
    await new Promise((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve(undefined);
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  if (head) await write(head);
  let sent = 0;
  for (let i = 0; sent < total && alive(); i++) {
    const c = chunk(i);
    sent += c.length;
    await write(c);
  }
  if (alive() && tail) await write(tail);
  if (alive()) res.end();
}

/**
 * Starts the upstream in `mode`. `counts` holds what was asked: every request, list requests,
 * stream opens (the first and every reopen), bytes sent, and requests per route.
 */
export async function startHostileUpstream(mode) {
  if (!MODES.includes(mode)) throw new Error(`unknown mode ${mode} (known: ${MODES.join(', ')})`);
  const counts = { requests: 0, lists: 0, streamOpens: 0, malformedFrames: 0, bytesSent: 0, byRoute: {} };
  const json = (res, status, body) => {
    const s = JSON.stringify(body);
    counts.bytesSent += s.length;
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_hostile${counts.requests}` });
    res.end(s);
  };

  /** A list response in a list-* mode; `item(n)` makes the n-th item. */
  const hostileList = (res, page, item) => {
    const n = page ? Number(page.replace(/\D/g, '')) || 0 : 0;
    if (mode === 'list-self-cursor') return json(res, 200, { data: [item(n)], next_page: page || 'page_self' });
    if (mode === 'list-fresh-empty') return json(res, 200, { data: [], next_page: `page_${n + 1}` });
    if (mode === 'list-fresh-one') return json(res, 200, { data: [item(n)], next_page: `page_${n + 1}` });
    if (mode === 'list-trickle') {
      // Declared length or not, the body must end: every other request declares none.
      res.writeHead(200, { 'content-type': 'application/json', ...(n % 2 ? {} : { 'content-length': '1000000' }) });
      res.write('{"data":[');
      return keepWriting(res, ' ', 100);
    }
    // list-50mb: ~1 KiB items, streamed.
    res.writeHead(200, { 'content-type': 'application/json' });
    const pad = 'x'.repeat(900);
    return pump(
      res,
      {
        head: '{"data":[',
        chunk: (i) => `${i ? ',' : ''}${JSON.stringify({ ...item(i), content: [{ type: 'text', text: pad }] })}`,
        total: 50 * MB,
        tail: '],"next_page":null}',
      },
      counts,
    );
  };

  const stream = (req, res) => {
    counts.streamOpens++;
    if (mode === 'stream-trickle-json') {
      res.writeHead(counts.streamOpens % 2 ? 200 : 400, { 'content-type': 'application/json' });
      res.write('{"type":"error","error":{');
      return keepWriting(res, ' ', 100);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    if (mode === 'stream-close') return res.end();
    if (mode === 'stream-one-then-close') return res.end(`event: agent.message\ndata: ${JSON.stringify(agentMessage(counts.streamOpens))}\n\n`);
    if (mode === 'stream-malformed') {
      // Frames a parser must reject; then the connection stays open, as a live stream would.
      for (let i = 0; i < 3; i++) {
        counts.malformedFrames++;
        res.write(`event: agent.message\ndata: {"id":"sevt_bad${i}", not json\n\n`);
      }
      return keepWriting(res, PING, 200);
    }
    const block = 'x'.repeat(64 * 1024);
    if (mode === 'stream-300mb-line') {
      return pump(res, { head: 'event: agent.message\ndata: ', chunk: () => block, total: 300 * MB }, counts);
    }
    if (mode === 'stream-50mb-event') {
      const line = `data: ${block}\n`;
      return pump(res, { head: 'event: agent.message\n', chunk: () => line, total: 50 * MB, tail: '\n' }, counts);
    }
    // list-* modes: an ordinary live stream with no news (pings only).
    keepWriting(res, PING, 200);
  };

  const server = http.createServer((req, res) => {
    counts.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname.replace(/sesn_\w+/, ':id')}`;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
    req.resume();
    const page = url.searchParams.get('page') ?? undefined;
    const listMode = mode.startsWith('list-');
    const p = url.pathname;
    if (req.method === 'GET' && p === `/v1/sessions/${SESSION_ID}/events/stream`) return stream(req, res);
    if (req.method === 'GET' && p === `/v1/sessions/${SESSION_ID}/events`) {
      counts.lists++;
      if (listMode) return hostileList(res, page, agentMessage);
      const desc = url.searchParams.get('order') === 'desc';
      return json(res, 200, { data: desc ? [...HISTORY].reverse() : HISTORY, next_page: null });
    }
    if (req.method === 'GET' && p === `/v1/sessions/${SESSION_ID}`) return json(res, 200, session());
    if (req.method === 'GET' && p === '/v1/sessions') {
      counts.lists++;
      // Finished sessions with usage, the n-th created n minutes after T0.
      const finished = (n) => ({
        ...session(),
        id: `sesn_h${n}`,
        status: 'idle',
        created_at: at(n * 60_000),
        usage: { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      });
      if (listMode) return hostileList(res, page, finished);
      return json(res, 200, { data: [finished(0)], next_page: null });
    }
    if (req.method === 'GET' && p === '/v1/environments') {
      counts.lists++;
      const env = (n) => ({ id: `env_h${n}`, type: 'environment', name: `other-${n}`, config: { type: 'cloud' }, created_at: at(n), archived_at: null });
      if (listMode) return hostileList(res, page, env);
      return json(res, 200, { data: [], next_page: null });
    }
    if (req.method === 'POST' && p === '/v1/environments') {
      return json(res, 200, { id: 'env_hostile01', type: 'environment', name: 'managed-agents-mcp-default', config: { type: 'cloud' }, created_at: at(0) });
    }
    if (req.method === 'POST' && p === '/v1/sessions') return json(res, 200, session());
    return json(res, 404, { type: 'error', error: { type: 'not_found_error', message: `hostile upstream: no route ${route}` } });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    mode,
    counts,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}
