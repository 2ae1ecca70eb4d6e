// Admitting connections when the node is behind (issue 19). After a restart every client connects at once; a node
// that starts every handshake the moment it arrives falls behind, and clients give up on handshakes it finishes
// too late (at 10,000 clients: tens of thousands of timed-out handshakes, each one work done for nothing and a
// client sent into its backoff anyway). Instead at most MAX_HANDSHAKES_IN_FLIGHT handshakes are under way at once
// (from the request until Socket.IO's connection, or the connection's end); beyond it a handshake is refused at
// once, before any session exists, for the price of one short HTTP answer. The client library's reconnection
// (a doubling delay with a random spread, as the page and socket.io-client both do) brings it back later.
import type { IncomingMessage } from "node:http";

/** A handshake holds its place at most this long: one whose client never finishes cannot keep it. */
const SLOT_MAX_MS = 5000;

export class HandshakeAdmission {
  private inFlight = 0;
  /** By the handshake's request, then (bind) by its Engine.IO connection, which outlives the request's use. */
  private readonly releases = new WeakMap<object, () => void>();

  /** `max`: handshakes under way at once; 0 = no limit. */
  constructor(private readonly max: number) {}

  /** Handshakes under way now. */
  get count(): number {
    return this.inFlight;
  }

  /** Takes a place for this handshake; false when all are taken (refuse it). */
  enter(req: IncomingMessage): boolean {
    if (this.max === 0) return true;
    if (this.inFlight >= this.max) return false;
    this.inFlight++;
    let isReleased = false;
    const timer = setTimeout(() => release(), SLOT_MAX_MS);
    timer.unref();
    const release = (): void => {
      if (isReleased) return;
      isReleased = true;
      clearTimeout(timer);
      req.socket.off("close", release); // nothing of the handshake stays with an open connection
      this.inFlight--;
    };
    this.releases.set(req, release);
    req.socket.once("close", release); // a handshake that failed before any connection existed
    return true;
  }

  /** The request's Engine.IO connection exists: its place is found by the connection from now on. */
  bind(req: IncomingMessage, conn: object): void {
    const release = this.releases.get(req);
    if (release === undefined) return;
    this.releases.delete(req);
    this.releases.set(conn, release);
  }

  /** The handshake is over: connected to Socket.IO, or its connection closed. */
  leave(conn: object): void {
    this.releases.get(conn)?.();
    this.releases.delete(conn);
  }
}
