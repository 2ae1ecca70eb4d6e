// One master of a Redis Cluster frozen (SIGSTOP) and marked stalled by the node. The calls into one of its rooms
// that ask who holds a name there (kick, ban, open_direct, making the room private) and a leave (its presence
// script) answer at once with what they answered after REDIS_COMMAND_TIMEOUT_MS before: presence_unavailable. A push
// change whose session budget (mr:push:s:…) lives on that master is counted in the node's memory at once.
// Each is raced against the test's own read on the frozen master, sent just before them (stall-races.ts): a call that
// waited for the master would answer after that read times out.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ClientSocket } from "../helpers/app.js";
import { connectTo } from "../helpers/child-server.js";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { MODERATOR_TOKEN } from "../helpers/private-rooms.js";
import { masterApartFrom, resumeMasters, whileMarkedStalled } from "../helpers/frozen-masters.js";
import { roomsOnEveryMaster } from "../helpers/redis-cluster.js";
import { sessionCookieFrom } from "../helpers/session-cookie.js";
import { browserSessionKey, verifySession } from "../../src/http/session.js";
import { arrivalOrder } from "../helpers/stall-logs.js";
import { connectProbe, readOnMaster } from "../helpers/stall-races.js";
import { waitFor } from "../helpers/wait.js";

// Two seconds (the default): the five calls at once leave the node more work than one, on a machine that may be busy.
const COMMAND_TIMEOUT_MS = 2000;
const SECRET_KEY = "frozen-lookups-secret-0123456789";
const env = { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), LOG_WARN_INTERVAL_MS: "0", MODERATOR_TOKEN, SECRET_KEY };
/** The push API's per-address budget for the tests' address (minute-limiter.ts): a key every push change asks. */
const PUSH_ADDRESS_KEY = "mr:push:ip:127.0.0.1";

/** A browser session (the page's cookie), as GET / hands it out. */
async function browserSession(url: string): Promise<string> {
  const res = await fetch(`${url}/`);
  return sessionCookieFrom(res.headers.getSetCookie());
}

/** A browser session signed in at /moderate. */
async function moderatorSession(url: string): Promise<string> {
  const cookie = await browserSession(url);
  const res = await fetch(`${url}/moderate`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie, origin: url, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: MODERATOR_TOKEN }).toString(),
  });
  if (res.status !== 303) throw new Error(`moderator sign-in answered ${res.status}`);
  return sessionCookieFrom(res.headers.getSetCookie());
}

