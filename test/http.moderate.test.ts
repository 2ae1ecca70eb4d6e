// Issue 12: GET/POST /moderate, the token form that makes a browser session a moderator, kept server-side.
import Database from "better-sqlite3";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { browserSessionKey, moderatorSessionKey, verifySession } from "../src/http/session.js";
import { startTestApp, tempDatabase, type TestApp } from "./helpers/app.js";
import { sessionCookieFrom } from "./helpers/session-cookie.js";

const TOKEN = "moderator-token-0123456789";

async function appFor(env: Record<string, string> = { MODERATOR_TOKEN: TOKEN }, databasePath?: string): Promise<TestApp> {
  const app = await startTestApp({ env, ...(databasePath ? { databasePath } : {}) });
  onTestFinished(app.close);
  return app;
}

/** The form post a browser on the app's own page makes. */
function signIn(app: TestApp, session: string, token: string, origin: string | null = app.url): request.Test {
  const req = request(app.url).post("/moderate").set("Cookie", session).type("form").send({ token });
  return origin === null ? req : req.set("Origin", origin);
}

const signedValue = (app: TestApp, session: string): string => verifySession(app.config.secretKey, decodeURIComponent(session.slice(session.indexOf("=") + 1))) as string;
/** The identity's key: what the audit shows a prefix of, and what names, rooms and messages are kept under. */
const keyOf = (app: TestApp, session: string): string => browserSessionKey(app.config.secretKey, signedValue(app, session).split("~")[0] as string);
/** The moderator table's key for a signed-in cookie. */
const moderatorKeyOf = (app: TestApp, session: string): string | null => {
  const [id, grant] = signedValue(app, session).split("~") as [string, string | undefined];
  return moderatorSessionKey(app.config.secretKey, { id, grant: grant ?? null, cookieName: "mr_session" });
};

const moderatorRows = (path: string): { session_key: string }[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT session_key FROM moderator_session").all() as { session_key: string }[];
  } finally {
    db.close();
  }
};

describe("GET /moderate", () => {
  it("says moderation is off when MODERATOR_TOKEN is unset, and POST changes nothing", async () => {
    const app = await appFor({});
    const page = await request(app.url).get("/moderate").expect(200);
    expect(page.text).toContain("Moderation is not enabled on this server");
    expect(page.text).not.toContain('id="moderate-form"');
    const session = app.newSession();
    await signIn(app, session, "anything").expect(404);
    expect(moderatorRows(app.databasePath)).toEqual([]);
  });

  it("renders the token form with the other pages' look and CSP, no script at all, and a session cookie", async () => {
    const app = await appFor();
    const page = await request(app.url).get("/moderate").expect(200).expect("Content-Type", /text\/html/);
    expect(page.text).toContain('id="moderate-form"');
    expect(page.text).toContain('<link rel="stylesheet" href="/chat.css">');
    expect(page.text).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
    expect(page.headers["content-security-policy"]).toMatch(/script-src 'self'/);
    expect(page.headers["content-security-policy"]).toMatch(/form-action 'self'/);
    expect(String(page.headers["set-cookie"])).toMatch(/^mr_session=/);
  });
});

