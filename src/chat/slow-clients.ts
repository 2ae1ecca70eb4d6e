// A client that never reads would make the server queue its messages forever. Every sweep adds up what
// each connection still has to send and drops the ones past the cap; their tabs reconnect and catch up.
import type { ChatServer } from "./types.js";

interface EngineSocketLike {
  writeBuffer?: { data?: unknown }[];
  transport?: { socket?: { bufferedAmount?: number } };
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

export function startSlowClientSweep(io: ChatServer, maxBytes: number, intervalMs: number, onDrop: (socketId: string, bytes: number) => void): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of("/").sockets.values()) {
      const bytes = pendingBytes(socket.conn as unknown as EngineSocketLike);
      if (bytes > maxBytes) {
        onDrop(socket.id, bytes);
        socket.disconnect(true);
        // close() without discard waits for the queue to drain, which a client that does not read never lets
        // happen: discard it, and end the WebSocket now instead of after ws's 30 s close handshake.
        socket.conn.close(true);
        (socket.conn.transport as { socket?: { terminate?: () => void } }).socket?.terminate?.();
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
