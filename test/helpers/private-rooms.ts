// Issue 17 in tests: making private rooms and invite links, using a link as a browser does, and becoming a
// moderator, on a test app.
import request from "supertest";
import type { CreatedInvite, RoomInfo } from "../../src/protocol.js";
import { joinRoom, type ClientSocket, type TestApp } from "./app.js";
import { sessionCookieFrom } from "./session-cookie.js";

export const MODERATOR_TOKEN = "moderator-token-0123456789";

/** create_room from `socket` (a browser session); the new room's info. */
export async function createPrivateRoom(socket: ClientSocket, title: string): Promise<RoomInfo> {
  const res = await socket.timeout(5000).emitWithAck("create_room", { title });
  if (!res.ok) throw new Error(`create_room failed: ${res.error.code} ${res.error.message}`);
  return res.room;
}

/** update_room from a moderator's socket: the public `room` made private; its private address. */
export async function makeRoomPrivate(mod: ClientSocket, room: string): Promise<string> {
  const res = await mod.timeout(5000).emitWithAck("update_room", { room, isPrivate: true });
  if (!res.ok) throw new Error(`update_room failed: ${res.error.code} ${res.error.message}`);
  return res.room.room;
}

/** create_invite from a member; the link's path and the token in it. */
export async function makeInvite(socket: ClientSocket, room: string, opts: { expiresInMs?: number; maxUses?: number } = {}): Promise<CreatedInvite & { token: string }> {
  const res = await socket.timeout(5000).emitWithAck("create_invite", { room, ...opts });
  if (!res.ok) throw new Error(`create_invite failed: ${res.error.code} ${res.error.message}`);
  return { invite: res.invite, path: res.path, token: res.path.slice("/invite/".length) };
}

/** What a browser's click on "Join as <name>" sends: a same-origin JSON post with the session cookie. */
export function useInvite(app: TestApp, session: string, path: string, username: string) {
  return request(app.url).post(path).set("Cookie", session).set("Origin", app.url).send({ username });
}

/** A browser session that signed in at /moderate with the token, as a person would (the app needs MODERATOR_TOKEN). */
export async function moderatorSession(app: TestApp): Promise<string> {
  const res = await request(app.url).post("/moderate").set("Cookie", app.newSession()).set("Origin", app.url).type("form").send({ token: MODERATOR_TOKEN }).expect(303);
  return sessionCookieFrom(res.headers["set-cookie"]);
}

/** A private address that no room has: what an outsider guessing would try. */
export const madeUpAddress = (): string => `~${Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url")}`;

/**
 * Ana's private room "Team" with one reusable link of hers, by which a moderator and Bob came in; all three joined.
 * The link has no limit of uses: after a kick, only a revocation for Bob's browser keeps him out (room-kicks.ts).
 */
export async function teamOnOneLink(app: TestApp) {
  const ana = await app.connect({ session: app.newSession() });
  const { room } = await createPrivateRoom(ana, "Team");
  if (!(await joinRoom(ana, room, "Ana")).ok) throw new Error("Ana could not join her room");
  const link = await makeInvite(ana, room);
  const modSession = await moderatorSession(app);
  await useInvite(app, modSession, link.path, "Mod").expect(200);
  const mod = await app.connect({ session: modSession });
  if (!(await joinRoom(mod, room, "Mod")).ok) throw new Error("Mod could not join");
  const bobSession = app.newSession();
  await useInvite(app, bobSession, link.path, "Bob").expect(200);
  const bob = await app.connect({ session: bobSession });
  if (!(await joinRoom(bob, room, "Bob")).ok) throw new Error("Bob could not join");
  return { ana, mod, bob, bobSession, room, link };
}
