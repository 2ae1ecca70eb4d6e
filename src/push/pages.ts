// Whether a browser session has a page open anywhere: then the page notifies by itself and no push is sent
// (issue 23). One node counts its sockets by session key; several nodes share the counts through Redis
// (cluster/redis-push.ts), each node's entries expiring unless its heartbeat renews them, so a node that dies
// stops suppressing pushes within PRESENCE_TTL_MS.
import type { ChatServer } from "../chat/types.js";

export interface PageTracker {
  opened(sessionKey: string): void;
  closed(sessionKey: string): void;
  /** True when a socket of the session is connected on any node. */
  hasPage(sessionKey: string): Promise<boolean>;
  close(): void;
}

/** Sockets per session key on this node: the local half every tracker keeps. */
export class LocalPages {
  readonly counts = new Map<string, number>();

  add(sessionKey: string, delta: 1 | -1): number {
    const n = (this.counts.get(sessionKey) ?? 0) + delta;
    if (n <= 0) this.counts.delete(sessionKey);
    else this.counts.set(sessionKey, n);
    return Math.max(0, n);
  }
}

export function createMemoryPages(): PageTracker {
  const local = new LocalPages();
  return {
    opened: (key) => void local.add(key, 1),
    closed: (key) => void local.add(key, -1),
    hasPage: (key) => Promise.resolve(local.counts.has(key)),
    close: () => undefined,
  };
}

/** Counts every browser-session socket (a client without the cookie cannot subscribe, so it is left out). */
export function trackPages(io: ChatServer, pages: PageTracker): void {
  io.on("connection", (socket) => {
    if (!socket.data.sessionId.startsWith("s:")) return;
    const key = socket.data.ownerKey;
    pages.opened(key);
    socket.once("disconnect", () => pages.closed(key));
  });
}
