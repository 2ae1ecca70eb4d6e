// One master of a Redis Cluster frozen (SIGSTOP) and marked stalled by the node: the pushes for a message do not
// wait for it. A session whose page counts (mr:push:page:{<session>}:…) live there is decided at once as after a
// command timeout (not pushed, push_dispatch_failed), and a session whose keys live on the masters that answer gets
// its push without waiting for that one: both before a read on the frozen master, sent just before the message,
// times out (stall-races.ts). Before, each waited REDIS_COMMAND_TIMEOUT_MS, one target after the other.
import pg from "pg";
import { describe, expect, it } from "vitest";
import type { ClientSocket } from "../helpers/app.js";
import { connectTo, type LogRecord } from "../helpers/child-server.js";
import { masterApartFrom } from "../helpers/frozen-masters.js";
import { frozenPushCluster } from "../helpers/frozen-push-cluster.js";
import type { PushServiceDouble, TestSubscription } from "../helpers/push-service.js";
import { roomsOnEveryMaster } from "../helpers/redis-cluster.js";
import { sessionCookieFrom } from "../helpers/session-cookie.js";
import { arrivalOrder, nextLog, nextMasterLog } from "../helpers/stall-logs.js";
import { connectProbe, readOnMaster } from "../helpers/stall-races.js";

// Two seconds (the default): room for a busy machine between a call that does not wait and the probe's read.
const COMMAND_TIMEOUT_MS = 2000;
const env = { REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS), LOG_WARN_INTERVAL_MS: "0" };
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
    const pageKey = (s: Subscriber): string => `mr:push:page:{${s.sessionKey}}:x`;
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
      const stalled = nextMasterLog(server, "redis_master_stalled", frozen.server);
      process.kill(frozen.pid, "SIGSTOP");
      let order: string[];
      let decidedLine: LogRecord;
      let answering: Promise<unknown> | undefined;
      try {
        await stalled;
        answering = nextMasterLog(server, "redis_master_answering", frozen.server, 30_000);
        const decided = nextLog(server, "push_dispatch_failed", 30_000, (l) => l.room === room);
        const pushed = suite.service().nth(healthy.sub, 1, 30_000);
        const read = readOnMaster(probe, `mr:push:page:{${onFrozen.sessionKey}}:probe`);
        const sent = sender.timeout(10_000).emitWithAck("send_message", { room, username: "Sender", content: "while a master sleeps" });
        order = await arrivalOrder({ decided, pushed, read });
        expect(await read).toBe("timed out");
        expect(await sent).toMatchObject({ ok: true });
        decidedLine = await decided;
      } finally {
        process.kill(frozen.pid, "SIGCONT");
      }
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
});
