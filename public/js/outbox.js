// Own messages on their way: shown at once, sent one at a time in order, kept while offline (and, with a
// device store, across reloads and browser restarts: outbox-store.js), retried on request. Every attempt of one message carries the same clientId and the same files (issue 18: the ids of
// its uploads) and answers the same message (issue 22: `replyTo`), so the server stores it once. When the room moves
// to another address (made private or public), what is still here is handed over, clientIds and order kept, to the
// room's outbox at its new address (room-exits.js), or shown as not sent when this browser may not follow, or when
// the page comes back to the old address without ever hearing of the move (releaseHeld).
import { newClientId } from "./uuid.js";

/** No answer within this long marks a send as failed (with Retry). */
export const SEND_TIMEOUT_MS = 10_000;
/** A rate-limited send waits and goes again by itself this many times before it shows as failed. */
const MAX_AUTO_RETRIES = 5;
/**
 * A send the server could not store (storage_unavailable: the database was busy or locked, e.g. by the
 * Flask app writing to the same file) goes again after 250 ms, 500 ms, 1 s, 2 s; then it shows as failed.
 */
const STORAGE_RETRY_FIRST_MS = 250;
const MAX_STORAGE_RETRIES = 4;

/** @import { WireAttachment, WireMessage, WireQuote } from "../../src/protocol.js" */
/** @import { AckOf, LocalFailure } from "./connection.js" */
/**
 * @typedef {AckOf<"send_message"> | LocalFailure} SendAck
 * @typedef {{ clientId: string, content: string, attachments: WireAttachment[], replyTo?: WireQuote, state: "queued" | "sending" | "failed",
 *   li: HTMLLIElement, autoRetries: number, storageRetries: number, attempt: number, error: string }} OutgoingItem
 * @typedef {{ clientId: string, content: string, attachments: WireAttachment[], replyTo?: WireQuote, error?: string, wasOnItsWay?: true, wasHeldByMove?: true }} CarriedItem
 *   a message handed over when its room moved; `error` when it had failed for another reason (it stays failed);
 *   `wasOnItsWay` when its answer had not come (the server may have stored it); `wasHeldByMove` when a move held it
 *   and the page never followed (releaseHeld)
 */

export class Outbox {
  /**
   * @param {{
   *   list: import("./message-list.js").MessageList,
   *   canSend: () => boolean,
   *   emit: (payload: { content: string, clientId: string, attachments?: string[], replyTo?: number }, timeoutMs: number) => Promise<SendAck>,
   *   onFailed: (content: string, error: string) => void,
   *   onNotInRoom: () => void,
   *   onRetried: () => void,
   *   store?: import("./outbox-store.js").RoomOutboxStore,
   * }} deps store: keeps each message on the device until the server has it (issue 23)
   */
  constructor(deps) {
    this.deps = deps;
    /** @type {Map<string, OutgoingItem>} in send order */
    this.items = new Map();
    /** The attempt on its way, if any: one message at a time keeps them in order. */
    this.inFlight = /** @type {number | null} */ (null);
    /** Attempts are numbered so an answer that arrives after a disconnect is ignored. */
    this.attempts = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.resumeTimer = null;
    /**
     * A send was refused with `room_moved`: nothing more goes to this address. The room's `room_moved` event (or
     * `removed`, when this browser may not follow) hands what is here over; it may come after the ack (several nodes).
     * When neither comes and the page is back in the room at this address, releaseHeld lets go of what is here.
     */
    this.isMoving = false;
  }

  /**
   * @param {string} sender
   * @param {string} content the text, or with files the caption ("" for files alone)
   * @param {WireAttachment[]} [attachments] uploaded files (upload-tray.js), sent by their ids
   * @param {WireQuote} [replyTo] the message it answers (reply-draft.js), sent by its id
   */
  add(sender, content, attachments = [], replyTo = undefined) {
    const item = this.enqueue(sender, { clientId: newClientId(), content, attachments, ...(replyTo ? { replyTo } : {}) });
    this.deps.store?.saved(item);
    this.pump();
    return item;
  }

