/** Schemas for sendable events (the SDK's *Params event types, resources/beta/sessions/events.d.ts) and session create/update. */
import { z } from 'zod';
import { budget, mcpServers, metadataCreate, metadataPatch, modelParam, resourceParams, skills, toolParams } from './validate.js';

const text = z.strictObject({ type: z.literal('text'), text: z.string() });
// Sources as the SDK defines them (Base64*Source, URL*Source, File*Source, PlainTextDocumentSource).
const base64 = z.strictObject({ type: z.literal('base64'), data: z.string().min(1), media_type: z.string().min(1) });
const url = z.strictObject({ type: z.literal('url'), url: z.string().min(1) });
const file = z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) });
const plainText = z.strictObject({ type: z.literal('text'), data: z.string(), media_type: z.literal('text/plain') });
const image = z.strictObject({ type: z.literal('image'), source: z.discriminatedUnion('type', [base64, url, file]) });
const document = z.strictObject({
  type: z.literal('document'),
  source: z.discriminatedUnion('type', [base64, plainText, url, file]),
  title: z.string().nullish(),
  context: z.string().nullish(),
});
const redacted = z.strictObject({ type: z.literal('redacted') });
const searchResult = z.strictObject({
  type: z.literal('search_result'),
  source: z.string(),
  title: z.string(),
  content: z.array(text),
  citations: z.strictObject({ enabled: z.boolean() }).optional(),
});

export const userMessage = z.strictObject({
  type: z.literal('user.message'),
  content: z.array(z.discriminatedUnion('type', [text, image, document, redacted])).min(1),
});
export const defineOutcome = z.strictObject({
  type: z.literal('user.define_outcome'),
  description: z.string().min(1),
  rubric: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('text'), content: z.string().max(262_144) }),
    z.strictObject({ type: z.literal('file'), file_id: z.string().min(1) }),
  ]),
  max_iterations: z.number().int().min(1).max(20).nullish(),
});
export const systemMessage = z.strictObject({ type: z.literal('system.message'), content: z.array(text).min(1) });
const resultContent = z.array(z.discriminatedUnion('type', [text, image, document, searchResult]));

export const eventParams = z.discriminatedUnion('type', [
  userMessage,
  z.strictObject({ type: z.literal('user.interrupt'), session_thread_id: z.string().nullish() }),
  z.strictObject({
    type: z.literal('user.tool_confirmation'),
    tool_use_id: z.string().min(1),
    result: z.enum(['allow', 'deny']),
    deny_message: z.string().nullish(),
  }),
  z.strictObject({
    type: z.literal('user.custom_tool_result'),
    custom_tool_use_id: z.string().min(1),
    content: resultContent.optional(),
    is_error: z.boolean().nullish(),
  }),
  z.strictObject({
    type: z.literal('user.tool_result'),
    tool_use_id: z.string().min(1),
    content: resultContent.optional(),
    is_error: z.boolean().nullish(),
  }),
  defineOutcome,
  systemMessage,
]);
export type EventParam = z.output<typeof eventParams>;

export const eventsSend = z.strictObject({ events: z.array(eventParams).min(1).max(50) });

export const sessionCreate = z.strictObject({
  agent: z.union([
    z.string().min(1),
    z.strictObject({ type: z.literal('agent'), id: z.string().min(1), version: z.number().int().min(1).optional() }),
    z.strictObject({
      type: z.literal('agent_with_overrides'),
      id: z.string().min(1),
      version: z.number().int().min(1).optional(),
      model: modelParam.optional(),
      system: z.string().nullish(),
      tools: toolParams.optional(),
      mcp_servers: mcpServers.optional(),
      skills: skills.optional(),
    }),
  ]),
  environment_id: z.string().min(1),
  title: z.string().max(512).nullish(),
  metadata: metadataCreate.optional(),
  resources: z.array(resourceParams).optional(),
  vault_ids: z.array(z.string().min(1)).optional(),
  budget: budget.optional(),
  initial_events: z
    .array(z.discriminatedUnion('type', [userMessage, defineOutcome]))
    .max(50)
    .optional(),
});
export type SessionCreateBody = z.output<typeof sessionCreate>;

export const sessionUpdate = z.strictObject({
  title: z.string().max(512).nullish(),
  metadata: metadataPatch.nullish(),
  budget: budget.nullish(),
  agent: z.strictObject({ tools: toolParams.optional(), mcp_servers: mcpServers.optional() }).optional(),
  vault_ids: z.array(z.string()).optional(),
});
