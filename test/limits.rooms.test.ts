// MAX_ROOMS_PER_CONNECTION, and the home page / /api/rooms / mr_active_rooms showing only the busiest rooms.
import request from "supertest";
import { describe, expect, it, onTestFinished } from "vitest";
import { ROOM_LIST_MAX, ROOM_LIST_REFRESH_MS, createRoomDirectory, selectBusiest } from "../src/chat/room-directory.js";
import { createMemoryPresence } from "../src/chat/presence.js";
import { createManualClock } from "../src/clock.js";
import type { ChatErrorEvent, MessageEvent } from "../src/protocol.js";
import type { RoomSummary } from "../src/http-api.js";
import { joinRoom, startTestApp, type ClientSocket } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { serverSocketOf } from "./helpers/server-side.js";
import { collectUntil, waitFor } from "./helpers/wait.js";

function join(socket: ClientSocket, room: string, username = "alice") {
  return socket.timeout(3000).emitWithAck("join_chat", { room, username });
}

describe("MAX_ROOMS_PER_CONNECTION", () => {
  it("refuses a join beyond the cap with too_many_rooms and changes nothing: no presence, no Socket.IO room, no notice", async () => {
    const app = await startTestApp({ env: { MAX_ROOMS_PER_CONNECTION: "3" } });
    onTestFinished(app.close);
    const observer = await app.joined("r4", "obs");
    const alice = await app.connect();
    for (const room of ["r1", "r2", "r3"]) expect(await joinRoom(alice, room, "alice")).toMatchObject({ ok: true });

    const heard = collectUntil(observer, "message", (m: MessageEvent) => m.content === "marker");
    expect(await join(alice, "r4")).toEqual({ ok: false, error: { code: "too_many_rooms", message: expect.stringContaining("3 rooms") } });
    expect(await app.app.presence.users("r4")).toEqual(["obs"]);
    expect(serverSocketOf(app, alice)?.rooms.has("r4")).toBe(false);
    expect(await observer.timeout(3000).emitWithAck("send_message", { room: "r4", username: "obs", content: "marker" })).toMatchObject({ ok: true });
    expect((await heard).map((m) => m.content)).toEqual(["marker"]); // no "alice has joined"
  });

  it("does not count a room the connection is already in: joining it again (even under a new name) is fine", async () => {
    const app = await startTestApp({ env: { MAX_ROOMS_PER_CONNECTION: "2" } });
    onTestFinished(app.close);
    const alice = await app.connect();
    expect(await joinRoom(alice, "r1", "alice")).toMatchObject({ ok: true });
    expect(await joinRoom(alice, "r2", "alice")).toMatchObject({ ok: true });
    expect(await join(alice, "r1")).toMatchObject({ ok: true, room: "r1" });
    expect(await join(alice, "r2", "alicia")).toMatchObject({ ok: true, room: "r2", username: "alicia" });
    expect(await join(alice, "r3")).toMatchObject({ ok: false, error: { code: "too_many_rooms" } });
  });

  it("frees a place when the connection leaves a room", async () => {
    const app = await startTestApp({ env: { MAX_ROOMS_PER_CONNECTION: "1" } });
    onTestFinished(app.close);
    const alice = await app.joined("r1", "alice");
    expect(await join(alice, "r2")).toMatchObject({ ok: false, error: { code: "too_many_rooms" } });
    expect(await alice.timeout(3000).emitWithAck("leave_chat", { room: "r1" })).toEqual({ ok: true });
    expect(await join(alice, "r2")).toMatchObject({ ok: true });
  });

  it("tells an ack-less client with chat_error too_many_rooms", async () => {
    const app = await startTestApp({ env: { MAX_ROOMS_PER_CONNECTION: "1" } });
    onTestFinished(app.close);
    const alice = await app.joined("r1", "alice");
    const error = waitFor(alice, "chat_error");
    legacyEmit(alice, "join_chat", { room: "r2", username: "alice" });
    expect(await error).toEqual({ code: "too_many_rooms", message: expect.any(String), event: "join_chat" } satisfies ChatErrorEvent);
  });

  it("defaults to 20 rooms", async () => {
    const app = await startTestApp({ env: { RATE_JOIN_PER_SEC: "0" } });
    onTestFinished(app.close);
    const alice = await app.connect();
    const answers = await Promise.all(Array.from({ length: 21 }, (_, i) => join(alice, `room ${i}`)));
    expect(answers.map((a) => (a.ok ? "ok" : a.error.code))).toEqual([...Array(20).fill("ok"), "too_many_rooms"]);
  });
});