  /**
   * Messages kept on the device from an earlier page (issue 23), or carried from the room's old address: shown as
   * waiting and sent with their own clientIds, after what is queued already. One carried as failed stays failed.
   * One a `room_moved` refusal held on the earlier page holds this outbox again: that page never learnt where the
   * room went, and this address may be another room now (releaseHeld, or the rejoin's room_moved, decides).
   * @param {{ clientId: string, sender: string, content: string, attachments: WireAttachment[], replyTo?: WireQuote, error?: string, heldByMove?: true }[]} kept
   * @returns {boolean} whether they hold an outbox that was not held (a hold of this page's own may still see its move)
   */
  restore(kept) {
    const isNewHold = !this.isMoving && kept.some((k) => k.heldByMove === true);
    if (isNewHold) this.isMoving = true;
    for (const k of kept) {
      if (this.items.has(k.clientId)) continue;
      const item = this.enqueue(k.sender, k);
      if (k.error !== undefined) {
        item.state = "failed";
        item.error = k.error;
        this.show(item);
      }
    }
    this.pump();
    return isNewHold;
  }

  /**
   * The room moved (or this browser was taken out of it): every message not yet stored leaves this outbox, in
   * order, with its clientId, whatever it was doing. An answer still to come for one of them changes nothing here:
   * at the new address the same clientId is stored once (a send that did reach the old address moved with it).
   * With `to`, the device's copies now belong to the new address; without, `clear` drops them with the rest.
   * @param {string} [to] the room's new address, when the page follows it
   * @returns {CarriedItem[]}
   */
  handOver(to) {
    if (to !== undefined) this.deps.store?.movedTo(to);
    const carried = [...this.items.values()].map(carriedOf);
    this.empty();
    this.isMoving = true;
    return carried;
  }

  /**
   * The page is back in the room at this address without having followed a move: a send was refused `room_moved`,
   * and its `room_moved` (or `removed`) never came (the connection dropped in between, and the rejoin joined the
   * fresh room of the old name, or one the server let go). What is here was written for the room that moved away:
   * it must go nowhere, and never into this one. It leaves the outbox, the list and the device, marked as held by a
   * move, for the reader to copy; what is written from now on is sent here as usual.
   * @returns {CarriedItem[]} none when no move held the outbox
   */
  releaseHeld() {
    if (!this.isMoving) return [];
    const held = [...this.items.values()].map((item) => ({ ...carriedOf(item), wasHeldByMove: /** @type {const} */ (true) }));
    for (const item of this.items.values()) {
      this.deps.list.removeLocal(item.li);
      this.deps.store?.removed(item.clientId);
    }
    this.empty();
    this.isMoving = false;
    return held;
  }

  /** Nothing is on its way any more: an answer still to come for one of the items changes nothing. */
  empty() {
    for (const item of this.items.values()) item.attempt = -1;
    this.items.clear();
    this.inFlight = null;
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
  }

  /**
   * @param {string} sender @param {{ clientId: string, content: string, attachments: WireAttachment[], replyTo?: WireQuote }} what
   * @returns {OutgoingItem}
   */
  enqueue(sender, { clientId, content, attachments, replyTo }) {
    const li = this.deps.list.addLocal(sender, content, attachments, replyTo);
    /** @type {OutgoingItem} */
    const item = { clientId, content, attachments, ...(replyTo ? { replyTo } : {}), state: "queued", li, autoRetries: 0, storageRetries: 0, attempt: 0, error: "" };
    this.items.set(item.clientId, item);
    this.show(item);
    return item;
  }

  /** @param {string} clientId */
  has(clientId) {
    return this.items.has(clientId);
  }

  /**
   * The stored message for one of ours arrived (broadcast, ack or catch-up): it is sent.
   * @param {string} clientId @param {WireMessage} message
   */
  confirm(clientId, message) {
    const item = this.items.get(clientId);
    if (!item) return false;
    this.items.delete(clientId);
    this.deps.store?.removed(clientId);
    item.attempt = -1; // its own ack, if still to come, changes nothing
    this.deps.list.confirmLocal(item.li, message);
    return true;
  }

  /** @param {string} clientId */
  retry(clientId) {
    const item = this.items.get(clientId);
    if (!item || item.state !== "failed") return;
    item.state = "queued";
    item.autoRetries = 0;
    item.storageRetries = 0;
    this.show(item);
    this.pump();
    this.deps.onRetried();
  }

