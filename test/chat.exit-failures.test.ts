// A failed room exit's log line (chat/exit-failures.ts): a refusal because the room's Redis is marked stalled is the
// freeze's known outcome (warn, with the master); anything else, or a refusal while nothing is marked, stays an error.
import { describe, expect, it } from "vitest";
import { logExitFailure } from "../src/chat/exit-failures.js";
import { PresenceUnavailableError } from "../src/chat/presence.js";
import { createCapturingLogger } from "../src/log.js";

const refusal = new PresenceUnavailableError("Redis is not answering where the room's presence lives (the node marked it stalled)");

function depsWith(stalledRoom: string | null) {
  const log = createCapturingLogger();
  return {
    log,
    isPresenceStalled: (room: string | undefined) => room === stalledRoom,
    stalledMasterOf: (room: string) => (room === stalledRoom ? "127.0.0.1:7001" : null),
  };
}

describe("logExitFailure", () => {
  it("logs a stalled room's presence refusal at warn, naming the master", () => {
    const deps = depsWith("lobby");
    logExitFailure(deps, "disconnect_failed", { room: "lobby", err: refusal }, { socket: "s1" });
    expect(deps.log.lines).toEqual([{ level: "warn", event: "disconnect_failed", socket: "s1", room: "lobby", master: "127.0.0.1:7001", err: refusal.message }]);
  });

  it("keeps error for a refusal while the room is not marked, and for any other failure in a marked room", () => {
    const deps = depsWith("lobby");
    const other = new Error("something else broke");
    logExitFailure(deps, "room_exit_failed", { room: "garden", err: refusal });
    logExitFailure(deps, "room_exit_failed", { room: "lobby", err: other });
    expect(deps.log.lines.map((l) => [l.level, l.room])).toEqual([["error", "garden"], ["error", "lobby"]]);
  });
});
