// Issue 20: engine.io's per-connection functions are shared, its WebSocket transport is ./src/http/lean-websocket.ts,
// and ws's receiver lets go of the last frame. Each test fails with engine.io's own wiring (or without the release),
// and the connection must still behave as engine.io's does: chat, heartbeats, upgrades, closes and errors.
import { EventEmitter } from "node:events";
import { describe, expect, it, onTestFinished } from "vitest";
import { installedVersion, VERIFIED_VERSION } from "../src/http/lean-engine.js";
import { LeanWebSocket } from "../src/http/lean-websocket.js";
import { startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { serverSocketOf } from "./helpers/server-side.js";

/** The server side of a client's connection, as far as these tests read engine.io's and ws's private state. */
interface EngineSide extends EventEmitter {
  transport: EventEmitter & {
    name: string;
    socket: EventEmitter & { _receiver: { _mask?: unknown; _buffers: unknown[] } };
  };
  cleanupFn: unknown[];
  sentCallbackFn: unknown[];
  readyState: string;
}

function engineSide(app: TestApp, client: ClientSocket): EngineSide {
  const socket = serverSocketOf(app, client);
  if (socket === undefined) throw new Error("no server side");
  return socket.conn as unknown as EngineSide;
}

/** A net.Socket's two write paths (Writable's), which these tests count. */
interface TcpWrites {
  _write: (...args: unknown[]) => void;
  _writev: (...args: unknown[]) => void;
}

const TRANSPORT_EVENTS = ["error", "ready", "packet", "drain", "close"] as const;
const WS_EVENTS = ["message", "close", "error"] as const;

describe("lean engine.io connections", () => {
  it("are made only against the engine.io version that was read (a new version must be read again)", () => {
    expect(installedVersion()).toBe(VERIFIED_VERSION);
  });

  it("share every listener between connections: nothing is bound or wrapped per connection", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const [a, b] = [engineSide(app, await app.connect()), engineSide(app, await app.connect())];

    expect(a.transport).toBeInstanceOf(LeanWebSocket);
    expect(Object.hasOwn(a.transport, "_doSend")).toBe(false);
    expect(a.cleanupFn).toHaveLength(0);
    for (const event of TRANSPORT_EVENTS) {
      expect(a.transport.rawListeners(event)).toHaveLength(1);
      expect(a.transport.rawListeners(event)[0]).toBe(b.transport.rawListeners(event)[0]);
    }
    for (const event of WS_EVENTS) {
      const shared = a.transport.socket.rawListeners(event).filter((fn) => b.transport.socket.rawListeners(event).includes(fn));
      expect(shared, event).toHaveLength(1);
    }
    expect(app.logs.some((line) => line.msg === "lean_connections_off")).toBe(false);
  });

  it("chats, and keeps neither the last frame's mask (a view into its chunk) nor the grown chunk queue", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined("general", "alice");
    const bob = await app.joined("general", "bob");
    const receiverBefore = engineSide(app, alice).transport.socket._receiver;
    const [queueBefore, callbacksBefore] = [receiverBefore._buffers, engineSide(app, alice).sentCallbackFn];
    const heard = new Promise<void>((resolve) => bob.on("message", (msg) => (msg.content === "hi bob" ? resolve() : undefined)));

    const sent = await alice.timeout(2000).emitWithAck("send_message", { room: "general", username: "alice", content: "hi bob" });

    expect(sent).toMatchObject({ ok: true, message: { content: "hi bob" } });
    await heard;
    const receiver = engineSide(app, alice).transport.socket._receiver;
    expect(receiver._mask).toBeUndefined();
    expect(receiver._buffers).toHaveLength(0);
    // Started again, not left at the size the first chunk or packet grew them to.
    expect(receiver._buffers).not.toBe(queueBefore);
    expect(engineSide(app, alice).sentCallbackFn).toHaveLength(0);
    expect(engineSide(app, alice).sentCallbackFn).not.toBe(callbacksBefore);
  });

  it("keeps up heartbeats through the shared listeners", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const opts = (app.app.io.engine as unknown as { opts: { pingInterval: number; pingTimeout: number } }).opts;
    opts.pingInterval = 20;
    opts.pingTimeout = 2000;
    const client = await app.connect();
    const conn = engineSide(app, client);

    for (let beat = 0; beat < 3; beat++) await new Promise((resolve) => conn.once("heartbeat", resolve));

    expect(conn.readyState).toBe("open");
    expect(conn.transport.socket._receiver._mask).toBeUndefined();
  });

  it("ends on the client's close as before: 'transport close', the transport's listeners taken off", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const client = await app.connect();
    const server = serverSocketOf(app, client);
    const conn = engineSide(app, client);
    const transport = conn.transport;
    const reason = new Promise((resolve) => server?.once("disconnect", resolve));

    client.io.engine.close();

    await expect(reason).resolves.toBe("transport close");
    for (const event of ["ready", "packet", "drain", "close"] as const) expect(transport.listenerCount(event)).toBe(0);
    // Only the listener that keeps a discarded transport's errors from being thrown.
    expect(transport.listenerCount("error")).toBe(1);
    expect(() => transport.emit("error", new Error("late"))).not.toThrow();
  });

  it("ends on a WebSocket error as before: 'transport error', and a second error is not thrown", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const client = await app.connect();
    const server = serverSocketOf(app, client);
    const ws = engineSide(app, client).transport.socket;
    const reason = new Promise((resolve) => server?.once("disconnect", resolve));

    ws.emit("error", new Error("boom"));

    await expect(reason).resolves.toBe("transport error");
    expect(() => ws.emit("error", new Error("again"))).not.toThrow();
  });

  it("moves a long-polling connection to the lean WebSocket: the polling transport lets go of the socket", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const first: EngineSide["transport"][] = [];
    app.app.io.engine.on("connection", (conn: EngineSide) => first.push(conn.transport));
    const client = await app.connect({ options: { transports: ["polling", "websocket"] } });
    const conn = engineSide(app, client);
    if (client.io.engine.transport.name !== "websocket") await new Promise<void>((resolve) => client.io.engine.once("upgrade", () => resolve()));

    const joined = await client.timeout(2000).emitWithAck("join_chat", { room: "general", username: "carol" });

    expect(joined).toMatchObject({ ok: true });
    expect(conn.transport).toBeInstanceOf(LeanWebSocket);
    const polling = first[0];
    expect(polling?.name).toBe("polling");
    for (const event of ["ready", "packet", "drain", "close"] as const) expect(polling?.listenerCount(event)).toBe(0);
  });

  it("sends the packets of one turn in one system call, in order", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const client = await app.connect();
    const server = serverSocketOf(app, client) as unknown as { emit(event: string, n: number): boolean };
    const tcp = (engineSide(app, client).transport.socket as unknown as { _socket: TcpWrites })._socket;
    let writes = 0;
    const [write, writev] = [tcp._write.bind(tcp), tcp._writev.bind(tcp)];
    tcp._write = (...args) => (writes++, write(...args));
    tcp._writev = (...args) => (writes++, writev(...args));
    const received: number[] = [];
    const all = new Promise<void>((resolve) => client.on("burst" as never, ((n: number) => (received.push(n), n === 9 && resolve())) as never));

    // One turn, as a group commit's messages are broadcast.
    for (let n = 0; n < 10; n++) server.emit("burst", n);
    await all;

    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // One write for the turn (each packet on its own made ten; the first alone, then the nine queued behind it, two).
    expect(writes).toBe(1);

    // A later turn's packet is not held back for another: it goes out in a write of its own.
    const later = new Promise<number>((resolve) => client.once("burst" as never, resolve as never));
    server.emit("burst", 10);
    expect(await later).toBe(10);
    expect(writes).toBe(2);
  });

  it("lets go of the handshake's request-derived fields, shared by every connection, and keeps the address", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const [a, b] = [serverSocketOf(app, await app.connect()), serverSocketOf(app, await app.connect())];

    expect(a?.handshake.query).toBe(b?.handshake.query);
    expect(a?.handshake.auth).toBe(b?.handshake.auth);
    expect(a?.handshake.time).toBe("");
    expect(a?.handshake.address).toBe("127.0.0.1");
    expect(a?.data.ip).toBe("127.0.0.1");
  });
});
