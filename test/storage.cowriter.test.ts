// Running beside the Flask app on one chat_history.db: another process's short write transactions make the
// port wait its turn (IMMEDIATE transactions, retried between event-loop turns) instead of failing sends.
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, SendResult } from "../src/protocol.js";
import { startTestApp } from "./helpers/app.js";
import { startCoWriter } from "./helpers/co-writer.js";

const ROOM = "lobby";
const SENDS = 60;

describe("beside a co-writer holding the write lock 50 ms in every 100 ms (as the Flask app would)", () => {
  it("acks all 60 sends in a row, each stored once, in order, among the co-writer's rows", async () => {
    const app = await startTestApp({ env: { RATE_SEND_PER_SEC: "0" } });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const coWriter = await startCoWriter(app.databasePath, ROOM);
    let isStopped = false;
    onTestFinished(async () => void (isStopped || (await coWriter.stop())));

    const answers: Ack<SendResult>[] = [];
    for (let i = 0; i < SENDS; i++) {
      // With a clientId, as the page sends: the duplicate check reads before the INSERT writes.
      answers.push(await alice.timeout(5000).emitWithAck("send_message", { room: ROOM, username: "alice", content: `send ${i}`, clientId: crypto.randomUUID() }));
    }
    const flaskRows = await coWriter.stop();
    isStopped = true;

    const codes = answers.map((a) => (a.ok ? "ok" : a.error.code));
    expect(codes.filter((c) => c === "ok").length, `answers: ${codes.join(",")}`).toBe(SENDS);
    expect(flaskRows).toBeGreaterThan(0); // it really wrote meanwhile
    const stored = (await app.repo.page(ROOM, { limit: 1000 })).messages;
    expect(stored.filter((m) => m.sender === "alice").map((m) => m.content)).toEqual(answers.map((_, i) => `send ${i}`));
    expect(stored.filter((m) => m.sender === "flask-user")).toHaveLength(flaskRows);
  });
});
