// kick_user in a private room also removes a member whose tabs are all closed, found by the name it was let in
// under (as ban_user finds one): before, "Remove" answered not_found and only a ban could end that admission.
import { describe, expect, it, onTestFinished } from "vitest";
import { OUTSIDER_MESSAGE } from "../src/access/policy.js";
import type { Ack, ErrorBody, SendResult } from "../src/protocol.js";
import { joinRoom, startTestApp, type ClientSocket, type TestApp } from "./helpers/app.js";
import { makeInvite, moderatorSession, MODERATOR_TOKEN, teamOnOneLink, useInvite } from "./helpers/private-rooms.js";

async function appFor(): Promise<TestApp> {
  // NAME_GRACE_MS=0: a closed page releases its name at once, so nobody holds "Bob" once his tab is gone.
  const app = await startTestApp({ env: { MODERATOR_TOKEN, NAME_GRACE_MS: "0" } });
  onTestFinished(app.close);
  return app;
}

const errorOf = (res: Ack<object>): ErrorBody | null => (res.ok ? null : res.error);

async function sendOk(socket: ClientSocket, room: string, username: string, content: string) {
  const res: Ack<SendResult> = await socket.timeout(5000).emitWithAck("send_message", { room, username, content });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

describe("kick_user of a private room's member whose tabs are all closed", () => {
  it("ends the admission: the rejoin is refused and the link it came in by no longer admits that browser", async () => {
    const app = await appFor();
    const { ana, mod, bob, bobSession, room, link } = await teamOnOneLink(app);
    await app.disconnect(bob);
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "bob" })).toEqual({ ok: true, absentMembers: 1 });
    expect(app.logs.some((l) => l.event === "moderation_action" && l.action === "kick" && l.target === "bob" && l.detail === '{"absentMembers":1}')).toBe(true);
    const back = await app.connect({ session: bobSession });
    for (const username of ["Bob", "Robert"]) {
      expect(errorOf(await back.timeout(5000).emitWithAck("join_chat", { room, username })), username).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
    }
    expect((await useInvite(app, bobSession, link.path, "Bob").expect(410)).body.error.code).toBe("invite_revoked");
    // As after a kick of a present member: the link still admits others, and a member's new link lets Bob back.
    await useInvite(app, app.newSession(), link.path, "Cleo").expect(200);
    await useInvite(app, bobSession, (await makeInvite(ana, room)).path, "Bob").expect(200);
    expect((await joinRoom(back, room, "Bob")).ok).toBe(true);
  });

  it("answers not_found, as before, for a name no member was let in under, and for the same name once it is out", async () => {
    const app = await appFor();
    const { mod, bob, room } = await teamOnOneLink(app);
    await app.disconnect(bob);
    const unknown = { code: "not_found", message: 'No one named "Zed" is in this room.' };
    expect(errorOf(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Zed" }))).toEqual(unknown);
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true, absentMembers: 1 });
    expect(errorOf(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" }))).toEqual({ code: "not_found", message: 'No one named "Bob" is in this room.' });
    expect(app.logs.filter((l) => l.event === "moderation_action" && l.action === "kick")).toHaveLength(1);
  });

  it("leaves alone a member let in under the name but present under another one now", async () => {
    const app = await appFor();
    const { ana, mod, bob, room } = await teamOnOneLink(app);
    expect((await joinRoom(bob, room, "Robert")).ok).toBe(true); // let in as Bob, present as Robert now
    // Dan was let in under "Bob" too, and his page is closed: he is the absent bearer of the name.
    const danSession = app.newSession();
    await useInvite(app, danSession, (await makeInvite(ana, room)).path, "Bob").expect(200);
    expect(await mod.timeout(5000).emitWithAck("kick_user", { room, username: "Bob" })).toEqual({ ok: true, absentMembers: 1 });
    expect((await sendOk(bob, room, "Robert", "still here")).content).toBe("still here");
    const dan = await app.connect({ session: danSession });
    expect(errorOf(await dan.timeout(5000).emitWithAck("join_chat", { room, username: "Dan" }))).toEqual({ code: "not_found", message: OUTSIDER_MESSAGE });
  });

  it("in a public room answers not_found for a person who left, as before (no membership there to end)", async () => {
    const app = await appFor();
    const mod = await app.joined("lobby", "Mod", { session: await moderatorSession(app) });
    const bob = await app.joined("lobby", "Bob", { session: app.newSession(), heardBy: [mod] });
    await app.disconnect(bob);
    expect(errorOf(await mod.timeout(5000).emitWithAck("kick_user", { room: "lobby", username: "Bob" }))).toEqual({ code: "not_found", message: 'No one named "Bob" is in this room.' });
  });
});
