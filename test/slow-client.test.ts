// Slow and abusive clients: one that never reads cannot make the server queue without bound, and frames
// larger than MAX_HTTP_BUFFER_BYTES are refused.
import { describe, expect, it, onTestFinished } from "vitest";
import { pendingBytes } from "../src/chat/slow-clients.js";
import { startTestApp, type ClientSocket } from "./helpers/app.js";
import { rawConnect } from "./helpers/raw-socket.js";
import { collect } from "./helpers/wait.js";

const ROOM = "general";
const CAP_BYTES = 64 * 1024;
const CONTENT = "x".repeat(500);
/** The flood gives up (and the test fails) past this much broadcast without the drop. */
const FLOOD_LIMIT_BYTES = 64 * 1024 * 1024;

type EngineConn = Parameters<typeof pendingBytes>[0] & { readyState: string };

describe("a client that never reads", () => {
  it("is disconnected once its queued output passes MAX_BUFFERED_BYTES_PER_CONNECTION; what the server holds for it stays bounded", async () => {
    const app = await startTestApp({ env: { MAX_BUFFERED_BYTES_PER_CONNECTION: String(CAP_BYTES), RATE_SEND_PER_SEC: "0" } });
    onTestFinished(app.close);
    const stuck = await rawConnect(app.url);
    onTestFinished(() => stuck.ws.terminate());
    expect(await stuck.call("join_chat", { room: ROOM, username: "stuck" })).toMatchObject({ ok: true });
    const serverSide = app.app.io.of("/").sockets.get(stuck.id);
    if (!serverSide) throw new Error("no server socket for the raw client");
    const conn = serverSide.conn as unknown as EngineConn;
    const dropped = new Promise<string>((resolve) => serverSide.once("disconnect", resolve));
    let isDropped = false;
    void dropped.then(() => (isDropped = true));

    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // stops reading: the kernel buffers fill, then the server's
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");
    const bobGot = collect(bob, "message");

    let sentBytes = 0;
    let maxPending = 0;
    const flood = async (batch: number): Promise<void> => {
      await Promise.all(Array.from({ length: batch }, () => alice.timeout(10_000).emitWithAck("send_message", { room: ROOM, username: "alice", content: CONTENT })));
      sentBytes += batch * CONTENT.length;
    };
    while (!isDropped) {
      if (sentBytes > FLOOD_LIMIT_BYTES) throw new Error(`still connected after ${sentBytes} bytes of broadcast`);
      await flood(200);
      maxPending = Math.max(maxPending, pendingBytes(conn));
    }
    expect(await dropped).toBe("server namespace disconnect");
    const drop = app.logs.find((l) => l.event === "slow_client_dropped");
    expect(drop).toMatchObject({ level: "warn", socket: stuck.id, bytes: expect.any(Number) });
    expect(conn.readyState).toBe("closed");

    // Bounded: at most the cap plus what the flood adds in one sweep interval (1 s; a few MB here, more on
    // a loaded machine), and nothing at all once dropped, however long the flood goes on.
    expect(maxPending).toBeLessThan(16 * 1024 * 1024);
    const sentBeforeDrop = sentBytes;
    while (sentBytes < 2 * sentBeforeDrop) await flood(200);
    expect(pendingBytes(conn)).toBe(0);
    expect(app.app.io.of("/").sockets.has(stuck.id)).toBe(false);
    await expect.poll(() => bobGot.filter((m) => "id" in m).length, { timeout: 5000 }).toBe(sentBytes / CONTENT.length);
    console.info(`slow client: dropped after ${(sentBeforeDrop / 1024).toFixed(0)} KiB of broadcast; most queued for it at once ${(maxPending / 1024).toFixed(0)} KiB (cap ${CAP_BYTES / 1024} KiB); drop logged at ${String(drop?.bytes)} bytes`);
  }, 30_000);
});

describe("oversized frames (MAX_HTTP_BUFFER_BYTES, default 16 KiB)", () => {
  const payload = (bytes: number) => ({ room: ROOM, username: "alice", content: "y".repeat(bytes) });

  it("answers a frame under the limit with a normal error, and drops a websocket that sends one over it, storing nothing", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const bob = await app.joined(ROOM, "bob");

    expect(await alice.timeout(3000).emitWithAck("send_message", payload(15_000))).toMatchObject({ ok: false, error: { code: "invalid_content" } });
    const gone = new Promise<string>((resolve) => alice.once("disconnect", resolve));
    alice.emit("send_message", payload(17_000), () => undefined);
    expect(await gone).toMatch(/^transport (close|error)$/);

    expect((await app.repo.page(ROOM, { limit: 10 })).messages).toEqual([]);
    expect(await bob.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "bob", content: "still here" })).toMatchObject({ ok: true });
  });

  it("closes a raw websocket with 1009 (message too big) for a 1 MB frame", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const raw = await rawConnect(app.url);
    raw.send(`42${JSON.stringify(["send_message", payload(1024 * 1024)])}`);
    expect(await raw.closed).toEqual({ code: 1009 });
  });

  it("refuses an oversized polling POST and ends that session", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice: ClientSocket = await app.connect({ options: { transports: ["polling"] } });
    expect(await alice.timeout(3000).emitWithAck("join_chat", { room: ROOM, username: "alice" })).toMatchObject({ ok: true });
    const gone = new Promise<string>((resolve) => alice.once("disconnect", resolve));
    alice.emit("send_message", payload(17_000), () => undefined);
    expect(await gone).toMatch(/^transport (close|error)$/);
    expect((await app.repo.page(ROOM, { limit: 10 })).messages).toEqual([]);
  });
});
