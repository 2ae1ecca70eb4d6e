// A page that was away while its public room was made private comes back to the room's old name, which is a fresh
// public room now: joining it there would show strangers' messages as the room's and send what the reader wrote
// offline into that public room. The rejoin's `since` (the last message the page saw) tells the two apart: when the
// room's latest move took that message along, the page was in the room before it moved: the rejoin is refused
// (`room_moved`), and a socket whose browser was let in hears first where the room went, as the sockets present at
// the move did. A page that saw no message there has no such `since`: its join's token (rejoin-token.ts) tells
// instead. A private address left behind by a room made public needs nothing here: it answers not_found.
import type { Failure } from "../protocol.js";
import { isPrivateAddress } from "../access/room-address.js";
import { fail } from "../validation.js";
import { readRejoinToken, rejoinToken } from "./rejoin-token.js";
import type { ChatDeps, ChatSocket } from "./types.js";
import { noteFollowing } from "./presence-notices.js";

/**
 * The public rooms this node found never moved away from: a restart storm's rejoins (every client of a room, each
 * with `since`) then ask the store once per room, not once each (on PostgreSQL, a query per rejoin made a three-node
 * return of 10,000 clients cost 2.93 ms of CPU per client instead of 2.44, and 10.7 s instead of 8.6). A move
 * forgets its room here on every node (room-exits.ts moveRoomHere), and an answer
 * that was on its way while any move arrived is not kept: it may predate that move. Bounded: past `max` rooms it
 * starts again empty (a cache: the store stays the truth).
 */
export class UnmovedRooms {
  private readonly rooms = new Set<string>();
  /** Moves heard so far: an answer asked before the latest one is not kept. */
  private movesHeard = 0;

  constructor(private readonly max = 100_000) {}

  /** Whether the room at `room` ever moved away, from memory when this node already found it never did. */
  async hasMoved(room: string, ask: (room: string) => Promise<boolean>): Promise<boolean> {
    if (this.rooms.has(room)) return false;
    const asked = this.movesHeard;
    const hasMoved = await ask(room);
    if (!hasMoved && asked === this.movesHeard) {
      if (this.rooms.size >= this.max) this.rooms.clear();
      this.rooms.add(room);
    }
    return hasMoved;
  }

  /** A room moved away from `room` (here, or on another node). */
  moved(room: string): void {
    this.movesHeard++;
    this.rooms.delete(room);
  }
}

/**
 * Where the room this rejoin was in went, when it moved since; else null. The page's token (rejoin-token.ts) says
 * when this browser joined, so it answers even for a page that saw no message; without one (older pages, the
 * Flask original's clients, or one this server did not sign) the last message seen, `since`, answers as before.
 */
async function movedSince(socket: ChatSocket, deps: ChatDeps, room: string, since: number | undefined, token: string | undefined): Promise<string | null> {
  const joinedAt = token === undefined ? null : readRejoinToken(deps.config.secretKey, socket.data.ownerKey, room, token);
  if (joinedAt === null && (since === undefined || since <= 0)) return null;
  if (!(await deps.unmovedRooms.hasMoved(room, (r) => deps.store.access.hasMovedFrom(r)))) return null;
  if (joinedAt !== null) return whereNow(deps, room, joinedAt);
  return since === undefined ? null : deps.store.access.movedWith(room, since);
}

/** Moves followed from a join at most: a moderator's acts, so a longer chain is not a page's room coming back. */
const MAX_MOVES_FOLLOWED = 8;

/**
 * Where the room at `room` when a session joined it (`at`) is now: each move after the one before (made private,
 * made public again, ...); null when it is back at `room` or never left (the rejoin joins it there).
 */
async function whereNow(deps: ChatDeps, room: string, at: Date): Promise<string | null> {
  let here = { to: room, movedAt: at };
  for (let i = 0; i < MAX_MOVES_FOLLOWED; i++) {
    const next = await deps.store.access.movedAfter(here.to, here.movedAt);
    if (next === null) break;
    here = next;
  }
  return here.to === room ? null : here.to;
}

/** Null when the rejoin goes ahead; else the refusal, after a socket whose browser was let in was told where the room went. */
export async function refuseRejoinOfMovedRoom(socket: ChatSocket, deps: ChatDeps, room: string, since: number | undefined, token: string | undefined): Promise<Failure | null> {
  if (isPrivateAddress(room)) return null;
  const to = await movedSince(socket, deps, room, since, token);
  if (to === null) return null;
  const access = await deps.store.access.roomAccess(to, socket.data.ownerKey);
  if (access?.member) {
    // A member the move carried over, back on a new connection: it follows the room as the sockets present did.
    noteFollowing(socket, to);
    socket.emit("room_moved", { room, to: { room: to, title: access.record.title, kind: access.record.kind } });
  }
  return fail("room_moved", "This room was made private while you were away; it is no longer at this name.");
}

/** What a join of a public room gives the page to present on its rejoins: when this session joined it (rejoin-token.ts). */
export function rejoinTokenFor(socket: ChatSocket, deps: ChatDeps, room: string): string | undefined {
  const joinedAtMs = socket.data.joinedAt?.get(room);
  // Without the cookie a socket's key is its connection's, so its rejoin could never match: none is given.
  if (isPrivateAddress(room) || joinedAtMs === undefined || !socket.data.sessionId.startsWith("s:")) return undefined;
  return rejoinToken(deps.config.secretKey, socket.data.ownerKey, room, joinedAtMs);
}
