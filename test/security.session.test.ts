// Names are owned while present: a signed session cookie tells browsers apart; without one, a connection is its own owner.
import { createHmac, randomUUID } from "node:crypto";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { signSession } from "../src/http/session.js";
import { startTestApp, type ClientSocket } from "./helpers/app.js";
import { serverSideGone } from "./helpers/server-side.js";
import { waitFor } from "./helpers/wait.js";

const COOKIE = "mr_session";

function sessionCookieOf(res: request.Response, name = COOKIE): string | undefined {
  const raw = res.headers["set-cookie"] as unknown;
  const list = Array.isArray(raw) ? (raw as string[]) : typeof raw === "string" ? [raw] : [];
  return list.find((c) => c.startsWith(`${name}=`));
}

const attributes = (cookie: string): string[] => cookie.split(";").slice(1).map((a) => a.trim().toLowerCase());

function join(socket: ClientSocket, room: string, username: string) {
  return socket.timeout(3000).emitWithAck("join_chat", { room, username });
}


describe("session cookie", () => {
  it.each([
    ["/", 200],
    ["/r/general", 200],
    ["/r/%20", 400],
    ["/no-such-page", 404],
  ] as const)("is issued with the HTML of %s (HttpOnly, SameSite=Lax, Path=/, not Secure on plain HTTP), which no cache may keep", async (path, status) => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const res = await request(app.app.http).get(path).set("Accept", "text/html").expect(status);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
    const cookie = sessionCookieOf(res);
    expect(cookie).toBeDefined();
    expect(attributes(cookie as string)).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/"]));
    expect(attributes(cookie as string)).not.toContain("secure");
    // A shared cache set to keep HTML would otherwise hand this browser's session to everyone after it (review, 2026-12-07).
    expect(res.headers["cache-control"]).toBe("private, no-store");
  });

  it("is not issued again to a browser that has a valid one, and is replaced when tampered with", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const first = (sessionCookieOf(await request(app.app.http).get("/")) as string).split(";")[0] as string;
    expect(sessionCookieOf(await request(app.app.http).get("/").set("Cookie", first))).toBeUndefined();
    const tampered = `${first.slice(0, -3)}AAA`;
    expect(sessionCookieOf(await request(app.app.http).get("/").set("Cookie", tampered))).toBeDefined();
  });

  it("keeps a session issued before cookie-signature (base64url HMAC): same browser, same name, and still refuses a tampered one", async () => {
    const secret = "legacy-format-secret-0123456789";
    const app = await startTestApp({ env: { SECRET_KEY: secret } });
    onTestFinished(app.close);
    // The old format was <uuid>.<HMAC-SHA256 base64url>; pick an id whose signature uses "-" or "_", where it differs from base64.
    let id = randomUUID();
    let legacySignature = createHmac("sha256", secret).update(id).digest("base64url");
    while (!/[-_]/.test(legacySignature)) {
      id = randomUUID();
      legacySignature = createHmac("sha256", secret).update(id).digest("base64url");
    }
    const legacy = `${COOKIE}=${id}.${legacySignature}`;
    expect(sessionCookieOf(await request(app.app.http).get("/").set("Cookie", legacy))).toBeUndefined();

    const oldTab = await app.joined("general", "ana", { session: legacy });
    const newTab = await app.connect({ session: `${COOKIE}=${encodeURIComponent(signSession(secret, id))}` });
    expect(await join(newTab, "general", "ana")).toMatchObject({ ok: true, username: "ana" });
    expect(oldTab.connected).toBe(true);

    const flipped = legacySignature.replace(/[-_]/, (c) => (c === "-" ? "_" : "-"));
    expect(sessionCookieOf(await request(app.app.http).get("/").set("Cookie", `${COOKIE}=${id}.${flipped}`))).toBeDefined();
  });

  it("is __Host- and Secure behind an HTTPS proxy only when TRUST_PROXY lets the server believe X-Forwarded-Proto", async () => {
    const trusting = await startTestApp({ env: { TRUST_PROXY: "loopback" } });
    onTestFinished(trusting.close);
    const overHttps = sessionCookieOf(await request(trusting.app.http).get("/").set("X-Forwarded-Proto", "https"), `__Host-${COOKIE}`);
    expect(attributes(overHttps as string)).toContain("secure");
    const overHttp = sessionCookieOf(await request(trusting.app.http).get("/").set("X-Forwarded-Proto", "http"));
    expect(attributes(overHttp as string)).not.toContain("secure");

    const untrusting = await startTestApp();
    onTestFinished(untrusting.close);
    const spoofed = sessionCookieOf(await request(untrusting.app.http).get("/").set("X-Forwarded-Proto", "https"));
    expect(attributes(spoofed as string)).not.toContain("secure");
  });

  it("is what the Socket.IO handshake reads: the page's cookie lets a second tab share the name", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const cookie = (sessionCookieOf(await request(app.app.http).get("/r/general")) as string).split(";")[0] as string;
    const tab1 = await app.joined("general", "ana", { session: cookie });
    const tab2 = await app.connect({ session: cookie });
    expect(await join(tab2, "general", "ana")).toMatchObject({ ok: true, username: "ana" });
    expect(tab1.connected).toBe(true);
  });
});

