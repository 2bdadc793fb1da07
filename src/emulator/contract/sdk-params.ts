/**
 * Compile-time check: each request validator accepts exactly the body keys of the SDK's matching
 * `*Params` type (header params `betas` / `workspace_id`, and path or query params, excluded). An
 * SDK upgrade that adds or removes a param then fails `npm run typecheck` here, naming the key,
 * instead of surfacing as a runtime 400. Nothing imports this module; the type check compiles it.
 *
 * A failing line reads: Type 'boolean' does not satisfy the expected type
 * '{ onlyInSdk: "new_key"; onlyInEmulator: never; }'. Unions with a `type` discriminator are
 * compared variant by variant (the set of `type` values too); nested objects one level at a time.
 * Not compared: `credentialUpdate.auth` and `multiagent`, which the emulator validates by `type`
 * only (loose objects whose other keys routes/vaults.ts and the agent record take as given).
 */
import type { z } from 'zod';
import type { AgentCreateParams, AgentUpdateParams } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { EnvironmentCreateParams, EnvironmentUpdateParams } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import type { EventSendParams } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { ResourceAddParams, ResourceUpdateParams } from '@anthropic-ai/sdk/resources/beta/sessions/resources';
import type { SessionCreateParams, SessionUpdateParams } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { CredentialCreateParams, CredentialUpdateParams } from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
import type { VaultCreateParams, VaultUpdateParams } from '@anthropic-ai/sdk/resources/beta/vaults/vaults';
import type { MemoryStoreCreateParams, MemoryStoreUpdateParams } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
import type { MemoryCreateParams, MemoryUpdateParams } from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
import type { DeploymentCreateParams, DeploymentUpdateParams } from '@anthropic-ai/sdk/resources/beta/deployments';
import type { deploymentCreate, deploymentUpdate, schedule } from './validate-deployments.js';
import type {
  agentCreate,
  agentToolset,
  agentUpdate,
  customTool,
  envConfig,
  environmentCreate,
  environmentUpdate,
  mcpToolset,
  resourceParams,
} from './validate.js';
import type { eventParams, eventsSend, sessionCreate, sessionUpdate } from './validate-events.js';
import type {
  credentialCreate,
  credentialUpdate,
  memoryCreate,
  memoryUpdate,
  resourceAdd,
  resourceUpdate,
  storeCreate,
  storeUpdate,
  vaultCreate,
  vaultUpdate,
} from './validate-stores.js';

/** Keys of every object member of a union (strings and arrays in a union contribute none). */
type KeysOf<T> = T extends readonly unknown[] ? never : T extends object ? keyof T : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Diff<Z, S> = [S] extends [never]
  ? { error: 'no SDK keys found: the SDK type path above is wrong' }
  : Same<Z, S> extends true
    ? true
    : { onlyInSdk: Exclude<S, Z>; onlyInEmulator: Exclude<Z, S> };
type NotBody = 'betas' | 'workspace_id';

/** The zod schema's input keys against the SDK params' body keys (`Url`: path/query params). */
type BodyKeys<S extends z.ZodType, P, Url extends PropertyKey = never> = Diff<KeysOf<z.input<S>>, Exclude<KeysOf<P>, NotBody | Url>>;

/** Per `type` variant: the same set of variants, each with the same keys. */
type Variants<Z, P> =
  Diff<TypeOf<Z>, TypeOf<P>> extends true
    ? Ok<
        {
          [T in TypeOf<P>]: Diff<KeysOf<Extract<Z, { type: T }>>, KeysOf<Extract<P, { type: T }>>> extends true
            ? never
            : { type: T } & Diff<KeysOf<Extract<Z, { type: T }>>, KeysOf<Extract<P, { type: T }>>>;
        }[TypeOf<P>]
      >
    : { variants: Diff<TypeOf<Z>, TypeOf<P>> };
type TypeOf<T> = T extends { type: infer K extends string } ? K : never;
type Ok<F> = [F] extends [never] ? true : F;
type Item<T> = NonNullable<T> extends readonly (infer E)[] ? E : NonNullable<T>;

type In<S extends z.ZodType> = z.input<S>;
/** Keys of an object (all members' keys, for unions without a usable discriminator). */
type Keys<Z, S> = Diff<KeysOf<Z>, KeysOf<S>>;
type Variant<T, K extends string> = Extract<T, { type: K }>;
type Obj<T> = Extract<NonNullable<T>, object>;

