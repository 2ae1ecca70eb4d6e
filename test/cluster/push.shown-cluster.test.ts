// What a notification quotes (push/shown.ts) on a Redis Cluster: a room made private moves its records from the old
// address's slot to the new one's, on another master, so the move must go key by key (one multi-key command across
// slots is refused with CROSSSLOT). The same contract as the memory records and a single Redis.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createRedisShownNotes } from "../../src/cluster/redis-shown.js";
import { startRedisCluster, type RedisClusterServer } from "../helpers/redis-cluster.js";
import { shownNotesContract } from "../helpers/shown-contract.js";

let cluster: RedisClusterServer;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(() => cluster?.remove());

it("puts the contract's old and new addresses on different masters (else it proves nothing about a cross-slot move)", () => {
  expect(cluster.masterOf("mr:push:shown:{r:general}")).not.toBe(cluster.masterOf("mr:push:shown:{r:p:new}"));
});

shownNotesContract("on a Redis Cluster", async (windowMs, now) => {
  await cluster.flushAll();
  return createRedisShownNotes(cluster.admin(), windowMs, now);
});
