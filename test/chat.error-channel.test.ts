// How a failure reaches the client: in the ack when the client gave one, as a chat_error event only when it
// did not (the Flask original's clients). A client with an ack must never get both.
import { describe, expect, it, onTestFinished } from "vitest";
import type { ClientEventName } from "../src/protocol.js";
import { StorageUnavailableError } from "../src/storage/repository.js";
import { startTestApp } from "./helpers/app.js";
import { call, legacyEmit } from "./helpers/emit.js";
import { collect, waitFor } from "./helpers/wait.js";

const ROOM = "general";

describe("chat_error goes only to clients without an ack", () => {
  it("answers every kind of failure in the ack and emits no chat_error to a client that gave one", async () => {
    let appendFails: Error | null = null;
    const app = await startTestApp({
      env: { RATE_TYPING_BURST: "1", RATE_TYPING_PER_SEC: "1" },
      wrapRepo: (repo) => ({
        append: (m) => (appendFails ? Promise.reject(appendFails) : repo.append(m)),
        page: (room, q) => repo.page(room, q),
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const errors = collect(alice, "chat_error");

    const failures: [ClientEventName, unknown, string][] = [
      ["send_message", null, "invalid_payload"],
      ["send_message", { room: ROOM, username: "alice", content: "x".repeat(501) }, "invalid_content"],
      ["send_message", { room: ROOM, username: "bob", content: "hi" }, "name_mismatch"],
      ["fetch_history", { room: "elsewhere" }, "not_in_room"],
      ["typing", { room: ROOM }, "ok"],
      ["typing", { room: ROOM }, "rate_limited"],
    ];
    const codes: string[] = [];
    for (const [event, payload, _expected] of failures) {
      const res = await call(alice, event, payload);
      codes.push(res.ok ? "ok" : res.error.code);
    }
    for (const [fault, expected] of [
      [new StorageUnavailableError("disk full"), "storage_unavailable"],
      [new Error("a bug"), "internal"],
    ] as const) {
      appendFails = fault;
      const res = await call(alice, "send_message", { room: ROOM, username: "alice", content: "hi" });
      appendFails = null;
      codes.push(res.ok ? "ok" : res.error.code);
      failures.push(["send_message", null, expected]);
    }
    expect(codes).toEqual(failures.map((f) => f[2]));

    // A fence: the same connection's events arrive in order, so a chat_error for any call above would
    // have arrived before the one this ack-less call provokes.
    const fence = waitFor(alice, "chat_error", (e) => e.event === "leave_chat");
    legacyEmit(alice, "leave_chat", { room: "not-joined", username: "alice" });
    await fence;
    expect(errors).toEqual([expect.objectContaining({ code: "not_in_room", event: "leave_chat" })]);
  });
});
