// Issue 20: an open connection no longer keeps its upgrade request (nor engine.io's WebSocketResponse around it)
// once the app has read the session cookie and the address from it. Checked with WeakRefs and a full GC: the
// objects must be collectable while the connection stays open and in use.
import type { IncomingMessage } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it, onTestFinished } from "vitest";
import { WebSocket } from "ws";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { serverSocketOf } from "./helpers/server-side.js";

// A full GC on demand, without starting the test runner with --expose-gc: the flag is read when a context is made.
setFlagsFromString("--expose-gc");
const fullGc = runInNewContext("gc") as () => void;

interface Watched {
  request: WeakRef<IncomingMessage>;
  headers: WeakRef<object>;
  response: WeakRef<object>;
}

/** WeakRefs to every upgrade's request and response from now on: an engine.io middleware, after the app's own. */
function watchUpgrades(app: TestApp): Watched[] {
  const seen: Watched[] = [];
  app.app.io.engine.use((req: IncomingMessage, res: object, next: () => void) => {
    seen.push({ request: new WeakRef(req), headers: new WeakRef(req.headers), response: new WeakRef(res) });
    next();
  });
  return seen;
}

/** Collects in a later turn than the one that last touched the objects (a deref keeps its target for that turn). */
async function collectGarbage(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  fullGc();
}

describe("the upgrade request of an open connection", () => {
  it("is collectable after the handshake, with its headers and engine.io's response, while the connection stays open and chats", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const watched = watchUpgrades(app);
    const session = app.newSession();
    const alice = await app.joined("general", "alice", { session });

    await collectGarbage();

    expect(watched).toHaveLength(1);
    expect(watched[0]?.request.deref()).toBeUndefined();
    expect(watched[0]?.response.deref()).toBeUndefined();
    // socket.handshake kept the request's headers (and so the session cookie) too.
    expect(watched[0]?.headers.deref()).toBeUndefined();
    // What the app read from it before letting go: the session (its cookie) and the address.
    const serverSide = serverSocketOf(app, alice);
    expect(serverSide?.data.sessionId).toMatch(/^s:/);
    expect(serverSide?.data.ip).toBe("127.0.0.1");
    const res = await alice.timeout(2000).emitWithAck("send_message", { room: "general", username: "alice", content: "still here" });
    expect(res).toMatchObject({ ok: true, message: { content: "still here" } });
  });

  it("lets a client that starts on long-polling and upgrades to WebSocket chat as before (its requests are released too)", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const client = await app.connect({ options: { transports: ["polling", "websocket"] } });
    const engine = client.io.engine;
    if (engine.transport.name !== "websocket") await new Promise<void>((resolve) => engine.once("upgrade", () => resolve()));

    const joined = await client.timeout(2000).emitWithAck("join_chat", { room: "general", username: "bob" });
    const sent = await client.timeout(2000).emitWithAck("send_message", { room: "general", username: "bob", content: "over ws" });

    expect(joined).toMatchObject({ ok: true });
    expect(sent).toMatchObject({ ok: true, message: { content: "over ws" } });
    expect(serverSocketOf(app, client)?.conn.transport.name).toBe("websocket");
  });

  it("refuses a CONNECT that arrives after the request was let go with a connect error, and serves the first", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const ws = new WebSocket(`${app.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    onTestFinished(() => ws.close());
    const frames: string[] = [];
    const waiters: { prefix: string; resolve: (frame: string) => void }[] = [];
    ws.on("message", (data: Buffer) => {
      const frame = data.toString();
      frames.push(frame);
      for (const w of waiters.filter((w) => frame.startsWith(w.prefix))) w.resolve(frame);
    });
    const next = (prefix: string) =>
      new Promise<string>((resolve) => {
        const seen = frames.find((f) => f.startsWith(prefix));
        if (seen !== undefined) resolve(seen);
        else waiters.push({ prefix, resolve });
      });
    await next("0{");
    // Two CONNECTs back to back: the second's middlewares run after the first's let the upgrade request go (a fuzz
    // frame sequence found this: reading the request's headers threw an unhandled rejection).
    ws.send("40");
    ws.send("40");

    expect(JSON.parse((await next("44")).slice(2))).toEqual({ message: "This connection has already joined the chat; open a new one." });
    ws.send('420["join_chat",{"room":"general","username":"dora"}]');
    expect(JSON.parse((await next("430")).slice(3))).toMatchObject([{ ok: true, room: "general", username: "dora" }]);
  });

  it("keeps the session a second tab shares: the cookie is read before the request goes", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    await app.joined("general", "alice", { session });
    const secondTab = await app.connect({ session });

    const res = await secondTab.timeout(2000).emitWithAck("join_chat", { room: "general", username: "alice" });

    expect(res).toMatchObject({ ok: true });
  });
});
