// HTTP: the chat page, deep links, the rooms API, health, 404s, static files and the bundled Socket.IO client.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { ROOM_LIST_REFRESH_MS } from "../src/chat/room-directory.js";
import { startTestApp } from "./helpers/app.js";

async function appFor(test: Parameters<typeof startTestApp>[0] = {}) {
  const app = await startTestApp(test);
  onTestFinished(app.close);
  return app;
}

const ids = (html: string): string[] => [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1] as string);

describe("GET /", () => {
  it("renders the chat page with the original's element ids", async () => {
    const app = await appFor();
    const res = await request(app.url).get("/").expect(200).expect("Content-Type", /text\/html/);
    expect(res.text).toContain("Messenger Room");
    expect(ids(res.text)).toEqual(expect.arrayContaining(["username", "room-name", "message-list", "message-content"]));
    expect(res.text).toMatch(/<button[^>]*>\s*Join Chat\s*<\/button>/);
    expect(res.text).toMatch(/<button[^>]*>\s*Send\s*<\/button>/);
  });

  it("issues the session cookie that ties a browser's tabs together", async () => {
    const app = await appFor();
    const res = await request(app.url).get("/").expect(200);
    const [pair, ...attributes] = String(res.headers["set-cookie"]).split("; ");
    expect(pair).toMatch(/^mr_session=[^;]+$/);
    // Attribute order is the cookie package's; what matters is that each is there.
    expect(attributes).toEqual(expect.arrayContaining(["Path=/", expect.stringMatching(/^Max-Age=\d+$/), "HttpOnly", "SameSite=Lax"]));
    // A browser that has one keeps it.
    const again = await request(app.url).get("/").set("Cookie", app.newSession()).expect(200);
    expect(again.headers["set-cookie"]).toBeUndefined();
  });

  it("serves every local script, style and icon the page references", async () => {
    const app = await appFor();
    const page = await request(app.url).get("/").expect(200);
    const refs = [...page.text.matchAll(/\s(?:src|href)="(\/[^"#]*)"/g)].map((m) => m[1] as string).filter((p) => !p.startsWith("/r/") && p !== "/");
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const res = await request(app.url).get(ref);
      expect(res.status, ref).toBe(200);
    }
  });

  it("links each active room from the home page", async () => {
    const app = await appFor();
    await app.joined("café talk", "ana");
    const res = await request(app.url).get("/").expect(200);
    expect(res.text).toContain(`href="/r/${encodeURIComponent("café talk")}"`);
  });
});

describe("GET /r/<room>", () => {
  it.each([
    ["/r/general", "general"],
    ["/r/caf%C3%A9%20talk", "café talk"],
    ["/r/Cafe%CC%81", "Café"], // decomposed in the URL, NFC in the page
    ["/r/a%2Fb", "a/b"],
    ["/r/%F0%9F%98%80", "\u{1F600}"],
  ])("opens the chat page for %s", async (path, room) => {
    const app = await appFor();
    const res = await request(app.url).get(path).expect(200).expect("Content-Type", /text\/html/);
    expect(res.text).toContain(`data-room="${room}"`);
    expect(ids(res.text)).toEqual(expect.arrayContaining(["username", "room-name", "message-list", "message-content"]));
  });

  it.each([
    [`/r/${"x".repeat(51)}`, "That room name is not valid: room must be 1-50 characters."],
    ["/r/a%01b", "That room name is not valid: room must not contain control characters."],
    ["/r/%20%20", "That room name is not valid: room must be 1-50 characters."],
  ])("answers 400 with a clear message for %s", async (path, message) => {
    const app = await appFor();
    const res = await request(app.url).get(path).expect(400).expect("Content-Type", /text\/html/);
    expect(res.text).toContain(message);
    expect(res.text).toContain('data-room=""');
  });

  it("answers 400 for a malformed percent-encoding", async () => {
    const app = await appFor();
    await request(app.url).get("/r/%E0%A4%A").expect(400);
  });

  // Express cannot decode such a parameter and hands a URIError to the error middleware, which answered a bare
  // "Bad request" text (polish review, 2026-12-07).
  it.each(["/r/%ZZ", "/invite/%ZZ", "/files/%ZZ/name.png", "/files/%ZZ/-/thumb", "/files/1/%ZZ"])(
    "shows the styled not-found page, status 400, for the malformed address %s",
    async (path) => {
      const app = await appFor();
      const res = await request(app.url).get(path).set("Accept", "text/html").expect(400).expect("Content-Type", /text\/html/);
      expect(res.text).toContain("Page not found");
      expect(res.text).toContain(`<code class="not-found__path">${path}</code>`);
      expect(res.text).toContain('href="/"');
    },
  );

  it("answers an API client's malformed address with a JSON error, never a bare text", async () => {
    const app = await appFor();
    const res = await request(app.url).post("/invite/%ZZ").set("Accept", "application/json").send({ username: "ana" }).expect(400);
    expect(res.body).toEqual({ ok: false, error: { code: "invalid_payload", message: "That address could not be read." } });
  });
});

describe("GET /api/rooms", () => {
  it("lists active rooms with one count per present name, busiest first", async () => {
    const app = await appFor();
    expect((await request(app.url).get("/api/rooms").expect(200).expect("Cache-Control", "no-store")).body).toEqual({ rooms: [], total: 0 });
    const session = app.newSession();
    await app.joined("quiet", "zed");
    await app.joined("busy", "ana", { session });
    await app.joined("busy", "ana", { session }); // a second tab: still one person
    await app.joined("busy", "ben");
    await app.joined("also quiet", "cy");
    app.clock.advance(ROOM_LIST_REFRESH_MS); // the list is recomputed at most once a second
    expect((await request(app.url).get("/api/rooms").expect(200)).body).toEqual({
      rooms: [
        { room: "busy", users: 2 },
        { room: "also quiet", users: 1 },
        { room: "quiet", users: 1 },
      ],
      total: 3,
    });
  });

  it("drops a room when its last person leaves", async () => {
    const app = await appFor();
    const ana = await app.joined("solo", "ana");
    await app.disconnect(ana);
    app.clock.advance(ROOM_LIST_REFRESH_MS);
    expect((await request(app.url).get("/api/rooms").expect(200)).body).toEqual({ rooms: [], total: 0 });
  });
});

describe("GET /healthz", () => {
  it('answers 200 {"status":"ok"} with the node and its engines when the database answers', async () => {
    const app = await appFor({ env: { NODE_ID: "node-7" } });
    const res = await request(app.url).get("/healthz").expect(200).expect("Cache-Control", "no-store");
    expect(res.body).toEqual({ status: "ok", node: "node-7", engines: { database: "ok" } });
  });

  it("names no node without NODE_ID: the default id is hostname-pid, and the machine's name stays off the public port", async () => {
    const app = await appFor();
    const res = await request(app.url).get("/healthz").expect(200);
    expect(res.body).toEqual({ status: "ok", engines: { database: "ok" } });
    expect(res.text).not.toContain(hostname());
  });

  it("answers 503 within a bounded time when the database never answers", async () => {
    const app = await appFor({
      env: { NODE_ID: "node-7" },
      wrapRepo: (sqlite) => ({
        append: (msg) => sqlite.append(msg),
        page: (room, query) => sqlite.page(room, query),
        search: (room, query, opts) => sqlite.search(room, query, opts),
        isHealthy: () => new Promise<boolean>(() => undefined), // a PostgreSQL that stopped answering
        close: () => sqlite.close(),
      }),
    });
    const res = await request(app.url).get("/healthz").expect(503);
    expect(res.body).toEqual({ status: "unavailable", node: "node-7", engines: { database: "unavailable" }, reason: "the database cannot take writes" });
  });

  it("answers 503 when the database does not", async () => {
    const app = await appFor({
      wrapRepo: (sqlite) => ({
        append: (msg) => sqlite.append(msg),
        page: (room, query) => sqlite.page(room, query),
        search: (room, query, opts) => sqlite.search(room, query, opts),
        isHealthy: () => Promise.resolve(false),
        close: () => sqlite.close(),
      }),
    });
    const res = await request(app.url).get("/healthz").expect(503);
    expect(res.body).toMatchObject({ status: "unavailable", engines: { database: "unavailable" } });
  });
});

describe("unknown paths", () => {
  it("get a 404 page for browsers", async () => {
    const app = await appFor();
    const res = await request(app.url).get("/no/such/page").set("Accept", "text/html").expect(404).expect("Content-Type", /text\/html/);
    expect(res.text).toContain("/no/such/page");
    expect(res.text).toContain('href="/"');
  });

  it("get a JSON 404 for API clients", async () => {
    const app = await appFor();
    const res = await request(app.url).get("/api/nothing").set("Accept", "application/json").expect(404);
    expect(res.body).toEqual({ error: "not_found" });
  });
});

describe("static files", () => {
  function publicDir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "mr-public-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
    return dir;
  }

  it("keeps images for an hour", async () => {
    const app = await appFor({ config: { publicDir: publicDir({ "logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>" }) } });
    const res = await request(app.url).get("/logo.svg").expect(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=3600");
  });

  it("makes code and styles revalidate on every load, answering 304 when unchanged", async () => {
    const app = await appFor({ config: { publicDir: publicDir({ "hello.css": "body{}", "mod.js": "export {};" }) } });
    expect((await request(app.url).get("/mod.js").expect(200)).headers["cache-control"]).toBe("no-cache");
    const res = await request(app.url).get("/hello.css").expect(200).expect("Content-Type", /text\/css/);
    expect(res.headers["cache-control"]).toBe("no-cache");
    expect(res.headers.etag).toEqual(expect.any(String));
    expect(res.headers["last-modified"]).toEqual(expect.any(String));
    await request(app.url).get("/hello.css").set("If-None-Match", res.headers.etag as string).expect(304);
  });

  it("never shadow the chat page with an index.html", async () => {
    const app = await appFor({ config: { publicDir: publicDir({ "index.html": "<p>static index</p>" }) } });
    const res = await request(app.url).get("/").expect(200);
    expect(res.text).not.toContain("static index");
    expect(res.text).toContain("Messenger Room");
  });
});

describe("the Socket.IO client", () => {
  it.each([["/socket.io/socket.io.js"], ["/socket.io/socket.io.esm.min.js"]])("is served by the app itself at %s (no CDN)", async (path) => {
    const app = await appFor();
    const res = await request(app.url).get(path).expect(200).expect("Content-Type", /javascript/);
    expect(res.text.length).toBeGreaterThan(10_000);
  });
});
