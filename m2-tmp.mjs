import { selectTools } from './dist/tools/index.js';
import { listedTools } from './dist/server.js';
const listed = listedTools(selectTools({ toolsets: ['core'], readOnly: false }));
const rows=[];
for (const t of listed) { rows.push([t.description.length, t.name, t.description]); for (const [k,v] of Object.entries(t.inputSchema.properties)) rows.push([JSON.stringify(v).length, t.name+'.'+k, JSON.stringify(v)]); }
rows.sort((a,b)=>b[0]-a[0]); for (const r of rows.slice(0,45)) console.log(r.join(' | '));
