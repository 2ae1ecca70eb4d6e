// The service worker (issue 23), served at /sw.js (scope /) by src/http/app-shell.ts with `SHELL` (the build's
// version and its shell files) written above this code. It precaches the shell per version, answers shell
// files from that version's cache only (a page never runs two versions' modules), tries the network first for
// pages and falls back to the cached page offline, and shows Web Push notifications. Nothing else is ever put
// in a cache: no API answer, no file, nothing of a private room.

/** `self` as what it is here (lib.webworker types it as a plain worker). */
const worker = /** @type {ServiceWorkerGlobalScope & typeof globalThis} */ (/** @type {unknown} */ (self));
const CACHE_PREFIX = "messenger-room-shell-";
const CACHE = `${CACHE_PREFIX}${SHELL.version}`;
const SHELL_FILES = new Set(SHELL.files);
/** The cached page the worker falls back to offline (the chat page; the router reads the address). */
const SHELL_PAGE = "/";
/** Pages the offline fallback stands in for: home and rooms. Invites, moderation and the rest need the server. */
const OFFLINE_PAGES = /^\/(?:r\/[^/]+\/?)?$/;
/**
 * Pages loaded from the network while this worker is of another version (a deploy between this worker's install
 * and the page's load): their files come from the network too, not from this version's cache.
 * @type {Set<string>}
 */
const otherVersionPages = new Set();

worker.addEventListener("install", (event) => {
  // cache: "reload": the shell as the server has it now, never what the HTTP cache kept from an older version.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.files.map((url) => new Request(url, { cache: "reload" })))));
  // No skipWaiting here: an update waits until a page's "Reload" asks (a first install activates at once anyway).
});

worker.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith(CACHE_PREFIX) && key !== CACHE) await caches.delete(key);
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener("message", (event) => {
  const data = /** @type {unknown} */ (event.data);
  if (typeof data === "object" && data !== null && "type" in data && data.type === "skip-waiting") void worker.skipWaiting();
});

worker.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (OFFLINE_PAGES.test(url.pathname)) event.respondWith(page(event));
    return;
  }
  if (otherVersionPages.has(event.clientId)) return;
  // Anything but a shell file (the API, Socket.IO, files, the emoji list...) is the browser's own business.
  if (url.search === "" && SHELL_FILES.has(url.pathname)) event.respondWith(shellFile(request));
});

/** A page: the network's, or offline the cached chat page. @param {FetchEvent} event */
async function page(event) {
  try {
    const response = await fetch(event.request);
    const version = response.headers.get("x-app-version");
    if (version !== null && version !== SHELL.version && event.resultingClientId) otherVersionPages.add(event.resultingClientId);
    return response;
  } catch (err) {
    const cached = await caches.open(CACHE).then((cache) => cache.match(SHELL_PAGE));
    if (cached) return cached;
    throw err;
  }
}

/** A shell file from this version's cache (the network when it is missing, as after a cache was cleared). @param {Request} request */
async function shellFile(request) {
  const cached = await caches.open(CACHE).then((cache) => cache.match(request));
  return cached ?? fetch(request);
}

// ---------- Web Push (issue 23 §2) ----------

/**
 * @typedef {{ room: string, id: number, quoted: number, title: string, body: string, tag: string, url: string }} PushNote
 */

/** The push's JSON, or what can still be shown of a malformed one. @param {PushMessageData | null} data @returns {PushNote} */
function readPush(data) {
  /** @type {Record<string, unknown>} */
  let raw = {};
  try {
    const parsed = /** @type {unknown} */ (data?.json());
    if (typeof parsed === "object" && parsed !== null) raw = /** @type {Record<string, unknown>} */ (parsed);
  } catch {
    // not JSON: a generic note still tells the person something arrived
  }
  const room = typeof raw.room === "string" ? raw.room : "";
  const id = typeof raw.id === "number" && Number.isSafeInteger(raw.id) ? raw.id : 0;
  return {
    room,
    id,
    quoted: typeof raw.quoted === "number" && Number.isSafeInteger(raw.quoted) ? raw.quoted : id,
    title: typeof raw.title === "string" && raw.title !== "" ? raw.title : "Messenger Room",
    body: typeof raw.body === "string" ? raw.body : "New message",
    tag: typeof raw.tag === "string" && raw.tag !== "" ? raw.tag : `messenger-room:${room}`,
    url: targetUrl(raw.url, room, id),
  };
}

/**
 * Where a notification leads: the payload's address when it is this origin's, else the room at the message
 * (/r/<room>?m=<id>, as a permalink), else the home page.
 * @param {unknown} url @param {string} room @param {number} id
 */
function targetUrl(url, room, id) {
  if (typeof url === "string") {
    try {
      const u = new URL(url, self.location.origin);
      if (u.origin === self.location.origin) return u.href;
    } catch {
      // not a URL: built from the room below
    }
  }
  if (room === "") return new URL("/", self.location.origin).href;
  return new URL(`/r/${encodeURIComponent(room)}${id > 0 ? `?m=${id}` : ""}`, self.location.origin).href;
}

