/**
 * The API becomes unreachable mid-call (the emulator is stopped): the call fails with a clear error
 * within its timeout, other calls keep being served, and everything recovers when the API is back.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { defaultConfig } from '../../src/config.js';
import { createServer } from '../../src/mcp/server.js';
import { captureLogger, errText, ok, TEST_KEY } from '../helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

describe('API outage', () => {
  it('fails the running call clearly within its timeout, serves others, and recovers', async () => {
    let emu = await startEmulator({ port: 0 });
    const port = emu.port;
    const config = defaultConfig({ apiKey: TEST_KEY, baseURL: emu.url, streamStallS: 1 });
    const { server } = createServer({ config, log: captureLogger() });
    const [ct, st] = InMemoryTransport.createLinkedPair();
    await server.connect(st);
    const client = new Client({ name: 'outage', version: '0' });
    await client.connect(ct);
    cleanup.push(
      () => client.close(),
      () => server.close(),
    );
    const call = (name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args });

    const agent = ok(await call('create_agent', { name: 'o', model: 'claude-haiku-4-5' }));
    const session = ok(await call('start_session', { agent_id: agent.agent_id })).session_id;

    // A turn in flight when the API goes away.
    const t0 = Date.now();
    const inFlight = call('send_message', { session_id: session, text: '/sleep 60000\n/reply never', timeout_s: 6 });
    await new Promise((r) => setTimeout(r, 300));
    await emu.close();

    // Other calls are still served (with a clear error, not a hang) while it is down.
    const t1 = Date.now();
    const other = errText(await call('list_agents', {}));
    expect(other).toMatch(/could not reach the Managed Agents API/);
    expect(other).toMatch(/ECONNREFUSED/);
    expect(Date.now() - t1).toBeLessThan(6_000);

    const failed = errText(await inFlight);
    const elapsed = Date.now() - t0;
    expect(failed).toMatch(/Lost the event stream/);
    expect(failed).toMatch(/wait_for_turn/);
    expect(elapsed).toBeLessThan(6_000 + 1_500);

    // The API returns (same address; the emulator's state is in memory, so it starts empty).
    emu = await startEmulator({ port });
    cleanup.push(() => emu.close());
    expect(ok(await call('list_agents', {})).agents).toEqual([]);
    const again = ok(await call('create_agent', { name: 'back', model: 'claude-haiku-4-5' }));
    const s2 = ok(await call('start_session', { agent_id: again.agent_id })).session_id;
    const d = ok(await call('send_message', { session_id: s2, text: '/reply recovered' }));
    expect(d.reply).toBe('recovered');
  }, 30_000);
});
