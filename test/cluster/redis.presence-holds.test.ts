// A held name's entry in its node's Redis set (what the node owns, for reaping when it dies) leaves the set
// when the hold is spent: the grace ran out (release) or the owner came back, on this node or another. Before,
// such entries stayed until the node died. Also: the room directory keeps the newest count when updates cross
// (issue 21: on a Redis Cluster it is a second script after the room's). Real Redis, the presence store as the nodes use it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameKey } from "../../src/shared/names.js";
import { createRedisPresence, type RedisPresence } from "../../src/cluster/redis-presence.js";
import { DIR_SET, presenceKeys } from "../../src/cluster/redis-presence-keys.js";
import { REDIS_SETUPS, startRedisSetup, type RedisSetup } from "../helpers/redis-setups.js";

// One suite, two set-ups (issue 21, §5): one redis-server, and a Redis Cluster where every room's keys sit in its own slot.
describe.each(REDIS_SETUPS)("redis presence: spent holds leave the node's set (%s)", (kind) => {
  let setup: RedisSetup;
  beforeAll(async () => {
    setup = await startRedisSetup(kind);
  });
  afterAll(async () => {
    await setup?.remove();
  });

  /** A node's presence store, and what it owns in Redis: its entries in every room it has been in. */
  function node(id: string): { presence: RedisPresence; owned: () => Promise<string[]> } {
    const redis = setup.admin;
    const presence = createRedisPresence(redis, { nodeId: id, ttlMs: 5000, graceMs: 1000, now: () => 1_764_000_000_000 });
    const owned = async (): Promise<string[]> => {
      const rooms = await redis.smembers(presenceKeys.nodeRooms(id));
      return (await Promise.all(rooms.map((room) => redis.smembers(presenceKeys.roomNode(room, id))))).flat();
    };
    return { presence, owned };
  }

    it("removes a hold's entry when its grace ends and the name is released", async () => {
      const a = node("hold-a");
      expect(await a.presence.join("r/1", "Ana", "s:ana", "sock1")).toEqual({ ok: true, isNew: true });
      const left = await a.presence.leave("r/1", "Ana", "sock1", true);
      expect(left.state).toBe("held");
      expect(await a.owned()).toHaveLength(1); // the hold, reapable if the node dies during the grace
      if (left.state !== "held") return;
      expect(await a.presence.release("r/1", "Ana", left.hold)).toBe("Ana");
      expect(await a.owned()).toEqual([]);
    });

    it("removes a hold's entry when its owner comes back, on the same node or on another", async () => {
      const a = node("back-a");
      const b = node("back-b");
      await a.presence.join("room \"x\"", "Bo", "s:bo", "t1");
      const first = await a.presence.leave("room \"x\"", "Bo", "t1", true);
      expect(first.state).toBe("held");
      await a.presence.join("room \"x\"", "Bo", "s:bo", "t2"); // back on the same node
      expect(await a.owned()).toEqual([JSON.stringify(["room \"x\"", nameKey("Bo"), "back-a|t2"])]);

      const second = await a.presence.leave("room \"x\"", "Bo", "t2", true);
      expect(second.state).toBe("held");
      expect(await b.presence.join("room \"x\"", "Bo", "s:bo", "t3")).toEqual({ ok: true, isNew: false }); // back on another node
      expect(await a.owned()).toEqual([]);
      expect(await b.owned()).toEqual([JSON.stringify(["room \"x\"", nameKey("Bo"), "back-b|t3"])]);
      // The spent hold's timer still fires on node A: the name stays with its owner, nothing is announced.
      if (second.state === "held") expect(await a.presence.release("room \"x\"", "Bo", second.hold)).toBeNull();
      expect(await a.presence.users("room \"x\"")).toEqual(["Bo"]);
    });

  it("keeps the directory's newest count of a room: a late, older update changes nothing; an emptied room leaves it; a private address never enters", async () => {
    await setup.flush(); // the rooms of the cases above
    const a = node("dir-a");
    const b = node("dir-b");
    await a.presence.join("lounge", "Ana", "s:ana", "a1");
    await b.presence.join("lounge", "Ben", "s:ben", "b1");
    await a.presence.join("~AAAAAAAAAAAAAAAAAAAAAA", "Ana", "s:ana", "a2");
    await a.presence.refreshRooms();
    expect(a.presence.rooms()).toEqual([{ room: "lounge", users: 2 }]);
    // What a node's update that was overtaken would write: the count as of its script, with that script's (older) version.
    const version = Number(await setup.admin.get(presenceKeys.directoryVersion("lounge")));
    expect(await setup.admin.eval(DIR_SET, 2, presenceKeys.directory, presenceKeys.directoryVersion("lounge"), "lounge", 1, version - 1, 60_000)).toBe(0);
    await a.presence.refreshRooms();
    expect(a.presence.rooms()).toEqual([{ room: "lounge", users: 2 }]);
    await a.presence.leave("lounge", "Ana", "a1", false);
    await b.presence.leave("lounge", "Ben", "b1", false);
    await b.presence.refreshRooms();
    expect(b.presence.rooms()).toEqual([]);
    expect(b.presence.roomCount()).toBe(0);
  });
});
