// How long a TCP connection may take to say what it wants (transport review). Node's HTTP server, left as it is,
// gives a connection 60 s for its request head (headersTimeout) and 300 s for the whole request, counted from the
// moment it opened (or, kept alive, from the next request's first byte), but checks them only every 30 s
// (connectionsCheckingInterval): one address opening ~1,100 connections that never sent a byte took a server with
// 1,024 descriptors to 1,024/1,024, and nobody else got in (tcp-connection-cap.ts bounds how many one address
// opens). Checked each second, a connection that sends nothing, or dawdles over its head, is answered 408 and
// closed when its time is up. A request whose head is
// in is past headersTimeout, and one whose body is in is past requestTimeout (neither counts the response): a
// long-polling request Socket.IO holds open, and an upgraded WebSocket, are never cut by them.
// test/transport.limits.test.ts and test/health-thread.test.ts check that silent connections are closed; they fail
// on a Node that stops doing so.
//
// Both listeners use this: the app's port (HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS) and the health
// thread's (5 s each).
import type { ServerOptions } from "node:http";

/** Node checks headersTimeout and requestTimeout this often: each second, a deadline means about what it says. */
export const CONNECTIONS_CHECK_MS = 1000;

export interface RequestDeadlines {
  /** A connection's request head must be in this long after it opened (kept alive: after the next request began). */
  headersTimeoutMs: number;
  /** The request's head and body must be in this long after it began. */
  requestTimeoutMs: number;
}

/** The HTTP server options that enforce both deadlines promptly. */
export function requestDeadlines(deadlines: RequestDeadlines): ServerOptions {
  return { headersTimeout: deadlines.headersTimeoutMs, requestTimeout: deadlines.requestTimeoutMs, connectionsCheckingInterval: CONNECTIONS_CHECK_MS };
}
