// RATE_LIMIT_DISCONNECT_AFTER=0 means "never": a client refused far more often than the default 100 times
// within the window keeps its connection, and is served again once its bucket refills.
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { waitFor } from "./helpers/wait.js";

const ROOM = "general";
const REFUSALS = 300; // three times the default disconnect threshold, all within one window

describe("RATE_LIMIT_DISCONNECT_AFTER=0", () => {
  it("never disconnects a client, however often it is refused", async () => {
    const app = await startTestApp({ env: { RATE_LIMIT_DISCONNECT_AFTER: "0", RATE_SEND_PER_SEC: "1", RATE_SEND_BURST: "1" } });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    let disconnected = "";
    alice.on("disconnect", (reason) => (disconnected = reason));
    const send = (content: string) => alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content });

    expect(await send("first")).toMatchObject({ ok: true });
    const answers = await Promise.all(Array.from({ length: REFUSALS }, (_, i) => send(`flood ${i}`)));
    expect(answers.filter((a) => !a.ok && a.error.code === "rate_limited")).toHaveLength(REFUSALS);
    // And refusals without an ack (as the original's page sends), which take the same path.
    const lastLegacy = waitFor(alice, "chat_error", (e) => e.code === "rate_limited");
    for (let i = 0; i < 50; i++) legacyEmit(alice, "send_message", { room: ROOM, username: "alice", content: `legacy ${i}` });
    await lastLegacy;

    app.clock.advance(1000); // the bucket refills: the same connection is served again
    expect(await send("after the flood")).toMatchObject({ ok: true });
    expect(disconnected).toBe("");
    expect(alice.connected).toBe(true);
    expect(app.app.io.of("/").sockets.size).toBe(1);
    expect(app.logs.filter((l) => l.event === "rate_limit_disconnect")).toEqual([]);
  });
});
