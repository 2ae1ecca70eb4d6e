// The outbox on the device (issue 23 §1): every message written and not yet acknowledged by the server is in
// IndexedDB, so it survives a reload, a closed tab and a browser restart, and is sent once, in order, with its
// clientId (the server stores a clientId once: chat.idempotency) when the connection is back.
//
// Two tabs of one room must neither show nor send a kept message twice. Each record names the tab that owns it,
// and each tab holds a Web Lock named for itself for as long as it lives (navigator.locks): a tab adopts only
// the records whose owner's lock nobody holds, and waits on the lock of an owner still alive to adopt its
// records when that tab goes. Web Locks rather than a BroadcastChannel because the browser itself releases a
// closed or crashed tab's locks: no heartbeats, no election, no record left owned by a tab that is gone.
// Adoption runs under one more lock, so two tabs loading at once cannot both take a record.
import { OUTBOX, hasDeviceStore, inStore } from "./device-store.js";
import { newClientId } from "./uuid.js";

const TAB_LOCK = "messenger-room:outbox-tab:";
const ADOPT_LOCK = "messenger-room:outbox-adopt";

/** @import { WireAttachment, WireQuote } from "../../src/protocol.js" */
/**
 * @typedef {{ clientId: string, room: string, sender: string, content: string, attachments: WireAttachment[], replyTo?: WireQuote,
 *   seq: number, owner: string, heldByMove?: true }} KeptMessage heldByMove: a send of the room was refused `room_moved`
 *   and the move had not reached the page (outbox.js)
 * @typedef {Pick<KeptMessage, "clientId" | "content" | "attachments" | "replyTo">} KeptItem
 * @typedef {{ saved(item: KeptItem): void, removed(clientId: string): void, cleared(): void, movedTo(room: string): void, held(): void }} RoomOutboxStore
 */

/**
 * @param {{ locks?: LockManager }} [env] navigator.locks, or nothing: then nothing is kept (a second tab could
 *   not be told apart, and a message shown twice is worse than one lost at a reload)
 */
export function createOutboxStore(env = { locks: typeof navigator === "undefined" ? undefined : navigator.locks }) {
  const locks = env.locks;
  const isOn = locks !== undefined && hasDeviceStore();
  const tab = newClientId();
  let seq = Date.now() * 1000;
  /** Owners whose lock this tab waits on, so it waits once each. @type {Set<string>} */
  const watched = new Set();
  /**
   * Owners whose lock this tab was granted: they are gone. While this tab holds such a lock, `locks.query()`
   * lists it as held, so without this the adoption it runs would take the owner for alive and skip its records.
   * @type {Set<string>}
   */
  const gone = new Set();
  /** Per room, who hands adopted records to the room's outbox. @type {Map<string, (kept: KeptMessage[]) => void>} */
  const takers = new Map();

  /** Held for the tab's whole life: its records are its own while it is open. */
  const alive = isOn
    ? new Promise((resolve) => void locks.request(TAB_LOCK + tab, () => new Promise(() => resolve(undefined))))
    : Promise.resolve(undefined);

  /** The records of `room` nobody living owns, now this tab's, oldest first. @param {string} room @returns {Promise<KeptMessage[]>} */
  async function adopt(room) {
    if (!locks) return [];
    await alive;
    return locks.request(ADOPT_LOCK, async () => {
      const held = new Set(((await locks.query()).held ?? []).map((l) => l.name));
      const all = /** @type {KeptMessage[] | null} */ (await inStore(OUTBOX, "readonly", (s) => s.index("room").getAll(room))) ?? [];
      /** @type {KeptMessage[]} */
      const mine = [];
      for (const r of all) {
        if (r.owner === tab) continue; // already shown here
        if (held.has(TAB_LOCK + r.owner) && !gone.has(r.owner)) watch(r.owner);
        else mine.push({ ...r, owner: tab });
      }
      await inStore(OUTBOX, "readwrite", (s) => {
        for (const r of mine) s.put(r);
      });
      return mine.sort((a, b) => a.seq - b.seq);
    });
  }

  /** Once `owner`'s tab closes, its records go to the rooms this tab is in. @param {string} owner */
  function watch(owner) {
    if (!locks || watched.has(owner)) return;
    watched.add(owner);
    void locks.request(TAB_LOCK + owner, async () => {
      gone.add(owner);
      for (const [room, take] of takers) take(await adopt(room));
    });
  }

  return {
    isOn,
    /**
     * The outbox of one room in this tab: `take` receives the kept messages this tab adopts (at once, and when
     * another tab that owned some closes); the returned store keeps what the outbox adds and drops.
     * @param {string} room @param {() => string} sender @param {(kept: KeptMessage[]) => void} take
     * @returns {RoomOutboxStore | undefined}
     */
    forRoom(room, sender, take) {
      if (!isOn) return undefined;
      takers.set(room, take);
      void adopt(room).then(take);
      return {
        saved(item) {
          /** @type {KeptMessage} */
          const row = { clientId: item.clientId, room, sender: sender(), content: item.content, attachments: item.attachments, ...(item.replyTo ? { replyTo: item.replyTo } : {}), seq: ++seq, owner: tab };
          void inStore(OUTBOX, "readwrite", (s) => s.put(row));
        },
        removed(clientId) {
          void inStore(OUTBOX, "readwrite", (s) => s.delete(clientId));
        },
        cleared() {
          takers.delete(room);
          void inStore(OUTBOX, "readwrite", (s) => {
            const req = s.index("room").getAll(room);
            req.onsuccess = () => {
              for (const r of /** @type {KeptMessage[]} */ (req.result)) if (r.owner === tab) s.delete(r.clientId);
            };
          });
        },
        // The room moved (room-exits.js): this tab's messages of it now belong to its new address, so a reload sends
        // them there, and never into whatever the old address is now (a fresh public room of the same name). Asked
        // before `cleared`: IndexedDB runs the two transactions in that order, so `cleared` finds none of them.
        movedTo(to) {
          void inStore(OUTBOX, "readwrite", (s) => {
            const req = s.index("room").getAll(room);
            req.onsuccess = () => {
              for (const r of /** @type {KeptMessage[]} */ (req.result)) if (r.owner === tab) s.put(followed(r, to));
            };
          });
        },
        // A send of the room was refused `room_moved` (outbox.js): this tab's messages of it wait for the move, and a
        // page that reloads before it comes must not send them to whatever the address is then.
        held() {
          void inStore(OUTBOX, "readwrite", (s) => {
            const req = s.index("room").getAll(room);
            req.onsuccess = () => {
              for (const r of /** @type {KeptMessage[]} */ (req.result)) if (r.owner === tab) s.put({ ...r, heldByMove: true });
            };
          });
        },
      };
    },
  };
}

/** @typedef {ReturnType<typeof createOutboxStore>} OutboxStore */

/** A kept message of a room that moved, now at its new address and held no more. @param {KeptMessage} r @param {string} to */
function followed(r, to) {
  const copy = { ...r, room: to };
  delete copy.heldByMove;
  return copy;
}
