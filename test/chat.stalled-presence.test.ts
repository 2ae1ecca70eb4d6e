// failStalledReads (several nodes): a presence read of a room the node knows frozen fails at once, as it would after
// REDIS_COMMAND_TIMEOUT_MS; other rooms and every change go to the store as before.
import { describe, expect, it } from "vitest";
import { createMemoryPresence, PresenceUnavailableError } from "../src/chat/presence.js";
import { failStalledReads } from "../src/chat/stalled-presence.js";

describe("failStalledReads", () => {
  it("refuses users, holder and holders of a stalled room with PresenceUnavailableError and answers the others", async () => {
    const store = createMemoryPresence();
    const stalled = new Set(["frozen"]);
    const presence = failStalledReads(store, (room) => stalled.has(room));
    expect(await presence.join("frozen", "Ana", "s:a", "sock-a")).toEqual({ ok: true, isNew: true });
    expect(await presence.join("healthy", "Bo", "s:b", "sock-b")).toEqual({ ok: true, isNew: true });

    await expect(presence.users("frozen")).rejects.toBeInstanceOf(PresenceUnavailableError);
    await expect(presence.holder("frozen", "Ana")).rejects.toBeInstanceOf(PresenceUnavailableError);
    await expect(presence.holders("frozen")).rejects.toBeInstanceOf(PresenceUnavailableError);
    expect(await presence.users("healthy")).toEqual(["Bo"]);
    expect(await presence.holder("healthy", "bo")).toEqual({ name: "Bo", sessionId: "s:b" });

    // The mark ends: the same reads answer from the store again.
    stalled.clear();
    expect(await presence.holders("frozen")).toEqual([{ name: "Ana", sessionId: "s:a" }]);
    expect(presence.rooms()).toEqual(store.rooms());
  });
});
