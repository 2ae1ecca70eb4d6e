// SHUTDOWN_TIMEOUT_MS is a deadline, not a hope: a server whose graceful close cannot finish still exits,
// with code 1 and a shutdown_timed_out error line (src/server.ts), so a process manager restarts it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { startChildServer } from "./helpers/child-server.js";

const STUCK_CLOSE = fileURLToPath(new URL("./fixtures/stuck-close.mjs", import.meta.url));
const TIMEOUT_MS = 1000;

describe("SHUTDOWN_TIMEOUT_MS", () => {
  it("exits with code 1 and logs shutdown_timed_out when the graceful close does not finish in time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-shutdown-timeout-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startChildServer({
      databasePath: join(dir, "chat.db"),
      env: { SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS), NODE_OPTIONS: `--import=${STUCK_CLOSE}` },
    });
    onTestFinished(server.stop);

    const signalledAt = performance.now();
    server.proc.kill("SIGTERM");
    const exit = await server.exited;
    const tookMs = performance.now() - signalledAt;

    expect(exit).toEqual({ code: 1, signal: null });
    expect(server.logs.map((l) => l.event)).toContain("shutdown_started");
    expect(server.logs.map((l) => l.event)).not.toContain("shutdown_complete");
    expect(server.logs).toContainEqual(expect.objectContaining({ level: "error", event: "shutdown_timed_out", timeoutMs: TIMEOUT_MS }));
    expect(tookMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50); // it waited for the deadline, not less
  });
});
