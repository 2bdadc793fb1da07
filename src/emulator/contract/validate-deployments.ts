/** Request schemas for deployments (SDK resources/beta/deployments.d.ts, `DeploymentCreateParams` / `DeploymentUpdateParams`). */
import { z } from 'zod';
import { budget, metadataCreate, metadataPatch, resourceParams } from './validate.js';
import { defineOutcome, systemMessage, userMessage } from './validate-events.js';

const agentRef = z.union([z.string().min(1), z.strictObject({ type: z.literal('agent'), id: z.string().min(1), version: z.number().int().min(1).optional() })]);
export const schedule = z.strictObject({
  type: z.literal('cron'),
  expression: z.string().min(1).max(256),
  timezone: z.string().min(1).max(64),
});
// Sent to each session as one events.send batch, so the batch's rule holds: a system.message is
// last and follows the user.message it accompanies (runtime/session-runtime.ts, send).
export const initialEvents = z
  .array(z.discriminatedUnion('type', [userMessage, defineOutcome, systemMessage]))
  .min(1)
  .max(50)
  .refine(
    (evs) => evs.every((e, i) => e.type !== 'system.message' || (i === evs.length - 1 && evs[i - 1]?.type === 'user.message')),
    'a system.message must be the last event and follow a user.message',
  );

export const deploymentCreate = z.strictObject({
  agent: agentRef,
  environment_id: z.string().min(1),
  initial_events: initialEvents,
  name: z.string().min(1).max(256),
  budget: budget.nullish(),
  description: z.string().max(2048).nullish(),
  metadata: metadataCreate.optional(),
  resources: z.array(resourceParams).max(500).optional(),
  schedule: schedule.nullish(),
  vault_ids: z.array(z.string().min(1)).max(50).optional(),
});
export type DeploymentCreateBody = z.output<typeof deploymentCreate>;

export const deploymentUpdate = z.strictObject({
  agent: agentRef.optional(),
  budget: budget.nullish(),
  description: z.string().max(2048).nullish(),
  environment_id: z.string().min(1).optional(),
  initial_events: initialEvents.optional(),
  metadata: metadataPatch.nullish(),
  name: z.string().min(1).max(256).optional(),
  resources: z.array(resourceParams).max(500).nullish(),
  schedule: schedule.nullish(),
  vault_ids: z.array(z.string().min(1)).max(50).nullish(),
});
