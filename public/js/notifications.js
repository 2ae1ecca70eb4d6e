// Desktop notifications (issue 13 §3): which messages deserve one (pure rules below), at most one per room
// per interval with the rest summed up, the per-room level kept in localStorage, and the header's bell that
// asks for the browser's permission, only when clicked. The browser parts (Notification, storage, timers,
// the bell) are thin and come in through createNotifier's arguments, so tests can pass fakes.
import { nameKey } from "./format.js";
import { mentionsMe } from "./mentions.js";
import { messageSummary } from "./file-info.js";
import { shownText } from "./link-text.js";
/** @import { MessageUpdatedEvent, WireMessage } from "../../src/protocol.js" */

/** @typedef {"all" | "mentions" | "none"} Level */
/** @typedef {"live" | "catchup" | "history"} Source */
/** @typedef {NotificationPermission | "unsupported"} Permission */
/** @typedef {{ room: string, id: number, title: string, body: string, tag: string }} Note */
/** @typedef {{ id: number, sender: string, content: string, isMention: boolean }} Item */
/**
 * How a notification names its room (issue 17): `#` and a room's name (a private room's title, never its
 * address), or the other person's name for a direct conversation.
 * @typedef {{ title: string, isDirect: boolean }} Place
 */
/** @param {string} room @returns {Place} */
const byAddress = (room) => ({ title: room, isDirect: false });

/** @type {readonly Level[]} */
export const LEVELS = ["mentions", "all", "none"];
export const DEFAULT_LEVEL = "mentions";
export const DEFAULT_INTERVAL_MS = 10_000;
/** How much of a message a notification shows; the OS cuts long bodies anyway, differently per platform. */
const EXCERPT_CHARS = 100;
const LEVEL_KEY = "messenger-room:notify-level:";
/** The bell's own off switch (the browser's permission cannot be taken back by the page). */
const PAUSED_KEY = "messenger-room:notify-paused";

// ---------- the rules (pure) ----------

/** A stored level, or the default for anything else (missing, garbage, an older version's value). @param {unknown} raw @returns {Level} */
export function toLevel(raw) {
  return LEVELS.find((l) => l === raw) ?? DEFAULT_LEVEL;
}

/**
 * Whether a message asks for a notification, and why.
 * @param {{ permission: Permission, isPaused: boolean, isHidden: boolean, source: string, isOwn: boolean, isMention: boolean, level: Level }} f
 * @returns {"mention" | "message" | null}
 */
export function noticeKind(f) {
  // Only news: history replayed on join and catch-up after a reconnect were there before the reader came back.
  if (f.permission !== "granted" || f.isPaused || !f.isHidden || f.source !== "live" || f.isOwn) return null;
  if (f.level === "none") return null;
  if (f.isMention) return "mention";
  return f.level === "all" ? "message" : null;
}

/**
 * At most one notification per room per `intervalMs`. A message inside the interval is held; when the
 * interval ends the held ones are shown as one summary (due), or summed into the next message if that
 * comes first (a hidden tab's timers can run late). The clock is passed in, so tests move time.
 * @param {number} intervalMs
 * @param {(room: string) => Place} [placeOf] how each room is named
 */
