import { selectTools } from './dist/tools/index.js';
import { listedTools, listTokens } from './dist/server.js';
const tools = selectTools({ toolsets: ['core'], readOnly: false });
const listed = listedTools(tools);
for (const t of listed) console.log(t.name.padEnd(28), listTokens([t]).model, 'desc', Math.ceil(t.description.length/4));
console.log('total', listTokens(listed));
for (const t of listed) if (process.argv.includes(t.name)) console.log(JSON.stringify(t.inputSchema));
