// Issue 19: a restart does not make everyone arrive again. The server as a child process: people in a room, then
// SIGTERM (the snapshot written as shutdown starts) or SIGKILL (the last periodic snapshot), a new process on the
// same database: those who come back within NAME_GRACE_MS take their names back with no "has joined" and no
// presence delta to the others; one who does not come back is announced gone when the grace ends; server_shutdown
// tells each client its own time to come back.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { newSessionCookie } from "../src/http/session.js";
import type { MessageEvent, PresenceEvent, ShutdownEvent } from "../src/protocol.js";
import { tempDatabase, type ClientSocket } from "./helpers/app.js";
import { connectTo, startChildServer, type ChildServer } from "./helpers/child-server.js";
import { isNoticeWith } from "./helpers/messages.js";
import { waitFor } from "./helpers/wait.js";

const SECRET = "child-secret-key-0123456789abcdef";
// Long enough for the server to start again on a loaded machine (3 s was not, under a load of 10 on 2 cores):
// a snapshot older than the grace is rightly ignored.
const GRACE_MS = "10000";
/** Two starts, the grace, and the notice after it. */
const RESTART_TEST_MS = 60_000;
const cookie = (): string => newSessionCookie(SECRET, false).split(";")[0] as string;

async function start(path: string, port?: number, env: Record<string, string> = {}): Promise<ChildServer> {
  const server = await startChildServer({
    databasePath: path,
    ...(port !== undefined ? { port } : {}),
    env: { LOG_LEVEL: "debug", PRESENCE_SNAPSHOT_MS: "100", NAME_GRACE_MS: GRACE_MS, RESTORE_GRACE_MS: GRACE_MS, ...env },
  });
  onTestFinished(server.stop);
  return server;
}

async function member(url: string, session: string, name: string): Promise<ClientSocket> {
  const socket = await connectTo(url, { extraHeaders: { cookie: session } });
  onTestFinished(() => void socket.disconnect());
  const res = await socket.timeout(5000).emitWithAck("join_chat", { room: "lobby", username: name });
  if (!res.ok) throw new Error(res.error.code);
  return socket;
}

/** Everything `socket` (joined as `me`) hears about others arriving and leaving from now on (its own notice aside). */
function arrivalsHeard(socket: ClientSocket, me: string): string[] {
  const heard: string[] = [];
  socket.on("presence", (ev: PresenceEvent) => heard.push(...(ev.joined ?? []).map((n) => `+${n}`), ...(ev.left ?? []).map((n) => `-${n}`)));
  socket.on("message", (m: MessageEvent) => {
    if ("kind" in m && m.username !== me) heard.push(m.content);
  });
  return heard;
}

async function restartsQuietly(signal: "SIGTERM" | "SIGKILL"): Promise<void> {
  const db = tempDatabase();
  onTestFinished(db.remove);
  const first = await start(db.path);
  const sessions = { ana: cookie(), bob: cookie(), cy: cookie() };
  await member(first.url, sessions.ana, "Ana");
  await member(first.url, sessions.bob, "Bob");
  await member(first.url, sessions.cy, "Cy");
  if (signal === "SIGKILL") await first.waitForLog((l) => l.event === "presence_snapshot_saved" && l.names === 3);
  first.proc.kill(signal);
  await first.exited;

  const second = await start(db.path, first.port);
  expect(await second.waitForLog((l) => l.event === "presence_restored")).toMatchObject({ names: 3 });
  const ana = await member(second.url, sessions.ana, "Ana");
  const heard = arrivalsHeard(ana, "Ana");
  const bob = await member(second.url, sessions.bob, "Bob");
  // A round trip through the room: anything the server sent Ana about Bob's return has arrived before this.
  const fence = waitFor(ana, "message", (m) => m.content === "fence");
  await bob.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Bob", content: "fence" });
  await fence;
  expect(heard).toEqual([]);
  const users = await bob.timeout(5000).emitWithAck("join_chat", { room: "lobby", username: "Bob" });
  expect(users.ok && users.users).toEqual(["Ana", "Bob", "Cy"]); // Cy's name is held for Cy a while
  // Cy never comes back: when the grace ends, the room hears it.
  await waitFor(ana, "message", isNoticeWith("Cy has left the chat."), Number(GRACE_MS) * 2);
  expect(heard).toEqual(["-Cy", "Cy has left the chat."]);
}

