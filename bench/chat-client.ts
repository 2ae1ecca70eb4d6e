// One simulated user: a socket.io-client connection speaking only the public protocol.
import { get, type Agent } from "node:http";
import { io } from "socket.io-client";
import type { Ack, JoinResult } from "../src/protocol.js";
import type { ClientSocket } from "../test/helpers/app.js";

/** The bench's name for the protocol's typed client. */
export type ChatSocket = ClientSocket;

/** GET / tries on a reset connection. */
const PAGE_LOAD_ATTEMPTS = 3;

export const CONNECT_TIMEOUT_MS = 15_000;
export const ACK_TIMEOUT_MS = 15_000;

/** @param query added to every request of the connection (the page's `affinity`, placement by room behind nginx) */
export async function connectClient(url: string, query?: Record<string, string>): Promise<ChatSocket> {
  const socket: ChatSocket = io(url, {
    ...(query ? { query } : {}),
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

/** An `overloaded` join (admission, issue 19) is tried again after the server's retryAfterMs, as the page does. */
const OVERLOADED_TRIES = 5;

/** join_chat, sent again after retryAfterMs while the answer is `overloaded` (up to OVERLOADED_TRIES); `onRetry` counts them. */
export async function joinAsPageDoes(socket: ChatSocket, room: string, username: string, timeoutMs: number, onRetry?: () => void): Promise<Ack<JoinResult>> {
  let res = await socket.timeout(timeoutMs).emitWithAck("join_chat", { username, room });
  for (let tries = 1; !res.ok && res.error.code === "overloaded" && tries < OVERLOADED_TRIES; tries++) {
    onRetry?.();
    const waitMs = res.error.retryAfterMs ?? 1000;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    res = await socket.timeout(timeoutMs).emitWithAck("join_chat", { username, room });
  }
  return res;
}

export async function joinRoom(socket: ChatSocket, room: string, username: string): Promise<JoinResult> {
  const res = await joinAsPageDoes(socket, room, username, ACK_TIMEOUT_MS);
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

/**
 * The page load that sets a browser session's cookie (`mr_session=...`), as the restart storm's clients do: with
 * node:http (a tenth of fetch's CPU, ten thousand times over) through `agent`'s kept-alive connections. One the
 * server closed just as it was reused resets: tried again on a new one, as a browser does.
 */
export async function loadSessionCookie(url: string, agent: Agent): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await getSessionCookie(url, agent);
    } catch (err) {
      if (attempt >= PAGE_LOAD_ATTEMPTS || (err as NodeJS.ErrnoException).code !== "ECONNRESET") throw err;
    }
  }
}

function getSessionCookie(url: string, agent: Agent): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/`, { agent, headers: { accept: "text/html" } }, (res) => {
      res.resume(); // read to the end, so the kept-alive connection is free again
      res.once("end", () => {
        const cookie = (res.headers["set-cookie"] ?? []).find((c) => c.startsWith("mr_session="));
        if (res.statusCode !== 200 || cookie === undefined) reject(new Error(`GET ${url}/ answered ${res.statusCode} without an mr_session cookie`));
        else resolve(cookie.split(";", 1)[0] ?? "");
      });
    });
    req.once("error", reject);
  });
}
