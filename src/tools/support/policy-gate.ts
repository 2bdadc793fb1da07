/**
 * The policy cannot be loosened behind the person's back (docs/security.md): a change that lets
 * a remote tool run without confirmation — `always_allow` or `auto` on a tool, a toolset's
 * `default_config`, a new toolset whose calls run unasked, an older agent version pinned at
 * session start or in a multi-agent roster — is put to the person under `human` (and `auto` with a client that can ask),
 * refused under `deny`, and let through under `model`. What counts is the set of tools that run
 * without asking, before and after: agent creation with the API's defaults (built-in tools
 * always_allow, MCP tools always_ask) loosens nothing, so it stays one call.
 *
 * Everything before the form is a read, and the form is a function of the API's state and the
 * call's arguments (docs/approval.md).
 */
import { ToolError } from '../../api/errors.js';
import { shownName } from '../../format/shown.js';
import { BUILTIN_TOOLS } from './agent-config.js';
import { CANNOT_ASK, decider, unansweredText, UNATTENDED } from './approval.js';
import type { ToolContext } from './define.js';

/** A policy that lets a call run without anyone confirming it. */
const LOOSE = new Set(['always_allow', 'auto']);

/** Every tool slot of a tool list and its policy (`off` when disabled), keyed by what it reaches. */
export function policies(tools: unknown[] | undefined, servers: { name: string; url: string }[] | undefined): Map<string, { label: string; policy: string }> {
  const out = new Map<string, { label: string; policy: string }>();
  const urls = new Map((servers ?? []).map((s) => [s.name, s.url]));
  for (const t of (tools ?? []) as any[]) {
    const configs: any[] = Array.isArray(t?.configs) ? t.configs : [];
    const byName = new Map(configs.map((c) => [c?.name, c]));
    const defEnabled = t?.default_config?.enabled ?? true;
    if (t?.type === 'agent_toolset_20260401') {
      const defPolicy: string = t.default_config?.permission_policy?.type ?? 'always_allow';
      for (const n of BUILTIN_TOOLS) {
        const c = byName.get(n);
        const on = c?.enabled ?? defEnabled;
        out.set(`builtin:${n}`, { label: `built-in tool "${n}"`, policy: on ? (c?.permission_policy?.type ?? defPolicy) : 'off' });
      }
    } else if (t?.type === 'mcp_toolset') {
      const server = String(t.mcp_server_name);
      const url = urls.get(server) ?? '';
      const where = `MCP server ${shownName(server)}${url ? ` at ${shownName(url)}` : ''}`;
      const defPolicy: string = t.default_config?.permission_policy?.type ?? 'always_ask';
      out.set(`mcp:${server}@${url}:*`, { label: `every tool of ${where} not named below`, policy: defEnabled ? defPolicy : 'off' });
      for (const c of configs) {
        const on = c?.enabled ?? defEnabled;
        out.set(`mcp:${server}@${url}:${c?.name}`, {
          label: `tool ${shownName(String(c?.name))} of ${where}`,
          policy: on ? (c?.permission_policy?.type ?? defPolicy) : 'off',
        });
      }
    }
  }
  return out;
}

/** The same tool list with the API's default policies: what creating it plainly would give. */
function withDefaults(tools: unknown[] | undefined): unknown[] {
  return ((tools ?? []) as any[]).map((t) =>
    t?.type === 'agent_toolset_20260401' ? { type: t.type } : t?.type === 'mcp_toolset' ? { type: t.type, mcp_server_name: t.mcp_server_name } : t,
  );
}

/** "label: before → after" for each slot that runs unasked after and did not before. */
export function loosened(before: Map<string, { label: string; policy: string }>, after: Map<string, { label: string; policy: string }>): string[] {
  const lines: string[] = [];
  for (const [key, a] of after) {
    if (!LOOSE.has(a.policy)) continue;
    const b = before.get(key);
    if (b && LOOSE.has(b.policy)) continue;
    lines.push(`${a.label}: ${b ? b.policy : 'not present'} → ${a.policy}`);
  }
  return lines;
}

/** For create_agent: what the tools loosen compared with the same toolsets on the API's defaults. */
export function loosenedByCreate(tools: unknown[] | undefined, servers: { name: string; url: string }[] | undefined): string[] {
  return loosened(policies(withDefaults(tools), servers), policies(tools, servers));
}

/**
 * Lets the change `what` through, or throws: asked of the person when they decide, refused under
 * deny and when nobody can ask. `lines` are the slots it loosens (nothing to do when empty).
 */
