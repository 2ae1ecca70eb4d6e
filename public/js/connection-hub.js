// The page's one Socket.IO connection, shared by every joined room: it routes each room's events to that
// room's session (and the updates a rejoin's answer says were missed, as if they had arrived), holds a room's
// events back while its join answer is on its way (a polling response can batch the answer with the first
// broadcasts), and tells the rooms when the connection comes and goes, and of the events about rooms not
// joined yet or joined at an old address (issue 17: room_added, room_moved).
import { createSocket, emitAck, failure, signalTyping } from "./connection.js";
import { affinityOf } from "./room-affinity.js";
/** @import { ClientToServerEvents, JoinPayload, MessageEvent, MessageUpdatedEvent, PresenceEvent, ReactionsUpdatedEvent, RemovedEvent, ResyncEvent, RoomAddedEvent, RoomMovedEvent, RoomUpdatedEvent, TypingEvent } from "../../src/protocol.js" */
/** @import { AckOf, ChatSocket, LocalFailure } from "./connection.js" */

/**
 * What a room session does with its room's events.
 * @typedef {{
 *   message(msg: MessageEvent): void,
 *   updated(ev: MessageUpdatedEvent): void,
 *   reactions(ev: ReactionsUpdatedEvent): void,
 *   removed(ev: RemovedEvent): void,
 *   presence(ev: PresenceEvent): void,
 *   typing(ev: TypingEvent): void,
 *   resync(ev: ResyncEvent): void,
 * }} RoomHandlers
 */

/**
 * @param {{
 *   onConnect: () => void,
 *   onDisconnect: () => void,
 *   onServerShutdown: () => void,
 *   onRoomAdded: (ev: RoomAddedEvent) => void,
 *   onRoomMoved: (ev: RoomMovedEvent) => void,
 *   onRoomUpdated: (ev: RoomUpdatedEvent) => void,
 *   onMembersChanged: (room: string) => void,
 * }} deps
 */
