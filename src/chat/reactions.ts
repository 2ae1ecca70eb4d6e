// react (issue 22): one browser session's reaction on a message, on or off; the room hears the message's reactions.
import type { Ack, ReactionCount, ReactionsUpdatedEvent, ReactResult } from "../protocol.js";
import type { ReactionGroup } from "../storage/repository.js";
import { fail, parseReact } from "../validation.js";
import { isLegacy, legacyRoomOf, tabsRoomOf } from "./audiences.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";

export async function react(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<ReactResult>> {
  const input = parseReact(raw);
  if (!input.ok) return input;
  const { room, id, emoji, on } = input.value;
  const name = socket.data.rooms.get(room);
  if (name === undefined) return fail("not_in_room", "Join the room before reacting to its messages.");
  // A reaction belongs to a browser session (its tabs count once): a client without the cookie has none to give.
  if (isLegacy(socket)) return fail("session_required", "Reactions need the chat page's browser session.");
  const sessionKey = socket.data.ownerKey;
  const maxEmoji = deps.config.maxReactionEmoji;
  const outcome = await deps.store.react({ room, id, emoji, sessionKey, name, at: deps.clock.now(), on, maxEmoji });
  if (outcome.state === "not_found") return fail("not_found", "There is no such message in this room (or it was deleted).");
  if (outcome.state === "too_many") return fail("too_many_reactions", `A message can have at most ${maxEmoji} different emoji; add to one it has.`);
  if (outcome.state === "changed") {
    deps.metrics.reactionsChanged.inc({ change: on ? "on" : "off" });
    announceReactions(io, room, id, sessionKey, outcome.reactions);
  }
  return { ok: true, id, reactions: outcome.reactions.map((r) => ({ emoji: r.emoji, count: r.count, names: r.names, isMine: r.isMine })) };
}

/**
 * The message's reactions to the room, on every node: the reacting session's tabs with the emoji that are its own
 * now (`mine`); everyone else without, since their own reactions did not change; clients without the cookie not at all.
 */
function announceReactions(io: ChatServer, room: string, id: number, sessionKey: string, groups: readonly ReactionGroup[]): void {
  const reactions: ReactionCount[] = groups.map((r) => ({ emoji: r.emoji, count: r.count, names: r.names }));
  const event: ReactionsUpdatedEvent = { room, id, reactions };
  const tabs = tabsRoomOf(room, sessionKey);
  io.to(room).except([legacyRoomOf(room), tabs]).emit("reactions_updated", event);
  io.to(tabs).emit("reactions_updated", { ...event, mine: groups.filter((r) => r.isMine).map((r) => r.emoji) });
}
