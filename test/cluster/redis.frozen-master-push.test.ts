// One master of a Redis Cluster frozen (SIGSTOP) and marked stalled by the node: the pushes for a message do not
// wait for it. A session whose page counts (mr:push:page:{<session>}:…) live there is decided at once as after a
// command timeout (not pushed, push_dispatch_failed), and a session whose keys live on the masters that answer gets
// its push without waiting for that one: both before a read on the frozen master, sent just before the message,
// times out (stall-races.ts). Before, each waited REDIS_COMMAND_TIMEOUT_MS, one target after the other. A push whose
// take-back record (mr:push:shown:{r:<room>}) lives there is not sent, at once. And while the master is frozen but
// not yet marked, the sessions on the masters that answer are pushed without waiting for the ones whose read times out.
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { ClientSocket } from "../helpers/app.js";
import { connectTo, type LogRecord } from "../helpers/child-server.js";
import { masterApartFrom, whileMarkedStalled } from "../helpers/frozen-masters.js";
import { frozenPushCluster } from "../helpers/frozen-push-cluster.js";
import type { PushServiceDouble, TestSubscription } from "../helpers/push-service.js";
import { roomsOnEveryMaster } from "../helpers/redis-cluster.js";
import { sessionCookieFrom } from "../helpers/session-cookie.js";
import { arrivalOrder, nextLog } from "../helpers/stall-logs.js";
import { connectProbe, readOnMaster } from "../helpers/stall-races.js";

// Two seconds (the default): room for a busy machine between a call that does not wait and the probe's read.
const COMMAND_TIMEOUT_MS = 2000;
/** The most sessions a test makes before some land where it needs them. */
const MAX_READERS = 40;
// No throttle (each message is pushed, and the gate's keys are never read) and no send limit (a send reads no Redis
// key of the sender's). Heartbeats every 2 s: the master is marked 2-4 s after it froze, long after the last test's
// message has met it unmarked.
const env = {
  REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
  LOG_WARN_INTERVAL_MS: "0",
  NOTIFY_INTERVAL_MS: "0",
  RATE_SEND_PER_SEC: "0",
  PRESENCE_TTL_MS: "6000",
  // Every session a test makes is offered the message at once: with fewer slots, the sessions on the frozen master
  // could take them all, and a healthy one would wait for them (the bound's own cost, docs/push.md).
  PUSH_TARGETS_AT_ONCE: String(MAX_READERS),
};
/** Where every node lists its page counts (cluster/redis-push.ts): on the frozen master, every push would fail. */
const PUSH_NODES_KEY = "mr:push:nodes";

interface Subscriber {
  sessionKey: string;
  sub: TestSubscription;
}

/** The session key a subscription was stored under (push_subscription), as push's Redis keys name it. */
async function sessionKeyOf(databaseUrl: string, endpoint: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ session_key: string }>("SELECT session_key FROM push_subscription WHERE endpoint = $1", [endpoint]);
    const key = rows[0]?.session_key;
    if (key === undefined) throw new Error("the subscription must be stored");
    return key;
  } finally {
    await client.end();
  }
}

/** The order in which the node offers a message of `room` to its sessions (the push store's targets query). */
async function targetOrder(databaseUrl: string, room: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ session_key: string }>("SELECT session_key FROM push_room WHERE room = $1 ORDER BY session_key", [room]);
    return rows.map((r) => r.session_key);
  } finally {
    await client.end();
  }
}

const pageKey = (s: Subscriber): string => `mr:push:page:{${s.sessionKey}}:x`;

/** A browser session that joined `room`, subscribed to all its messages, and closed its tab (no page open: pushed). */
async function subscriber(url: string, databaseUrl: string, service: PushServiceDouble, room: string, name: string): Promise<Subscriber> {
  const cookie = sessionCookieFrom((await fetch(`${url}/`)).headers.getSetCookie());
  const tab: ClientSocket = await connectTo(url, { extraHeaders: { cookie } });
  try {
    expect(await tab.timeout(5000).emitWithAck("join_chat", { room, username: name })).toMatchObject({ ok: true });
    const sub = service.subscription();
    const res = await fetch(`${url}/api/push/subscription`, { method: "POST", headers: { cookie, origin: url, "content-type": "application/json" }, body: JSON.stringify({ subscription: sub.json, levels: { [room]: "all" } }) });
    expect(res.status).toBe(201);
    return { sessionKey: await sessionKeyOf(databaseUrl, sub.endpoint), sub };
  } finally {
    tab.disconnect();
  }
}

