// mr_slow_clients_dropped_total counts the connections dropped for not reading (test/slow-client.test.ts
// covers the drop itself): 0 before, 1 after one stuck client is dropped, and a reader is never counted.
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { rawConnect } from "./helpers/raw-socket.js";

const ROOM = "general";
const CAP_BYTES = 64 * 1024;
const CONTENT = "x".repeat(500);
const FLOOD_LIMIT_BYTES = 64 * 1024 * 1024;

async function droppedTotal(app: TestApp): Promise<number> {
  const text = (await request(app.app.http).get("/metrics").expect(200)).text;
  const line = text.split("\n").find((l) => l.startsWith("mr_slow_clients_dropped_total "));
  if (!line) throw new Error("no mr_slow_clients_dropped_total sample in /metrics");
  return Number(line.split(" ")[1]);
}

describe("mr_slow_clients_dropped_total", () => {
  it("rises by one when a client that stopped reading is dropped", async () => {
    const app = await startTestApp({ env: { MAX_BUFFERED_BYTES_PER_CONNECTION: String(CAP_BYTES), RATE_SEND_PER_SEC: "0" } });
    onTestFinished(app.close);
    const stuck = await rawConnect(app.url);
    onTestFinished(() => stuck.ws.terminate());
    expect(await stuck.call("join_chat", { room: ROOM, username: "stuck" })).toMatchObject({ ok: true });
    const serverSide = app.app.io.of("/").sockets.get(stuck.id);
    if (!serverSide) throw new Error("no server socket for the raw client");
    let isDropped = false;
    serverSide.once("disconnect", () => (isDropped = true));
    const alice = await app.joined(ROOM, "alice");
    expect(await droppedTotal(app)).toBe(0);

    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let sentBytes = 0;
    while (!isDropped) {
      if (sentBytes > FLOOD_LIMIT_BYTES) throw new Error(`still connected after ${sentBytes} bytes of broadcast`);
      await Promise.all(Array.from({ length: 200 }, () => alice.timeout(10_000).emitWithAck("send_message", { room: ROOM, username: "alice", content: CONTENT })));
      sentBytes += 200 * CONTENT.length;
    }
    expect(await droppedTotal(app)).toBe(1);
    expect(alice.connected).toBe(true); // alice read everything: not dropped, not counted
  }, 30_000);
});
