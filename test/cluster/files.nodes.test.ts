// Issue 18 on several nodes (in-process nodes on one PostgreSQL and one Redis): a file uploaded through one node is
// served by every other, from PostgreSQL (no shared disk); a message with files reaches other nodes' members with
// them; deleting it makes the file 404 on every node.
import { Redis } from "ioredis";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { WireAttachment, WireMessage } from "../../src/protocol.js";
import type { UploadAnswer } from "../../src/http-api.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { isChat } from "../helpers/messages.js";
import { png } from "../helpers/sample-files.js";
import { waitFor } from "../helpers/wait.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});

async function startNodes(count: number): Promise<TestNode[]> {
  const databaseUrl = await clusterDatabase();
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const nodes: TestNode[] = [];
  for (let i = 1; i <= count; i++) nodes.push(await startNode(`node${i}`, databaseUrl, redis.url));
  onTestFinished(async () => {
    for (const n of nodes) await n.close();
  });
  return nodes;
}

async function uploadTo(node: TestNode, session: string, bytes: Buffer, name: string): Promise<WireAttachment> {
  const res = await request(node.url).post("/api/uploads").set("Cookie", session).set("Origin", node.url).attach("file", bytes, name);
  const body = res.body as UploadAnswer;
  if (!body.ok) throw new Error(JSON.stringify(body));
  return body.upload;
}

describe("files on several nodes", () => {
  it("uploaded through one node, sent from it, served by another node with the same bytes; deleted: 404 everywhere", async () => {
    const [n1, n2] = (await startNodes(2)) as [TestNode, TestNode];
    const session = newSession();
    const ana = await n1.joined("lobby", "Ana", session);
    const bob = await n2.joined("lobby", "Bob", newSession());
    const file = await uploadTo(n1, session, await png(50, 30), "map.png");
    const heard = waitFor(bob, "message", (m) => isChat(m) && m.caption === "the map");
    const sent = await ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "the map", attachments: [file.id] });
    if (!sent.ok) throw new Error(sent.error.code);
    expect(((await heard) as WireMessage).attachments?.[0]?.id).toBe(file.id);
    const fromA = await request(n1.url).get(file.url).buffer(true).expect(200);
    const fromB = await request(n2.url).get(file.url).buffer(true).expect(200);
    expect(fromB.headers.etag).toBe(fromA.headers.etag);
    expect(Buffer.compare(fromB.body as Buffer, fromA.body as Buffer)).toBe(0);
    await request(n2.url).get(file.thumbUrl as string).expect(200);
    expect((await ana.timeout(5000).emitWithAck("delete_message", { room: "lobby", id: sent.message.id })).ok).toBe(true);
    await request(n2.url).get(file.url).expect(404);
    await request(n1.url).get(file.url).expect(404);
  });
});
