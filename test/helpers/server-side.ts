// Views of a client's connection from the server's side, for tests that must wait on the server.
import type { ChatSocket } from "../../src/chat/types.js";
import type { ClientSocket, TestApp } from "./app.js";

export function serverSocketOf(app: TestApp, client: ClientSocket): ChatSocket | undefined {
  return app.app.io.of("/").sockets.get(client.id as string);
}

/**
 * Resolves once the server has closed the client's Engine.IO connection: presence released, per-IP
 * count given back. (The Socket.IO "disconnect" comes earlier, when the client's disconnect packet arrives.)
 */
export function serverSideGone(app: TestApp, client: ClientSocket): Promise<void> {
  const socket = serverSocketOf(app, client);
  if (!socket) return Promise.resolve();
  const conn = socket.conn as unknown as { readyState: string; once(ev: "close", fn: () => void): void };
  if (conn.readyState === "closed") return Promise.resolve();
  return new Promise((resolve) => conn.once("close", () => resolve()));
}
