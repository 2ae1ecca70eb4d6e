// History survives a restart of the app on the same database file.
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, tempDatabase } from "./helpers/app.js";

describe("restart", () => {
  it("shows the same history after the app is stopped and started again on the same file", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await startTestApp({ databasePath: db.path });
    onTestFinished(first.close);
    const alice = await first.joined("general", "alice");
    const bob = await first.joined("general", "bob");
    await alice.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "before restart" });
    first.clock.advance(1500);
    await bob.timeout(3000).emitWithAck("send_message", { username: "bob", room: "general", content: "me too" });
    await first.joined("other", "carol").then((c) => c.timeout(3000).emitWithAck("send_message", { username: "carol", room: "other", content: "elsewhere" }));
    const probe = await first.joined("general", "probe");
    const historyBefore = probe.joinResult.history;
    await first.close();

    const second = await startTestApp({ databasePath: db.path });
    onTestFinished(second.close);
    const back = await second.joined("general", "alice");
    expect(back.joinResult.history).toEqual(historyBefore);
    expect(back.joinResult.history.map((m) => [m.sender, m.content, m.timestamp])).toEqual([
      ["alice", "before restart", "2026-01-02 03:04:05"],
      ["bob", "me too", "2026-01-02 03:04:07"],
    ]);

    // New messages continue the id sequence after the old ones.
    const res = await back.timeout(3000).emitWithAck("send_message", { username: "alice", room: "general", content: "after restart" });
    expect(res.ok && res.message.id).toBe(4);
  });

  it("frees every name at restart: presence is not persisted", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await startTestApp({ databasePath: db.path });
    onTestFinished(first.close);
    await first.joined("general", "alice");
    await first.close();
    const second = await startTestApp({ databasePath: db.path });
    onTestFinished(second.close);
    const res = await second.joined("general", "alice");
    expect(res.joinResult).toMatchObject({ ok: true, username: "alice" });
    const rooms = (await (await fetch(`${second.url}/api/rooms`)).json()) as unknown;
    expect(rooms).toEqual({ rooms: [{ room: "general", users: 1 }], total: 1 });
  });
});
