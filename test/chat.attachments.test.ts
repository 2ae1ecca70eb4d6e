// Issue 18: files in messages. A send names its uploads; the message carries them everywhere (ack, broadcast,
// history, search, edits), the original's clients get their links as text; only who may read the message may
// fetch its files; a deleted message's files are gone at once and their bytes once nothing points at them; an
// upload never sent goes after UPLOAD_TTL_MS; an edit may remove a file.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { BLOB_GRACE_MS } from "../src/files/library.js";
import type { Ack, ErrorBody, MessageEvent, SearchHit, SendResult, WireAttachment, WireMessage } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { gatedRepo, type GatedRepo } from "./helpers/faulty-repo.js";
import { isChat } from "./helpers/messages.js";
import { createPrivateRoom, makeInvite, useInvite } from "./helpers/private-rooms.js";
import { fetchFile, pdf, png, upload } from "./helpers/sample-files.js";
import { sessionCookieFrom } from "./helpers/session-cookie.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

async function appFor(env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp({ env: { RATE_SEND_BURST: "100", ...env } });
  onTestFinished(app.close);
  return app;
}

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);

async function sendWith(socket: ClientSocket, room: string, username: string, content: string, attachments: string[]): Promise<Ack<SendResult>> {
  return socket.timeout(5000).emitWithAck("send_message", { room, username, content, attachments });
}

async function sent(res: Promise<Ack<SendResult>>): Promise<WireMessage> {
  const answer = await res;
  if (!answer.ok) throw new Error(`send failed: ${answer.error.code} ${answer.error.message}`);
  return answer.message;
}

/** Bytes files on disk hold (the SQLite mode's folder), temporary ones aside. */
function storedBlobs(app: TestApp): string[] {
  const root = app.config.files.path;
  return readdirSync(root)
    .filter((d) => d !== "tmp")
    .flatMap((d) => readdirSync(join(root, d)));
}

/** Ana's private room with one image she sent, and Bob let in by her invite link. */
async function privateRoomWithFile(app: TestApp) {
  const anaSession = app.newSession();
  const ana = await app.connect({ session: anaSession });
  const { room } = await createPrivateRoom(ana, "Team");
  expect((await joinRoom(ana, room, "Ana")).ok).toBe(true);
  const file = await upload(app, anaSession, await png(), "plan.png");
  await sent(sendWith(ana, room, "Ana", "secret plan", [file.id]));
  const bobSession = app.newSession();
  await useInvite(app, bobSession, (await makeInvite(ana, room)).path, "Bob").expect(200);
  return { anaSession, room, file, bobSession };
}

/** What a browser that showed a public room's files keeps: each path's ETag, checked with a first 304 as a reader would get it. */
async function keptByReader(app: TestApp, paths: string[]): Promise<Record<string, string>> {
  const kept: Record<string, string> = {};
  for (const path of paths) {
    const res = await fetchFile(app, path).expect(200);
    // "no-cache", not a max-age: the browser asks before each use, so a deleted message's file cannot show from its cache.
    expect(res.headers["cache-control"]).toBe("private, no-cache");
    kept[path] = String(res.headers.etag);
    await fetchFile(app, path).set("If-None-Match", kept[path]).expect(304);
  }
  return kept;
}

/** Each kept file's revalidation gets a 404 the browser may not store, not a 304 that would let it show its copy. */
async function expectGoneDespite(app: TestApp, kept: Record<string, string>): Promise<void> {
  for (const [path, etag] of Object.entries(kept)) {
    const res = await fetchFile(app, path).set("If-None-Match", etag).expect(404);
    expect(res.headers["cache-control"]).toBe("no-store");
  }
}

const MODERATOR_TOKEN = "moderator-token-0123456789";

/** A browser session that signed in at /moderate with the token, as a person would. */
async function moderatorSession(app: TestApp): Promise<string> {
  const res = await request(app.url).post("/moderate").set("Cookie", app.newSession()).set("Origin", app.url).type("form").send({ token: MODERATOR_TOKEN }).expect(303);
  return sessionCookieFrom(res.headers["set-cookie"]);
}