describe("the busiest rooms only", () => {
  const room = (name: string, users: number): RoomSummary => ({ room: name, users });

  it("selectBusiest picks the same rooms, in the same order, as sorting them all", () => {
    const rooms = Array.from({ length: 5000 }, (_, i) => room(`room ${(i * 7919) % 5000}`, (i * 31) % 97));
    const sorted = [...rooms].sort((a, b) => b.users - a.users || a.room.localeCompare(b.room, undefined, { sensitivity: "base" }));
    expect(selectBusiest(rooms, 50)).toEqual(sorted.slice(0, 50));
    expect(selectBusiest(rooms.slice(0, 3), 50)).toEqual(sorted.filter((r) => rooms.slice(0, 3).includes(r)));
    expect(selectBusiest(rooms, 0)).toEqual([]);
  });

  it("recomputes the list at most once per refresh interval, with the total of active rooms", () => {
    const presence = createMemoryPresence();
    const clock = createManualClock();
    const directory = createRoomDirectory(presence, clock);
    presence.join("a", "ana", "s:1", "x1");
    expect(directory.busiest()).toEqual({ rooms: [room("a", 1)], total: 1 });
    presence.join("b", "ben", "s:2", "x2");
    presence.join("b", "cy", "s:3", "x3");
    expect(directory.busiest()).toEqual({ rooms: [room("a", 1)], total: 1 }); // within the second: the cached list
    clock.advance(ROOM_LIST_REFRESH_MS);
    expect(directory.busiest()).toEqual({ rooms: [room("b", 2), room("a", 1)], total: 2 });
  });

  it("/api/rooms, the home page and mr_active_rooms show at most 50 rooms and the total", async () => {
    const app = await startTestApp({ env: { MAX_ROOMS_PER_CONNECTION: "100", RATE_JOIN_PER_SEC: "0" } });
    onTestFinished(app.close);
    const alice = await app.connect();
    const bob = await app.connect();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => join(alice, `room ${String(i).padStart(2, "0")}`)));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(await join(bob, "room 59", "bob")).toMatchObject({ ok: true }); // the busiest: listed first
    app.clock.advance(ROOM_LIST_REFRESH_MS);

    const body = (await request(app.url).get("/api/rooms").expect(200)).body as { rooms: RoomSummary[]; total: number };
    expect(body.total).toBe(60);
    expect(body.rooms).toHaveLength(ROOM_LIST_MAX);
    expect(body.rooms[0]).toEqual(room("room 59", 2));
    expect(body.rooms.slice(1).map((r) => r.room)).toEqual(Array.from({ length: 49 }, (_, i) => `room ${String(i).padStart(2, "0")}`));

    const page = (await request(app.url).get("/").expect(200)).text;
    expect(page.match(/class="room-link"/g)).toHaveLength(ROOM_LIST_MAX);
    expect(page).toMatch(/<p id="room-list-total" class="muted">The 50 busiest of 60 active rooms\.<\/p>/);

    const metrics = (await request(app.url).get("/metrics").expect(200)).text;
    expect(metrics).toMatch(/^mr_active_rooms 60$/m);
  });

  it("hides the total on the home page while every active room is listed", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    await app.joined("general", "alice");
    const page = (await request(app.url).get("/").expect(200)).text;
    expect(page).toMatch(/<p id="room-list-total" class="muted" hidden>/);
    expect(page).toContain('href="/r/general"');
  });
});
