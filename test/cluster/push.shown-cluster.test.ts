// What a notification quotes (push/shown.ts) on a Redis Cluster: a room made private moves its records from the old
// address's slot to the new one's, on another master, so the move must go key by key (one multi-key command across
// slots is refused with CROSSSLOT). The same contract as the memory records and a single Redis. And with a master
// frozen and marked stalled, the records there answer at once (PushKeyStalledError), as push's other keys do.
import { afterAll, beforeAll, expect, it } from "vitest";
import { PushKeyStalledError } from "../../src/cluster/redis-push.js";
import { createRedisShownNotes } from "../../src/cluster/redis-shown.js";
import { runningMaster } from "../helpers/frozen-masters.js";
import { startRedisCluster, type RedisClusterServer } from "../helpers/redis-cluster.js";
import { shownNotesContract } from "../helpers/shown-contract.js";
import { arrivalOrder } from "../helpers/stall-logs.js";
import { connectProbe, readOnMaster } from "../helpers/stall-races.js";

/** The probe's and the records' client's command timeout is three quarters of this (stall-races.ts). */
const COMMAND_TIMEOUT_MS = 2000;

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

// Last: it freezes (SIGSTOP) the master of the contract's room and wakes it again.
it("refuses every call on a room whose master is marked stalled at once, before a read there sent just before times out", async () => {
  const room = "general";
  const key = `mr:push:shown:{r:${room}}`;
  const frozen = runningMaster(cluster, cluster.masterOf(key));
  // The records' client waits as long as the probe does: a call that asked the frozen master would answer after the read.
  const client = await connectProbe(cluster, COMMAND_TIMEOUT_MS);
  const probe = await connectProbe(cluster, COMMAND_TIMEOUT_MS);
  const shown = createRedisShownNotes(client, 60_000, () => 1_000, (k) => cluster.masterOf(k) === frozen.index);
  const refusal = (call: Promise<unknown>): Promise<string> => call.then(() => "answered", (err: unknown) => (err instanceof PushKeyStalledError ? "refused" : String(err)));
  process.kill(frozen.pid, "SIGSTOP");
  try {
    const read = readOnMaster(probe, key);
    const calls = {
      remember: refusal(shown.remember("s1", room, 2)),
      putBack: refusal(shown.putBack("s1", room, 2, { id: 1, untilMs: 30_000, shownAs: room })),
      claimQuoting: refusal(shown.claimQuoting(room, 1)),
      claimSession: refusal(shown.claimSession("s1", room)),
      move: refusal(shown.move(room, "p:new", ["s1"])),
    };
    const order = await arrivalOrder({ ...calls, read });
    expect(order.at(-1)).toBe("read");
    expect(await read).toBe("timed out");
    for (const [name, answer] of Object.entries(calls)) expect(await answer, name).toBe("refused");
  } finally {
    process.kill(frozen.pid, "SIGCONT");
    client.disconnect();
    probe.disconnect();
  }
});
