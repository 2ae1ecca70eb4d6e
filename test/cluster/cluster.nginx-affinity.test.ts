// Issue 21: placement by room through the documented nginx (docs/nginx-cluster.conf hashes on the page's
// `?affinity=`, public/js/room-affinity.js). Every request of a room's pages reaches one node, rooms spread over
// the nodes, requests without the key still go round robin, a page that can only poll keeps its session (round
// robin sent its requests to three nodes), and a dead node's rooms all move to one other node.
// Needs PostgreSQL, Redis and nginx.
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { MessageEvent } from "../../src/protocol.js";
import { connectTo } from "../helpers/child-server.js";
import { startCluster, type Cluster } from "../helpers/cluster.js";
import { newClientId } from "../helpers/emit.js";
import { answeredBy, startNginx, type Nginx } from "../helpers/nginx.js";

// The page's own module, as the browser runs it (public/ is plain JavaScript, checked by tsconfig.client.json).
const { affinityOf } = (await import(new URL("../../public/js/room-affinity.js", import.meta.url).href)) as { affinityOf: (room?: string) => string };

let cluster: Cluster;
let nginx: Nginx;
beforeAll(async () => {
  cluster = await startCluster({ pgAdminUrl: inject("pgAdminUrl") });
  nginx = await startNginx(cluster.nodes.map((n) => `127.0.0.1:${n.port}`));
});
afterAll(async () => {
  await nginx?.remove();
  await cluster?.remove();
});

/** The node ("127.0.0.1:port") nginx sent an Engine.IO handshake to, from the X-Upstream header the conf adds. */
async function handshakeNode(affinity: string | null): Promise<string> {
  const key = affinity === null ? "" : `&affinity=${affinity}`;
  const res = await fetch(`${nginx.url}/socket.io/?EIO=4&transport=polling${key}`);
  expect(res.status, await res.clone().text()).toBe(200);
  await res.text();
  const upstream = answeredBy(res.headers);
  if (upstream === null) throw new Error("nginx added no X-Upstream header");
  return upstream;
}

async function sessionCookie(): Promise<string> {
  const res = await fetch(`${nginx.url}/`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "").find((c) => c.includes("="));
  if (cookie === undefined) throw new Error("no session cookie");
  return cookie;
}

describe("nginx places a page by its room", () => {
  it("sends every handshake of a room's pages to one node, and different rooms to different nodes", async () => {
    const rooms = Array.from({ length: 15 }, (_, i) => `affinity-${i}`);
    const nodeOfRoom = new Map<string, string>();
    for (const room of rooms) {
      const nodes = new Set<string>();
      for (let i = 0; i < 3; i++) nodes.add(await handshakeNode(affinityOf(room)));
      expect([...nodes], room).toHaveLength(1);
      nodeOfRoom.set(room, [...nodes][0] ?? "");
    }
    // 15 rooms on one node of three would be a chance of 3 in 3^15 with a working hash.
    expect(new Set(nodeOfRoom.values()).size).toBeGreaterThanOrEqual(2);
    // The key is the room's, whatever its NFC form or surrounding spaces: "é" typed as e + U+0301.
    expect(affinityOf(" caf\u0065\u0301 ")).toBe(affinityOf("caf\u00e9"));
    expect(affinityOf("General")).not.toBe(affinityOf("general"));
  });

  it("sends requests without a key (page loads, the original's clients) round robin, to every node", async () => {
    const nodes = new Set<string>();
    for (let i = 0; i < 6; i++) nodes.add(await handshakeNode(null));
    expect(nodes.size).toBe(3);
  });

  it("keeps a polling-only page's session on one node: two of them chat through nginx", async () => {
    const room = "polling-behind-nginx";
    const affinity = affinityOf(room);
    const connect = async (): Promise<Awaited<ReturnType<typeof connectTo>>> =>
      connectTo(nginx.url, { transports: ["polling"], query: { affinity }, extraHeaders: { cookie: await sessionCookie() } });
    const [ana, ben] = [await connect(), await connect()];
    try {
      for (const [socket, name] of [[ana, "Ana"], [ben, "Ben"]] as const) {
        const joined = await socket.timeout(5000).emitWithAck("join_chat", { room, username: name });
        expect(joined.ok, JSON.stringify(joined)).toBe(true);
      }
      const heard = new Promise<MessageEvent>((resolve) => ben.on("message", (m) => "id" in m && m.content === "over polling" && resolve(m)));
      const sent = await ana.timeout(5000).emitWithAck("send_message", { room, username: "Ana", content: "over polling", clientId: newClientId() });
      expect(sent.ok, JSON.stringify(sent)).toBe(true);
      expect((await heard).room).toBe(room);
      // Many HTTP requests each, and still one session each: no "Session ID unknown", no new handshake.
      expect(ana.connected && ben.connected).toBe(true);
      expect(ana.io.engine.transport.name).toBe("polling");
    } finally {
      ana.disconnect();
      ben.disconnect();
    }
  });

  it("moves a dead node's room to one other node: every page of the room lands together again", async () => {
    const room = "affinity-moves";
    const before = await handshakeNode(affinityOf(room));
    const dead = cluster.nodes.find((n) => `127.0.0.1:${n.port}` === before);
    if (dead === undefined) throw new Error(`no node at ${before}`);
    await dead.kill();
    const after = new Set<string>();
    for (let i = 0; i < 4; i++) {
      // nginx tries the dead node first until max_fails marks it, then the next node on the ring: the last address.
      const node = await handshakeNode(affinityOf(room));
      after.add(node);
    }
    expect([...after]).toHaveLength(1);
    expect([...after][0]).not.toBe(before);
  });
});
