// A full disk (SQLITE_FULL, ENOSPC): a small tmpfs holds the database and the files; a filler file takes the
// rest. Sends answer storage_unavailable and are neither stored nor broadcast, uploads get a clear error, the
// server stays up, and both work again once space is freed. Needs root (mount); skipped otherwise.
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Ack, SendResult } from "../src/protocol.js";
import { startTestApp, type ClientSocket } from "./helpers/app.js";
import { uploadRequest } from "./helpers/sample-files.js";
import { collect, waitFor } from "./helpers/wait.js";

const isRoot = process.getuid?.() === 0;

/** A 4 MiB tmpfs, unmounted (lazily: an open handle must not fail the cleanup) when the test ends. */
function smallDisk(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-full-"));
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", dir]);
  onTestFinished(() => {
    execFileSync("umount", ["-l", dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Writes until the file system says ENOSPC; the file's removal frees the space. */
function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  try {
    for (const size of [64 * 1024, 512]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

const send = (socket: ClientSocket, content: string): Promise<Ack<SendResult>> => socket.timeout(5000).emitWithAck("send_message", { room: "general", username: "alice", content });

describe("a full disk", () => {
  it.skipIf(!isRoot)("refuses sends with storage_unavailable and uploads with 507 storage_full, stores and broadcasts nothing, and recovers when space is freed", async () => {
    const disk = smallDisk();
    const app = await startTestApp({ databasePath: join(disk, "chat.db") });
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const seen = collect(bob, "message");
    expect(await send(alice, "before")).toMatchObject({ ok: true });

    fillDisk(join(disk, "filler"));
    expect(await send(alice, "x".repeat(400))).toMatchObject({ ok: false, error: { code: "storage_unavailable" } });
    const session = app.newSession();
    // Was a text/plain 500 "Something went wrong": the upload API's own shape, as for MAX_STORAGE_BYTES.
    const refused = await uploadRequest(app, session, Buffer.alloc(200_000, 7), "a.bin");
    expect(refused.status).toBe(507);
    expect(refused.body).toEqual({ ok: false, error: { code: "storage_full", message: expect.stringContaining("disk is full") } });

    rmSync(join(disk, "filler"));
    const arrived = waitFor(bob, "message", (m) => m.content === "after");
    expect(await send(alice, "after")).toMatchObject({ ok: true });
    await arrived;
    expect(seen.map((m) => m.content)).toEqual(["before", "after"]); // the refused send was never broadcast
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["before", "after"]);
    expect((await uploadRequest(app, session, Buffer.alloc(200_000, 7), "a.bin")).status).toBe(201);
    expect(app.logs.filter((l) => l.level === "error").map((l) => l.event)).toEqual(["db_write_failed", "upload_failed"]);
  });
});