  /** The connection dropped: what was on its way waits for the next one. */
  disconnected() {
    for (const item of this.items.values()) {
      if (item.state === "sending") item.state = "queued";
      item.attempt = -1;
      if (item.state === "queued") this.show(item);
    }
    this.inFlight = null;
  }

  /** Forget everything (the reader left the room). */
  clear() {
    this.items.clear();
    this.deps.store?.cleared();
    this.inFlight = null;
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.resumeTimer = null;
  }

  /** Sends the next queued message when the room is joined and nothing else is on its way. */
  pump() {
    if (this.inFlight !== null || this.resumeTimer !== null || this.isMoving) return;
    // "Sending…" or "Waiting for connection…"; failed items keep their Retry button untouched.
    for (const item of this.items.values()) if (item.state === "queued") this.show(item);
    if (!this.deps.canSend()) return;
    const item = [...this.items.values()].find((i) => i.state === "queued");
    if (!item) return;
    item.state = "sending";
    const attempt = ++this.attempts;
    item.attempt = attempt;
    this.inFlight = attempt;
    const files = item.attachments.length > 0 ? { attachments: item.attachments.map((a) => a.id) } : {};
    const reply = item.replyTo ? { replyTo: item.replyTo.id } : {};
    this.deps.emit({ content: item.content, clientId: item.clientId, ...files, ...reply }, SEND_TIMEOUT_MS).then((res) => {
      if (this.inFlight !== attempt) return; // the connection dropped meanwhile: it goes again later
      this.inFlight = null;
      // Usually the broadcast of the message has confirmed it already; then the ack has nothing to add.
      if (item.attempt === attempt) this.settle(item, res);
      this.pump();
    });
  }

  /** @param {OutgoingItem} item @param {SendAck} res */
  settle(item, res) {
    if (res.ok) {
      this.confirm(item.clientId, res.message);
      return;
    }
    const { code, message, retryAfterMs } = res.error;
    if (code === "disconnected" || code === "shutting_down") {
      item.state = "queued"; // goes again after reconnecting
    } else if (code === "room_moved") {
      // Not stored anywhere: it waits here until the room's move hands it over, to go to the new address. The device
      // marks it held too, so a reload before the move comes does not send it to whatever this address is then.
      item.state = "queued";
      this.isMoving = true;
      this.deps.store?.held();
    } else if (code === "not_in_room") {
      item.state = "queued";
      this.deps.onNotInRoom();
    } else if (code === "rate_limited" && item.autoRetries < MAX_AUTO_RETRIES) {
      item.autoRetries++;
      this.retryLater(item, Math.max(retryAfterMs ?? 500, 100));
    } else if (code === "storage_unavailable" && item.storageRetries < MAX_STORAGE_RETRIES) {
      this.retryLater(item, STORAGE_RETRY_FIRST_MS * 2 ** item.storageRetries++);
    } else {
      item.state = "failed";
      item.error = message;
      this.deps.onFailed(item.content, message);
    }
    this.show(item);
  }

  /** Queues the item again and holds the whole queue (order is kept) for `delayMs`. @param {OutgoingItem} item @param {number} delayMs */
  retryLater(item, delayMs) {
    item.state = "queued";
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      this.pump();
    }, delayMs);
  }

  /** @param {OutgoingItem} item */
  show(item) {
    if (item.state === "failed") {
      this.deps.list.setLocalState(item.li, "failed", { error: item.error, onRetry: () => this.retry(item.clientId) });
    } else {
      this.deps.list.setLocalState(item.li, item.state === "sending" || this.deps.canSend() ? "sending" : "waiting");
    }
  }
}

/** What leaves the outbox of one item: its text, files, reply, and how far it got. @param {OutgoingItem} item @returns {CarriedItem} */
function carriedOf({ clientId, content, attachments, replyTo, state, error }) {
  return {
    clientId,
    content,
    attachments,
    ...(replyTo ? { replyTo } : {}),
    ...(state === "failed" ? { error } : {}),
    ...(state === "sending" ? { wasOnItsWay: /** @type {const} */ (true) } : {}),
  };
}
