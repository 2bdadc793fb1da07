/** All emulator state, in memory. `reset()` (POST /_emulator/reset) drops everything. */
import type { BetaDream } from '@anthropic-ai/sdk/resources/beta/dreams';
import type { BetaManagedAgentsAgent } from '@anthropic-ai/sdk/resources/beta/agents/agents';
import type { BetaEnvironment } from '@anthropic-ai/sdk/resources/beta/environments/environments';
import type { BetaManagedAgentsMemoryStore } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-stores';
import type { BetaManagedAgentsMemory } from '@anthropic-ai/sdk/resources/beta/memory-stores/memories';
import type { BetaManagedAgentsMemoryVersion } from '@anthropic-ai/sdk/resources/beta/memory-stores/memory-versions';
import type { BetaManagedAgentsVault } from '@anthropic-ai/sdk/resources/beta/vaults/vaults';
import type { BetaManagedAgentsCredential } from '@anthropic-ai/sdk/resources/beta/vaults/credentials';
import type { BetaSkill } from '@anthropic-ai/sdk/resources/beta/skills/skills';
import type { BetaSkillVersion } from '@anthropic-ai/sdk/resources/beta/skills/versions';
import type { BetaManagedAgentsDeployment } from '@anthropic-ai/sdk/resources/beta/deployments';
import type { BetaManagedAgentsDeploymentRun } from '@anthropic-ai/sdk/resources/beta/deployment-runs';
import type { Cron } from './cron.js';
import { DEFAULT_PRICE_TABLE } from '../../shared/pricing.js';
import { badRequest } from '../wire/http.js';
import { IdFactory, MonotonicClock } from '../wire/ids.js';
import type { SessionRuntime } from './session-runtime.js';
import type { EmulatorSettings, FileRecord, RuntimeStore } from './types.js';
import { DEFAULT_READINGS } from './readings.js';

export interface AgentRecord {
  /** versions[0] is version 1. */
  versions: BetaManagedAgentsAgent[];
}

/** A skill and its versions, oldest first; each version keeps the files it was uploaded with. */
export interface SkillRecord {
  skill: BetaSkill;
  versions: { version: BetaSkillVersion; files: { path: string; content: Buffer }[] }[];
}

export interface CredentialRecord {
  credential: BetaManagedAgentsCredential;
  /** Write-only secrets (access tokens, secret values): stored, never returned. */
  secrets: Record<string, unknown>;
}

export interface DeploymentRecord {
  /** As returned, except `schedule.upcoming_runs_at`, computed when read (routes/deployments.ts). */
  deployment: BetaManagedAgentsDeployment;
  cron?: Cron;
  /** Schedule occurrences at or before this time (ms) have fired or were skipped. */
  firedThrough: number;
}

export class State implements RuntimeStore {
  ids = new IdFactory();
  clock = new MonotonicClock();
  agents = new Map<string, AgentRecord>();
  environments = new Map<string, BetaEnvironment>();
  sessions = new Map<string, SessionRuntime>();
  vaults = new Map<string, BetaManagedAgentsVault>();
  credentials = new Map<string, CredentialRecord>();
  memoryStores = new Map<string, BetaManagedAgentsMemoryStore>();
  memories = new Map<string, BetaManagedAgentsMemory & { content: string | null }>();
  memoryVersions = new Map<string, BetaManagedAgentsMemoryVersion>();
  files = new Map<string, FileRecord>();
  skills = new Map<string, SkillRecord>();
  deployments = new Map<string, DeploymentRecord>();
  deploymentRuns = new Map<string, BetaManagedAgentsDeploymentRun>();
  dreams = new Map<string, BetaDream>();

  constructor(readonly settings: EmulatorSettings) {}

  /** Ends every session's streams and turns (used by reset and close). */
  shutdown(): void {
    for (const rt of this.sessions.values()) rt.dispose();
  }
}

export function defaultSettings(partial: Partial<EmulatorSettings> = {}): EmulatorSettings {
  return {
    pingIntervalMs: partial.pingIntervalMs ?? 15_000,
    stepDelayMs: partial.stepDelayMs ?? 0,
    priceTable: partial.priceTable ?? DEFAULT_PRICE_TABLE,
    readings: { ...DEFAULT_READINGS, ...partial.readings },
  };
}

/** Sorted ascending by id (= creation order, see wire/ids.ts). */
export function sortedById<T extends { id: string }>(items: Iterable<T>): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Metadata patch: a null value deletes the key (on environments `""` deletes too, docs/api-behaviour.md, "Wire"). */
export function patchMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null> | null | undefined,
  emptyDeletes = false,
): Record<string, string> {
  if (patch === undefined) return current;
  if (patch === null) return {};
  const out = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || (emptyDeletes && v === '')) delete out[k];
    else out[k] = v;
  }
  if (Object.keys(out).length > 16) {
    throw badRequest('metadata: at most 16 keys');
  }
  return out;
}
