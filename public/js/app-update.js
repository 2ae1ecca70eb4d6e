// The service worker from the page's side (issue 23): registers /sw.js, looks for a new version when the
// connection comes back (a deploy restarts the server) and when the page is shown again, and when one is
// installed while this page is open says so: "A new version is ready — Reload". Reload asks the waiting worker
// to take over; every open page reloads when it does (controllerchange), so none keeps running the old version
// against the new files. It also passes on what the worker asks of the page (a notification clicked).

/** Resolves once the window's load event has fired (at once when it has). @param {Window} win @returns {Promise<void>} */
function afterLoad(win) {
  if (win.document.readyState === "complete") return Promise.resolve();
  return new Promise((resolve) => win.addEventListener("load", () => resolve(), { once: true }));
}

/**
 * @param {{
 *   win: Window,
 *   banner: HTMLElement,
 *   reload: HTMLButtonElement,
 *   onOpenMessage: (room: string, id: number, url: string) => void,
 * }} deps
 * @returns {{ checkForUpdate(): void, registration: () => Promise<ServiceWorkerRegistration | null> }}
 */
export function startServiceWorker({ win, banner, reload, onOpenMessage }) {
  const container = win.navigator.serviceWorker;
  if (!container) return { checkForUpdate: () => {}, registration: async () => null };
  // A first install takes control of this page too (clients.claim): that is not a new version to reload for.
  const hadController = container.controller !== null;
  let isReloading = false;
  /** @type {ServiceWorker | null} */
  let waiting = null;

  // Once the page has loaded: a first install fetches the whole shell, which must not compete with the page's own first load.
  const registered = afterLoad(win)
    .then(() => container.register("/sw.js", { scope: "/", updateViaCache: "none" }))
    .catch(() => null);

  /** @param {ServiceWorker} worker */
  function offer(worker) {
    waiting = worker;
    banner.hidden = false;
  }

  void registered.then((reg) => {
    if (!reg) return;
    if (reg.waiting && container.controller) offer(reg.waiting);
    reg.addEventListener("updatefound", () => {
      const worker = reg.installing;
      worker?.addEventListener("statechange", () => {
        if (worker.state === "installed" && container.controller) offer(worker);
      });
    });
  });

  reload.addEventListener("click", () => {
    reload.disabled = true;
    if (waiting) waiting.postMessage({ type: "skip-waiting" });
    else win.location.reload();
  });

  container.addEventListener("controllerchange", () => {
    if (!hadController || isReloading) return;
    isReloading = true;
    win.location.reload();
  });

  container.addEventListener("message", (ev) => {
    const data = /** @type {unknown} */ (ev.data);
    if (typeof data !== "object" || data === null) return;
    const m = /** @type {Record<string, unknown>} */ (data);
    if (m.type === "open-message" && typeof m.room === "string" && typeof m.id === "number" && typeof m.url === "string") onOpenMessage(m.room, m.id, m.url);
  });

  function checkForUpdate() {
    void registered.then((reg) => reg?.update().catch(() => undefined));
  }
  win.document.addEventListener("visibilitychange", () => {
    if (!win.document.hidden) checkForUpdate();
  });

  // The registration as soon as the browser has one: an earlier visit's at once, since register() resolves only
  // after its update check (seconds in Chromium, while the push switch would read "off"); a first visit's once registered.
  const registration = () => container.getRegistration("/").then((reg) => reg ?? registered, () => registered);

  return { checkForUpdate, registration };
}
