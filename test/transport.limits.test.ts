// What one address can hold at the transport level (the transport review): memory through WebSocket control
// frames, the outgoing buffer of a connection that never joined Socket.IO, and TCP connections that never say
// anything. Each attack runs against the real server and measures what it got, as the review did.
import { EventEmitter } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { get, type Server } from "node:http";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { pendingBytes } from "../src/chat/slow-clients.js";
import { capTcpConnectionsPerAddress } from "../src/http/tcp-connection-cap.js";
import { startTestApp, tempDatabase } from "./helpers/app.js";
import { startChildServer, type ChildServer } from "./helpers/child-server.js";
import { closedWithin, flood, openEngineWebSocket, openTcp, pingFrames, stillOpen, textFrames } from "./helpers/raw-tcp.js";

const MB = 1024 * 1024;

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:")) ?? "VmRSS: 0 kB";
  return Number(line.split(/\s+/)[1]) / 1024;
}

function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** GET `path` from another loopback address than the attacker's: status, or the error's code. */
function getFrom(localAddress: string, port: number, path: string): Promise<{ status: number | string; body: string }> {
  return new Promise((resolve) => {
    const req = get({ host: "127.0.0.1", port, path, localAddress, timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ status: err.code ?? err.message, body: "" }));
  });
}

let child: ChildServer | null = null;
const held: Socket[] = [];
afterEach(async () => {
  for (const s of held.splice(0)) s.destroy();
  await child?.stop();
  child = null;
});

describe("WebSocket pings from a client that never reads", () => {
  it("are not answered: 256 MB of pings on a connection that never joined Socket.IO leave the server's memory where it was", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    child = await startChildServer({ databasePath: db.path });
    const sock = await openEngineWebSocket(child.port); // never reads from here on, never sends CONNECT
    held.push(sock);
    sock.on("error", () => undefined);
    const before = rssMb(child.pid);

    const sent = await flood(sock, pingFrames(2000), 256 * MB, Date.now() + 15_000);
    const after = rssMb(child.pid);
    const health = await getFrom("127.0.0.2", child.port, "/healthz");
    console.info(`ping flood: ${(sent / MB).toFixed(0)} MB of pings; server RSS ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB; /healthz ${String(health.status)}`);

    // Answered, each ping queued a pong the client never took: 2,157 MB more after 636 MB of pings (the review).
    expect(after - before).toBeLessThan(64);
    expect(health.status).toBe(200);
  }, 30_000);
});

describe("a connection that never joins Socket.IO", () => {
  it("is closed SOCKETIO_CONNECT_TIMEOUT_MS after it opened, while one that joined stays", async () => {
    const app = await startTestApp({ env: { SOCKETIO_CONNECT_TIMEOUT_MS: "1000" } });
    onTestFinished(app.close);
    const joined = await app.joined("general", "ana");
    const sock = await openEngineWebSocket(app.port); // never sends its CONNECT
    held.push(sock);
    sock.on("error", () => undefined);
    expect(app.app.io.engine.clientsCount).toBe(2);
    // Socket.IO's own default held it, and its place among MAX_CONNECTIONS_PER_IP, for 45 s.
    await expect.poll(() => app.app.io.engine.clientsCount, { timeout: 10_000 }).toBe(1);
    expect(joined.connected).toBe(true);
  });
});

describe("the slow-client sweep", () => {
  it("drops a connection that never joined Socket.IO once its unsent answers pass MAX_BUFFERED_BYTES_PER_CONNECTION", async () => {
    const capBytes = 64 * 1024;
    // Socket.IO's own timeout for a connection without CONNECT is out of the way: the sweep must be what ends it.
    const app = await startTestApp({ env: { MAX_BUFFERED_BYTES_PER_CONNECTION: String(capBytes), SOCKETIO_CONNECT_TIMEOUT_MS: "600000" } });
    onTestFinished(app.close);
    const sock = await openEngineWebSocket(app.port);
    held.push(sock);
    sock.on("error", () => undefined);
    const clients = (app.app.io.engine as unknown as { clients: Record<string, Parameters<typeof pendingBytes>[0] & { id: string; readyState: string; once(ev: "close", fn: () => void): void }> }).clients;
    const [conn] = Object.values(clients);
    if (conn === undefined) throw new Error("no engine.io connection for the raw WebSocket");
    let isDropped = false;
    conn.once("close", () => (isDropped = true));

    // Each CONNECT to a namespace that does not exist is answered with an error packet: 14 bytes in, 41 out.
    const batch = textFrames("40/nope,", 10_000);
    const limitBytes = 16 * MB;
    let sent = 0;
    let maxPending = 0;
    while (!isDropped) {
      if (sent > limitBytes) throw new Error(`still connected after ${sent / MB} MB of CONNECTs (${String(pendingBytes(conn))} bytes unsent)`);
      sent += await flood(sock, batch, batch.length, Date.now() + 5000);
      maxPending = Math.max(maxPending, pendingBytes(conn));
      await new Promise((resolve) => setImmediate(resolve)); // the server's turn to read them (same process)
    }
    const drop = app.logs.find((l) => l.event === "slow_client_dropped");
    console.info(`sweep: a connection without CONNECT dropped after ${(sent / MB).toFixed(1)} MB of CONNECTs; most unsent at once ${(maxPending / 1024).toFixed(0)} KiB (cap ${capBytes / 1024} KiB)`);
    expect(drop).toMatchObject({ level: "warn", socket: conn.id, bytes: expect.any(Number) });
    expect(conn.readyState).toBe("closed");
    expect(app.app.io.engine.clientsCount).toBe(0);
    expect(maxPending).toBeLessThan(16 * MB);
  }, 30_000);
});