export async function gateLoosening(ctx: ToolContext, what: string, lines: string[]): Promise<void> {
  if (!lines.length) return;
  const by = decider(ctx);
  if (by === 'model') return;
  const list = lines.map((l) => `- ${l}`).join('\n');
  if (by === 'deny') {
    throw new ToolError(
      `This server runs with --approval deny, which refuses any change that lets a remote tool run without confirmation. Refused, nothing changed:\n${list}`,
      'Keep those tools on always_ask, or ask the user to change the setting.',
    );
  }
  if (by === 'nobody')
    throw new ToolError(`${what} would let remote tools run without confirmation:\n${list}\n${CANNOT_ASK} Nothing changed.`, 'Keep those tools on always_ask.');
  let answer;
  try {
    answer = await ctx.elicit!(
      {
        message:
          `The local model asks to ${what}. After it, these remote tools run WITHOUT asking anyone (policy before → after):\n${list}\n` +
          'Allow this change to the permission policies?',
        requestedSchema: {
          type: 'object',
          properties: {
            decision: { type: 'string', title: 'Decision', enum: ['allow', 'deny'], description: 'allow makes the change; deny leaves everything as it is.' },
          },
          required: ['decision'],
        },
      },
      ctx.config.turnTimeoutS * 1000,
    );
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    throw new ToolError(`${unansweredText('error')} Nothing changed.`, 'Ask the user to try again in their client.');
  }
  if (answer.action === 'accept' && answer.content?.decision === 'allow') return;
  const why =
    answer.action === 'accept' ? 'The person denied the change to the permission policies.' : unansweredText('declined').replace(` ${UNATTENDED}`, '');
  throw new ToolError(`${why} Nothing changed.`, `Keep those tools on always_ask, or ask the user. ${UNATTENDED}`);
}

/** The pinned version's slots that run unasked and did not at the latest (none when it is the latest). */
async function pinLoosens(ctx: ToolContext, agentId: string, version: number): Promise<{ name: string; latest: number; lines: string[] }> {
  const latest = await ctx.api.lookup((c, o) => c.beta.agents.retrieve(agentId, {}, o));
  if (latest.version === version) return { name: latest.name, latest: latest.version, lines: [] };
  const pinned = await ctx.api.lookup((c, o) => c.beta.agents.retrieve(agentId, { version }, o));
  return { name: latest.name, latest: latest.version, lines: loosened(policies(latest.tools, latest.mcp_servers), policies(pinned.tools, pinned.mcp_servers)) };
}

/** For start_session: pinning a version whose policies run more tools unasked than the latest's. */
export async function gatePinnedVersion(ctx: ToolContext, agentId: string, version: number): Promise<void> {
  const { name, latest, lines } = await pinLoosens(ctx, agentId, version);
  await gateLoosening(
    ctx,
    `start a session on the agent ${shownName(name)} (${agentId}) pinned to its version ${version} instead of the latest, ${latest}`,
    lines,
  );
}

/** Every `{type:"agent", id, version}` of a roster (either `multiagent` shape), once each. */
function rosterPins(multiagent: unknown): { id: string; version: number }[] {
  const m = multiagent as any;
  const entries: unknown[] = [...(m?.agents ?? []), ...(m?.subagents?.predefined_agents ?? []), ...(m?.workflows?.predefined_agents ?? [])];
  const pins = new Map<string, { id: string; version: number }>();
  for (const e of entries as any[]) {
    if (e?.type === 'agent' && typeof e.id === 'string' && typeof e.version === 'number') pins.set(`${e.id}@${e.version}`, { id: e.id, version: e.version });
  }
  return [...pins.values()];
}

/**
 * For create_agent/update_agent: roster entries pinning a subagent to a version whose policies run
 * more tools unasked than that agent's latest, one line per slot naming the subagent. A subagent
 * at its latest version was gated when it was created or updated, so it adds nothing. Reads only.
 */
export async function loosenedByRoster(ctx: ToolContext, multiagent: unknown): Promise<string[]> {
  const lines: string[] = [];
  for (const { id, version } of rosterPins(multiagent)) {
    const pin = await pinLoosens(ctx, id, version);
    const who = `subagent ${shownName(pin.name)} (${id}) pinned to version ${version} instead of the latest, ${pin.latest}`;
    for (const l of pin.lines) lines.push(`${who}: ${l}`);
  }
  return lines;
}
