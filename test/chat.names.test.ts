// Look-alike names over the wire: while "Ana" is present, no other client can join as a name that looks the same.
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { isChatWith } from "./helpers/messages.js";
import { collectUntil } from "./helpers/wait.js";

describe("look-alike names", () => {
  it.each([
    ["a zero-width space", "Ana\u200B"],
    ["a right-to-left override", "\u202EanA\u202C"],
    ["a Braille pattern blank, which draws as an empty cell", "Ana\u2800"],
    ["a Braille pattern blank in front", "\u2800Ana"],
  ])("refuses a name with %s as invalid_name, and the room hears nothing", async (_what, username) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const ana = await app.joined("general", "Ana");
    const anaSees = collectUntil(ana, "message", isChatWith("marker"));
    const other = await app.connect();
    const res = await other.timeout(3000).emitWithAck("join_chat", { username, room: "general" });
    expect(res).toMatchObject({ ok: false, error: { code: "invalid_name", message: "username must not contain invisible or text-direction characters" } });
    await ana.timeout(3000).emitWithAck("send_message", { username: "Ana", room: "general", content: "marker" });
    expect((await anaSees).map((m) => m.content)).toEqual(["marker"]);
    expect(await app.app.presence.users("general")).toEqual(["Ana"]);
  });

  it.each([
    ["a Cyrillic capital A", "\u0410na"],
    ["mathematical letters", "𝖠𝗇𝖺"],
    ["capitals", "ANA"],
  ])("refuses %s while Ana is present with name_taken", async (_what, username) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "Ana");
    const other = await app.connect();
    expect(await other.timeout(3000).emitWithAck("join_chat", { username, room: "general" })).toMatchObject({ ok: false, error: { code: "name_taken" } });
  });

  it("refuses a doubled inner space as the same name, and shows each name as typed", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const first = await app.joined("general", "Ana  Lopez");
    expect(first.joinResult).toMatchObject({ username: "Ana  Lopez", users: ["Ana  Lopez"] });
    const other = await app.connect();
    expect(await other.timeout(3000).emitWithAck("join_chat", { username: "Ana Lopez", room: "general" })).toMatchObject({
      ok: false,
      error: { code: "name_taken" },
    });
  });

  it("refuses a room name with an invisible character, so no look-alike of a room can be made", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("Lobby", "ana");
    const other = await app.connect();
    expect(await other.timeout(3000).emitWithAck("join_chat", { username: "bob", room: "Lobby\u200B" })).toMatchObject({
      ok: false,
      error: { code: "invalid_room" },
    });
  });

  it("keeps rooms apart by their exact name: rooms are not folded", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("Lobby", "ana");
    const other = await app.joined("LOBBY", "ana");
    expect(other.joinResult).toMatchObject({ room: "LOBBY", users: ["ana"] });
  });
});
