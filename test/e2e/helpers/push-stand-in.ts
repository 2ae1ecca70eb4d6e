// The one stand-in of the push switch's browser test (issue 23): headless Chromium here has no network and no
// push service, so PushManager.subscribe cannot succeed for real. This init script replaces
// PushManager.prototype.subscribe and getSubscription and PushSubscription.prototype.unsubscribe in the page. The
// subscription it hands out is shaped like a real one (a PushSubscription by prototype, endpoint, expirationTime,
// options, getKey, toJSON) with the endpoint and keys the test made (a real P-256 pair and 16 auth bytes, so the
// server's pushes to it can be decrypted). As Chromium does, subscribe refuses without userVisibleOnly and while
// the registration has no active worker. It is kept in localStorage, so a reload reads it back as the browser's
// own would be; each page records the keys subscribe was called with and how often unsubscribe ran.
import type { BrowserContext, Page } from "playwright-core";

export interface StandInSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface StandInCalls {
  /** applicationServerKey of each subscribe call, base64url. */
  subscribeKeys: string[];
  unsubscribes: number;
}

declare global {
  interface Window {
    __pushStandIn: StandInCalls;
  }
}

export async function standInPushManager(context: BrowserContext, given: StandInSubscription): Promise<void> {
  await context.addInitScript((given: StandInSubscription) => {
    const STORE = "__pushStandInSubscription";
    const calls: StandInCalls = { subscribeKeys: [], unsubscribes: 0 };
    window.__pushStandIn = calls;
    const base64Url = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const bufferOf = (b64: string): ArrayBuffer => {
      const raw = atob(b64.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(b64.length / 4) * 4, "="));
      return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
    };
    const bytesOf = (key: BufferSource | string): Uint8Array =>
      typeof key === "string" ? new Uint8Array(bufferOf(key)) : key instanceof ArrayBuffer ? new Uint8Array(key) : new Uint8Array(key.buffer, key.byteOffset, key.byteLength);

    const make = (serverKey: string): PushSubscription => {
      const sub = Object.create(PushSubscription.prototype) as PushSubscription;
      const keys = { ...given.keys };
      Object.defineProperties(sub, {
        endpoint: { value: given.endpoint, enumerable: true },
        expirationTime: { value: null, enumerable: true },
        options: { value: { userVisibleOnly: true, applicationServerKey: bufferOf(serverKey) } },
        getKey: { value: (name: string) => (name === "p256dh" || name === "auth" ? bufferOf(keys[name]) : null) },
        toJSON: { value: () => ({ endpoint: given.endpoint, expirationTime: null, keys: { ...keys } }) },
      });
      return sub;
    };

    // Which registration a PushManager belongs to ([SameObject]), to refuse as Chromium does without an active worker.
    const owners = new WeakMap<PushManager, ServiceWorkerRegistration>();
    const getter = Object.getOwnPropertyDescriptor(ServiceWorkerRegistration.prototype, "pushManager")?.get;
    Object.defineProperty(ServiceWorkerRegistration.prototype, "pushManager", {
      configurable: true,
      get(this: ServiceWorkerRegistration) {
        const manager = getter?.call(this) as PushManager;
        owners.set(manager, this);
        return manager;
      },
    });

    PushManager.prototype.subscribe = async function (this: PushManager, options?: PushSubscriptionOptionsInit) {
      if (options?.userVisibleOnly !== true) throw new DOMException("Chrome only supports subscriptions that will result in user-visible messages.", "NotAllowedError");
      if (!owners.get(this)?.active) throw new DOMException("Subscription failed - no active Service Worker", "AbortError");
      const key = options.applicationServerKey;
      if (key === null || key === undefined) throw new DOMException("Subscription failed - missing applicationServerKey", "AbortError");
      const serverKey = base64Url(bytesOf(key));
      calls.subscribeKeys.push(serverKey);
      localStorage.setItem(STORE, serverKey);
      return make(serverKey);
    };
    PushManager.prototype.getSubscription = async function () {
      const serverKey = localStorage.getItem(STORE);
      return serverKey === null ? null : make(serverKey);
    };
    PushSubscription.prototype.unsubscribe = async function () {
      calls.unsubscribes++;
      localStorage.removeItem(STORE);
      return true;
    };
  }, given);
}

export const standInCalls = (page: Page): Promise<StandInCalls> => page.evaluate(() => window.__pushStandIn);
