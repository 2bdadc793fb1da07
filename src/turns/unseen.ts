/**
 * Turns that went on while nobody was watching: a call that timed out (or sent with wait:false)
 * and was never resumed. Kept in this server's memory, per session, so the next send_message,
 * wait_for_turn or get_session on that session can say so once (docs/approval.md#unseen-turns).
 * The API cannot tell us what a client has read, so this is the one piece of state the server
 * keeps between calls; it is bounded, and lost on restart (the history itself is never lost).
 */
const MAX_SESSIONS = 1000;

export class UnseenTurns {
  /** session id → the event after which nothing was reported. */
  private readonly since = new Map<string, string>();
  /**
   * session id → the last event of a turn reported as over (ended, or blocked on an answer): where
   * a wait on several sessions picks that session up, so a turn it reported is not reported again
   * (docs/turn-engine.md, "Several sessions").
   */
  private readonly reportedTo = new Map<string, string>();

  /** The turn on `sessionId` was last reported up to `afterEventId` and goes on unseen. */
  mark(sessionId: string, afterEventId: string): void {
    this.since.delete(sessionId);
    this.since.set(sessionId, afterEventId);
    if (this.since.size > MAX_SESSIONS) this.since.delete(this.since.keys().next().value!);
  }

  /** A turn of `sessionId` was reported as over up to `eventId`. */
  reported(sessionId: string, eventId: string): void {
    this.reportedTo.delete(sessionId);
    this.reportedTo.set(sessionId, eventId);
    if (this.reportedTo.size > MAX_SESSIONS) this.reportedTo.delete(this.reportedTo.keys().next().value!);
  }

  /**
   * A wait on several sessions that followed `sessionId` from `from` returned its turn, over up to
   * `eventId`: what went unseen up to `from` is read now (a mark set since, by a send, stays).
   */
  settle(sessionId: string, eventId: string, from: string | undefined): void {
    if (from !== undefined && this.since.get(sessionId) === from) this.since.delete(sessionId);
    this.reported(sessionId, eventId);
  }

  /** Where a wait on several sessions resumes `sessionId`: after what went unseen, else after what was reported. */
  resumePoint(sessionId: string): string | undefined {
    return this.since.get(sessionId) ?? this.reportedTo.get(sessionId);
  }

  /** Removes and returns the mark of `sessionId`, if any. */
  take(sessionId: string): string | undefined {
    const at = this.since.get(sessionId);
    this.since.delete(sessionId);
    return at;
  }

  /** The sentence a result adds for a mark taken from a session. */
  static note(sessionId: string, afterEventId: string): string {
    return (
      `An earlier turn on this session went on unseen after ${afterEventId} (a timeout or wait:false): ` +
      `wait_for_turn {"session_id":"${sessionId}","after_event_id":"${afterEventId}"} reports how it went.`
    );
  }
}
