export type HostileMode =
  | 'list-self-cursor'
  | 'list-fresh-empty'
  | 'list-fresh-one'
  | 'list-50mb'
  | 'list-trickle'
  | 'stream-close'
  | 'stream-malformed'
  | 'stream-one-then-close'
  | 'stream-300mb-line'
  | 'stream-50mb-event'
  | 'stream-trickle-json';
export const MODES: HostileMode[];
export const SESSION_ID: string;
export interface HostileCounts {
  requests: number;
  lists: number;
  streamOpens: number;
  malformedFrames: number;
  bytesSent: number;
  byRoute: Record<string, number>;
}
export function startHostileUpstream(mode: HostileMode): Promise<{ url: string; mode: HostileMode; counts: HostileCounts; close(): Promise<void> }>;
