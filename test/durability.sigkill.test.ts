// No acknowledged message is lost: the server is killed with SIGKILL (no shutdown code runs at all),
// restarted on the same file, and every message it said ok to is there, once, in order.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, SendResult, WireMessage } from "../src/protocol.js";
import type { ClientSocket } from "./helpers/app.js";
import { connectTo, startChildServer, type ChildServer } from "./helpers/child-server.js";

const ROOM = "durable";
const CLIENTS = 3;
/** The sends of one connection are not rate limited here: the point is volume, not the limiter. */
const UNLIMITED = { RATE_SEND_PER_SEC: "0", RATE_JOIN_PER_SEC: "0", RATE_HISTORY_PER_SEC: "0", HISTORY_LIMIT: "500" };

/** What an ack said was stored. */
type Acked = Pick<WireMessage, "id" | "content">;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-durable-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(databasePath: string): Promise<ChildServer> {
  const server = await startChildServer({ databasePath, env: UNLIMITED });
  onTestFinished(server.stop);
  return server;
}

async function joinAs(server: ChildServer, username: string): Promise<ClientSocket> {
  const socket = await connectTo(server.url);
  onTestFinished(() => void socket.disconnect());
  const res = await socket.timeout(5000).emitWithAck("join_chat", { room: ROOM, username });
  expect(res.ok).toBe(true);
  return socket;
}

/** Every message of the room after a restart, oldest first, paging with fetch_history. */
async function historyAfterRestart(databasePath: string): Promise<WireMessage[]> {
  const server = await start(databasePath);
  const reader = await joinAs(server, "reader");
  const all: WireMessage[] = [];
  let after = 0;
  for (;;) {
    const page = await reader.timeout(5000).emitWithAck("fetch_history", { room: ROOM, after, limit: 500 });
    if (!page.ok) throw new Error(page.error.code);
    all.push(...page.messages);
    if (!page.hasMore) return all;
    after = page.messages[page.messages.length - 1]?.id ?? after;
  }
}

/**
 * Each client emits its share of `total` sends at once (the server commits them in groups); `onAck` sees
 * every answer the moment it arrives, so the test can kill the server inside the callback of a chosen ack.
 */
function sendAll(clients: ClientSocket[], total: number, onAck: (acked: Acked[], res: Ack<SendResult>) => void): Acked[] {
  const acked: Acked[] = [];
  for (let i = 0; i < total; i++) {
    const client = clients[i % clients.length] as ClientSocket;
    const content = `c${i % clients.length} #${Math.floor(i / clients.length)}`;
    client.timeout(10_000).emit("send_message", { room: ROOM, username: `c${i % clients.length}`, content }, (err: Error | null, res: Ack<SendResult>) => {
      if (err) return; // unanswered (the server is gone): not acknowledged, no promise made
      if (res.ok) acked.push({ content, id: res.message.id });
      onAck(acked, res);
    });
  }
  return acked;
}

function expectAllPresentOnceInOrder(history: WireMessage[], acked: Acked[]): void {
  const chat = history.filter((m) => m.sender !== "reader");
  const ids = chat.map((m) => m.id);
  expect(new Set(ids).size, "no id twice").toBe(ids.length);
  expect(ids, "ids ascending").toEqual([...ids].sort((a, b) => a - b));
  const contents = chat.map((m) => m.content);
  expect(new Set(contents).size, "no message stored twice").toBe(contents.length);
  const byId = new Map(chat.map((m) => [m.id, m.content]));
  for (const a of acked) expect(byId.get(a.id), `acked ${a.content} (id ${a.id})`).toBe(a.content);
  // Each sender's messages are stored in the order it sent them.
  for (let c = 0; c < CLIENTS; c++) {
    const mine = chat.filter((m) => m.sender === `c${c}`).map((m) => Number(m.content.split("#")[1]));
    expect(mine, `order of c${c}`).toEqual([...mine].sort((a, b) => a - b));
  }
}

describe("durability under SIGKILL", () => {
  it("has all N acknowledged messages, once each and in order, after a SIGKILL right after the last ok ack", async () => {
    const N = 300;
    const dir = tempDir();
    const databasePath = join(dir, "chat.db");
    const server = await start(databasePath);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => joinAs(server, `c${c}`)));

    let answers = 0;
    const acked = sendAll(clients, N, () => {
      if (++answers === N) server.proc.kill("SIGKILL"); // in the callback of the last ack: nothing after it runs
    });
    const exit = await server.exited;
    expect(exit.signal).toBe("SIGKILL");
    expect(acked).toHaveLength(N);
    expect(statSync(`${databasePath}-wal`).size, "the kill left an un-checkpointed WAL behind").toBeGreaterThan(0);

    const history = await historyAfterRestart(databasePath);
    expectAllPresentOnceInOrder(history, acked);
    expect(history.filter((m) => m.sender !== "reader")).toHaveLength(N);
    expect(history.map((m) => m.content)).toEqual([...acked].sort((a, b) => a.id - b.id).map((a) => a.content));
  });

  it("loses no acknowledged message when killed in the middle of a stream, and invents none", async () => {
    const N = 600;
    const dir = tempDir();
    const databasePath = join(dir, "chat.db");
    const server = await start(databasePath);
    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, c) => joinAs(server, `c${c}`)));

    let answers = 0;
    const acked = sendAll(clients, N, () => {
      if (++answers === N / 3) server.proc.kill("SIGKILL");
    });
    await server.exited;
    for (const c of clients) c.disconnect();

    const history = await historyAfterRestart(databasePath);
    expectAllPresentOnceInOrder(history, acked);
    const sentContents = new Set(Array.from({ length: N }, (_, i) => `c${i % CLIENTS} #${Math.floor(i / CLIENTS)}`));
    for (const m of history.filter((x) => x.sender !== "reader")) expect(sentContents.has(m.content)).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(N / 3);
  });
});
