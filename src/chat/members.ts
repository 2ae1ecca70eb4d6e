// Who can read this room (list_members): every member of a private room or a direct conversation, present or away,
// to its members only. The hint that the list changed is members-changed.ts's.
import type { Member } from "../access/store.js";
import type { Ack, MemberInfo, MembersResult } from "../protocol.js";
import { nameKey } from "../shared/names.js";
import { sessionKey } from "../shared/session-key.js";
import { fail, parseListMembers } from "../validation.js";
import type { Holding } from "./presence.js";
import { joinAdmission } from "./private-rooms.js";
import type { ChatDeps, ChatSocket } from "./types.js";

// One collator for every sort, as presence sorts its names (ignoring case).
const byName = new Intl.Collator(undefined, { sensitivity: "base" }).compare;

/**
 * list_members: refused exactly as a join of the room would be (a stranger cannot tell a real private room from a
 * made-up address, a banned member hears its ban), so the list tells nobody anything a join would not.
 */
export async function listMembers(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<MembersResult>> {
  const input = parseListMembers(raw);
  if (!input.ok) return input;
  const { room } = input.value;
  const admitted = await joinAdmission(socket, deps, room, socket.data.rooms.get(room) ?? null);
  if ("ok" in admitted) return admitted;
  if (admitted.kind !== "member") return fail("invalid_room", "A public room has no members list: its people list shows who is here.");
  const [members, holders] = await Promise.all([deps.store.access.members(room), deps.presence.holders(room)]);
  return { ok: true, members: memberList(members, presentOf(deps.config.secretKey, holders), socket.data.ownerKey) };
}

/** Who is in the room now, as presence knows it on every node: browser sessions by key, a restored name (no session yet) by name. */
interface Present {
  sessionKeys: Set<string>;
  nameKeys: Set<string>;
}

function presentOf(secret: string, holders: readonly Holding[]): Present {
  const present: Present = { sessionKeys: new Set(), nameKeys: new Set() };
  for (const h of holders) {
    if (h.sessionId.startsWith("s:")) present.sessionKeys.add(sessionKey(secret, h.sessionId));
    else present.nameKeys.add(nameKey(h.name)); // restored after a restart: its owner is known by name until it is back
  }
  return present;
}

/**
 * The members as the list shows them. By session, not by name: a member present under another name is present, and
 * someone else holding its name is not it. One entry per name (by its key): one person's two browsers are one
 * person to the reader, and kick_user, which Remove calls, removes a name's every away browser at once anyway.
 * A member without a name yet (a creator who never joined its room) is its own entry. Never a session key.
 */
export function memberList(members: readonly Member[], present: Present, viewerKey: string): MemberInfo[] {
  const byKey = new Map<string, MemberInfo>();
  members.forEach((m, i) => {
    const isPresent = present.sessionKeys.has(m.sessionKey) || (m.name !== null && present.nameKeys.has(nameKey(m.name)));
    const entry: MemberInfo = { name: m.name, present: isPresent, since: m.admittedAt.toISOString(), you: m.sessionKey === viewerKey };
    const key = m.name === null ? `\0${i}` : nameKey(m.name);
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, entry);
    else byKey.set(key, { name: seen.name, present: seen.present || entry.present, since: seen.since < entry.since ? seen.since : entry.since, you: seen.you || entry.you });
  });
  return [...byKey.values()].sort((a, b) => Number(b.present) - Number(a.present) || byName(a.name ?? "\uffff", b.name ?? "\uffff"));
}
