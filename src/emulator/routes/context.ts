/** What every route module shares with the server; `state` is replaced on reset, so always read it through here. */
import type { State } from '../runtime/state.js';
import type { FaultTable } from '../wire/faults.js';
import type { RequestLogEntry } from '../wire/http.js';

export interface Emulator {
  state: State;
  faults: FaultTable;
  log: RequestLogEntry[];
  timers: Set<NodeJS.Timeout>;
}