export function createThrottle(intervalMs, placeOf = byAddress) {
  /** quotedId: the message whose text the room's last note shows (a summary shows its newest). */
  /** @type {Map<string, { shownAt: number, held: Item[], quotedId: number | null }>} */
  const rooms = new Map();

  return {
    /**
     * @param {string} room @param {Item} item @param {number} nowMs
     * @returns {{ note: Note | null, dueAt: number | null }} the note to show now, or when to call due()
     */
    offer(room, item, nowMs) {
      const gate = rooms.get(room);
      if (gate && nowMs - gate.shownAt < intervalMs) {
        gate.held.push(item);
        return { note: null, dueAt: gate.shownAt + intervalMs };
      }
      const note = noteFor(room, [...(gate?.held ?? []), item], placeOf(room));
      rooms.set(room, { shownAt: nowMs, held: [], quotedId: item.id });
      return { note, dueAt: null };
    },
    /**
     * The interval ended: the held messages as one note (null when none are held, or when it is early).
     * @param {string} room @param {number} nowMs
     */
    due(room, nowMs) {
      const gate = rooms.get(room);
      if (!gate || gate.held.length === 0 || nowMs - gate.shownAt < intervalMs) return null;
      const note = noteFor(room, gate.held, placeOf(room));
      rooms.set(room, { shownAt: nowMs, held: [], quotedId: gate.held.at(-1)?.id ?? null });
      return note;
    },
    /**
     * A message was deleted: it is no longer held for the next summary (neither counted nor quoted).
     * @param {string} room @param {number} id
     * @returns {boolean} whether the room's last note quotes its text
     */
    forget(room, id) {
      const gate = rooms.get(room);
      if (!gate) return false;
      gate.held = gate.held.filter((i) => i.id !== id);
      if (gate.quotedId !== id) return false;
      gate.quotedId = null;
      return true;
    },
    /** Forgets what is held (the reader is looking at the page now). */
    dropHeld() {
      for (const gate of rooms.values()) gate.held = [];
    },
  };
}

/**
 * One message: its sender and text. Several: how many (and how many mention the reader), then the newest.
 * Opening it goes to the first of them, so the reader reads on from there.
 * @param {string} room @param {Item[]} items at least one @param {Place} [place] how the room is named
 * @returns {Note}
 */
export function noteFor(room, items, place = byAddress(room)) {
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) throw new Error("noteFor needs at least one message");
  const latest = `${last.sender}: ${excerpt(last.content)}`;
  const body = items.length === 1 ? latest : `${countText(room, items, place)}\n${latest}`;
  return { room, id: first.id, title: place.isDirect ? place.title : `#${place.title}`, body, tag: `messenger-room:${room}` };
}

/**
 * "3 new messages in #room", "2 mentions in #room", "4 new messages in #room, 1 mentioning you"; in a direct
 * conversation (every message is for the reader) "2 new messages from Ana".
 * @param {string} room @param {Item[]} items @param {Place} [place]
 */
export function countText(room, items, place = byAddress(room)) {
  const mentions = items.filter((i) => i.isMention).length;
  const n = items.length;
  if (place.isDirect) return `${n} new ${n === 1 ? "message" : "messages"} from ${place.title}`;
  if (mentions === n) return `${n} ${n === 1 ? "mention" : "mentions"} in #${place.title}`;
  const messages = `${n} new ${n === 1 ? "message" : "messages"} in #${place.title}`;
  return mentions === 0 ? messages : `${messages}, ${mentions} mentioning you`;
}

/**
 * The start of a message on one line, cut at a code point (never inside an emoji). A URL's host reads as its link's
 * would (link-text.js): a notification is text, but "https://аpple.com" there would still pass for Apple.
 * @param {string} text
 */
export function excerpt(text) {
  const chars = [...shownText(text).replace(/\s+/g, " ").trim()];
  return chars.length <= EXCERPT_CHARS ? chars.join("") : `${chars.slice(0, EXCERPT_CHARS).join("").trimEnd()}…`;
}

/** The page's interval from <body data-notify-interval-ms> (NOTIFY_INTERVAL_MS on the server). @param {HTMLElement} body */
export function readIntervalMs(body) {
  const raw = body.dataset.notifyIntervalMs;
  const ms = raw === undefined || raw === "" ? NaN : Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_INTERVAL_MS;
}

// ---------- the browser side ----------

/**
 * @param {{
 *   win: Window,
 *   doc: Document,
 *   bell: HTMLButtonElement | null,
 *   now?: () => number,
 *   onOpen: (room: string, id: number) => void,
 *   placeOf?: (room: string) => Place,
 * }} deps
 */
