// One simulated user: a socket.io-client connection speaking only the public protocol.
import { io } from "socket.io-client";
import type { JoinResult } from "../src/protocol.js";
import type { ClientSocket } from "../test/helpers/app.js";

/** The bench's name for the protocol's typed client. */
export type ChatSocket = ClientSocket;

export const CONNECT_TIMEOUT_MS = 15_000;
export const ACK_TIMEOUT_MS = 15_000;

export async function connectClient(url: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(url, {
    // WebSocket straight away: the long-polling upgrade dance would be measured a thousand times
    // in workload 4 and says nothing about either server's chat path.
    transports: ["websocket"],
    // One engine per user; by default io() multiplexes every call onto one connection.
    forceNew: true,
    // A silent reconnect would hide lost messages: a dropped connection must fail the run.
    reconnection: false,
    timeout: CONNECT_TIMEOUT_MS,
    // Same-origin, as the browser page would send, so an origin check cannot refuse the bench.
    extraHeaders: { origin: url },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(new Error(`connect ${url}: ${err.message}`)));
  });
  return socket;
}

export async function joinRoom(socket: ChatSocket, room: string, username: string): Promise<JoinResult> {
  const res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("join_chat", { username, room });
  if (!res.ok) throw new Error(`join ${room} as ${username}: ${res.error.code} ${res.error.message}`);
  if (!Array.isArray(res.history)) throw new Error(`join ${room}: ack has no history`);
  return res;
}

/** Runs `task` over `items` with at most `limit` in flight: a thousand handshakes at once would
 * measure the accept queue, not the server. */
export async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function closeAll(sockets: readonly ChatSocket[]): void {
  for (const socket of sockets) socket.disconnect();
}