describe("sending files", () => {
  it("a message carries its files, in order, in the ack, the broadcast and the history; the caption apart, the links in the text", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const bob = await app.joined("lobby", "Bob", { session: app.newSession(), heardBy: [ana] });
    const picture = await upload(app, session, await png(), "chart.png");
    const report = await upload(app, session, pdf(), "report.pdf");
    const heard = waitFor(bob, "message", (m) => isChat(m) && m.caption === "here you go");
    const message = await sent(sendWith(ana, "lobby", "Ana", "here you go", [report.id, picture.id]));
    expect(message.attachments?.map((a) => a.name)).toEqual(["report.pdf", "chart.png"]);
    expect(message.caption).toBe("here you go");
    expect(message.content).toBe(`here you go\nreport.pdf: ${report.url}\nchart.png: ${picture.url}`);
    const broadcast = (await heard) as WireMessage;
    expect(broadcast.attachments).toEqual(message.attachments);
    const later = await app.joined("lobby", "Cy", { session: app.newSession() });
    expect(later.joinResult.history.at(-1)).toMatchObject({ id: message.id, attachments: message.attachments, caption: "here you go" });
  });

  it("a message may be files alone (no text); without files it may not", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const file = await upload(app, session, pdf(), "a.pdf");
    const message = await sent(sendWith(ana, "lobby", "Ana", "", [file.id]));
    expect(message).toMatchObject({ caption: "", content: `a.pdf: ${file.url}` });
    expect(errorOf(await ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "  " }))?.code).toBe("invalid_content");
  });

  it("the original's clients (no ack) get the message with the caption and the files' links as its text", async () => {
    const app = await appFor({ PUBLIC_URL: "https://chat.example.com" });
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const legacy = await app.connect();
    const legacyHeard = waitFor(legacy, "message", (m: MessageEvent) => m.content.startsWith("look"));
    legacyEmit(legacy, "join_chat", { room: "lobby", username: "Old" });
    await waitFor(legacy, "message", (m) => m.content === "Old has joined the chat.");
    const file = await upload(app, session, await png(), "cat.png");
    await sent(sendWith(ana, "lobby", "Ana", "look", [file.id]));
    expect((await legacyHeard).content).toBe(`look\ncat.png: https://chat.example.com${file.url}`);
  });

  it("refuses someone else's upload, one already sent, and more than MAX_FILES_PER_MESSAGE; nothing is stored then", async () => {
    const app = await appFor({ MAX_FILES_PER_MESSAGE: "2" });
    const anaSession = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session: anaSession });
    const eveSession = app.newSession();
    const eve = await app.joined("lobby", "Eve", { session: eveSession, heardBy: [ana] });
    const anas = await upload(app, anaSession, pdf(), "a.pdf");
    expect(errorOf(await sendWith(eve, "lobby", "Eve", "mine now", [anas.id]))?.code).toBe("invalid_attachment");
    await sent(sendWith(ana, "lobby", "Ana", "first", [anas.id]));
    expect(errorOf(await sendWith(ana, "lobby", "Ana", "again", [anas.id]))?.code).toBe("invalid_attachment");
    const three = await Promise.all([1, 2, 3].map((n) => upload(app, anaSession, Buffer.from(`file ${n}`), `${n}.txt`)));
    expect(errorOf(await sendWith(ana, "lobby", "Ana", "three", three.map((f) => f.id)))?.code).toBe("too_many_files");
    const history = await ana.timeout(5000).emitWithAck("fetch_history", { room: "lobby" });
    expect(history.ok && history.messages.map((m: WireMessage) => m.caption ?? m.content)).toEqual(["first"]);
  });

  it("two tabs sending one upload at the same moment: one message carries it, the other send is refused with invalid_attachment; nothing empty is stored or broadcast", async () => {
    let gated: GatedRepo | undefined;
    const app = await startTestApp({ env: { RATE_SEND_BURST: "100" }, wrapRepo: (sqlite) => (gated = gatedRepo(sqlite, (m) => m.attachments !== undefined)).repo });
    onTestFinished(app.close);
    const session = app.newSession();
    const tab1 = await app.joined("lobby", "Ana", { session });
    const tab2 = await app.joined("lobby", "Ana", { session });
    const bob = await app.joined("lobby", "Bob", { session: app.newSession(), heardBy: [tab1, tab2] });
    const file = await upload(app, session, pdf(), "contract.pdf");
    const heard = collectUntil(bob, "message", (m) => isChat(m) && m.content === "marker");
    // Both sends pass their checks before either commits; released together, they commit in one batch.
    const sending = [tab1, tab2].map((tab) => sendWith(tab, "lobby", "Ana", "", [file.id]));
    await gated?.holding(2);
    gated?.release();
    const answers = await Promise.all(sending);
    expect(answers.map((a) => errorOf(a)?.code ?? "ok").sort()).toEqual(["invalid_attachment", "ok"]);
    const [stored] = answers.flatMap((a) => (a.ok ? [a.message] : []));
    expect(stored?.attachments?.map((f) => f.name)).toEqual(["contract.pdf"]);
    await sent(tab1.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "marker" }));
    expect((await heard).filter(isChat).map((m) => [m.id, m.attachments?.length ?? 0])).toEqual([
      [stored?.id, 1],
      [expect.any(Number), 0],
    ]);
    const history = await bob.timeout(5000).emitWithAck("fetch_history", { room: "lobby" });
    expect(history.ok && history.messages.map((m: WireMessage) => m.caption ?? m.content)).toEqual(["", "marker"]);
  });

  it("a retried send (same clientId) stores the files once and answers the same message", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const file = await upload(app, session, pdf(), "a.pdf");
    const clientId = crypto.randomUUID();
    const first = await sent(ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "once", clientId, attachments: [file.id] }));
    const again = await ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "once", clientId, attachments: [file.id] });
    expect(again).toMatchObject({ ok: true, duplicate: true, message: { id: first.id, attachments: first.attachments } });
  });
});