export function createNotifier({ win, doc, bell, now = () => Date.now(), onOpen, placeOf = byAddress }) {
  // Absent in some browsers (and in older WebViews): then the bell stays hidden and nothing is shown.
  const Notify = /** @type {{ Notification?: typeof Notification }} */ (/** @type {unknown} */ (win)).Notification ?? null;
  const throttle = createThrottle(readIntervalMs(doc.body), placeOf);
  /** @type {Map<string, ReturnType<typeof setTimeout>>} */
  const timers = new Map();
  /** @type {((room: string, level: Level) => void)[]} */
  const levelListeners = [];
  /** Each room's notification this page showed and still holds (the OS shows one per room: they share a tag). */
  /** @type {Map<string, Notification>} */
  const onScreen = new Map();

  const permission = () => /** @type {Permission} */ (Notify ? Notify.permission : "unsupported");
  const isPaused = () => read(PAUSED_KEY) === "1";

  /** @param {string} key */
  function read(key) {
    try {
      return win.localStorage.getItem(key);
    } catch {
      return null; // storage off (private mode, policy): defaults apply
    }
  }

  /** @param {string} key @param {string | null} value */
  function write(key, value) {
    try {
      if (value === null) win.localStorage.removeItem(key);
      else win.localStorage.setItem(key, value);
    } catch {
      // storage off: the choice is not kept, and the default applies
    }
  }

  /** @param {string} room @returns {Level} */
  function level(room) {
    return toLevel(read(LEVEL_KEY + room));
  }

  /** @param {string} room @param {Level} next */
  function setLevel(room, next) {
    const value = toLevel(next);
    write(LEVEL_KEY + room, value === DEFAULT_LEVEL ? null : value);
    for (const fn of levelListeners) fn(room, value);
  }

  /**
   * Every message of every joined room passes here; only live news for a hidden page may notify.
   * @param {string} room @param {WireMessage} msg
   * @param {{ source: Source, me: string, isCurrent?: boolean }} ctx isCurrent plays no part: a hidden page hides every room
   */
  function onRoomMessage(room, msg, ctx) {
    if (!msg || typeof msg.id !== "number" || typeof msg.content !== "string") return;
    // In a direct conversation every message is for the reader: it notifies as a mention does.
    const isMention = placeOf(room).isDirect || mentionsMe(msg, ctx.me);
    const kind = noticeKind({
      permission: permission(),
      isPaused: isPaused(),
      isHidden: doc.hidden,
      source: ctx.source,
      isOwn: nameKey(String(msg.sender)) === nameKey(ctx.me),
      isMention,
      level: level(room),
    });
    if (kind === null) return;
    const { note, dueAt } = throttle.offer(room, { id: msg.id, sender: String(msg.sender), content: messageSummary(msg), isMention }, now());
    if (note) show(note);
    if (dueAt !== null) scheduleDue(room, dueAt);
  }

  /**
   * An edit or deletion in any joined room. A deleted message's text must not stay on screen in a notification
   * nor come in the next summary: the notification quoting it is closed, and it is dropped from the held ones.
   * An edit changes nothing here: a notification already shown is past news, and alerting again for a
   * corrected typo would be noise.
   * @param {string} room @param {MessageUpdatedEvent} ev
   */
  function onRoomUpdate(room, ev) {
    if (!ev || typeof ev.id !== "number" || typeof ev.deletedAt !== "string") return;
    if (!throttle.forget(room, ev.id)) return;
    onScreen.get(room)?.close();
    onScreen.delete(room);
  }

  /** @param {string} room @param {number} dueAt */
  function scheduleDue(room, dueAt) {
    if (timers.has(room)) return;
    const timer = win.setTimeout(() => {
      timers.delete(room);
      // The reader may have come back, muted the room or paused the bell meanwhile.
      if (!doc.hidden || permission() !== "granted" || isPaused() || level(room) === "none") return;
      const note = throttle.due(room, now());
      if (note) show(note);
    }, Math.max(0, dueAt - now()));
    timers.set(room, timer);
  }

  /** @param {Note} note */
  function show(note) {
    if (!Notify) return;
    // Same tag: the OS replaces the room's previous notification instead of stacking; renotify (Chromium)
    // alerts again for the replacement rather than updating it silently.
    const options = /** @type {NotificationOptions} */ ({ body: note.body, tag: note.tag, renotify: true });
    let shown;
    try {
      shown = new Notify(note.title, options);
    } catch {
      return; // Chrome on Android allows notifications only from a service worker: this page shows none there
    }
    onScreen.set(note.room, shown);
    shown.onclose = () => {
      if (onScreen.get(note.room) === shown) onScreen.delete(note.room);
    };
    // Not cancelled: the browser's own default is to bring the tab forward; focus() asks for the window too.
    shown.onclick = () => {
      win.focus();
      shown.close();
      onOpen(note.room, note.id);
    };
  }

  doc.addEventListener("visibilitychange", () => {
    if (doc.hidden) return;
    // Back on the page: what was held is on screen now, so no summary follows.
    throttle.dropHeld();
    for (const t of timers.values()) win.clearTimeout(t);
    timers.clear();
    renderBell(); // the permission may have been changed in the browser's settings meanwhile
  });
  // Another tab of this browser changed a room's level: controls showing that room follow.
  win.addEventListener("storage", (ev) => {
    if (ev.key === null || !ev.key.startsWith(LEVEL_KEY)) return;
    const room = ev.key.slice(LEVEL_KEY.length);
    for (const fn of levelListeners) fn(room, toLevel(ev.newValue));
  });

  // ---------- the bell ----------

  const bellNote = bell ? doc.getElementById(bell.getAttribute("aria-controls") ?? "") : null;
  const bellLabel = bell?.querySelector(".notify-bell__label") ?? null;

  function renderBell() {
    if (!bell) return;
    const p = permission();
    bell.hidden = p === "unsupported";
    bell.dataset.permission = p;
    if (p === "granted") {
      setBellText("Notifications");
      bell.setAttribute("aria-pressed", String(!isPaused()));
      bell.title = isPaused() ? "Notifications are paused in this browser; click to turn them on" : "Notifications are on; click to pause them in this browser";
    } else {
      setBellText(p === "denied" ? "Notifications blocked" : "Enable notifications");
      bell.removeAttribute("aria-pressed");
      bell.removeAttribute("title");
    }
    // The note describes the bell only while it applies: a screen reader hears it on focus, shown or not.
    if (p === "denied" && bellNote) {
      bell.setAttribute("aria-expanded", String(!bellNote.hidden));
      bell.setAttribute("aria-describedby", bellNote.id);
    } else {
      bell.removeAttribute("aria-expanded");
      bell.removeAttribute("aria-describedby");
      if (bellNote) bellNote.hidden = true;
    }
  }

  /** @param {string} text */
  function setBellText(text) {
    if (bellLabel) bellLabel.textContent = text;
    else if (bell) bell.textContent = text;
  }

  async function onBellClick() {
    if (!Notify || !bell) return;
    // What the bell shows decides what a click does, even if the permission changed since it was drawn.
    const p = bell.dataset.permission;
    if (p === "default") {
      // The only place the page asks: a click on the bell, never on load (browsers penalise sites that ask unprompted).
      await Notify.requestPermission();
      if (permission() === "granted") write(PAUSED_KEY, null);
    } else if (p === "granted") {
      write(PAUSED_KEY, isPaused() ? null : "1");
    } else if (bellNote) {
      bellNote.hidden = !bellNote.hidden;
    }
    renderBell();
  }

  if (bell) {
    // Changed in the browser's site settings while the page is open (where the browser tells the page).
    win.navigator?.permissions
      ?.query({ name: "notifications" })
      .then((status) => status.addEventListener("change", renderBell))
      .catch(() => {});
    bell.addEventListener("click", () => void onBellClick());
    bell.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && bellNote && !bellNote.hidden) {
        bellNote.hidden = true;
        renderBell();
      }
    });
    renderBell();
  }

  return {
    onRoomMessage,
    onRoomUpdate,
    level,
    setLevel,
    /** @param {(room: string, level: Level) => void} fn */
    onLevelChange(fn) {
      levelListeners.push(fn);
    },
  };
}

/** @typedef {ReturnType<typeof createNotifier>} Notifier */
