// Editing and deleting a message (issue 12): its sending session within EDIT_WINDOW_MS, or (delete only) a moderator.
import type { Ack, Failure, WireMessage } from "../protocol.js";
import type { ChatMessage } from "../storage/repository.js";
import { fail, parseDeleteMessage, parseEditMessage } from "../validation.js";
import { resolveMentions } from "./mentions.js";
import { isModerator, recordAction } from "./moderation.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";
import { toWire } from "./wire.js";

type MessageAck = Ack<{ message: WireMessage }>;

const notFound = (): Failure => fail("not_found", "There is no such message in this room (or it was deleted).");

/** Null when this socket's session sent the message and the window is still open; otherwise why not. */
function ownerRefusal(message: ChatMessage, socket: ChatSocket, deps: ChatDeps): Failure | null {
  if (message.ownerKey === undefined || message.ownerKey !== socket.data.ownerKey) return fail("not_owner", "You can only change messages you sent from this browser.");
  const windowMs = deps.config.editWindowMs;
  if (windowMs > 0 && deps.clock.now().getTime() - message.sentAt.getTime() > windowMs) {
    return fail("edit_window_closed", `Messages can be changed for ${Math.round(windowMs / 60_000)} minutes after sending.`);
  }
  return null;
}

/** A live message of the room, or the refusal: not in the room, no such id there, or a tombstone. */
async function liveMessage(socket: ChatSocket, deps: ChatDeps, room: string, id: number): Promise<ChatMessage | Failure> {
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room before changing its messages.");
  const message = await deps.store.find(room, id);
  return message === null || message.deletedAt !== undefined ? notFound() : message;
}

export async function editMessage(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<MessageAck> {
  const input = parseEditMessage(raw);
  if (!input.ok) return input;
  const { room, id, content } = input.value;
  const found = await liveMessage(socket, deps, room, id);
  if ("ok" in found) return found;
  const refusal = ownerRefusal(found, socket, deps);
  if (refusal !== null) return refusal;
  // Mentions follow the new text, resolved against who is present now (as a send is).
  const mentions = content.includes("@") ? resolveMentions(content, await deps.presence.users(room)) : [];
  const saved = await deps.store.edit(room, id, content, deps.clock.now(), mentions);
  if (saved === null) return notFound(); // deleted meanwhile
  const edited = saved.editedAt ? { editedAt: saved.editedAt.toISOString() } : {};
  // Only when there is something to say: names now, or [] when the text no longer mentions the ones it did.
  const named = saved.mentions !== undefined || found.mentions !== undefined ? { mentions: saved.mentions ?? [] } : {};
  io.to(room).emit("message_updated", { room, id, content: saved.content, ...edited, ...named });
  return { ok: true, message: toWire(saved, socket.data.ownerKey) };
}

/** The owner within the window, or a moderator at any time (that one is audited). The row stays as a tombstone. */
export async function deleteMessage(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<MessageAck> {
  const input = parseDeleteMessage(raw);
  if (!input.ok) return input;
  const { room, id } = input.value;
  const found = await liveMessage(socket, deps, room, id);
  if ("ok" in found) return found;
  const refusal = ownerRefusal(found, socket, deps);
  const asModerator = refusal !== null && (await isModerator(socket, deps));
  if (refusal !== null && !asModerator) return refusal;
  const saved = await deps.store.erase(room, id, deps.clock.now());
  if (saved === null) return notFound(); // deleted meanwhile
  if (asModerator) await recordAction(socket, deps, { action: "delete", room, target: found.sender, messageId: id, detail: null });
  io.to(room).emit("message_updated", { room, id, content: "", ...(saved.deletedAt ? { deletedAt: saved.deletedAt.toISOString() } : {}) });
  return { ok: true, message: toWire(saved, socket.data.ownerKey) };
}
