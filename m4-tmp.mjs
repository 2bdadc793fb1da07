import { startEmu, sdkFor, connectServer, fixtures, newSession, BUNDLE } from './bench/lib.mjs';
import { THIN } from './bench/thin.mjs';
const emu = await startEmu(); const sdk = sdkFor(emu); const fx = await fixtures(sdk); const sid = await newSession(sdk, fx);
for (const cli of [BUNDLE, THIN]) { const s = await connectServer(emu, { cli }); const r = await s.client.callTool({ name: 'get_session', arguments: { session_id: sid } }); const l = await s.client.callTool({ name: 'list_agents', arguments: {} }); console.log(cli.split('/').pop(), JSON.stringify(r).length, JSON.stringify(l).length); if (cli===BUNDLE) console.log(JSON.stringify(r)); await s.close(); }
await emu.close(); process.exit(0);