type Toolset = Variant<Item<AgentCreateParams['tools']>, 'agent_toolset_20260401'>;
type McpToolset = Variant<Item<AgentCreateParams['tools']>, 'mcp_toolset'>;
type GithubResource = Variant<Item<SessionCreateParams['resources']>, 'github_repository'>;
type CloudConfig = Variant<NonNullable<EnvironmentCreateParams['config']>, 'cloud'>;
type OAuth = Variant<CredentialCreateParams['auth'], 'mcp_oauth'>;
type EnvVar = Variant<CredentialCreateParams['auth'], 'environment_variable'>;
type SdkEvent = Item<EventSendParams['events']>;
type ZodEvent = In<typeof eventParams>;

// ---- request bodies ---------------------------------------------------------------------------------
export const checks = {
  agentCreate: true satisfies BodyKeys<typeof agentCreate, AgentCreateParams>,
  agentUpdate: true satisfies BodyKeys<typeof agentUpdate, AgentUpdateParams>,
  environmentCreate: true satisfies BodyKeys<typeof environmentCreate, EnvironmentCreateParams>,
  environmentUpdate: true satisfies BodyKeys<typeof environmentUpdate, EnvironmentUpdateParams>,
  sessionCreate: true satisfies BodyKeys<typeof sessionCreate, SessionCreateParams>,
  sessionUpdate: true satisfies BodyKeys<typeof sessionUpdate, SessionUpdateParams>,
  eventsSend: true satisfies BodyKeys<typeof eventsSend, EventSendParams>,
  resourceAdd: true satisfies BodyKeys<typeof resourceAdd, ResourceAddParams>,
  resourceUpdate: true satisfies BodyKeys<typeof resourceUpdate, ResourceUpdateParams, 'session_id'>,
  vaultCreate: true satisfies BodyKeys<typeof vaultCreate, VaultCreateParams>,
  vaultUpdate: true satisfies BodyKeys<typeof vaultUpdate, VaultUpdateParams>,
  credentialCreate: true satisfies BodyKeys<typeof credentialCreate, CredentialCreateParams>,
  credentialUpdate: true satisfies BodyKeys<typeof credentialUpdate, CredentialUpdateParams, 'vault_id'>,
  memoryStoreCreate: true satisfies BodyKeys<typeof storeCreate, MemoryStoreCreateParams>,
  memoryStoreUpdate: true satisfies BodyKeys<typeof storeUpdate, MemoryStoreUpdateParams>,
  memoryCreate: true satisfies BodyKeys<typeof memoryCreate, MemoryCreateParams, 'view'>,
  memoryUpdate: true satisfies BodyKeys<typeof memoryUpdate, MemoryUpdateParams, 'memory_store_id' | 'view'>,
  deploymentCreate: true satisfies BodyKeys<typeof deploymentCreate, DeploymentCreateParams>,
  deploymentUpdate: true satisfies BodyKeys<typeof deploymentUpdate, DeploymentUpdateParams>,

  // ---- unions inside them, variant by variant -------------------------------------------------------
  events: true satisfies Variants<In<typeof eventParams>, Item<EventSendParams['events']>>,
  initialEvents: true satisfies Variants<Item<In<typeof sessionCreate>['initial_events']>, Item<SessionCreateParams['initial_events']>>,
  sessionAgent: true satisfies Variants<In<typeof sessionCreate>['agent'], SessionCreateParams['agent']>,
  sessionResources: true satisfies Variants<In<typeof resourceParams>, Item<SessionCreateParams['resources']>>,
  tools: true satisfies Variants<In<typeof agentToolset> | In<typeof mcpToolset> | In<typeof customTool>, Item<AgentCreateParams['tools']>>,
  environmentConfig: true satisfies Variants<In<typeof envConfig>, NonNullable<EnvironmentCreateParams['config']>>,
  credentialAuth: true satisfies Variants<In<typeof credentialCreate>['auth'], CredentialCreateParams['auth']>,

  deploymentInitialEvents: true satisfies Variants<Item<In<typeof deploymentCreate>['initial_events']>, Item<DeploymentCreateParams['initial_events']>>,
  deploymentAgent: true satisfies Keys<Obj<In<typeof deploymentCreate>['agent']>, Obj<DeploymentCreateParams['agent']>>,
  deploymentResources: true satisfies Variants<Item<In<typeof deploymentCreate>['resources']>, Item<DeploymentCreateParams['resources']>>,
  deploymentSchedule: true satisfies Keys<In<typeof schedule>, NonNullable<DeploymentCreateParams['schedule']>>,

  // ---- nested objects ---------------------------------------------------------------------------------
  model: true satisfies Keys<Obj<In<typeof agentCreate>['model']>, Obj<AgentCreateParams['model']>>,
  mcpServers: true satisfies Variants<Item<In<typeof agentCreate>['mcp_servers']>, Item<AgentCreateParams['mcp_servers']>>,
  skills: true satisfies Keys<Item<In<typeof agentCreate>['skills']>, Item<AgentCreateParams['skills']>>,
  toolsetDefaultConfig: true satisfies Keys<In<typeof agentToolset>['default_config'], Toolset['default_config']>,
  toolsetConfigs: true satisfies Keys<Item<In<typeof agentToolset>['configs']>, Item<Toolset['configs']>>,
  mcpToolsetDefaultConfig: true satisfies Keys<In<typeof mcpToolset>['default_config'], McpToolset['default_config']>,
  mcpToolsetConfigs: true satisfies Keys<Item<In<typeof mcpToolset>['configs']>, Item<McpToolset['configs']>>,
  budget: true satisfies Keys<In<typeof sessionCreate>['budget'], SessionCreateParams['budget']>,
  budgetCost: true satisfies Keys<Obj<In<typeof sessionCreate>['budget']>['max_list_cost'], Obj<SessionCreateParams['budget']>['max_list_cost']>,
  githubCheckout: true satisfies Variants<Obj<Variant<In<typeof resourceParams>, 'github_repository'>['checkout']>, Obj<GithubResource['checkout']>>,
  cloudNetworking: true satisfies Variants<Obj<Variant<In<typeof envConfig>, 'cloud'>['networking']>, Obj<CloudConfig['networking']>>,
  cloudPackages: true satisfies Keys<Obj<Variant<In<typeof envConfig>, 'cloud'>['packages']>, Obj<CloudConfig['packages']>>,
  oauthRefresh: true satisfies Keys<Obj<Variant<In<typeof credentialCreate>['auth'], 'mcp_oauth'>['refresh']>, Obj<OAuth['refresh']>>,
  oauthTokenEndpointAuth: true satisfies Variants<
    Obj<Variant<In<typeof credentialCreate>['auth'], 'mcp_oauth'>['refresh']>['token_endpoint_auth'],
    Obj<OAuth['refresh']>['token_endpoint_auth']
  >,
  envVarNetworking: true satisfies Variants<Variant<In<typeof credentialCreate>['auth'], 'environment_variable'>['networking'], EnvVar['networking']>,
  envVarInjection: true satisfies Keys<
    Obj<Variant<In<typeof credentialCreate>['auth'], 'environment_variable'>['injection_location']>,
    Obj<EnvVar['injection_location']>
  >,
  memoryPrecondition: true satisfies Keys<Obj<In<typeof memoryUpdate>['precondition']>, Obj<MemoryUpdateParams['precondition']>>,
  userMessageContent: true satisfies Variants<Item<Variant<ZodEvent, 'user.message'>['content']>, Item<Variant<SdkEvent, 'user.message'>['content']>>,
  toolResultContent: true satisfies Variants<Item<Variant<ZodEvent, 'user.tool_result'>['content']>, Item<Variant<SdkEvent, 'user.tool_result'>['content']>>,
  customToolResultContent: true satisfies Variants<
    Item<Variant<ZodEvent, 'user.custom_tool_result'>['content']>,
    Item<Variant<SdkEvent, 'user.custom_tool_result'>['content']>
  >,
  outcomeRubric: true satisfies Variants<Variant<ZodEvent, 'user.define_outcome'>['rubric'], Variant<SdkEvent, 'user.define_outcome'>['rubric']>,
  systemMessageContent: true satisfies Variants<Item<Variant<ZodEvent, 'system.message'>['content']>, Item<Variant<SdkEvent, 'system.message'>['content']>>,
};
