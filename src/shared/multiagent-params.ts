/**
 * The `multiagent` agent field's params (docs/multi-agent.md), mirroring the SDK's
 * `BetaManagedAgentsMultiagentParams`: a `coordinator` roster or a `multiagent_20261001`
 * configuration. Strict, so a misspelt key fails here with its path. Shared by the
 * create_agent/update_agent tools (argument check) and the emulator (request validation, which
 * also checks at compile time that this schema's output is assignable to the SDK's params type).
 */
import { z } from 'zod';

const agentRef = z.strictObject({ type: z.literal('agent'), id: z.string().min(1), version: z.number().int().min(1).optional() });
const self = z.strictObject({ type: z.literal('self') });
export const predefinedAgent = z.union([z.string().min(1), agentRef, self]);
const toggle = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('enabled') }), z.strictObject({ type: z.literal('disabled') })]);
const disabled = z.strictObject({ type: z.literal('disabled') });
const member = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('enabled'), inline_agents: toggle.nullish(), predefined_agents: z.array(predefinedAgent).max(20).nullish() }),
    disabled,
  ])
  .nullish();

export const multiagentParams = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('coordinator'),
    agents: z
      .array(z.union([z.string().min(1), agentRef, self, z.strictObject({ type: z.literal('advisor'), model: z.string().min(1) })]))
      .min(1)
      .max(20),
  }),
  z.strictObject({
    type: z.literal('multiagent_20261001'),
    advisor: z.discriminatedUnion('type', [z.strictObject({ type: z.literal('enabled'), model: z.string().min(1) }), disabled]).nullish(),
    subagents: member,
    workflows: member,
  }),
]);

export type MultiagentParams = z.output<typeof multiagentParams>;
