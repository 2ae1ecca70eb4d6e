// One connection's events act in the order they arrived: membership changes one after another, and every
// other event sees the membership left by the events before it.
import { describe, expect, it, onTestFinished } from "vitest";
import type { ClientEventName, MessageEvent } from "../src/protocol.js";
import { startTestApp, type ClientSocket } from "./helpers/app.js";
import { legacyEmit } from "./helpers/emit.js";
import { collectUntil } from "./helpers/wait.js";

const ROOM = "general";

/**
 * Emits ack-less events that reach the server in one HTTP request: the first packet of a tick goes out at
 * once and holds the transport, so the ones after it are batched into the next POST, as on a slow network.
 */
function emitInOneRequest(socket: ClientSocket, events: [ClientEventName, unknown][]): void {
  legacyEmit(socket, "no_such_event" as ClientEventName, {}); // ignored by the server; occupies the transport
  for (const [event, payload] of events) legacyEmit(socket, event, payload);
}

/** Every notice and message `observer` hears until its own marker message comes back. */
async function heardUntilMarker(observer: ClientSocket, marker: string): Promise<string[]> {
  const heard = collectUntil(observer, "message", (m: MessageEvent) => m.content === marker);
  expect(await observer.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "obs", content: marker })).toMatchObject({ ok: true });
  return (await heard).map((m) => m.content);
}

describe("events of one connection act in order", () => {
  it("an ack-less join and leave sent in one polling request announce 'has joined' then 'has left', never a phantom arrival", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const observer = await app.joined(ROOM, "obs");
    // Polling batches the packets emitted in one tick into one HTTP request, as a page on a slow network does.
    const legacy = await app.connect({ options: { transports: ["polling"] } });
    const left = collectUntil(observer, "message", (m: MessageEvent) => m.content === "ana has left the chat.");
    emitInOneRequest(legacy, [
      ["join_chat", { room: ROOM, username: "ana" }],
      ["leave_chat", { room: ROOM }],
    ]);
    expect((await left).map((m) => m.content)).toEqual(["ana has joined the chat.", "ana has left the chat."]);
    expect(await heardUntilMarker(observer, "marker")).toEqual(["marker"]); // nothing announced after the leave
    expect(await app.app.presence.users(ROOM)).toEqual(["obs"]);
  });

  it("a send right after an ack-less join (same request) is stored: it sees the membership the join made", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const observer = await app.joined(ROOM, "obs");
    const legacy = await app.connect({ options: { transports: ["polling"] } });
    const heard = collectUntil(observer, "message", (m: MessageEvent) => m.content === "hello");
    emitInOneRequest(legacy, [
      ["join_chat", { room: ROOM, username: "ana" }],
      ["send_message", { room: ROOM, username: "ana", content: "hello" }],
    ]);
    expect((await heard).map((m) => m.content)).toEqual(["ana has joined the chat.", "hello"]);
  });

  it("a send after a leave in the same request is refused with not_in_room", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const ana = await app.joined(ROOM, "ana", { options: { transports: ["polling"] } });
    legacyEmit(ana, "no_such_event" as ClientEventName, {}); // holds the transport: the next two share a request
    const leave = ana.timeout(3000).emitWithAck("leave_chat", { room: ROOM });
    const send = ana.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "ana", content: "late" });
    expect(await leave).toEqual({ ok: true });
    expect(await send).toMatchObject({ ok: false, error: { code: "not_in_room" } });
  });

  it("a disconnect while a join is loading history announces the arrival before the departure", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const observer = await app.joined(ROOM, "obs");
    const legacy = await app.connect({ options: { transports: ["polling"] } });
    const heard = collectUntil(observer, "message", (m: MessageEvent) => m.content === "ana has left the chat.");
    emitInOneRequest(legacy, [["join_chat", { room: ROOM, username: "ana" }]]);
    legacy.disconnect(); // the join and the close packet leave in one request
    expect((await heard).map((m) => m.content)).toEqual(["ana has joined the chat.", "ana has left the chat."]);
    expect(await heardUntilMarker(observer, "marker")).toEqual(["marker"]);
    expect(await app.app.presence.users(ROOM)).toEqual(["obs"]);
  });

  it("a burst of sends from one socket reaches the repository together, not each after the previous commit", async () => {
    let inFlight = 0;
    let mostInFlight = 0;
    const app = await startTestApp({
      wrapRepo: (repo) => ({
        append: async (m) => {
          mostInFlight = Math.max(mostInFlight, ++inFlight);
          try {
            return await repo.append(m);
          } finally {
            inFlight--;
          }
        },
        page: (room, q) => repo.page(room, q),
        search: (room, query, opts) => repo.search(room, query, opts),
        isHealthy: () => repo.isHealthy(),
        close: () => repo.close(),
      }),
    });
    onTestFinished(app.close);
    const ana = await app.joined(ROOM, "ana");
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => ana.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "ana", content: `m${i}` })));
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(mostInFlight).toBeGreaterThan(1);
  });
});
