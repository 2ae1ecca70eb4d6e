// Over HTTPS the session cookie is `__Host-mr_session` (Secure, Path=/, no Domain), which neither a sibling
// subdomain nor a plain-HTTP page can set; over plain HTTP it keeps its name. A browser still holding the plain-named
// cookie from before keeps its session: the first page over HTTPS moves it to the `__Host-` name, as it is.
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { signSession, verifySession } from "../src/http/session.js";
import { startTestApp, type TestApp } from "./helpers/app.js";
import { sessionCookieFrom } from "./helpers/session-cookie.js";

const TOKEN = "moderator-token-0123456789";
const HOST_COOKIE = "__Host-mr_session";

async function httpsApp(env: Record<string, string> = {}): Promise<TestApp> {
  // TRUST_PROXY: the server believes X-Forwarded-Proto from the (loopback) proxy, as behind nginx with TLS.
  const app = await startTestApp({ env: { TRUST_PROXY: "loopback", ...env } });
  onTestFinished(app.close);
  return app;
}

const setCookies = (res: request.Response): string[] => {
  const raw = res.headers["set-cookie"] as unknown;
  return Array.isArray(raw) ? (raw as string[]) : typeof raw === "string" ? [raw] : [];
};
const named = (res: request.Response, name: string): string | undefined => setCookies(res).find((c) => c.startsWith(`${name}=`));
const attributes = (cookie: string): string[] => cookie.split(";").slice(1).map((a) => a.trim().toLowerCase());
const valueOf = (app: TestApp, cookie: string): string | null => verifySession(app.config.secretKey, decodeURIComponent(cookie.slice(cookie.indexOf("=") + 1).split(";")[0] as string));
const overHttps = (app: TestApp, path: string): request.Test => request(app.app.http).get(path).set("X-Forwarded-Proto", "https");

describe("__Host- session cookie over HTTPS", () => {
  it("is __Host-mr_session with Secure, Path=/ and no Domain; plain HTTP keeps mr_session", async () => {
    const app = await httpsApp();
    const secure = named(await overHttps(app, "/"), HOST_COOKIE);
    expect(secure).toBeDefined();
    const attrs = attributes(secure as string);
    expect(attrs).toEqual(expect.arrayContaining(["secure", "path=/", "httponly", "samesite=lax"]));
    expect(attrs.some((a) => a.startsWith("domain"))).toBe(false);
    const plain = await request(app.app.http).get("/");
    expect(named(plain, "mr_session")).toBeDefined();
    expect(named(plain, HOST_COOKIE)).toBeUndefined();
  });

  it("moves a session under the old name to __Host- once, with the same identity, and clears the old cookie", async () => {
    const app = await httpsApp();
    const oldCookie = app.newSession(); // mr_session=..., as issued before the prefix
    const page = await overHttps(app, "/r/general").set("Cookie", oldCookie);
    const moved = named(page, HOST_COOKIE);
    expect(valueOf(app, moved as string)).toBe(valueOf(app, oldCookie));
    expect(attributes(named(page, "mr_session") as string)).toContain("max-age=0");
    expect(page.headers["cache-control"]).toBe("private, no-store");
    // The moved cookie is the same browser: a tab with it shares the name a tab with the old one holds.
    const hostCookie = (moved as string).split(";")[0] as string;
    const oldTab = await app.joined("general", "Ana", { session: oldCookie });
    const newTab = await app.connect({ session: hostCookie });
    expect(await newTab.timeout(3000).emitWithAck("join_chat", { room: "general", username: "Ana" })).toMatchObject({ ok: true });
    expect(oldTab.connected).toBe(true);
    // Once moved, a page issues nothing more.
    expect(setCookies(await overHttps(app, "/").set("Cookie", hostCookie))).toEqual([]);
  });

  it("prefers the __Host- cookie when a plain-named one is planted beside it", async () => {
    const app = await httpsApp();
    const own = `${HOST_COOKIE}=${encodeURIComponent(signSession(app.config.secretKey, "own-session-id"))}`;
    const planted = `mr_session=${encodeURIComponent(signSession(app.config.secretKey, "attacker-session-id"))}`;
    const tab = await app.joined("general", "Ana", { session: own });
    const other = await app.connect({ session: `${planted}; ${own}` });
    // Same browser as `own` (the name is shared), not the attacker's session.
    expect(await other.timeout(3000).emitWithAck("join_chat", { room: "general", username: "Ana" })).toMatchObject({ ok: true });
    expect(tab.connected).toBe(true);
    expect(setCookies(await overHttps(app, "/").set("Cookie", `${planted}; ${own}`))).toEqual([]);
  });

  it("signs a moderator in under the __Host- name, and the page after it says so", async () => {
    const app = await httpsApp({ MODERATOR_TOKEN: TOKEN });
    const cookie = (named(await overHttps(app, "/moderate"), HOST_COOKIE) as string).split(";")[0] as string;
    const signedIn = await request(app.app.http)
      .post("/moderate")
      .set("X-Forwarded-Proto", "https")
      .set("Host", "chat.example")
      .set("Origin", "https://chat.example")
      .set("Cookie", cookie)
      .type("form")
      .send({ token: TOKEN })
      .expect(303);
    const moderator = sessionCookieFrom(signedIn.headers["set-cookie"]);
    expect(moderator.startsWith(`${HOST_COOKIE}=`)).toBe(true);
    expect((await overHttps(app, "/moderate").set("Cookie", moderator)).text).toContain("You are a moderator in this browser");
  });
});