describe("POST /moderate", () => {
  it("with the right token marks this browser session a moderator in the database and 303s to the page saying so", async () => {
    const app = await appFor();
    const res = await signIn(app, app.newSession(), TOKEN).expect(303);
    expect(res.headers.location).toBe("/moderate");
    const session = sessionCookieFrom(res.headers["set-cookie"]);
    const page = await request(app.url).get("/moderate").set("Cookie", session).expect(200);
    expect(page.text).toContain("You are a moderator in this browser");
    expect(page.text).toContain('action="/moderate/sign-out"');
    // Stored under the keyed hash of the sign-in's grant, never the cookie itself; another browser is not a moderator.
    expect(moderatorRows(app.databasePath)).toEqual([{ session_key: moderatorKeyOf(app, session) }]);
    const other = await request(app.url).get("/moderate").set("Cookie", app.newSession()).expect(200);
    expect(other.text).not.toContain("You are a moderator");
  });

  it("refuses a wrong token with 401 and stores nothing", async () => {
    const app = await appFor();
    const session = app.newSession();
    const res = await signIn(app, session, `${TOKEN}x`).expect(401);
    expect(res.text).toContain("That is not the moderator token.");
    expect(moderatorRows(app.databasePath)).toEqual([]);
    expect(app.logs.some((l) => l.event === "moderate_refused" && l.reason === "wrong_token")).toBe(true);
  });

  it("refuses a cross-origin post, and one without Origin, even with the right token", async () => {
    const app = await appFor();
    const session = app.newSession();
    await signIn(app, session, TOKEN, "https://evil.example").expect(403);
    await signIn(app, session, TOKEN, null).expect(403);
    await signIn(app, session, TOKEN, "null").expect(403);
    expect(moderatorRows(app.databasePath)).toEqual([]);
  });

  it("allows MODERATOR_LOGIN_PER_MINUTE tries per address, then 429 even for the right token, until a minute has passed", async () => {
    const app = await appFor({ MODERATOR_TOKEN: TOKEN, MODERATOR_LOGIN_PER_MINUTE: "2" });
    const session = app.newSession();
    await signIn(app, session, "wrong-1").expect(401);
    await signIn(app, session, "wrong-2").expect(401);
    const limited = await signIn(app, app.newSession(), TOKEN).expect(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(moderatorRows(app.databasePath)).toEqual([]);
    app.clock.advance(60_000);
    await signIn(app, session, TOKEN).expect(303);
  });

  it("asks for the cookie when the post comes without a session", async () => {
    const app = await appFor();
    await request(app.url).post("/moderate").set("Origin", app.url).type("form").send({ token: TOKEN }).expect(400);
    expect(moderatorRows(app.databasePath)).toEqual([]);
  });

  it("keeps the moderator across a restart, and signing out (POST) ends it; both are in the audit", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const first = await appFor(undefined, db.path);
    const session = sessionCookieFrom((await signIn(first, first.newSession(), TOKEN).expect(303)).headers["set-cookie"]);
    await first.close();

    const second = await appFor(undefined, db.path);
    expect((await request(second.url).get("/moderate").set("Cookie", session)).text).toContain("You are a moderator in this browser");
    await request(second.url).post("/moderate/sign-out").set("Cookie", session).set("Origin", "https://evil.example").expect(403);
    expect(moderatorRows(db.path)).toHaveLength(1);
    await request(second.url).post("/moderate/sign-out").set("Cookie", session).set("Origin", second.url).expect(303);
    expect((await request(second.url).get("/moderate").set("Cookie", session)).text).toContain('id="moderate-form"');
    expect(moderatorRows(db.path)).toEqual([]);
    const audit = (await second.sqlite.auditLog(10)).map((e) => [e.action, e.moderator]);
    expect(audit).toEqual([
      ["sign_out", keyOf(second, session).slice(0, 12)],
      ["sign_in", keyOf(second, session).slice(0, 12)],
    ]);
  });
});

