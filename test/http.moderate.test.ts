// Issue 12: GET/POST /moderate, the token form that makes a browser session a moderator, kept server-side.
import Database from "better-sqlite3";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { browserSessionKey, verifySession } from "../src/http/session.js";
import { startTestApp, tempDatabase, type TestApp } from "./helpers/app.js";

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

const keyOf = (app: TestApp, session: string): string => browserSessionKey(app.config.secretKey, verifySession(app.config.secretKey, decodeURIComponent(session.split("=")[1] as string)) as string);

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
    const session = app.newSession();
    const res = await signIn(app, session, TOKEN).expect(303);
    expect(res.headers.location).toBe("/moderate");
    const page = await request(app.url).get("/moderate").set("Cookie", session).expect(200);
    expect(page.text).toContain("You are a moderator in this browser");
    expect(page.text).toContain('action="/moderate/sign-out"');
    // Stored under the session's keyed hash, never the cookie id itself; another browser is not a moderator.
    expect(moderatorRows(app.databasePath)).toEqual([{ session_key: keyOf(app, session) }]);
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
    const session = first.newSession();
    await signIn(first, session, TOKEN).expect(303);
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