describe("names are owned while present", () => {
  it("refuses the same name from another session with name_taken, case-insensitively and after NFC", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "José", { session: app.newSession() });
    const other = await app.connect({ session: app.newSession() });

    for (const name of ["José", "josé", "JOSÉ", "Jose\u0301", "JOSE\u0301", "  josé  "]) {
      expect(await join(other, "general", name), name).toMatchObject({ ok: false, error: { code: "name_taken", message: expect.any(String) } });
    }
    expect(await app.app.presence.users("general")).toEqual(["José"]);
    // The name is owned per room only.
    expect(await join(other, "elsewhere", "josé")).toMatchObject({ ok: true });
  });

  it("lets tabs of the same session share a name, shown once, and frees it when the last tab leaves", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const session = app.newSession();
    const tab1 = await app.joined("general", "ana", { session });
    const tab2 = await app.joined("general", "ANA", { session });
    const bob = await app.joined("general", "bob", { session: app.newSession() });
    expect(await app.app.presence.users("general")).toEqual(["ana", "bob"]);

    const intruder = await app.connect({ session: app.newSession() });
    expect(await join(intruder, "general", "ana")).toMatchObject({ ok: false, error: { code: "name_taken" } });

    expect(await tab1.timeout(3000).emitWithAck("leave_chat", { room: "general" })).toEqual({ ok: true });
    expect(await join(intruder, "general", "ana")).toMatchObject({ ok: false, error: { code: "name_taken" } });

    const left = waitFor(bob, "message", (m) => "kind" in m && m.kind === "left");
    expect(await tab2.timeout(3000).emitWithAck("leave_chat", { room: "general" })).toEqual({ ok: true });
    expect(await left).toMatchObject({ username: "ANA" });
    expect(await join(intruder, "general", "ana")).toMatchObject({ ok: true });
  });

  it("gives a client without a cookie a per-connection identity: its own reconnect waits until the old connection is gone", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const first = await app.joined("general", "bot");
    const second = await app.connect();
    expect(await join(second, "general", "bot")).toMatchObject({ ok: false, error: { code: "name_taken" } });

    const gone = serverSideGone(app, first);
    first.disconnect();
    await gone;
    expect(await join(second, "general", "bot")).toMatchObject({ ok: true });
  });

  it("treats a tampered or foreign-signed cookie as no session at all", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const owner = app.newSession();
    await app.joined("general", "ana", { session: owner });
    const value = owner.slice(`${COOKIE}=`.length);
    const id = value.slice(0, value.lastIndexOf("."));

    const badSignature = `${COOKIE}=${id}.${"A".repeat(43)}`;
    const otherKey = `${COOKIE}=${signSession("some-other-secret-key-0123456789", id)}`;
    const unsigned = `${COOKIE}=${id}`;
    for (const cookie of [badSignature, otherKey, unsigned]) {
      const forger = await app.connect({ session: cookie });
      expect(await join(forger, "general", "ana"), cookie).toMatchObject({ ok: false, error: { code: "name_taken" } });
    }

    // Two connections with the same forged cookie are still two owners.
    const a = await app.connect({ session: badSignature });
    const b = await app.connect({ session: badSignature });
    expect(await join(a, "general", "eve")).toMatchObject({ ok: true });
    expect(await join(b, "general", "eve")).toMatchObject({ ok: false, error: { code: "name_taken" } });
  });
});