worker.addEventListener("push", (event) => {
  const takeBack = readTakeBack(event.data);
  if (takeBack !== null) {
    event.waitUntil(takeBackNotification(takeBack));
    return;
  }
  const note = readPush(event.data);
  event.waitUntil(
    worker.registration.showNotification(note.title, {
      body: note.body,
      tag: note.tag,
      icon: "/icons/icon-192.png",
      // quoted: the message whose text the body shows, which a take-back names.
      data: { url: note.url, room: note.room, id: note.id, quoted: note.quoted },
    }),
  );
});

/**
 * @typedef {{ room: string, id: number, tag: string, reason: "deleted" | "edited" | "no_access" }} TakeBack
 */

/** The words a take-back leaves behind: the worker's own, never the payload's (a take-back carries no text). */
const TAKEN_BACK = { deleted: "Message deleted", edited: "Message edited", no_access: "Message no longer available" };

/** A take-back push (src/push/take-back.ts), or null for anything else. @param {PushMessageData | null} data @returns {TakeBack | null} */
function readTakeBack(data) {
  let raw;
  try {
    raw = /** @type {unknown} */ (data?.json());
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null || !("type" in raw) || raw.type !== "take_back") return null;
  const r = /** @type {Record<string, unknown>} */ (raw);
  if (typeof r.room !== "string" || r.room === "" || typeof r.id !== "number" || !Number.isSafeInteger(r.id) || r.id <= 0) return null;
  const reason = r.reason === "edited" || r.reason === "no_access" ? r.reason : "deleted";
  return { room: r.room, id: r.id, tag: `messenger-room:${r.room}`, reason };
}

/** Whether a shown notification quotes the take-back's message in its room (data.id for one shown before `quoted` existed). @param {Notification} n @param {TakeBack} t */
function quotes(n, t) {
  const data = /** @type {unknown} */ (n.data);
  if (typeof data !== "object" || data === null) return false;
  const d = /** @type {Record<string, unknown>} */ (data);
  const quoted = typeof d.quoted === "number" ? d.quoted : d.id;
  return d.room === t.room && quoted === t.id;
}

/**
 * Takes back the room's notification when it quotes the message, and never leaves the push without a notification
 * of the site on screen, which Chrome answers (once the site's silent-push budget is spent) with its own "This
 * site has been updated in the background" (docs/push.md, "Taking a notification back"): another notification
 * of the site still shown is enough, so it is only closed; the last one is replaced, same tag and silent, by a
 * textless one saying what happened. A take-back that matches nothing (the person closed it already, or a newer
 * message replaced it) shows nothing: the tag comes from the room the payload names, the match from its id, so
 * a take-back can never touch another room's or another message's notification.
 * Named, so a test can run it in the worker. @param {TakeBack} t
 * @returns {Promise<"closed" | "replaced" | "none">}
 */
async function takeBackNotification(t) {
  const mine = (await worker.registration.getNotifications({ tag: t.tag })).filter((n) => quotes(n, t));
  if (mine.length === 0) return "none";
  for (const n of mine) n.close();
  // Another room's notification stays on screen: that is enough for Chrome, nothing needs to stand in.
  if ((await worker.registration.getNotifications()).some((n) => n.tag !== t.tag)) return "closed";
  await worker.registration.showNotification("Messenger Room", {
    body: TAKEN_BACK[t.reason],
    tag: t.tag,
    silent: true,
    icon: "/icons/icon-192.png",
    data: { url: targetUrl(undefined, t.room, 0), room: t.room, id: 0, quoted: 0 },
  });
  return "replaced";
}

/**
 * A notification clicked: an open page of this origin is brought forward and told to open the room at the
 * message (it knows how: rooms.openRoom, or the address when it is not in that room); without one, a new
 * window opens at the message's address. Named, so a test can run it with a notification of its own.
 * @param {{ url?: unknown, room?: unknown, id?: unknown }} data the notification's data
 * @returns {Promise<"told-page" | "opened-window" | "nothing">}
 */
async function openNotificationTarget(data) {
  const room = typeof data.room === "string" ? data.room : "";
  const id = typeof data.id === "number" ? data.id : 0;
  const url = targetUrl(data.url, room, id);
  const pages = await worker.clients.matchAll({ type: "window", includeUncontrolled: true });
  const open = pages.find((c) => new URL(c.url).origin === self.location.origin);
  if (open) {
    // focus() needs the click's user activation; without it (a test's synthetic event) it throws, and the page is still told.
    await open.focus().catch(() => undefined);
    open.postMessage({ type: "open-message", room, id, url });
    return "told-page";
  }
  const opened = await worker.clients.openWindow(url).catch(() => null);
  return opened ? "opened-window" : "nothing";
}

worker.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = /** @type {unknown} */ (event.notification.data);
  event.waitUntil(openNotificationTarget(typeof data === "object" && data !== null ? data : {}));
});
