// Bare TCP clients for the transport limits: connections that send nothing, half a request head, or speak
// WebSocket frames by hand, and a way to see the server close them.
import { connect, type Socket } from "node:net";

/** Opens a TCP connection (optionally from another loopback address); null if it was refused outright. */
export function openTcp(port: number, localAddress?: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: "127.0.0.1", ...(localAddress ? { localAddress } : {}) });
    sock.on("error", () => undefined); // a reset by the server is what some tests expect
    sock.once("connect", () => resolve(sock));
    sock.once("close", () => resolve(null));
    // Read whatever comes: a paused socket may never emit "end", and so never "close", after the server's FIN.
    sock.resume();
  });
}

/** Whether the server ends the connection within `ms` (an upper bound for a test to fail on, never a speed). */
export function closedWithin(sock: Socket, ms: number): Promise<boolean> {
  if (sock.destroyed || sock.readyState === "closed") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    sock.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The open connections among `sockets`, as the client sees them. */
export function stillOpen(sockets: readonly Socket[]): number {
  return sockets.filter((s) => !s.destroyed && s.readyState === "open").length;
}

/**
 * An Engine.IO WebSocket opened by hand: the upgrade request, then nothing (no Socket.IO CONNECT). Resolves once
 * the 101 arrived, with the socket paused: from here on the client reads nothing unless it resumes.
 */
export function openEngineWebSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1", () => {
      sock.write(
        "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
      );
    });
    let head = "";
    const onData = (chunk: Buffer): void => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      sock.off("data", onData);
      sock.pause();
      if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`no upgrade: ${head.slice(0, 200)}`));
      resolve(sock);
    };
    sock.on("data", onData);
    sock.once("error", reject);
  });
}

/** `count` copies of one masked client frame (FIN set) with a payload under 126 bytes, in one buffer. */
export function clientFrames(opcode: number, payload: Buffer, count: number): Buffer {
  if (payload.length > 125) throw new Error("clientFrames: payloads up to 125 bytes only");
  const one = Buffer.alloc(2 + 4 + payload.length);
  one[0] = 0x80 | opcode;
  one[1] = 0x80 | payload.length; // masked; mask 0,0,0,0: the payload goes as it is
  payload.copy(one, 6);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

/** `count` ping frames of 125 bytes each, the most a control frame may carry. */
export function pingFrames(count: number): Buffer {
  return clientFrames(0x9, Buffer.alloc(125), count);
}

/** `count` text frames, each carrying `text` (an Engine.IO packet). */
export function textFrames(text: string, count: number): Buffer {
  return clientFrames(0x1, Buffer.from(text), count);
}

/** Writes `chunk` over and over until `totalBytes` went out, the socket closed or `deadline` passed; returns bytes sent. */
export async function flood(sock: Socket, chunk: Buffer, totalBytes: number, deadline: number): Promise<number> {
  let sent = 0;
  while (sent < totalBytes && Date.now() < deadline && !sock.destroyed) {
    if (!sock.write(chunk)) await drained(sock, 200);
    sent += chunk.length;
  }
  return sent;
}

/** Resolves on "drain", or after `ms` (a write buffer the server stopped taking must not hang the test). */
function drained(sock: Socket, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      sock.off("drain", done);
      sock.off("close", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    sock.once("drain", done);
    sock.once("close", done);
  });
}
