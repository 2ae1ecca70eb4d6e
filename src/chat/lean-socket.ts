// What Socket.IO 4.8 keeps per connection that the app does not read (issue 20), let go once the connection is set
// up. Each item is small; together about 0.5 KB of an idle connection's 9.
// - `socket.handshake`: its `time` (a date string), `url`, `query` (engine.io's parsed query) and `auth` (the
//   client's CONNECT payload) are read by nobody after the middlewares (the app reads the session cookie and the
//   address there, see app.ts). They now point at values shared by every connection; `issued` (the same time, as a
//   number), `address`, `xdomain` and `secure` stay.
// - Socket.IO's emitter and the app's one `onAny` listener each sit in an array that `push` grew to 17 slots
//   for one function: they are replaced by arrays of their exact length.
import type { ChatSocket } from "./types.js";

const NO_QUERY = Object.freeze({});
const NO_AUTH = Object.freeze({});

/** What this file touches of Socket.IO's socket, beyond its public type. */
interface Internals {
  handshake: { time: string; url: string; query: object; auth: object };
  client: { decoder?: { _callbacks?: Record<string, unknown[] | undefined> } };
  _anyListeners?: unknown[];
}

/** Run by the last middleware: nothing reads the handshake's request-derived fields after it, nor grows the decoder's listener arrays. */
export function trimAfterSetup(socket: ChatSocket): void {
  const handshake = (socket as unknown as Internals).handshake;
  handshake.time = "";
  handshake.url = "";
  handshake.query = NO_QUERY;
  handshake.auth = NO_AUTH;
  const callbacks = (socket as unknown as Internals).client.decoder?._callbacks;
  if (callbacks !== undefined) for (const [event, list] of Object.entries(callbacks)) if (Array.isArray(list)) callbacks[event] = list.slice();
}

/** `socket.onAny(listener)`, with the listener array at its exact length. */
export function listenToAny(socket: ChatSocket, listener: (this: ChatSocket, event: string, ...args: unknown[]) => void): void {
  socket.onAny(listener);
  const internals = socket as unknown as Internals;
  if (Array.isArray(internals._anyListeners)) internals._anyListeners = internals._anyListeners.slice();
}