describe("cluster: pushes with a frozen Redis Cluster master", () => {
  const suite = frozenPushCluster(env);

  it("decides a push whose page counts are on the frozen master at once, and pushes to a session on a healthy master without waiting for it", async () => {
    const { server, redis, url } = suite.running();
    const frozen = masterApartFrom(redis, [PUSH_NODES_KEY]);
    const room = roomsOnEveryMaster(redis, "push-freeze")[(frozen.index + 1) % redis.masters.length] as string;
    const gateKey = (s: Subscriber): string => `mr:push:{${s.sessionKey}:${room}}:gate`;
    const isOnFrozen = (key: string): boolean => redis.masterOf(key) === frozen.index;
    // One session whose page counts the frozen master owns, one whose page counts and throttle it does not.
    let onFrozen: Subscriber | undefined;
    let onHealthy: Subscriber | undefined;
    for (let i = 0; onFrozen === undefined || onHealthy === undefined; i++) {
      if (i > 40) throw new Error("no session landed where the test needs it");
      const s = await subscriber(url, suite.cluster().databaseUrl, suite.service(), room, `Reader${i}`);
      if (isOnFrozen(pageKey(s))) onFrozen ??= s;
      else if (!isOnFrozen(gateKey(s))) onHealthy ??= s;
    }
    const healthy = onHealthy;
    const sender = await connectTo(url);
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    try {
      expect(await sender.timeout(5000).emitWithAck("join_chat", { room, username: "Sender" })).toMatchObject({ ok: true });
      const { result: { order, decidedLine }, answering } = await whileMarkedStalled(server, frozen, async () => {
        const decided = nextLog(server, "push_dispatch_failed", 30_000, (l) => l.room === room);
        const pushed = suite.service().nth(healthy.sub, 1, 30_000);
        const read = readOnMaster(probe, `mr:push:page:{${onFrozen.sessionKey}}:probe`);
        const sent = sender.timeout(10_000).emitWithAck("send_message", { room, username: "Sender", content: "while a master sleeps" });
        const order = await arrivalOrder({ decided, pushed, read });
        expect(await read).toBe("timed out");
        expect(await sent).toMatchObject({ ok: true });
        return { order, decidedLine: await decided };
      });
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, pushOrder: order }));
      expect(order.at(-1)).toBe("read");
      // Not sent, as after a command timeout, but because the master is marked (not "Command timed out").
      expect(decidedLine.err).toMatch(/marked its master stalled/);
      // One push, to the healthy session only: the other was decided as after a timeout (not sent).
      expect(suite.service().pushesFor(onFrozen.sub)).toHaveLength(0);
      expect(suite.service().pushesFor(healthy.sub)).toHaveLength(1);
      await answering;
    } finally {
      probe.disconnect();
      sender.disconnect();
    }
  });
  it("does not send a push whose take-back record is on the frozen master, at once", async () => {
    const { server, redis, url } = suite.running();
    const frozen = masterApartFrom(redis, [PUSH_NODES_KEY]);
    const room = roomsOnEveryMaster(redis, "push-record")[frozen.index] as string;
    const recordKey = `mr:push:shown:{r:${room}}`;
    expect(redis.masterOf(recordKey)).toBe(frozen.index);
    // A session whose page counts are on a master that answers: only the record waits for the frozen one.
    let reader: Subscriber | undefined;
    for (let i = 0; reader === undefined; i++) {
      if (i > 40) throw new Error("no session landed where the test needs it");
      const s = await subscriber(url, suite.cluster().databaseUrl, suite.service(), room, `Reader${i}`);
      if (redis.masterOf(pageKey(s)) !== frozen.index) reader = s;
    }
    const sender = await connectTo(url);
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    try {
      expect(await sender.timeout(5000).emitWithAck("join_chat", { room, username: "Sender" })).toMatchObject({ ok: true });
      const { result: { order, decidedLine }, answering } = await whileMarkedStalled(server, frozen, async () => {
        // The reader's push (sessions made before it, whose page counts are on the frozen master, fail on those).
        const decided = nextLog(server, "push_dispatch_failed", 30_000, (l) => l.room === room && String(l.err).includes("take-back records"));
        const read = readOnMaster(probe, recordKey);
        const sent = sender.timeout(10_000).emitWithAck("send_message", { room, username: "Sender", content: "not on the lock screen" });
        const order = await arrivalOrder({ decided, read });
        expect(await read).toBe("timed out");
        expect(await sent).toMatchObject({ ok: true });
        return { order, decidedLine: await decided };
      });
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, recordOrder: order }));
      expect(order).toEqual(["decided", "read"]);
      expect(decidedLine.err).toMatch(/marked its master stalled/);
      await answering;
      // Once the master answers, the next message is pushed: it is the reader's first push, so the one decided
      // during the freeze was never sent.
      const next = (await sender.timeout(10_000).emitWithAck("send_message", { room, username: "Sender", content: "after the thaw" })) as { message: { id: number } };
      expect(suite.service().decrypt(await suite.service().nth(reader.sub, 1, 30_000), reader.sub)).toMatchObject({ quoted: next.message.id });
      expect(suite.service().pushesFor(reader.sub)).toHaveLength(1);
    } finally {
      probe.disconnect();
      sender.disconnect();
    }
  });

  // Last in the file: it leaves the master to be marked and to answer again after the test.
  it("pushes to the sessions on healthy masters while a read of another session's waits out a master not yet marked stalled", async () => {
    const { server, redis, url } = suite.running();
    const frozen = masterApartFrom(redis, [PUSH_NODES_KEY]);
    const room = roomsOnEveryMaster(redis, "push-side")[(frozen.index + 1) % redis.masters.length] as string;
    const isOnFrozen = (s: Subscriber): boolean => redis.masterOf(pageKey(s)) === frozen.index;
    // Until the node offers the message to a session whose page counts are on the frozen master before one whose are not.
    const readers: Subscriber[] = [];
    const isFrozenFirst = async (): Promise<boolean> => {
      const order = await targetOrder(suite.cluster().databaseUrl, room);
      const firstFrozen = order.findIndex((key) => readers.some((r) => r.sessionKey === key && isOnFrozen(r)));
      return firstFrozen >= 0 && order.slice(firstFrozen).some((key) => readers.some((r) => r.sessionKey === key && !isOnFrozen(r)));
    };
    for (let i = 0; readers.length < 2 || !(await isFrozenFirst()); i++) {
      if (i >= MAX_READERS) throw new Error("no sessions landed where the test needs them");
      readers.push(await subscriber(url, suite.cluster().databaseUrl, suite.service(), room, `Side${i}`));
    }
    const healthy = readers.filter((r) => !isOnFrozen(r));
    const slow = readers.find(isOnFrozen) as Subscriber;
    const sender = await connectTo(url);
    const probe = await connectProbe(redis, COMMAND_TIMEOUT_MS);
    try {
      expect(await sender.timeout(5000).emitWithAck("join_chat", { room, username: "Sender" })).toMatchObject({ ok: true });
      process.kill(frozen.pid, "SIGSTOP");
      let order: string[];
      let decidedLine: LogRecord;
      try {
        const decided = nextLog(server, "push_dispatch_failed", 30_000, (l) => l.room === room);
        const pushed = Promise.all(healthy.map((r) => suite.service().nth(r.sub, 1, 30_000)));
        const read = readOnMaster(probe, pageKey(slow));
        const sent = sender.timeout(10_000).emitWithAck("send_message", { room, username: "Sender", content: "while a master freezes" });
        order = await arrivalOrder({ pushed, read, decided });
        expect(await read).toBe("timed out");
        expect(await sent).toMatchObject({ ok: true });
        decidedLine = await decided;
      } finally {
        process.kill(frozen.pid, "SIGCONT");
      }
      console.log(JSON.stringify({ commandTimeoutMs: COMMAND_TIMEOUT_MS, sessions: readers.length, onFrozen: readers.length - healthy.length, sideOrder: order }));
      // The slow session's read met the master unmarked: it waited out a timeout, as a push did before the mark.
      expect(decidedLine.err).toMatch(/timed out/i);
      expect(order).toEqual(["pushed", "read", "decided"]);
      expect(suite.service().pushesFor(slow.sub)).toHaveLength(0);
    } finally {
      probe.disconnect();
      sender.disconnect();
    }
  });
});
