// Presence reads in a room whose shared presence the node knows frozen (several nodes: the one Redis after
// redis_stalled, or on a Redis Cluster the room's master marked by the stall watch, cluster/master-stalls.ts).
// Such a read would wait REDIS_COMMAND_TIMEOUT_MS and then fail PresenceUnavailableError; each caller already has
// its answer to that failure (kick, ban, open_direct and a private room's change refuse presence_unavailable; push's
// name lookup skips the room). Failing at once gives every caller that same answer without the wait, in one place.
import { PresenceUnavailableError, type PresenceStore } from "./presence.js";

/** `presence` whose reads of a room `isStalled` picks fail at once, as they would after the command timeout. */
export function failStalledReads(presence: PresenceStore, isStalled: (room: string) => boolean): PresenceStore {
  const refuseIfStalled = (room: string): void => {
    if (isStalled(room)) throw new PresenceUnavailableError("Redis is not answering where the room's presence lives (the node marked it stalled)");
  };
  return {
    ...presence,
    users: async (room) => {
      refuseIfStalled(room);
      return presence.users(room);
    },
    holder: async (room, name) => {
      refuseIfStalled(room);
      return presence.holder(room, name);
    },
    holders: async (room) => {
      refuseIfStalled(room);
      return presence.holders(room);
    },
    holds: async (room) => {
      refuseIfStalled(room);
      return presence.holds(room);
    },
  };
}
