// A client that never reads would make the server queue its messages forever. Every sweep adds up what
// each connection still has to send and drops the ones past the cap; their tabs reconnect and catch up.
//
// Every Engine.IO connection is swept, not only the ones that joined Socket.IO: before its CONNECT a connection
// can still make the server write (ws answering WebSocket pings did, until ws-engine.ts; Socket.IO answers each
// CONNECT to an unknown namespace with an error), and nothing else looked at those until connectTimeout.
import type { ChatServer } from "./types.js";

interface EngineSocketLike {
  writeBuffer?: { data?: unknown }[];
  transport?: { socket?: { bufferedAmount?: number } };
}

/** An Engine.IO connection as the sweep ends it. */
interface EngineConnLike extends EngineSocketLike {
  id: string;
  close(discard: boolean): void;
}

export function pendingBytes(conn: EngineSocketLike): number {
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === "string") bytes += data.length;
    else if (data instanceof Uint8Array) bytes += data.byteLength;
  }
  return bytes;
}

/** `onDrop` gets the Socket.IO socket's id, or for a connection that never joined, the Engine.IO connection's. */
export function startSlowClientSweep(io: ChatServer, maxBytes: number, intervalMs: number, onDrop: (socketId: string, bytes: number) => void): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      const bytes = pendingBytes(socket.conn as unknown as EngineSocketLike);
      if (bytes > maxBytes) {
        onDrop(socket.id, bytes);
        socket.disconnect(true);
        endNow(socket.conn as unknown as EngineConnLike);
      }
    }
    // The rest: connections without a socket in "/" (those dropped above have left engine.clients already).
    // for...in, not Object.values: no array of every connection each second.
    const clients = engineClients(io);
    for (const id in clients) {
      const conn = clients[id] as EngineConnLike;
      const bytes = pendingBytes(conn);
      if (bytes > maxBytes) {
        onDrop(conn.id, bytes);
        endNow(conn);
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** engine.io's open connections by id (typed protected, read here only). */
function engineClients(io: ChatServer): Record<string, EngineConnLike> {
  return (io.engine as unknown as { clients: Record<string, EngineConnLike> }).clients;
}

/**
 * close() without discard waits for the queue to drain, which a client that does not read never lets happen:
 * discard it, and end the WebSocket now instead of after ws's 30 s close handshake.
 */
function endNow(conn: EngineConnLike): void {
  conn.close(true);
  (conn.transport as { socket?: { terminate?: () => void } } | undefined)?.socket?.terminate?.();
}
