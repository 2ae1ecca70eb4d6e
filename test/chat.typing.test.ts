// typing {room, isTyping?}: relayed to the others in the room as {room, username, isTyping}; never stored.
import { describe, expect, it, onTestFinished } from "vitest";
import type { TypingEvent } from "../src/protocol.js";
import { startTestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { isChatWith } from "./helpers/messages.js";
import { collect, waitFor } from "./helpers/wait.js";

describe("typing", () => {
  it("tells the others in the room who is typing, under the joined name, and not the typist", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "Ana");
    const anaTyping: TypingEvent[] = collect(ana, "typing");
    const bobHears = waitFor(bob, "typing");

    expect(await ana.timeout(3000).emitWithAck("typing", { room: " general " })).toEqual({ ok: true });
    expect(await bobHears).toEqual({ room: "general", username: "Ana", isTyping: true });

    // ana's own later message reaches her after any typing event the server sent her: there was none.
    const own = waitFor(ana, "message", isChatWith("done"));
    await ana.timeout(3000).emitWithAck("send_message", { username: "Ana", room: "general", content: "done" });
    await own;
    expect(anaTyping).toEqual([]);
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["done"]);
  });

  it("relays isTyping: false so the indicator clears at once", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana");
    const stopped = waitFor(bob, "typing", (t) => !t.isTyping);
    await ana.timeout(3000).emitWithAck("typing", { room: "general", isTyping: false });
    expect(await stopped).toEqual({ room: "general", username: "ana", isTyping: false });
  });

  it("does not reach another room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const carol = await app.joined("other", "carol");
    const carolTyping = collect(carol, "typing");
    const ana = await app.joined("general", "ana");
    await ana.timeout(3000).emitWithAck("typing", { room: "general" });
    const marker = waitFor(carol, "typing");
    const dan = await app.joined("other", "dan");
    await dan.timeout(3000).emitWithAck("typing", { room: "other" });
    expect(await marker).toMatchObject({ username: "dan" });
    expect(carolTyping.map((t) => t.username)).toEqual(["dan"]);
  });

  it("works for a client without ack", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const bob = await app.joined("general", "bob");
    const ana = await app.joined("general", "ana");
    const errors = collect(ana, "chat_error");
    const bobHears = waitFor(bob, "typing");
    legacyEmit(ana, "typing", { room: "general" });
    expect(await bobHears).toEqual({ room: "general", username: "ana", isTyping: true });
    expect(errors).toEqual([]);
  });

  it("refuses a room not joined (not_in_room) and a non-boolean isTyping (invalid_payload)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const ana = await app.joined("general", "ana");
    expect(await call(ana, "typing", { room: "elsewhere" })).toMatchObject({ ok: false, error: { code: "not_in_room" } });
    expect(await call(ana, "typing", { room: "general", isTyping: "yes" })).toMatchObject({ ok: false, error: { code: "invalid_payload" } });
  });
});