describe("who may fetch a file", () => {
  it("a public room's files: anyone; an upload not yet sent: its uploader only; no such file: 404", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const waiting = await upload(app, session, pdf(), "draft.pdf");
    await fetchFile(app, waiting.url, session).expect(200);
    await fetchFile(app, waiting.url, app.newSession()).expect(404);
    await fetchFile(app, waiting.url).expect(404);
    await sent(sendWith(ana, "lobby", "Ana", "public", [waiting.id]));
    await fetchFile(app, waiting.url).expect(200);
    await fetchFile(app, "/files/AAAAAAAAAAAAAAAAAAAAAA/x.pdf").expect(404);
  });

  it("a private room's files: its members only; an outsider gets the same 404 as for no file at all", async () => {
    const app = await appFor();
    const { anaSession, file, bobSession } = await privateRoomWithFile(app);
    for (const path of [file.url, file.thumbUrl, file.displayUrl] as string[]) {
      await fetchFile(app, path, anaSession).expect(200);
      await fetchFile(app, path, bobSession).expect(200);
      const outside = await fetchFile(app, path, app.newSession()).expect(404);
      const nothing = await fetchFile(app, `/files/BBBBBBBBBBBBBBBBBBBBBB/plan.png`, app.newSession()).expect(404);
      expect(outside.body).toEqual(nothing.body);
      await fetchFile(app, path).expect(404);
    }
  });
});

describe("what the browser may keep of a file", () => {
  it("a private room's files and an unsent upload's are revalidated, and a member who left gets 404 for what the browser kept", async () => {
    const app = await appFor();
    const anaSession = app.newSession();
    const open = await upload(app, anaSession, await png(), "open.png");
    expect((await fetchFile(app, open.url, anaSession).expect(200)).headers["cache-control"]).toBe("private, no-cache");

    const { room, file, bobSession } = await privateRoomWithFile(app);
    const bob = await app.connect({ session: bobSession });
    expect((await joinRoom(bob, room, "Bob")).ok).toBe(true);
    const kept: Record<string, string> = {};
    for (const path of [file.url, file.thumbUrl, file.displayUrl] as string[]) {
      const res = await fetchFile(app, path, bobSession).expect(200);
      expect(res.headers["cache-control"]).toBe("private, no-cache");
      kept[path] = String(res.headers.etag);
      // What the browser does with "no-cache": asks again with the ETag it kept; a member gets 304, no bytes.
      await fetchFile(app, path, bobSession).set("If-None-Match", kept[path]).expect(304);
    }
    expect((await bob.timeout(5000).emitWithAck("leave_chat", { room, username: "Bob" })).ok).toBe(true);
    for (const [path, etag] of Object.entries(kept)) await fetchFile(app, path, bobSession).set("If-None-Match", etag).expect(404);
  });
  it("a public room's files are revalidated too: 304 while the message stands, 404 (not 304) once its author deleted it", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const file = await upload(app, session, await png(), "open.png");
    const message = await sent(sendWith(ana, "lobby", "Ana", "soon gone", [file.id]));
    const kept = await keptByReader(app, [file.url, file.thumbUrl, file.displayUrl] as string[]);
    expect((await ana.timeout(5000).emitWithAck("delete_message", { room: "lobby", id: message.id })).ok).toBe(true);
    await expectGoneDespite(app, kept);
  });

  it("a public room's file a moderator deleted: the reader's conditional request gets 404, not 304", async () => {
    const app = await appFor({ MODERATOR_TOKEN: MODERATOR_TOKEN });
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app), heardBy: [ana] });
    const file = await upload(app, session, await png(), "abuse.png");
    const message = await sent(sendWith(ana, "lobby", "Ana", "", [file.id]));
    const kept = await keptByReader(app, [file.url, file.thumbUrl, file.displayUrl] as string[]);
    expect((await mod.timeout(5000).emitWithAck("delete_message", { room: "lobby", id: message.id })).ok).toBe(true);
    await expectGoneDespite(app, kept);
  });
});

