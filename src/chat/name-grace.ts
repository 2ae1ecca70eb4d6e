// Name grace: when a name's last connection drops without leave_chat (a reload, a Wi-Fi blip), its owner
// gets NAME_GRACE_MS to come back before anyone else may take it and before the room hears "has left".
// This file only keeps the timers; the presence store keeps who holds what.

export type GraceExpired = (room: string, name: string, hold: number) => void;

export class NameGrace {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private isStopped = false;

  constructor(
    private readonly graceMs: number,
    private readonly expired: GraceExpired,
  ) {}

  /**
   * Whether a dropped connection's names are held. Only a browser session (the signed cookie) can come back
   * as the same owner; a client without one is a new owner on every connection, so holding its name would
   * only lock the person out of it.
   */
  shouldHold(sessionId: string): boolean {
    return this.graceMs > 0 && !this.isStopped && sessionId.startsWith("s:");
  }

  /**
   * Calls `expired` when the grace of this hold ends (NAME_GRACE_MS, or `graceMs`: the longer one of names restored
   * after a restart); the store decides then whether it still holds.
   */
  start(room: string, name: string, hold: number, graceMs = this.graceMs): void {
    if (this.isStopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(hold);
      this.expired(room, name, hold);
    }, graceMs);
    timer.unref(); // a pending grace never keeps the process alive
    this.timers.set(hold, timer);
  }

  /** Shutdown: every timer cleared; names dropped from now on are released at once. */
  stop(): void {
    this.isStopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
