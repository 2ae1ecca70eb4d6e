// Issue 19: at most MAX_HANDSHAKES_IN_FLIGHT connections are being set up at once; beyond it a handshake is refused
// at once ("overloaded"), before any session exists, so a node taking everyone back after a restart does not fall
// behind on handshakes its clients then give up on. A place is held from the handshake request until Socket.IO's
// connection (or the connection's end), and never longer than a few seconds.
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { socketIoWsUrl } from "./helpers/raw-socket.js";

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** An Engine.IO connection that got its open packet but never asks to connect to Socket.IO: a handshake under way. */
async function halfOpen(url: string): Promise<WebSocket> {
  const ws = new WebSocket(socketIoWsUrl(url));
  await new Promise<void>((resolve, reject) => {
    ws.once("message", () => resolve()); // "0{...}": the engine's open packet
    ws.once("error", reject);
  });
  return ws;
}

/** The answer to a WebSocket handshake: "open", or the HTTP status and body it was refused with. */
function tryWebSocket(url: string): Promise<{ opened: true } | { opened: false; status: number; body: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(socketIoWsUrl(url));
    ws.once("open", () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ opened: false, status: res.statusCode ?? 0, body }));
    });
  });
}

async function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise((resolve) => {
    ws.once("close", resolve);
    ws.close();
  });
}

describe("handshakes under way (MAX_HANDSHAKES_IN_FLIGHT)", () => {
  it("refuses a handshake beyond the limit with overloaded, before any session exists, and takes one again once a place is free", async () => {
    app = await startTestApp({ env: { MAX_HANDSHAKES_IN_FLIGHT: "2" } });
    const first = await halfOpen(app.url);
    const second = await halfOpen(app.url);
    const sessionsBefore = app.app.io.engine.clientsCount;
    const refused = await tryWebSocket(app.url);
    expect(refused).toEqual({ opened: false, status: 400, body: "overloaded" });
    const polling = await fetch(`${app.url}/socket.io/?EIO=4&transport=polling`);
    expect(polling.status).toBe(403);
    expect(await polling.json()).toEqual({ code: 4, message: "overloaded" });
    expect(app.app.io.engine.clientsCount).toBe(sessionsBefore); // nothing was set up for either
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toContain('mr_handshakes_refused_total{reason="overloaded"} 2');
    await closed(first);
    await expect(app.connect()).resolves.toMatchObject({ connected: true });
    await closed(second);
  });

  it("gives the place back when the connection reaches Socket.IO: any number of clients, one after another, at a limit of 1", async () => {
    app = await startTestApp({ env: { MAX_HANDSHAKES_IN_FLIGHT: "1" } });
    for (let i = 0; i < 5; i++) await app.joined("lobby", `P${i}`);
    expect(app.app.io.of("/").sockets.size).toBe(5);
  });

  it("a client that never finishes its handshake holds its place a few seconds at most", async () => {
    app = await startTestApp({ env: { MAX_HANDSHAKES_IN_FLIGHT: "1" } });
    const stuck = await halfOpen(app.url);
    expect(await tryWebSocket(app.url)).toMatchObject({ opened: false, body: "overloaded" });
    const started = Date.now();
    let answer = await tryWebSocket(app.url);
    while (!answer.opened) {
      expect(Date.now() - started).toBeLessThan(10_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // polling for the place, as a client's backoff would
      answer = await tryWebSocket(app.url);
    }
    expect(stuck.readyState).toBe(WebSocket.OPEN); // its connection is left alone: only its place was given back
    await closed(stuck);
  });

  it("is off by default (0): nothing is counted or refused", async () => {
    app = await startTestApp();
    expect(app.config.restart.maxHandshakesInFlight).toBe(0);
    const open = await Promise.all(Array.from({ length: 20 }, () => halfOpen(app?.url ?? "")));
    expect(await tryWebSocket(app.url)).toEqual({ opened: true });
    await Promise.all(open.map(closed));
  });
});
