import type { HostileMode } from './hostile-upstream.mjs';
export const BIN: string;
export interface HostileCase {
  mode: HostileMode;
  tool: string;
  args: Record<string, unknown>;
  /** The call's own timeout_s, or 0 when it has none. */
  timeoutS: number;
  /** The call ends with a timed-out digest, not an error. */
  digest?: boolean;
}
export interface HostileResult extends HostileCase {
  label: string;
  ms: number;
  isError: boolean;
  text: string;
  requests: number;
  lists: number;
  streamOpens: number;
  reopens: number;
  bytesSent: number;
  malformedFrames: number;
  byRoute: Record<string, number>;
  peakRssMiB: number;
  stderrLines: number;
  nextOk: boolean;
  stderrTail: string;
}
export const CASES: HostileCase[];
export function label(c: HostileCase): string;
export function peakRssMiB(pid: number): number;
export function runCase(c: HostileCase, opts?: { bin?: string }): Promise<HostileResult>;