describe("cluster: name lookups and leaves in a frozen Redis Cluster master's room", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ nodes: 1, pgAdminUrl: inject("pgAdminUrl"), isRedisCluster: true, env });
  });
  afterAll(async () => {
    resumeMasters(cluster);
    await cluster?.remove();
  });

  it("refuses kick, ban, open_direct, make-private and leave presence_unavailable at once, before a read on that master sent just before them times out", async () => {
    const server = cluster.node(0).server();
    const redis = cluster.redisCluster;
    if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
    const url = cluster.node(0).url;
    const frozen = masterApartFrom(redis);
    const room = roomsOnEveryMaster(redis, "lookups")[frozen.index] as string;
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    const mod = await moderatorSession(url);
    // One socket per call: a socket's membership changes (a leave) wait for each other (event-order.ts).
    const sockets: Record<string, ClientSocket> = {};
    const open = async (name: string, cookie: string | null): Promise<ClientSocket> => {
      const socket = await connectTo(url, cookie === null ? {} : { extraHeaders: { cookie } });
      sockets[name] = socket;
      return socket;
    };
    try {
      const [kicker, banner, privatiser, bo, cy, dee] = await Promise.all([open("kicker", mod), open("banner", mod), open("privatiser", mod), open("bo", await browserSession(url)), open("cy", await browserSession(url)), open("dee", null)]);
      expect(await kicker.timeout(5000).emitWithAck("join_chat", { room, username: "Mod" })).toMatchObject({ ok: true });
      for (const [socket, username] of [[banner, "Mod"], [privatiser, "Mod"], [bo, "Bo"], [cy, "Cy"], [dee, "Dee"]] as const) {
        expect(await socket.timeout(5000).emitWithAck("join_chat", { room, username })).toMatchObject({ ok: true });
      }
      // Dee's leave answers at once, but its script waits in the frozen master, which the test wakes within the
      // node's command timeout (right after its own read timed out): the room then hears Dee leave, as it would have.
      const deeLeft = waitFor(cy, "presence", (p) => p.room === room && p.left?.includes("Dee") === true, 30_000);
      const { result: { order, answers }, answering } = await whileMarkedStalled(server, frozen, async () => {
        // Sent first: it times out three quarters of a command timeout from now (connectProbe).
        const read = readOnMaster(probe, `mr:p:{r:${room}}:probe`);
        const calls = {
          kick: kicker.emitWithAck("kick_user", { room, username: "Bo" }),
          ban: banner.emitWithAck("ban_user", { room, username: "Bo", durationMs: 60_000 }),
          direct: cy.emitWithAck("open_direct", { room, username: "Bo" }),
          private: privatiser.emitWithAck("update_room", { room, isPrivate: true }),
          leave: dee.emitWithAck("leave_chat", { room }),
        };
        const order = await arrivalOrder({ read, ...calls });
        expect(await read).toBe("timed out");
        const answers: unknown[] = await Promise.all(Object.values(calls));
        return { order, answers };
      });
      // Each call's time as the node logged it: logged here, never asserted.
      const callMs = server.logs.filter((l) => l.event === "event_handled" && l.room === room && l.outcome === "presence_unavailable").map((l) => ({ [String(l.socketEvent)]: l.ms }));
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, order, callMs }));
      // Today's outcome after the timeout, without it: each refused, nothing done (Bo stays, the room stays public).
      for (const answer of answers) expect(answer).toMatchObject({ ok: false, error: { code: "presence_unavailable" } });
      expect(order.at(-1)).toBe("read");
      // Once the master answers, Dee's leave has happened there (its script was sent, as one that timed out), and Bo,
      // neither kicked nor banned, is still in the room.
      await Promise.all([answering, deeLeft]);
      const newcomer = await open("newcomer", null);
      expect(await newcomer.timeout(10_000).emitWithAck("join_chat", { room, username: "Ed" })).toMatchObject({ ok: true, users: ["Bo", "Cy", "Ed", "Mod"] });
    } finally {
      probe.disconnect();
      for (const socket of Object.values(sockets)) socket.disconnect();
    }
  });

  it("records a push level for a room on the frozen master at once, skipping the name lookup there, before a read on that master sent just before it times out", async () => {
    const redis = cluster.redisCluster;
    if (redis === null) throw new Error("the Redis Cluster must be running");
    const url = cluster.node(0).url;
    const frozen = masterApartFrom(redis, [PUSH_ADDRESS_KEY]);
    const room = roomsOnEveryMaster(redis, "push-lookup")[frozen.index] as string;
    // The session's own push budget must not live on the frozen master either (it is asked before the lookup).
    let session = await browserSession(url);
    while (redis.masterOf(`mr:push:s:${pushSessionKey(session)}`) === frozen.index) session = await browserSession(url);
    const ana = await connectTo(url);
    try {
      expect(await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).toMatchObject({ ok: true });
      // A session with no tab in the room on this node: the level's name is looked up in the room's presence.
      const { order, status } = await putLevelWhileFrozen(cluster, frozen, `mr:p:{r:${room}}:probe`, session, room);
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, pushLevelOrder: order }));
      // Today's outcome after the timeout, without it: the level is kept, the name there skipped (as while Redis is away).
      expect(status).toBe(200);
      expect(order).toEqual(["push", "read"]);
    } finally {
      ana.disconnect();
    }
  });

  it("counts a push change whose session budget lives on the frozen master in the node's memory at once, before a read on that master sent just before it times out", async () => {
    const redis = cluster.redisCluster;
    if (redis === null) throw new Error("the Redis Cluster must be running");
    const url = cluster.node(0).url;
    // Only the session's budget is on the frozen master: the address's is elsewhere, and so is the room (whose name
    // lookup the level makes).
    const frozen = masterApartFrom(redis, [PUSH_ADDRESS_KEY]);
    const room = roomsOnEveryMaster(redis, "push-budget")[(frozen.index + 1) % redis.masters.length] as string;
    let session = await browserSession(url);
    while (redis.masterOf(`mr:push:s:${pushSessionKey(session)}`) !== frozen.index) session = await browserSession(url);
    const { order, status } = await putLevelWhileFrozen(cluster, frozen, `mr:push:s:${pushSessionKey(session)}`, session, room);
    console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, pushBudgetOrder: order }));
    // What it answered after the timeout before (the insurance limiter's count), without the wait.
    expect(status).toBe(200);
    expect(order).toEqual(["push", "read"]);
  });
});

/**
 * Freezes `frozen` and, once the node has marked it stalled, sends a read of `probeKey` on it and then the session's
 * push level change for the room: the order they answered in, and the change's status. Waits for the master to be
 * answering again before it returns.
 */
async function putLevelWhileFrozen(cluster: Cluster, frozen: ReturnType<typeof masterApartFrom>, probeKey: string, session: string, room: string): Promise<{ order: string[]; status: number }> {
  const server = cluster.node(0).server();
  const redis = cluster.redisCluster;
  if (server === null || redis === null) throw new Error("the node and the Redis Cluster must be running");
  const url = cluster.node(0).url;
  const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
  try {
    const { result, answering } = await whileMarkedStalled(server, frozen, async () => {
      const read = readOnMaster(probe, probeKey);
      const put = fetch(`${url}/api/push/levels`, { method: "PUT", headers: { cookie: session, origin: url, "content-type": "application/json" }, body: JSON.stringify({ room, level: "all" }) });
      const order = await arrivalOrder({ read, push: put });
      expect(await read).toBe("timed out");
      return { order, status: (await put).status };
    });
    await answering;
    return result;
  } finally {
    probe.disconnect();
  }
}

/** The key the push API counts a browser session's changes under (session.ts). */
function pushSessionKey(cookie: string): string {
  const signed = verifySession(SECRET_KEY, decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1)));
  if (signed === null) throw new Error("the session cookie must verify");
  return browserSessionKey(SECRET_KEY, signed.split("~")[0] as string);
}
