// A send already past its checks when a ban or a kick commits (left open after the direct conversations' fix): the
// store refuses it alone, so the sender is answered and nobody receives it. The ban or kick is made to land between
// the handler's checks and the insert by a repository wrapper that writes it just before the append.
import { describe, expect, it } from "vitest";
import type { MessageEvent, WireMessage } from "../src/protocol.js";
import { nameKey } from "../src/shared/names.js";
import type { ClientSocket } from "./helpers/app.js";
import { appWithLanding } from "./helpers/append-landing.js";
import { createPrivateRoom, makeInvite, useInvite } from "./helpers/private-rooms.js";
import { collect, waitFor } from "./helpers/wait.js";
import { isChatWith } from "./helpers/messages.js";


async function send(socket: ClientSocket, room: string, username: string, content: string): Promise<WireMessage> {
  const res = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

const chatOnly = (events: MessageEvent[]): MessageEvent[] => events.filter((m) => "id" in m);

describe("a send racing a ban or a kick", () => {
  it("public room: a send already past its checks when a ban of its name commits is answered banned and reaches nobody: stored nowhere, not broadcast", async () => {
    let banAt: Date | null = null;
    const app = await appWithLanding(
      (repo, m) => (m.sender === "troll" && banAt !== null ? repo.addBan({ room: "general", nameKey: nameKey("troll"), name: "troll", sessionKey: null, until: new Date(banAt.getTime() + 60_000), by: "mod", at: banAt }) : Promise.resolve()),
      () => banAt !== null,
    );
    const ana = await app.joined("general", "ana", { session: app.newSession() });
    const troll = await app.joined("general", "troll", { session: app.newSession(), heardBy: [ana] });
    const heardByAna = collect(ana, "message");
    banAt = app.clock.now();
    const res = await troll.timeout(5000).emitWithAck("send_message", { room: "general", username: "troll", content: "sent as the ban landed" });
    const until = new Date(banAt.getTime() + 60_000).toISOString();
    expect(res).toEqual({ ok: false, error: { code: "banned", message: `You are banned from this room until ${until}: this message was not sent.` } });
    // Ana's own message reaches her after anything sent before it.
    const fenceHeard = waitFor(ana, "message", isChatWith("fence"));
    await send(ana, "general", "ana", "fence");
    await fenceHeard;
    expect(chatOnly(heardByAna).map((m) => m.content)).toEqual(["fence"]);
    expect((await app.repo.page("general", { limit: 10 })).messages.map((m) => m.content)).toEqual(["fence"]);
  });

  it("private room: a send already past its checks when a kick takes its member out is answered not_in_room and reaches nobody", async () => {
    let isKicking = false;
    const app = await appWithLanding(
      async (repo, m) => {
        if (m.sender === "Bob" && m.ownerKey !== undefined) await repo.access.expelMember(m.room, m.ownerKey, m.sentAt);
      },
      () => isKicking,
    );
    const ana = await app.connect({ session: app.newSession() });
    const { room } = await createPrivateRoom(ana, "Team");
    expect((await ana.timeout(5000).emitWithAck("join_chat", { room, username: "Ana" })).ok).toBe(true);
    const bobSession = app.newSession();
    await useInvite(app, bobSession, (await makeInvite(ana, room)).path, "Bob").expect(200);
    const bob = await app.connect({ session: bobSession });
    const bobArrives = waitFor(ana, "presence", (p) => p.joined?.includes("Bob") ?? false);
    expect((await bob.timeout(5000).emitWithAck("join_chat", { room, username: "Bob" })).ok).toBe(true);
    await bobArrives;
    const heardByAna = collect(ana, "message");
    isKicking = true;
    const res = await bob.timeout(5000).emitWithAck("send_message", { room, username: "Bob", content: "sent as the kick landed" });
    expect(res).toEqual({ ok: false, error: { code: "not_in_room", message: "This room is no longer open to this browser: this message was not sent." } });
    const fenceHeard = waitFor(ana, "message", isChatWith("fence"));
    await send(ana, room, "Ana", "fence");
    await fenceHeard;
    expect(chatOnly(heardByAna).map((m) => m.content)).toEqual(["fence"]);
    expect((await app.repo.page(room, { limit: 10 })).messages.map((m) => m.content)).toEqual(["fence"]);
  });
});