describe("removing files", () => {
  it("a deleted message's files are 404 for everyone at once; their bytes go once nothing points at them", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const file = await upload(app, session, await png(), "gone.png");
    const kept = await upload(app, session, await png(), "same-bytes.png"); // the same bytes as "gone.png"
    const message = await sent(sendWith(ana, "lobby", "Ana", "soon gone", [file.id]));
    await sent(sendWith(ana, "lobby", "Ana", "stays", [kept.id]));
    const blobsBefore = storedBlobs(app).length;
    expect(blobsBefore).toBe(3); // original, thumbnail, display: shared by both uploads
    const updated = waitFor(ana, "message_updated");
    expect((await ana.timeout(5000).emitWithAck("delete_message", { room: "lobby", id: message.id })).ok).toBe(true);
    expect(await updated).toMatchObject({ id: message.id, content: "", attachments: [] });
    for (const path of [file.url, file.thumbUrl, file.displayUrl] as string[]) await fetchFile(app, path, session).expect(404);
    await fetchFile(app, kept.url).expect(200); // the other message still has those bytes
    app.clock.advance(BLOB_GRACE_MS + 1);
    await app.app.files.sweep();
    expect(storedBlobs(app)).toHaveLength(3);
    expect((await ana.timeout(5000).emitWithAck("delete_message", { room: "lobby", id: message.id + 1 })).ok).toBe(true);
    app.clock.advance(BLOB_GRACE_MS + 1);
    await app.app.files.sweep();
    expect(storedBlobs(app)).toEqual([]);
  });

  it("an edit may remove a file (never add one): the room hears the new list, the removed file is 404", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const a = await upload(app, session, pdf(), "a.pdf");
    const b = await upload(app, session, Buffer.from("plain text"), "b.txt");
    const message = await sent(sendWith(ana, "lobby", "Ana", "two", [a.id, b.id]));
    const updated = waitFor(ana, "message_updated");
    const edit = await ana.timeout(5000).emitWithAck("edit_message", { room: "lobby", id: message.id, content: "", attachments: [b.id] });
    expect(edit.ok && edit.message.attachments?.map((f: WireAttachment) => f.name)).toEqual(["b.txt"]);
    expect(await updated).toMatchObject({ id: message.id, caption: "", attachments: [{ id: b.id }], content: `b.txt: ${b.url}` });
    await fetchFile(app, a.url).expect(404);
    await fetchFile(app, b.url).expect(200);
    const other = await upload(app, session, pdf(), "c.pdf");
    expect(errorOf(await ana.timeout(5000).emitWithAck("edit_message", { room: "lobby", id: message.id, content: "x", attachments: [b.id, other.id] }))?.code).toBe("invalid_attachment");
    expect(errorOf(await ana.timeout(5000).emitWithAck("edit_message", { room: "lobby", id: message.id, content: "", attachments: [] }))?.code).toBe("invalid_content");
  });

  it("an upload not sent within UPLOAD_TTL_MS is removed: 404 to its uploader, refused by a send, its bytes gone", async () => {
    const app = await appFor({ UPLOAD_TTL_MS: "60000" });
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const file = await upload(app, session, pdf(), "late.pdf");
    app.clock.advance(60_001 + BLOB_GRACE_MS);
    await app.app.files.sweep();
    await fetchFile(app, file.url, session).expect(404);
    expect(errorOf(await sendWith(ana, "lobby", "Ana", "too late", [file.id]))?.code).toBe("invalid_attachment");
    expect(storedBlobs(app)).toEqual([]);
    expect(existsSync(join(app.config.files.path, "tmp"))).toBe(true);
  });
});

describe("search", () => {
  it("matches a file's name, as it matches text; other rooms' files never", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const budget = await upload(app, session, pdf(), "Budget-2026.pdf");
    const withFile = await sent(sendWith(ana, "lobby", "Ana", "see attached", [budget.id]));
    const byText = await sent(ana.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Ana", content: "the budget is late" }));
    const elsewhere = await app.joined("other", "Ana", { session });
    const hidden = await upload(app, session, pdf(), "budget-secret.pdf");
    await sent(sendWith(elsewhere, "other", "Ana", "x", [hidden.id]));
    const res = await ana.timeout(5000).emitWithAck("search_messages", { room: "lobby", q: "budget" });
    expect(res.ok && res.hits.map((h: SearchHit) => h.message.id).sort()).toEqual([withFile.id, byText.id].sort());
  });

  it("a hit carries its message's files, however the store found it (words, from: alone, from: with words)", async () => {
    const app = await appFor();
    const session = app.newSession();
    const ana = await app.joined("lobby", "Ana", { session });
    const report = await upload(app, session, pdf(), "report.pdf");
    const message = await sent(sendWith(ana, "lobby", "Ana", "the quarterly figures", [report.id]));
    for (const q of ["quarterly", "from:ana", "from:ana figures"]) {
      const res = await ana.timeout(5000).emitWithAck("search_messages", { room: "lobby", q });
      expect(res.ok && res.hits.map((h: SearchHit) => [h.message.id, h.message.attachments?.map((a) => a.name)]), q).toEqual([[message.id, ["report.pdf"]]]);
    }
  });
});
