// Issue 22 on several nodes (one PostgreSQL, one Redis): reactions counted the same everywhere, live, with `mine`
// for the reacting session's tabs on every node only; a reply's quote and the original's clients' text across nodes.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { ReactResult, WireMessage } from "../../src/protocol.js";
import { call, legacyEmit } from "../helpers/emit.js";
import { isChat } from "../helpers/messages.js";
import { startRedis, type RedisServer } from "../helpers/redis.js";
import { collect, waitFor } from "../helpers/wait.js";
import { newSession, startNode, type TestNode } from "./nodes.js";
import { clusterDatabase } from "./pg.js";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});

async function twoNodes(): Promise<[TestNode, TestNode]> {
  const databaseUrl = await clusterDatabase();
  const admin = new Redis(redis.url);
  await admin.flushall();
  admin.disconnect();
  const nodes = [await startNode("node1", databaseUrl, redis.url, { RATE_SEND_BURST: "1000" }), await startNode("node2", databaseUrl, redis.url, { RATE_SEND_BURST: "1000" })] as const;
  onTestFinished(async () => {
    for (const n of nodes) await n.close();
  });
  return [nodes[0], nodes[1]];
}

describe("reactions on two nodes", () => {
  it("both nodes see the same counts live; the reacting session's tab on the other node hears mine, others do not", async () => {
    const [n1, n2] = await twoNodes();
    const anaSession = newSession();
    const ana1 = await n1.joined("lobby", "Ana", anaSession);
    const ana2 = await n2.joined("lobby", "Ana", anaSession);
    const ben2 = await n2.joined("lobby", "Ben", newSession());
    const cy1 = await n1.joined("lobby", "Cy", newSession());
    const sent = await call<{ message: WireMessage }>(cy1, "send_message", { room: "lobby", username: "Cy", content: "vote: pizza?" });
    if (!sent.ok) throw new Error(sent.error.code);
    const id = sent.message.id;

    const ana2Hears = waitFor(ana2, "reactions_updated");
    const ben2Hears = waitFor(ben2, "reactions_updated");
    const cy1Hears = waitFor(cy1, "reactions_updated");
    const res = await call<ReactResult>(ana1, "react", { room: "lobby", id, emoji: "🍕", on: true });
    expect(res).toEqual({ ok: true, id, reactions: [{ emoji: "🍕", count: 1, names: ["Ana"], isMine: true }] });
    expect(await ana2Hears).toEqual({ room: "lobby", id, reactions: [{ emoji: "🍕", count: 1, names: ["Ana"] }], mine: ["🍕"] });
    expect(await ben2Hears).toEqual({ room: "lobby", id, reactions: [{ emoji: "🍕", count: 1, names: ["Ana"] }] });
    expect(await cy1Hears).toEqual({ room: "lobby", id, reactions: [{ emoji: "🍕", count: 1, names: ["Ana"] }] });

    // Ana's second tab (node 2) reacts too: one session, still one. Ben (node 2) adds his: two, seen on node 1.
    expect((await call<ReactResult>(ana2, "react", { room: "lobby", id, emoji: "🍕", on: true })).ok).toBe(true);
    const cyHearsTwo = waitFor(cy1, "reactions_updated", (e) => e.reactions[0]?.count === 2);
    await call(ben2, "react", { room: "lobby", id, emoji: "🍕", on: true });
    expect((await cyHearsTwo).reactions).toEqual([{ emoji: "🍕", count: 2, names: ["Ana", "Ben"] }]);

    for (const [socket, isMine] of [[ana1, true], [ana2, true], [ben2, true], [cy1, false]] as const) {
      const page = await call<{ messages: WireMessage[] }>(socket, "fetch_history", { room: "lobby" });
      expect(page.ok && page.messages.find((m) => m.id === id)?.reactions).toEqual([{ emoji: "🍕", count: 2, names: ["Ana", "Ben"], isMine }]);
    }
  });

  it("a reply sent on one node reaches the other with its quote, and the original's clients there with the quote line only", async () => {
    const [n1, n2] = await twoNodes();
    const ana = await n1.joined("lobby", "Ana", newSession());
    const ben = await n2.joined("lobby", "Ben", newSession());
    const legacy = await n2.connect(); // the Flask page: no cookie, no ack
    legacyEmit(legacy, "join_chat", { room: "lobby", username: "Old" });
    await waitFor(legacy, "message", (m) => !isChat(m) && m.content === "Old has joined the chat.");
    const heardByLegacy = collect(legacy, "reactions_updated");
    const original = await call<{ message: WireMessage }>(ana, "send_message", { room: "lobby", username: "Ana", content: "who is in?" });
    if (!original.ok) throw new Error(original.error.code);
    const benHears = waitFor(ben, "message", (m) => isChat(m) && m.replyTo !== undefined);
    const legacyHears = waitFor(legacy, "message", (m) => isChat(m) && m.content.endsWith("me"));
    await call(ana, "react", { room: "lobby", id: original.message.id, emoji: "👍", on: true });
    await call(ana, "send_message", { room: "lobby", username: "Ana", content: "me", replyTo: original.message.id });
    expect(await benHears).toMatchObject({ content: "> Ana: who is in?\nme", caption: "me", replyTo: { id: original.message.id, sender: "Ana", excerpt: "who is in?" } });
    const old = (await legacyHears) as WireMessage;
    expect(old.content).toBe("> Ana: who is in?\nme");
    expect(old).not.toHaveProperty("replyTo");
    expect(heardByLegacy).toEqual([]); // the reaction came before the reply, and never reached it
  });
});
