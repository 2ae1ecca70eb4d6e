// What the page keeps on this device in IndexedDB (issue 23): the last messages of each public room (for the
// offline view, message-cache.js) and the messages written but not yet acknowledged (outbox-store.js). One
// database, opened once when first needed; every call settles, with null or nothing when IndexedDB is
// unavailable or fails (private mode, storage full, a policy): the page then keeps nothing, as before.

const DB_NAME = "messenger-room";
const DB_VERSION = 1;
export const MESSAGES = "messages";
export const OUTBOX = "outbox";

/** @type {Promise<IDBDatabase | null> | null} */
let opening = null;

/** @returns {Promise<IDBDatabase | null>} */
function open() {
  opening ??= new Promise((resolve) => {
    try {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(MESSAGES)) db.createObjectStore(MESSAGES, { keyPath: "room" });
        if (!db.objectStoreNames.contains(OUTBOX)) db.createObjectStore(OUTBOX, { keyPath: "clientId" }).createIndex("room", "room");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => resolve(null);
      req.onblocked = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
  return opening;
}

/**
 * Runs `fn` in one transaction and resolves with its request's result once the transaction committed.
 * @template T
 * @param {string} store @param {IDBTransactionMode} mode @param {(s: IDBObjectStore) => IDBRequest<T> | void} fn
 * @returns {Promise<T | null>}
 */
export async function inStore(store, mode, fn) {
  const db = await open();
  if (!db) return null;
  return new Promise((resolve) => {
    try {
      const tx = db.transaction(store, mode);
      const req = fn(tx.objectStore(store));
      tx.oncomplete = () => resolve(req ? req.result : null);
      tx.onerror = () => resolve(null);
      tx.onabort = () => resolve(null);
    } catch {
      resolve(null);
    }
  });
}

/** Whether this browser has IndexedDB at all. */
export function hasDeviceStore() {
  return typeof indexedDB !== "undefined";
}
