// Cross-Site WebSocket Hijacking: a page on another site must not open a Socket.IO session with the
// visitor's cookie. Browsers always send Origin; scripts send none and are allowed (they hold no victim's cookie).
import request from "supertest";
import WebSocket from "ws";
import { describe, expect, it, onTestFinished } from "vitest";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { socketIoWsUrl } from "./helpers/raw-socket.js";

const POLLING_HANDSHAKE = "/socket.io/?EIO=4&transport=polling";

/**
 * The outcome of a websocket handshake: "upgraded", or the refusal's status and body. Engine.IO answers
 * every refused upgrade with 400 and the reason allowRequest gave as the body.
 */
function websocketHandshake(app: TestApp, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(socketIoWsUrl(app.url), { headers });
    ws.once("open", () => {
      ws.terminate();
      resolve("upgraded");
    });
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.once("end", () => resolve(`${res.statusCode} ${body}`));
    });
    ws.once("error", reject);
  });
}

/** Counts Socket.IO connections the server accepted: a refused handshake must never get this far. */
function countConnections(app: TestApp): { count: number } {
  const seen = { count: 0 };
  app.app.io.on("connection", () => seen.count++);
  return seen;
}

describe("Socket.IO origin check", () => {
  it("refuses a polling handshake from a foreign Origin with 403, before any session exists", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const connections = countConnections(app);

    await request(app.app.http).get(POLLING_HANDSHAKE).set("Origin", "http://evil.example").expect(403);

    expect(app.app.io.engine.clientsCount).toBe(0);
    expect(connections.count).toBe(0);
    expect(app.logs).toContainEqual(expect.objectContaining({ level: "warn", event: "handshake_refused", reason: "origin_not_allowed", origin: "http://evil.example" }));
  });

  it("refuses a websocket handshake from a foreign Origin (400 origin_not_allowed)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const connections = countConnections(app);

    expect(await websocketHandshake(app, { Origin: "http://evil.example" })).toBe("400 origin_not_allowed");
    expect(await websocketHandshake(app, { Origin: `http://127.0.0.1:${app.port}` })).toBe("upgraded");
    expect(connections.count).toBe(0); // the accepted one never sent the Socket.IO connect packet
  });

  it("refuses a socket.io-client connecting with a foreign Origin, so it can send no event at all", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const connections = countConnections(app);

    await expect(app.connect({ options: { extraHeaders: { Origin: "https://attacker.example" } } })).rejects.toThrow();
    await expect(app.connect({ options: { transports: ["polling"], extraHeaders: { Origin: "https://attacker.example" } } })).rejects.toThrow();

    expect(connections.count).toBe(0);
    const legit = await app.connect({ options: { extraHeaders: { Origin: `http://localhost:${app.port}` } } });
    expect(legit.connected).toBe(true);
  });

  it.each([
    ["no Origin (a script, not a browser)", undefined, 200],
    ["http://127.0.0.1:PORT", (port: number) => `http://127.0.0.1:${port}`, 200],
    ["http://localhost:PORT", (port: number) => `http://localhost:${port}`, 200],
    ["the same host on another port", (port: number) => `http://127.0.0.1:${port + 1}`, 403],
    ["a look-alike host", (port: number) => `http://127.0.0.1.evil.example:${port}`, 403],
    ["the opaque origin 'null' (sandboxed frame, file://)", () => "null", 403],
    ["garbage", () => "not a url", 403],
  ] as const)("default list: %s -> %i", async (_label, origin, status) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const req = request(app.app.http).get(POLLING_HANDSHAKE);
    if (origin !== undefined) req.set("Origin", origin(app.port));
    expect((await req).status).toBe(status);
  });

  it("accepts the app's own origin as the browser saw it (the Host header), as behind a reverse proxy", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await request(app.app.http).get(POLLING_HANDSHAKE).set("Host", "chat.example.org").set("Origin", "https://chat.example.org").expect(200);
    await request(app.app.http).get(POLLING_HANDSHAKE).set("Host", "chat.example.org").set("Origin", "https://evil.example").expect(403);
  });

  it("accepts an origin listed in ALLOWED_ORIGINS and still refuses the rest", async () => {
    const app = await startTestApp({ env: { ALLOWED_ORIGINS: "https://chat.example.com,https://other.example.net" } });
    onTestFinished(app.close);
    await request(app.app.http).get(POLLING_HANDSHAKE).set("Origin", "https://chat.example.com").expect(200);
    await request(app.app.http).get(POLLING_HANDSHAKE).set("Origin", "https://other.example.net").expect(200);
    await request(app.app.http).get(POLLING_HANDSHAKE).set("Origin", "http://chat.example.com").expect(403); // scheme counts
    await request(app.app.http).get(POLLING_HANDSHAKE).set("Origin", "https://evil.example").expect(403);
    expect(await websocketHandshake(app, { Origin: "https://chat.example.com" })).toBe("upgraded");
    expect(await websocketHandshake(app, { Origin: "https://evil.example" })).toBe("400 origin_not_allowed");
  });
});
