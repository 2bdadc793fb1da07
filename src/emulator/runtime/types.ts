/**
 * The runtime's shared types. The session runtime implements `TurnHost`; the scripted agent and
 * its tools depend only on that interface, so neither imports the session runtime (nor the state
 * that holds the sessions) and the runtime has no import cycle.
 */
import type { BetaFileMetadata } from '@anthropic-ai/sdk/resources/beta/files';
import type { BetaManagedAgentsSession } from '@anthropic-ai/sdk/resources/beta/sessions/sessions';
import type { BetaManagedAgentsSessionEvent } from '@anthropic-ai/sdk/resources/beta/sessions/events';
import type { PriceTable } from '../../shared/pricing.js';
import type { IdFactory, MonotonicClock } from '../wire/ids.js';
import type { Readings } from './readings.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EmitInput = DistributiveOmit<BetaManagedAgentsSessionEvent, 'id' | 'processed_at'>;
export type StoredEvent = { id: string; type: string; processed_at: string | null } & Record<string, unknown>;

export type PendingKind = 'confirm' | 'custom' | 'result';
export interface Resolution {
  kind: PendingKind;
  allow: boolean;
  denyMessage?: string | null;
  content?: unknown[];
  isError?: boolean;
}

/** Why a turn was aborted: an interrupt ends it with an idle; the others end it silently. */
export type AbortReason = 'interrupt' | 'terminate' | 'dispose';

export type TurnStop = 'end_turn' | 'retries_exhausted' | 'budget_reached' | 'refusal';

export interface EmulatorSettings {
  pingIntervalMs: number;
  stepDelayMs: number;
  priceTable: PriceTable;
  /** Which reading of each open point the emulator plays (runtime/readings.ts). */
  readings: Readings;
}

export interface FileRecord {
  meta: BetaFileMetadata;
  content: Buffer;
}

/** The parts of the emulator state a session runtime reads and writes. */
export interface RuntimeStore {
  readonly ids: IdFactory;
  readonly clock: MonotonicClock;
  readonly settings: EmulatorSettings;
  readonly files: Map<string, FileRecord>;
}

/** What a running turn (the scripted agent and its tools) needs from its session. */
export interface TurnHost {
  readonly id: string;
  readonly state: RuntimeStore;
  readonly session: BetaManagedAgentsSession;
  readonly selfHosted: boolean;
  readonly tokens: { input: number; output: number; cacheRead: number; cache5m: number; cache1h: number };
  /** Characters of conversation in earlier turns (the emulated prompt cache). */
  priorChars: number;
  emit(ev: EmitInput): StoredEvent;
  flow(): Promise<void>;
  setStatus(status: BetaManagedAgentsSession['status']): void;
  budgetReached(): boolean;
  endTurn(stop: TurnStop): void;
  terminate(): void;
  /** Registers a tool use that waits for a `user.tool_confirmation`, custom or self-hosted result. */
  awaitAction(id: string, kind: PendingKind): void;
  waitForActions(ids: string[], signal: AbortSignal): Promise<void>;
  /**
   * Lists `ids` as waited on (an idle on requires_action), then runs on without waiting: the turn
   * is about to end with `retries_exhausted`, after which the calls stay answerable, and `resume`
   * runs as a new turn once the last of them is answered (the primary thread only).
   */
  parkActions?(ids: string[], resume: (signal: AbortSignal) => Promise<void>): void;
  /** The answer sent for a registered action (undefined if none), forgotten once taken. */
  takeResolution(id: string): Resolution | undefined;
  /** `/delegate` (primary thread of a multi-agent session only; docs/multi-agent.md). */
  delegate?(target: string, text: string, signal: AbortSignal): Promise<{ agent: string; reply: string } | { error: string }>;
}
