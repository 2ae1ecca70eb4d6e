// Invite links of a private room (issue 17): made, listed and revoked by the members the room lets (access/policy.ts).
// The token leaves the server once, in the maker's answer; the store keeps its hash.
import { admission, canInvite, canManage, canRevoke, type Admission } from "../access/policy.js";
import { hashInviteToken, inviteState, newInviteToken } from "../access/invite-token.js";
import { isPrivateAddress } from "../access/room-address.js";
import type { InviteRecord } from "../access/store.js";
import type { Ack, CreatedInvite, Failure, InviteInfo } from "../protocol.js";
import { fail, parseCreateInvite, parseListInvites, parseRevokeInvite } from "../validation.js";
import { isModerator } from "./moderation.js";
import { outsider } from "./private-rooms.js";
import type { ChatDeps, ChatSocket } from "./types.js";

type Membership = Extract<Admission, { kind: "member" }>;

/** The private room the socket is in, with its record; public rooms have no invites. */
async function privateRoom(socket: ChatSocket, deps: ChatDeps, room: string): Promise<Membership | Failure> {
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room first.");
  if (!isPrivateAddress(room)) return fail("invalid_room", "A public room needs no invite: share its link.");
  const found = await admission(deps.store.access, room, { sessionKey: socket.data.ownerKey, isBrowser: true });
  if (found.kind !== "member") return outsider();
  if (found.record.kind !== "private") return fail("invalid_room", "A direct conversation has no invite links.");
  return found;
}

function toInfo(invite: InviteRecord, viewerKey: string, now: Date): InviteInfo {
  const state = inviteState(invite, now);
  return {
    id: invite.id,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt.toISOString(),
    ...(invite.maxUses !== null ? { maxUses: invite.maxUses } : {}),
    uses: invite.uses,
    createdBy: invite.createdByName,
    isMine: invite.createdBy === viewerKey,
    state: state === "revoked" ? "expired" : state,
  };
}

export async function createInvite(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<CreatedInvite>> {
  const input = parseCreateInvite(raw);
  if (!input.ok) return input;
  const { room, expiresInMs, maxUses } = input.value;
  const found = await privateRoom(socket, deps, room);
  if ("ok" in found) return found;
  const key = socket.data.ownerKey;
  if (!canInvite(found.record, key, await isModerator(socket, deps))) return fail("not_allowed", "Only the room's creator or a moderator can make invite links here.");
  const { inviteTtlMs, inviteMaxTtlMs, maxInvitesPerRoom } = deps.config.access;
  const lifeMs = expiresInMs ?? inviteTtlMs;
  if (lifeMs > inviteMaxTtlMs) return fail("invalid_payload", `expiresInMs must be at most ${inviteMaxTtlMs} (INVITE_MAX_TTL_MS)`);
  const now = deps.clock.now();
  if ((await deps.store.access.activeInviteCount(room, now)) >= maxInvitesPerRoom) return fail("limit_reached", `This room has ${maxInvitesPerRoom} usable invite links, the most it may; revoke one first.`);
  const token = newInviteToken();
  const invite = await deps.store.access.createInvite({
    room,
    tokenHash: hashInviteToken(token),
    createdBy: key,
    createdByName: socket.data.rooms.get(room) ?? "",
    createdAt: now,
    expiresAt: new Date(now.getTime() + lifeMs),
    maxUses: maxUses ?? null,
  });
  deps.log.info("invite_created", { room, invite: invite.id });
  return { ok: true, invite: toInfo(invite, key, now), path: `/invite/${token}` };
}

/** Managers see every live invite of the room; a member who may invite sees the ones it made. */
export async function listInvites(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<{ invites: InviteInfo[] }>> {
  const input = parseListInvites(raw);
  if (!input.ok) return input;
  const found = await privateRoom(socket, deps, input.value.room);
  if ("ok" in found) return found;
  const key = socket.data.ownerKey;
  const isMod = await isModerator(socket, deps);
  const sees = canManage(found.record, key, isMod) ? () => true : canInvite(found.record, key, isMod) ? (i: InviteRecord) => i.createdBy === key : null;
  if (sees === null) return fail("not_allowed", "Only the room's creator or a moderator can see its invite links.");
  const now = deps.clock.now();
  return { ok: true, invites: (await deps.store.access.invites(input.value.room)).filter(sees).map((i) => toInfo(i, key, now)) };
}

export async function revokeInvite(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack> {
  const input = parseRevokeInvite(raw);
  if (!input.ok) return input;
  const { room, id } = input.value;
  const found = await privateRoom(socket, deps, room);
  if ("ok" in found) return found;
  const invite = await listedInvite(deps, room, id);
  if (invite === undefined) return noSuchInvite();
  if (!canRevoke(found.record, socket.data.ownerKey, await isModerator(socket, deps), invite.createdBy)) return fail("not_allowed", "Only the room's creator, a moderator or the link's maker can revoke it.");
  const now = deps.clock.now();
  const ended = endedRefusal(invite, now);
  if (ended !== null) return ended;
  // The store refuses an ended link too: one used up (or expired) since the read above is answered as such.
  if (!(await deps.store.access.revokeInvite(room, id, now))) {
    const after = await listedInvite(deps, room, id);
    return (after === undefined ? null : endedRefusal(after, now)) ?? noSuchInvite();
  }
  deps.log.info("invite_revoked", { room, invite: id });
  return { ok: true };
}

/** The room's invite with this id as list_invites shows it; undefined for none, or one revoked (no longer listed). */
async function listedInvite(deps: ChatDeps, room: string, id: number): Promise<InviteRecord | undefined> {
  return (await deps.store.access.invites(room)).find((i) => i.id === id);
}

const noSuchInvite = (): Failure => fail("not_found", "There is no such invite link in this room (or it was revoked).");

/**
 * An expired or used-up link admits nobody already: revoking it would only rewrite why it ended (the list and its
 * page would say "revoked"), so it is refused with the code its page answers, and stays as it was.
 */
function endedRefusal(invite: InviteRecord, now: Date): Failure | null {
  const state = inviteState(invite, now);
  if (state === "expired") return fail("invite_expired", "This invite link has expired already; there is nothing to revoke.");
  if (state === "used_up") return fail("invite_used_up", "This invite link is used up already; there is nothing to revoke.");
  return null;
}
