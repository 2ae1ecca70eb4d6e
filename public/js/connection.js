// The one Socket.IO connection of the page, served by the app itself (no CDN), and acks as promises.
// Relative, so tsc finds its types (see types/served/); in the browser it is /socket.io/socket.io.esm.min.js.
import { io } from "../socket.io/socket.io.esm.min.js";
/** @import { Socket } from "socket.io-client" */
/** @import { ClientToServerEvents, ServerToClientEvents, TypingPayload } from "../../src/protocol.js" */

/**
 * The page's socket, typed with the server's event maps (reversed).
 * @typedef {Socket<ServerToClientEvents, ClientToServerEvents>} ChatSocket
 */
/**
 * What the server answers to `event`.
 * @template {keyof ClientToServerEvents} E
 * @typedef {Parameters<Parameters<ClientToServerEvents[E]>[1]>[0]} AckOf
 */
/**
 * No answer came, made up here (never sent by the server): the connection dropped, or the time ran out.
 * @typedef {{ ok: false, error: { code: "disconnected" | "timeout", message: string, retryAfterMs?: undefined } }} LocalFailure
 */

/** @param {string} affinity the placement key (affinityOf) @returns {ChatSocket} */
export function createSocket(affinity) {
  return io({
    // WebSocket first: one TCP connection, so every packet of a session reaches one node. Long-polling stays the
    // fallback where WebSocket is blocked; its requests all carry the same `affinity`, so a balancer that hashes
    // on it (docs/nginx-cluster.conf) keeps them on one node too.
    transports: ["websocket", "polling"],
    query: { affinity },
    tryAllTransports: true,
    // Rooms are joined again by the page after a reconnect (join_chat {since}); backoff stays gentle on a restart.
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    // Socket.IO's own default. A node taking thousands back after a restart answers handshakes in the order they came,
    // some after more than 10 s: a page that gave up at 10 s (as it once did) only went to the back of the line, after a
    // backoff of up to 5 s, and made the return's last seconds (issue 19).
    timeout: 20_000,
  });
}

/**
 * Emits with an ack and resolves with the answer, or with a LocalFailure of code "timeout" (no answer in
 * time) or "disconnected" (the connection dropped first). Never rejects.
 * @template {keyof ClientToServerEvents} E
 * @param {ChatSocket} socket
 * @param {E} event
 * @param {Parameters<ClientToServerEvents[E]>[0]} payload
 * @param {number} timeoutMs
 * @returns {Promise<AckOf<E> | LocalFailure>}
 */
export function emitAck(socket, event, payload, timeoutMs) {
  // The event map cannot follow a generic event name through Socket.IO's overloads; the signature above
  // is what callers see, and it is the protocol's.
  const untyped = /** @type {Socket} */ (/** @type {unknown} */ (socket));
  return new Promise((resolve) => {
    untyped.timeout(timeoutMs).emit(event, payload, (/** @type {Error | null} */ err, /** @type {AckOf<E>} */ res) => {
      if (!err) resolve(res);
      else if (!socket.connected) resolve(failure("disconnected", "The connection dropped."));
      else resolve(failure("timeout", "No answer from the server."));
    });
  });
}

/**
 * Says "typing" without waiting for an answer: volatile (dropped rather than queued while offline) and
 * ack-less, so a refused signal comes back as chat_error, which the page ignores.
 * @param {ChatSocket} socket
 * @param {TypingPayload} payload
 */
export function signalTyping(socket, payload) {
  // The protocol types every event with an ack (for emitWithAck); the server accepts events without one.
  const untyped = /** @type {Socket} */ (/** @type {unknown} */ (socket));
  untyped.volatile.emit("typing", payload);
}

/**
 * @param {LocalFailure["error"]["code"]} code
 * @param {string} message
 * @returns {LocalFailure}
 */
export function failure(code, message) {
  return { ok: false, error: { code, message } };
}
