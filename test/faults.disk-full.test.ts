// A full disk (SQLITE_FULL, ENOSPC): a small tmpfs holds the database and the files; a filler file takes the
// rest. Sends answer storage_unavailable and are neither stored nor broadcast, uploads get a clear error, the
// server stays up, and both work again once space is freed; /healthz says "full" (on the app's port and on
// HEALTH_PORT) from the first refused send until space is freed. Needs root (mount); skipped otherwise.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import type { HealthAnswer } from "../src/http-api.js";
import { startHealthListener } from "../src/http/health-listener.js";
import { createCapturingLogger } from "../src/log.js";
import type { Ack, SendResult } from "../src/protocol.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { uploadRequest } from "./helpers/sample-files.js";
import { collect, waitFor } from "./helpers/wait.js";
import { fillDisk, isRoot, keptSends } from "./helpers/full-disk.js";

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

interface Health {
  status: number;
  body: HealthAnswer;
}

async function health(url: string): Promise<Health> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as HealthAnswer };
}

/** The health thread relays the app's last check on its next beat (250 ms): asks until it has `database`. */
async function threadSays(url: string, database: HealthAnswer["engines"]["database"]): Promise<Health> {
  for (;;) {
    const answer = await health(url);
    if (answer.body.status !== "starting" && answer.body.engines.database === database) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const fullGauge = async (app: TestApp): Promise<string | undefined> => (await (await fetch(`${app.url}/metrics`)).text()).split("\n").find((l) => l.startsWith("mr_db_full "));

describe("/healthz on a full disk", () => {
  it.skipIf(!isRoot)("says 503 full from a send refused for want of space, even while small writes squeeze in, on HEALTH_PORT too, until space is freed; nothing acked is lost", async () => {
    const disk = smallDisk();
    // Probe on every request: the probe's tiny write succeeding must not be what turns the answer to 200.
    // DB_FULL_RESUME_BYTES stays at its 64 MiB: on this 4 MiB disk a tenth of it (410 KB) free is room enough.
    const app = await startTestApp({ databasePath: join(disk, "chat.db"), env: { HEALTH_PROBE_INTERVAL_MS: "0" } });
    onTestFinished(app.close);
    const thread = await startHealthListener({ host: "127.0.0.1", port: 0, nodeId: app.config.nodeId, stallMs: 10_000, check: () => app.app.health(), log: createCapturingLogger() });
    onTestFinished(() => thread.close());
    thread.serving();
    const own = `${app.url}/healthz`;
    const threadUrl = `http://127.0.0.1:${thread.port}/healthz`;
    const alice = await app.joined("general", "alice");
    const { acked, sendKept } = keptSends((content) => send(alice, content));
    expect(await sendKept("before")).toMatchObject({ ok: true });
    expect(await health(own)).toMatchObject({ status: 200, body: { engines: { database: "ok" } } });
    expect(await fullGauge(app)).toBe("mr_db_full 0");

    fillDisk(join(disk, "filler"));
    expect(await sendKept("x".repeat(400))).toMatchObject({ ok: false, error: { code: "storage_unavailable" } });
    // Was 200: the failed connection's close freed its WAL, and the probe's one-page write fit in that.
    const full = { status: 503, body: { status: "unavailable", engines: { database: "full" }, reason: "the database's disk is full" } };
    expect(await health(own)).toMatchObject(full);
    expect(await health(own)).toMatchObject(full);
    // A send may fit in the freed WAL too (it did, measured); stored or refused, the node stays out of rotation.
    await sendKept("squeezed in");
    expect(await health(own)).toMatchObject(full);
    expect(await fullGauge(app)).toBe("mr_db_full 1");
    expect(await threadSays(threadUrl, "full")).toMatchObject(full);

    rmSync(join(disk, "filler"));
    expect(await health(own)).toMatchObject({ status: 200, body: { status: "ok", engines: { database: "ok" } } });
    expect(await fullGauge(app)).toBe("mr_db_full 0");
    expect(await threadSays(threadUrl, "ok")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await sendKept("after")).toMatchObject({ ok: true });
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(acked);
    const events = app.logs.map((l) => l.event);
    expect(events).toContain("db_disk_full");
    expect(events.indexOf("db_disk_room_again")).toBeGreaterThan(events.indexOf("db_disk_full"));
  });
});
