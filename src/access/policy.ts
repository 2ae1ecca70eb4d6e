// Who may read, join and manage a room (issue 17): the one home for those decisions, used by the chat handlers
// and the HTTP routes alike. Public rooms (a name) are open to everyone, as in the original; a private room or
// a direct conversation (a private address) only to the browser sessions admitted to it. An outsider gets the
// same answer whether or not the room exists.
import { createHash, randomBytes } from "node:crypto";
import type { RoomInfo } from "../protocol.js";
import { nameKey } from "../shared/names.js";
import { isPrivateAddress } from "./room-address.js";
import type { Member, RoomAccessStore, RoomRecord } from "./store.js";

/** Who asks: a browser session (the signed cookie) by its key, or a client without one (the original's). */
export interface Viewer {
  sessionKey: string;
  /** Has a browser session cookie. Clients without one can never be admitted: they could not prove it again. */
  isBrowser: boolean;
}

/** The one refusal an outsider hears, for a room that does not exist and one it is not admitted to alike. */
export const OUTSIDER_MESSAGE = "There is no room at this address, or it is private and this browser has not been let in.";

export type Admission = { kind: "public" } | { kind: "member"; record: RoomRecord; member: Member } | { kind: "outsider" };

/**
 * Whether `viewer` may be in `room`. A public room costs nothing (no store read); a private address is looked
 * up once, by room and session together, so "no such room" and "not a member" take the same path.
 */
export async function admission(store: RoomAccessStore, room: string, viewer: Viewer): Promise<Admission> {
  if (!isPrivateAddress(room)) return { kind: "public" };
  if (!viewer.isBrowser) return { kind: "outsider" };
  const found = await store.roomAccess(room, viewer.sessionKey);
  if (found === null || found.member === null) return { kind: "outsider" };
  return { kind: "member", record: found.record, member: found.member };
}

/** Where a room's bans are read (the stores implement it). */
export interface BanReader {
  activeBan(room: string, nameKey: string, sessionKey: string | null, now: Date): Promise<{ until: Date } | null>;
}

/**
 * The ban that keeps this member out of its room: the room's own, and for a direct conversation also the ban from the
 * room it was opened in (which covers the conversation). By the member's session or by any of `names` (the name it
 * joins with, the one the room knows it by: a ban of a name nobody held binds no session). `isOrigin`: the ban is the
 * conversation's origin room's. Null when none holds.
 */
export async function memberBan(bans: BanReader, record: RoomRecord, sessionKey: string, names: readonly (string | null)[], now: Date): Promise<{ until: Date; isOrigin: boolean } | null> {
  const places = record.kind === "direct" && record.originRoom !== null ? [record.originRoom, record.room] : [record.room];
  for (const where of places) {
    for (const name of new Set(names)) {
      const ban = await bans.activeBan(where, nameKey(name ?? ""), sessionKey, now);
      if (ban !== null) return { until: ban.until, isOrigin: where !== record.room };
    }
  }
  return null;
}

const isCreator = (record: RoomRecord, sessionKey: string): boolean => record.creatorKey !== null && record.creatorKey === sessionKey;

/** Makes invite links: a private room's creator, a moderator who is a member, or any member when the room allows it. */
export function canInvite(record: RoomRecord, sessionKey: string, isModerator: boolean): boolean {
  return record.kind === "private" && (isCreator(record, sessionKey) || isModerator || record.membersCanInvite);
}

/** Sees and revokes every invite, and sets who may invite: the creator or a moderator (both members). */
export function canManage(record: RoomRecord, sessionKey: string, isModerator: boolean): boolean {
  return record.kind === "private" && (isCreator(record, sessionKey) || isModerator);
}

/** May revoke this invite: a manager, or the member who made it. */
export function canRevoke(record: RoomRecord, sessionKey: string, isModerator: boolean, inviteMaker: string): boolean {
  return canManage(record, sessionKey, isModerator) || inviteMaker === sessionKey;
}

/** A private room's title; a direct conversation's is the other member's name. */
export function titleFor(record: RoomRecord, sessionKey: string, members: readonly Member[] = []): string {
  if (record.kind !== "direct") return record.title;
  return members.find((m) => m.sessionKey !== sessionKey)?.name ?? record.title;
}

/** The room as this session sees it. */
export function roomInfoFor(record: RoomRecord, sessionKey: string, isModerator: boolean, title = record.title): RoomInfo {
  if (record.kind === "direct") return { room: record.room, title, kind: "direct" };
  return {
    room: record.room,
    title,
    kind: "private",
    canInvite: canInvite(record, sessionKey, isModerator),
    canManage: canManage(record, sessionKey, isModerator),
    membersCanInvite: record.membersCanInvite,
  };
}

/** One direct conversation per pair of sessions, whichever of the two opens it: the key of the pair, in either order. */
export function directPairKey(a: string, b: string): string {
  const [first, second] = a < b ? [a, b] : [b, a];
  return createHash("sha256").update(JSON.stringify([first, second])).digest("hex"); // JSON: no two pairs join to one text
}

/** A new private address (room-address.ts): `~` and 16 bytes from the OS's secure random source in base64url. */
export function newPrivateAddress(): string {
  return `~${randomBytes(16).toString("base64url")}`;
}
