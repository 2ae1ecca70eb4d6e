// One change of a message at a time, per node (found by review, 2026-12-07): an edit or a delete reads the
// message, stores the change and broadcasts it as one turn, and the next change of the same message waits for the
// turn before it. Without this, an edit whose broadcast waited on something after its commit (a reply's quote read
// again, a moderator's audit row) was overtaken by a later edit's broadcast, and the room kept showing the older
// text while the database held the newer one.
import { KeyedTurns } from "../shared/keyed-turns.js";
import type { ChatServer } from "./types.js";

/** Per Socket.IO server (one app), so apps in one process (the tests) never wait on each other. */
const turnsOf = new WeakMap<ChatServer, KeyedTurns>();

/** Runs `work` as the next change of message `id` of `room` on this node. */
export function inMessageTurn<T>(io: ChatServer, room: string, id: number, work: () => Promise<T>): Promise<T> {
  let turns = turnsOf.get(io);
  if (turns === undefined) {
    turns = new KeyedTurns();
    turnsOf.set(io, turns);
  }
  return turns.run(`${room}\0${id}`, work);
}