describe("TCP connections to the app port", () => {
  it("one address holds at most MAX_TCP_CONNECTIONS_PER_IP: 1,100 silent ones leave a 1,024-descriptor server its descriptors, and another address gets in", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    child = await startChildServer({ databasePath: db.path, maxDescriptors: 1024 });
    const fdsBefore = openDescriptors(child.pid);
    for (let i = 0; i < 1100; i++) {
      const sock = await openTcp(child.port);
      if (sock) held.push(sock);
    }
    // The default cap: 2 x MAX_CONNECTIONS_PER_IP (50) + 20. Without it every connection stayed (1,001 of 1,120
    // after 35 s, 1,024/1,024 descriptors, /healthz timing out: the review).
    await expect.poll(() => stillOpen(held), { timeout: 10_000 }).toBeLessThanOrEqual(120);
    const fdsAfter = openDescriptors(child.pid);
    const health = await getFrom("127.0.0.2", child.port, "/healthz");
    const metrics = await getFrom("127.0.0.2", child.port, "/metrics");
    const refused = Number(/^mr_tcp_connections_refused_total (\S+)/m.exec(metrics.body)?.[1] ?? NaN);
    console.info(`silent connections: ${stillOpen(held)} of ${held.length} held open by one address; server fds ${fdsBefore} -> ${fdsAfter} (limit 1024); ${refused} refused; /healthz from another address: ${String(health.status)}`);

    expect(fdsAfter - fdsBefore).toBeLessThan(200);
    expect(health.status).toBe(200);
    expect(refused).toBeGreaterThanOrEqual(1100 - 120);
  }, 30_000);

  it("closes one that sends no complete request head within HTTP_HEADERS_TIMEOUT_MS, silent or partial, and never a WebSocket or a long-polling client", async () => {
    const app = await startTestApp({ env: { HTTP_HEADERS_TIMEOUT_MS: "1000" } });
    onTestFinished(app.close);
    const ws = await app.joined("general", "ana");
    const polling = await app.joined("general", "bo", { options: { transports: ["polling"] } });
    const silent = await openTcp(app.port);
    const partial = await openTcp(app.port);
    if (!silent || !partial) throw new Error("connection refused");
    held.push(silent, partial);
    partial.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // never finishes its head

    // Node's defaults (a 60 s head timeout, checked every 30 s) kept both far longer.
    expect(await Promise.all([closedWithin(silent, 10_000), closedWithin(partial, 10_000)])).toEqual([true, true]);
    // Both clients connected before those two, and their requests are held longer than the timeout: still there.
    expect([ws.connected, polling.connected]).toEqual([true, true]);
    const sent = await polling.timeout(3000).emitWithAck("send_message", { room: "general", username: "bo", content: "still here" });
    expect(sent).toMatchObject({ ok: true });
    expect(await ws.timeout(3000).emitWithAck("send_message", { room: "general", username: "ana", content: "me too" })).toMatchObject({ ok: true });
  }, 30_000);

  it("counts by TCP peer: one past the cap is closed at once; a TRUST_PROXY proxy's connections are not counted", async () => {
    const direct = await startTestApp({ env: { MAX_TCP_CONNECTIONS_PER_IP: "3" } });
    onTestFinished(direct.close);
    const first = await Promise.all([openTcp(direct.port), openTcp(direct.port), openTcp(direct.port)]);
    const extra = await openTcp(direct.port);
    held.push(...(first.filter((s) => s !== null) as Socket[]));
    expect(extra === null || (await closedWithin(extra, 5000))).toBe(true);
    expect(stillOpen(held)).toBe(3);
    expect(direct.logs.find((l) => l.event === "tcp_connection_refused")).toMatchObject({ level: "warn", ip: "127.0.0.1" });
    expect((await getFrom("127.0.0.2", direct.port, "/healthz")).status).toBe(200); // another address

    const proxied = await startTestApp({ env: { MAX_TCP_CONNECTIONS_PER_IP: "3", TRUST_PROXY: "loopback" } });
    onTestFinished(proxied.close);
    for (let i = 0; i < 6; i++) {
      const sock = await openTcp(proxied.port);
      if (sock) held.push(sock);
    }
    expect((await getFrom("127.0.0.1", proxied.port, "/healthz")).status).toBe(200); // the 7th from the proxy
    expect(proxied.logs.some((l) => l.event === "tcp_connection_refused")).toBe(false);
  });

  it("counts IPv6 peers by network (IPV6_PREFIX_LENGTH): two addresses in one /64 share the cap, another /64 does not", () => {
    const server = new EventEmitter();
    const refused: string[] = [];
    capTcpConnectionsPerAddress(server as unknown as Server, { maxPerAddress: 1, ipv6PrefixLength: 64, isTrustedProxy: () => false, onRefused: (key) => refused.push(key) });
    const peer = (remoteAddress: string) => Object.assign(new EventEmitter(), { remoteAddress, destroyed: false, destroy() { this.destroyed = true; } });
    const [a, sameNet, otherNet, afterClose] = ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:3::1", "2001:db8:1:2::7"].map(peer) as [ReturnType<typeof peer>, ReturnType<typeof peer>, ReturnType<typeof peer>, ReturnType<typeof peer>];
    for (const s of [a, sameNet, otherNet]) server.emit("connection", s);
    expect([a.destroyed, sameNet.destroyed, otherNet.destroyed]).toEqual([false, true, false]);
    expect(refused).toEqual(["2001:db8:1:2:0:0:0:0/64"]);
    a.emit("close");
    server.emit("connection", afterClose);
    expect(afterClose.destroyed).toBe(false);
  });
});
