// Lets go of a connection's upgrade request once the app has read what it needs from it (issue 20).
//
// engine.io 6.6 keeps every connection's handshake IncomingMessage (headers, rawHeaders and their strings, the
// parser's stream state: about 2 KB) for as long as the connection lives, in two places
// (node_modules/engine.io/build/server.js and socket.js):
// - its Socket keeps it as `request` (socket.io's `socket.request` reads it there);
// - handleUpgrade makes a WebSocketResponse for its middlewares, which keeps the request as `req`, and whose
//   `socket.once("close", () => this.emit("close"))` on the TCP socket keeps that response, and so the
//   request, until the connection closes.
// Socket.IO's `socket.handshake.headers` is that request's headers object, kept as long (the session cookie and
// every header string with it).
// The app reads the request once, in its Socket.IO middlewares (the session cookie, the client's address), and
// nothing reads `socket.request` or `socket.handshake.headers` later. So after the last middleware all three
// references are dropped (handshake.headers becomes an empty object, and ../chat/lean-socket.ts lets go of the
// handshake's other request-derived fields), and the response's close listener removed (nobody listens to that
// response's "close": it exists for Express-style engine middlewares such as pino-http, which the app has not).
import { ServerResponse, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { Socket as NetSocket } from "node:net";
import type { ChatServer, ChatSocket } from "../chat/types.js";
import { trimAfterSetup } from "../chat/lean-socket.js";

/** engine.io's WebSocketResponse, as far as this file touches it. */
interface UpgradeResponse {
  req: IncomingMessage | null;
  socket: NetSocket;
}

/** The response's "close" listener, found as the response is made, and its response. */
interface Held {
  response: UpgradeResponse;
  closeListener: ((...args: unknown[]) => void) | null;
}

type Middleware = (socket: ChatSocket, next: (err?: Error) => void) => void;

/** What socket.handshake.headers reads once the request is gone: one frozen object for every connection. */
const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

/**
 * Watches upgrades from now on (an engine.io middleware) and returns the Socket.IO middleware that releases a
 * connection's request: register it after every middleware that reads `socket.request`.
 */
export function releaseHandshakeRequests(io: ChatServer): Middleware {
  // By request, so the entry goes with it: a handshake refused later (allowRequest) leaves nothing behind.
  const held = new WeakMap<IncomingMessage, Held>();
  io.engine.use((req: IncomingMessage, res: unknown, next: () => void) => {
    // A polling request's response is a real ServerResponse, done with when the request is answered.
    if (!(res instanceof ServerResponse)) {
      const response = res as UpgradeResponse;
      held.set(req, { response, closeListener: lastCloseListener(response.socket) });
    }
    next();
  });
  return (socket, next) => {
    const conn = socket.conn as unknown as { request: IncomingMessage | null };
    const req = conn.request;
    if (req !== null) {
      const entry = held.get(req);
      if (entry !== undefined) {
        held.delete(req);
        entry.response.req = null;
        if (entry.closeListener !== null) {
          entry.response.socket.removeListener("close", entry.closeListener);
          compactListeners(entry.response.socket, "close");
        }
      }
      conn.request = null;
      (socket.handshake as { headers: IncomingHttpHeaders }).headers = NO_HEADERS;
    }
    trimAfterSetup(socket);
    next();
  };
}

/**
 * The WebSocketResponse's own "close" listener: it is added in the response's constructor, right before
 * engine.io runs its middlewares, so it is the last one on the socket when this middleware runs. Checked by its
 * body (a `once` wrapper around `() => this.emit("close")`), so another engine.io version that does otherwise
 * only leaves the listener in place (and the response, without its request, held by it).
 */
function lastCloseListener(socket: NetSocket): ((...args: unknown[]) => void) | null {
  const last = socket.rawListeners("close").at(-1) as (((...args: unknown[]) => void) & { listener?: unknown }) | undefined;
  if (last === undefined || typeof last.listener !== "function") return null;
  return /this\.emit\("close"\)/.test(String(last.listener)) ? last : null;
}

/**
 * The TCP socket's "close" listeners (the app's, ws's) sat in an array that grew to 19 slots when the response's
 * was added third; taking one out does not shrink it, so the array is copied at its length. Written in place:
 * removing the event and adding it again would delete a key of the emitter's `_events`, and V8 turns an object
 * that loses a key into a dictionary several times larger (measured: 0.8 KB instead of 0.16).
 */
function compactListeners(socket: NetSocket, event: string): void {
  const events = (socket as unknown as { _events?: Record<string, unknown> })._events;
  const list = events?.[event];
  if (events !== undefined && Array.isArray(list)) events[event] = list.slice();
}
