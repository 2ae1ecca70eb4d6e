import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { waitFor } from "./helpers/wait.js";

describe("smoke", () => {
  it("stores a message and broadcasts it to everyone in the room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const received = waitFor(bob, "message", (m) => "id" in m);
    const res = await alice.timeout(2000).emitWithAck("send_message", { room: "general", username: "alice", content: "hi" });
    expect(res).toMatchObject({ ok: true, message: { id: expect.any(Number), sender: "alice", content: "hi" } });
    expect(await received).toMatchObject({ sender: "alice", content: "hi" });
    expect((await app.repo.page("general", { limit: 10 })).messages).toHaveLength(1);
  });
});
