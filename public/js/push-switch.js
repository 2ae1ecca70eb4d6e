// Web Push from the page's side (issue 23 §2): the bell's "Also when the page is closed" switch. On, it
// subscribes the service worker (PushManager.subscribe with the server's public key) and gives the subscription
// to the server with this browser's level for each room; off, it unsubscribes and asks the server to delete it.
// A room's level changed in the Notify select goes to the server too. Whether it is on is read back from the
// browser (pushManager.getSubscription) on every load. Shown only where it can work: a service worker, the
// Push API, notifications allowed, and a server with a key (data-vapid-public-key; empty means push is off).
// A failure is said in the switch's status and handed to onProblem first: on a phone the switch sits in a folded
// panel (push-disclosure.js), which opens so the reason is seen and heard rather than kept out of sight.

/** @import { Level } from "./notifications.js" */

/** The key as the server gives it (base64url) as bytes, as PushManager.subscribe takes it. @param {string} key */
export function keyBytes(key) {
  const base64 = key.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(key.length / 4) * 4, "=");
  const raw = atob(base64);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** What the server said went wrong, in words. @param {Response} res */
async function failureOf(res) {
  try {
    const body = /** @type {unknown} */ (await res.json());
    if (typeof body === "object" && body !== null && "error" in body) {
      const e = /** @type {{ error?: { message?: unknown } }} */ (body).error;
      if (typeof e?.message === "string" && e.message !== "") return e.message;
    }
  } catch {
    // not JSON: the status says enough
  }
  return `The server refused it (HTTP ${res.status}).`;
}

/** @param {string} method @param {string} path @param {unknown} body */
function send(method, path, body) {
  return fetch(path, { method, credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

/**
 * @param {{
 *   win: Window,
 *   field: HTMLElement,
 *   toggle: HTMLInputElement,
 *   status: HTMLElement,
 *   publicKey: string,
 *   registration: () => Promise<ServiceWorkerRegistration | null>,
 *   levels: () => Record<string, Level>,
 *   levelSelect: HTMLSelectElement,
 *   currentRoom: () => string | null,
 *   onProblem?: (show: () => void) => void,
 * }} deps
 */
export function createPushSwitch({ win, field, toggle, status, publicKey, registration, levels, levelSelect, currentRoom, onProblem = (show) => show() }) {
  const isSupported = publicKey !== "" && "serviceWorker" in win.navigator && "PushManager" in win && typeof Notification !== "undefined";
  let isBusy = false;

  /** @returns {Promise<PushSubscription | null>} */
  async function subscription() {
    const reg = await registration();
    return reg ? reg.pushManager.getSubscription().catch(() => null) : null;
  }

  /** Shown while notifications are allowed; checked when this browser has a subscription. */
  async function render() {
    const isAllowed = isSupported && Notification.permission === "granted";
    field.hidden = !isAllowed;
    if (!isAllowed || isBusy) return;
    toggle.checked = (await subscription()) !== null;
  }

  /** @param {string} text */
  function say(text) {
    status.textContent = text;
  }

  /** Why it did not work: onProblem makes it seen, then (once) puts it in the status. @param {string} text */
  function sayProblem(text) {
    onProblem(() => say(text));
  }

  async function turnOn() {
    const reg = await registration();
    if (!reg) throw new Error("This browser did not start the page's service worker, which notifications with the page closed need.");
    // The browser refuses to subscribe before the worker is active: a first visit installs it after the page loaded.
    const active = reg.active ? reg : await win.navigator.serviceWorker.ready;
    /** @type {PushSubscription} */
    let sub;
    try {
      sub = await active.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
    } catch (err) {
      throw new Error(`The browser could not subscribe to its push service: ${err instanceof Error ? err.message : String(err)}`);
    }
    const res = await send("POST", "/api/push/subscription", { subscription: sub.toJSON(), levels: levels() });
    if (!res.ok) {
      await sub.unsubscribe().catch(() => false);
      throw new Error(await failureOf(res));
    }
    say("Notifications will arrive even when the page is closed.");
  }

  async function turnOff() {
    const sub = await subscription();
    if (sub) {
      const endpoint = sub.endpoint;
      await sub.unsubscribe().catch(() => false);
      const res = await send("DELETE", "/api/push/subscription", { endpoint });
      if (!res.ok && res.status !== 404) throw new Error(await failureOf(res));
    }
    say("Notifications now arrive only while the page is open.");
  }

  toggle.addEventListener("change", async () => {
    const wantsOn = toggle.checked;
    // Disabling the focused switch drops its focus to the page: it is given back when done.
    const hadFocus = win.document.activeElement === toggle;
    isBusy = true;
    toggle.disabled = true;
    say(wantsOn ? "Turning on…" : "Turning off…");
    try {
      if (wantsOn) await turnOn();
      else await turnOff();
    } catch (err) {
      sayProblem(err instanceof Error ? err.message : "That did not work; try again.");
    } finally {
      isBusy = false;
      toggle.disabled = false;
      const focused = win.document.activeElement;
      if (hadFocus && (focused === null || focused === win.document.body)) toggle.focus();
      await render();
    }
  });

  // The room's level, as the server needs it to decide which pushes to send.
  levelSelect.addEventListener("change", async () => {
    const room = currentRoom();
    if (room === null || !toggle.checked) return;
    const res = await send("PUT", "/api/push/levels", { room, level: levelSelect.value }).catch(() => null);
    if (res && !res.ok) sayProblem(await failureOf(res));
  });

  if (isSupported) {
    win.navigator.permissions
      ?.query({ name: "notifications" })
      .then((p) => p.addEventListener("change", () => void render()))
      .catch(() => {});
  }
  void render();
  return { render: () => void render() };
}