describe("session fixation at sign-in", () => {
  const codeOf = (res: { ok: boolean; error?: { code: string } }): string | undefined => (res.ok ? undefined : res.error?.code);

  it("a cookie planted before the sign-in is no moderator after it: the browser gets a new value, the planted one has no rights", async () => {
    const app = await appFor();
    // The attacker gets a cookie of its own and plants it in the victim's browser (a sibling subdomain, plain HTTP).
    const planted = app.newSession();
    const signedIn = await signIn(app, planted, TOKEN).expect(303);
    // Over HTTP: the planted value is an ordinary browser (before, it was the moderator now)...
    expect((await request(app.url).get("/moderate").set("Cookie", planted)).text).toContain('id="moderate-form"');
    // ...and the browser got a new value, which is.
    const rotated = sessionCookieFrom(signedIn.headers["set-cookie"]);
    expect(rotated).not.toBe(planted);
    expect(signedIn.headers["cache-control"]).toBe("no-store");
    expect((await request(app.url).get("/moderate").set("Cookie", rotated)).text).toContain("You are a moderator in this browser");
    // Over Socket.IO likewise.
    const attacker = await app.joined("general", "attacker", { session: planted });
    expect(attacker.joinResult.isModerator).toBe(false);
    expect(codeOf(await attacker.timeout(3000).emitWithAck("kick_user", { room: "general", username: "someone" }))).toBe("not_moderator");
    const victim = await app.joined("general", "Mod", { session: rotated, heardBy: [attacker] });
    expect(victim.joinResult.isModerator).toBe(true);
    // The planted signature cannot be stretched to the grant: the sign-in's row is under the new value's key only.
    expect(moderatorRows(app.databasePath)).toEqual([{ session_key: moderatorKeyOf(app, rotated) }]);
    expect(moderatorKeyOf(app, planted)).toBeNull();
  });

  it("keeps the browser's identity across the rotation: its names, private rooms and messages stay its own", async () => {
    const app = await appFor();
    const before = app.newSession();
    const tab = await app.joined("general", "Ana", { session: before });
    const created = await tab.timeout(3000).emitWithAck("create_room", { title: "Mods" });
    if (!created.ok) throw new Error("create_room failed");
    const sent = await tab.timeout(3000).emitWithAck("send_message", { room: "general", username: "Ana", content: "typo" });
    if (!sent.ok) throw new Error("send failed");

    const after = sessionCookieFrom((await signIn(app, before, TOKEN).expect(303)).headers["set-cookie"]);
    expect(keyOf(app, after)).toBe(keyOf(app, before));
    // A tab opened with the new cookie shares the name the old tab holds (another browser would get name_taken)...
    const newTab = await app.connect({ session: after });
    expect(await newTab.timeout(3000).emitWithAck("join_chat", { room: "general", username: "Ana" })).toMatchObject({ ok: true, username: "Ana", isModerator: true });
    const stranger = await app.connect({ session: app.newSession() });
    expect(codeOf(await stranger.timeout(3000).emitWithAck("join_chat", { room: "general", username: "Ana" }))).toBe("name_taken");
    // ...is still a member of the private room it made, and still the owner of its message.
    expect(await newTab.timeout(3000).emitWithAck("join_chat", { room: created.room.room, username: "Ana" })).toMatchObject({ ok: true, username: "Ana" });
    expect(await newTab.timeout(3000).emitWithAck("edit_message", { room: "general", id: sent.message.id, content: "fixed" })).toMatchObject({ ok: true });
  });

  it("a moderator row from before the rotation (under the identity's key) grants nothing, and the next sign-in removes it", async () => {
    const app = await appFor();
    const session = app.newSession();
    await app.sqlite.setModerator(keyOf(app, session), true, new Date());
    expect((await request(app.url).get("/moderate").set("Cookie", session)).text).toContain('id="moderate-form"');
    const rotated = sessionCookieFrom((await signIn(app, session, TOKEN).expect(303)).headers["set-cookie"]);
    expect(moderatorRows(app.databasePath)).toEqual([{ session_key: moderatorKeyOf(app, rotated) }]);
  });

  it("a second sign-in issues another grant and ends the first one's", async () => {
    const app = await appFor();
    const first = sessionCookieFrom((await signIn(app, app.newSession(), TOKEN).expect(303)).headers["set-cookie"]);
    const second = sessionCookieFrom((await signIn(app, first, TOKEN).expect(303)).headers["set-cookie"]);
    expect(second).not.toBe(first);
    expect((await request(app.url).get("/moderate").set("Cookie", first)).text).toContain('id="moderate-form"');
    expect((await request(app.url).get("/moderate").set("Cookie", second)).text).toContain("You are a moderator in this browser");
    expect(moderatorRows(app.databasePath)).toEqual([{ session_key: moderatorKeyOf(app, second) }]);
  });
});