describe("a restart and the people in the room", () => {
  it("SIGTERM: the snapshot written at shutdown gives everyone their names back; the returning are silent, the absent announced after the grace", async () => {
    await restartsQuietly("SIGTERM");
  }, RESTART_TEST_MS);

  it("SIGKILL: the last periodic snapshot does the same", async () => {
    await restartsQuietly("SIGKILL");
  }, RESTART_TEST_MS);

  it("a start slower than the grace still gives the names back (the grace counts from the restore); a snapshot older than PRESENCE_SNAPSHOT_MAX_AGE_MS is ignored", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    /** Makes the snapshot on disk look written `ms` ago: the server was down (or starting) that long. */
    const age = (ms: number): void => {
      const sqlite = new Database(db.path);
      sqlite.prepare("UPDATE presence_snapshot SET saved_at = ?").run(new Date(Date.now() - ms).toISOString());
      sqlite.close();
    };
    const first = await start(db.path);
    await member(first.url, cookie(), "Ana");
    await member(first.url, cookie(), "Bob");
    first.proc.kill("SIGTERM");
    await first.exited;
    age(3 * Number(GRACE_MS)); // slower than the grace, well within the 2-minute default
    const second = await start(db.path, first.port);
    expect(await second.waitForLog((l) => l.event === "presence_restored" || l.event === "presence_snapshot_stale")).toMatchObject({ event: "presence_restored", names: 2 });
    second.proc.kill("SIGTERM");
    await second.exited;
    age(121_000); // longer than PRESENCE_SNAPSHOT_MAX_AGE_MS (120 s): an outage, the rooms start afresh
    const third = await start(db.path, first.port);
    expect(await third.waitForLog((l) => l.event === "presence_restored" || l.event === "presence_snapshot_stale")).toMatchObject({ event: "presence_snapshot_stale", entries: 2 });
  }, RESTART_TEST_MS);

  it("restored names are held for RESTORE_GRACE_MS, longer than a reload's NAME_GRACE_MS: a slow return is silent too", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    // A reload's grace of 1 s, the restart's 8 s: Bob comes back after the first has long run out.
    const env = { NAME_GRACE_MS: "1000", RESTORE_GRACE_MS: "8000" };
    const first = await start(db.path, undefined, env);
    const sessions = { ana: cookie(), bob: cookie(), cy: cookie() };
    for (const [name, session] of [["Ana", sessions.ana], ["Bob", sessions.bob], ["Cy", sessions.cy]] as const) await member(first.url, session, name);
    first.proc.kill("SIGTERM");
    await first.exited;
    const second = await start(db.path, first.port, env);
    const restoredAt = Date.now();
    expect(await second.waitForLog((l) => l.event === "presence_restored")).toMatchObject({ names: 3, graceMs: 8000 });
    const ana = await member(second.url, sessions.ana, "Ana");
    const heard = arrivalsHeard(ana, "Ana");
    // Bob takes his time: three reload graces after the restore (the time span is the point, not an event).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, restoredAt + 3000 - Date.now())));
    const bob = await member(second.url, sessions.bob, "Bob");
    const fence = waitFor(ana, "message", (m) => m.content === "fence");
    await bob.timeout(5000).emitWithAck("send_message", { room: "lobby", username: "Bob", content: "fence" });
    await fence;
    expect(heard).toEqual([]); // no "-Bob" at 1 s, no "+Bob" on his return
    // Cy never comes back: the room hears it when the restart's grace ends, not the reload's.
    await waitFor(ana, "message", isNoticeWith("Cy has left the chat."), 15_000);
    expect(Date.now() - restoredAt).toBeGreaterThanOrEqual(7000);
    expect(heard).toEqual(["-Cy", "Cy has left the chat."]);
  }, RESTART_TEST_MS);

  it("server_shutdown tells each client its own time to come back, within the spread", async () => {
    const db = tempDatabase();
    onTestFinished(db.remove);
    const server = await start(db.path);
    const sockets = await Promise.all(Array.from({ length: 12 }, (_, i) => member(server.url, cookie(), `P${i}`)));
    const told = Promise.all(sockets.map((s) => waitFor(s, "server_shutdown")));
    server.proc.kill("SIGTERM");
    const delays = (await told).map((ev: ShutdownEvent) => ev.reconnectAfterMs);
    expect(new Set(delays).size).toBeGreaterThan(6);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(0);
    for (const d of delays) expect(d).toBeLessThanOrEqual(1000); // 12 clients at RESTART_REJOINS_PER_SEC 2000: the minimum spread
  });
});
