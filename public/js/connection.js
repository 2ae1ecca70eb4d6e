// The one Socket.IO connection of the page, served by the app itself (no CDN), and acks as promises.
import { io } from "/socket.io/socket.io.esm.min.js";

/**
 * @typedef {{ code: string, message: string, retryAfterMs?: number }} ErrorBody
 * @typedef {{ ok: false, error: ErrorBody }} Failure
 */

export function createSocket() {
  return io({
    // Rooms are joined again by the page after a reconnect (join_chat {since}); backoff stays gentle on a restart.
    reconnectionDelay: 1000,
    reconnectionDelayMax: 5000,
    timeout: 10_000,
  });
}

/**
 * Emits with an ack and resolves with the answer, or with a Failure of code "timeout" (no answer in time)
 * or "disconnected" (the connection dropped first). Never rejects.
 * @param {import("socket.io-client").Socket} socket
 * @param {string} event
 * @param {object} payload
 * @param {number} timeoutMs
 * @returns {Promise<any>}
 */
export function emitAck(socket, event, payload, timeoutMs) {
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (/** @type {Error | null} */ err, /** @type {unknown} */ res) => {
      if (!err) resolve(res);
      else if (!socket.connected) resolve(failure("disconnected", "The connection dropped."));
      else resolve(failure("timeout", "No answer from the server."));
    });
  });
}

/** @returns {Failure} */
export function failure(code, message) {
  return { ok: false, error: { code, message } };
}