export function createHub({ onConnect, onDisconnect, onServerShutdown, onRoomAdded, onRoomMoved, onRoomUpdated, onMembersChanged }) {
  /** @type {ChatSocket | null} */
  let socket = null;
  /** @type {Map<string, RoomHandlers>} */
  const routes = new Map();
  /** Rooms whose join answer has not been handled yet, with the events that arrived for them meanwhile. */
  /** @type {Map<string, (() => void)[]>} */
  const held = new Map();
  /** Socket.IO's first reconnection wait and its spread, as connection.js sets them. */
  const RECONNECT_DELAY_MS = 1000;
  const RECONNECT_JITTER = 0.5;
  /** Wait before reconnecting after the server itself ended the connection; doubles while that repeats. */
  let serverDisconnectRetryMs = 1000;
  /** When to come back, as the server's shutdown notice said (for the disconnect that follows it). */
  let toldReturnMs = /** @type {number | null} */ (null);

  /** @param {string} [room] the first room the page joins: its node is chosen by it (affinityOf) */
  function ensureSocket(room) {
    if (socket) return socket;
    const s = createSocket(affinityOf(room));
    socket = s;
    s.on("connect", onConnect);
    s.on("disconnect", (reason) => {
      onDisconnect();
      // A disconnect the server chose is not retried by Socket.IO itself; a chat page wants back in, gently: at the
      // time the server said (issue 19: each client its own), else after a doubling wait spread at random, so a
      // restart is not met by every page in the same instant.
      if (reason === "io server disconnect") {
        const waitMs = toldReturnMs ?? serverDisconnectRetryMs * (0.5 + Math.random());
        toldReturnMs = null;
        setTimeout(() => s.connect(), waitMs);
        serverDisconnectRetryMs = Math.min(serverDisconnectRetryMs * 2, 30_000);
      }
    });
    s.on("connect", () => {
      serverDisconnectRetryMs = 1000;
      // Back to Socket.IO's usual first wait, spread at random (connection.js), for the next loss.
      s.io.reconnectionDelay(RECONNECT_DELAY_MS);
      s.io.randomizationFactor(RECONNECT_JITTER);
    });
    s.on("server_shutdown", (ev) => {
      const ms = Number(ev?.reconnectAfterMs);
      toldReturnMs = Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 60_000) : null;
      // The restart closes the transport: Socket.IO's own reconnection then waits exactly what the server said.
      if (toldReturnMs !== null) {
        s.io.reconnectionDelay(Math.max(1, toldReturnMs));
        s.io.randomizationFactor(0);
      }
      onServerShutdown();
    });
    s.on("message", (msg) => dispatch(msg?.room, (h) => h.message(msg)));
    s.on("message_updated", (ev) => dispatch(ev?.room, (h) => h.updated(ev)));
    s.on("reactions_updated", (ev) => dispatch(ev?.room, (h) => h.reactions(ev)));
    s.on("removed", (ev) => dispatch(ev?.room, (h) => h.removed(ev)));
    s.on("presence", (ev) => dispatch(ev?.room, (h) => h.presence(ev)));
    s.on("typing", (ev) => routes.get(String(ev?.room))?.typing(ev));
    s.on("resync", (ev) => routes.get(String(ev?.room))?.resync(ev));
    s.on("room_added", (ev) => onRoomAdded(ev));
    s.on("room_moved", (ev) => onRoomMoved(ev));
    s.on("room_updated", (ev) => onRoomUpdated(ev));
    s.on("members_changed", (ev) => {
      if (typeof ev?.room === "string") onMembersChanged(ev.room);
    });
    // Every event is sent with an ack, so chat_error only reports a typing signal that was refused.
    s.on("chat_error", () => {});
    return s;
  }

  /** @param {unknown} room @param {(h: RoomHandlers) => void} fn */
  function dispatch(room, fn) {
    if (typeof room !== "string") return;
    const waiting = held.get(room);
    // Looked up when it runs: a held event finds the session its join answer created.
    const run = () => {
      const h = routes.get(room);
      if (h) fn(h);
    };
    if (waiting) waiting.push(run);
    else run();
  }

  /**
   * A join_chat for `room` on the one socket; events for the room wait until `settle` (after the answer
   * was handled) runs them.
   * @param {JoinPayload} payload
   * @param {number} timeoutMs
   */
  async function join(payload, timeoutMs) {
    const room = payload.room.normalize("NFC").trim();
    const s = ensureSocket(room);
    held.set(room, []);
    const res = await emitAck(s, "join_chat", payload, timeoutMs);
    const waiting = held.get(room) ?? [];
    held.delete(room);
    const key = res.ok ? res.room : room;
    return { res, settle: () => (key === room ? waiting : []).forEach((fn) => fn()) };
  }

  /**
   * Any request answered as a promise, failing at once while offline.
   * @template {keyof ClientToServerEvents} E
   * @param {E} event @param {Parameters<ClientToServerEvents[E]>[0]} payload @param {number} timeoutMs
   * @returns {Promise<AckOf<E> | LocalFailure>}
   */
  function request(event, payload, timeoutMs) {
    if (!socket || !socket.connected) return Promise.resolve(failure("disconnected", "Not connected; try again when the connection is back."));
    return emitAck(socket, event, payload, timeoutMs);
  }

  /**
   * Opens the connection when nothing has yet (a request before any join: create_room from the home page), and
   * resolves once it is up, or false after `timeoutMs`.
   * @param {number} timeoutMs
   * @returns {Promise<boolean>}
   */
  function whenConnected(timeoutMs) {
    const s = ensureSocket();
    if (s.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        s.off("connect", onUp);
        resolve(false);
      }, timeoutMs);
      const onUp = () => {
        clearTimeout(timer);
        resolve(true);
      };
      s.once("connect", onUp);
    });
  }

  return {
    join,
    request,
    whenConnected,
    /** @param {string} room @param {RoomHandlers} handlers */
    route(room, handlers) {
      routes.set(room, handlers);
    },
    /** @param {string} room */
    unroute(room) {
      routes.delete(room);
    },
    /**
     * A `message_updated` the connection missed, told by a join answer (a rejoin's `changed`): handled as the event
     * would have been. Before `settle`: the events held during the join are newer.
     * @param {string} room @param {MessageUpdatedEvent} ev
     */
    replayUpdate(room, ev) {
      routes.get(room)?.updated(ev);
    },
    /**
     * A `reactions_updated` the connection missed, told by a rejoin's `reactions`; as replayUpdate.
     * @param {string} room @param {ReactionsUpdatedEvent} ev
     */
    replayReactions(room, ev) {
      routes.get(room)?.reactions(ev);
    },
    isConnected: () => socket !== null && socket.connected,
    /** @param {string} room */
    sendTyping(room) {
      if (socket) signalTyping(socket, { room, isTyping: true });
    },
    /** The connection is back for good: the next server-chosen disconnect waits the shortest time again. */
    settled() {
      serverDisconnectRetryMs = 1000;
    },
  };
}

/** @typedef {ReturnType<typeof createHub>} Hub */
