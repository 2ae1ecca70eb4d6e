// Editing and deleting a message (issue 12): its sending session within EDIT_WINDOW_MS, or (delete only) a moderator.
import type { Ack, Failure, WireMessage } from "../protocol.js";
import type { ChatMessage } from "../storage/repository.js";
import { fail, parseDeleteMessage, parseEditMessage } from "../validation.js";
import { resolveMentions } from "./mentions.js";
import { isModerator, recordAction } from "./moderation.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";
import { toWire } from "./wire.js";
import { FileLibrary } from "../files/library.js";
import { quotesFor, withReplyMention } from "./replies.js";
import { readerOf, toWireFor } from "./message-context.js";
import { inMessageTurn } from "./message-turns.js";

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

/** Issue 18: what an edit does to the message's files: the ones to keep (absent: all), or why not. */
function filesRefusal(found: ChatMessage, content: string, keep: readonly string[] | undefined): Failure | null {
  const current = found.attachments ?? [];
  if (keep !== undefined && keep.some((id) => !current.some((a) => a.id === id))) return fail("invalid_attachment", "An edit can only remove files from a message, not add others.");
  const left = keep === undefined ? current.length : keep.length;
  if (content === "" && left === 0) return fail("invalid_content", "content must be 1-500 characters");
  return null;
}

export async function editMessage(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<MessageAck> {
  const input = parseEditMessage(raw);
  if (!input.ok) return input;
  const { room, id, content, attachments: keep } = input.value;
  return inMessageTurn(io, room, id, () => applyEdit(io, socket, deps, room, id, content, keep));
}

async function applyEdit(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, id: number, content: string, keep: readonly string[] | undefined): Promise<MessageAck> {
  const found = await liveMessage(socket, deps, room, id);
  if ("ok" in found) return found;
  const refusal = filesRefusal(found, content, keep) ?? ownerRefusal(found, socket, deps);
  if (refusal !== null) return refusal;
  // Mentions follow the new text, resolved against who is present now (as a send is); a reply keeps mentioning
  // the original's sender (issue 22). In a room whose Redis the node knows frozen the read fails at once
  // (stalled-presence.ts): the edit is refused presence_unavailable, as it was after REDIS_COMMAND_TIMEOUT_MS.
  const textMentions = content.includes("@") ? resolveMentions(content, await deps.presence.users(room)) : [];
  const original = found.replyTo === undefined ? undefined : (await deps.store.messagesById(room, [found.replyTo]))[0];
  const mentions = original === undefined ? textMentions : withReplyMention(textMentions, original, { ...(found.ownerKey !== undefined ? { ownerKey: found.ownerKey } : {}), name: found.sender });
  const saved = await deps.store.edit(room, id, content, deps.clock.now(), mentions, keep);
  if (saved === null) return notFound(); // deleted meanwhile
  const linkBase = deps.config.files.publicUrl ?? "";
  const quote = saved.replyTo === undefined ? undefined : (await quotesFor(deps.store, room, [saved])).get(saved.replyTo);
  const wire = toWire(saved, undefined, linkBase, quote === undefined ? {} : { quote });
  const edited = saved.editedAt ? { editedAt: saved.editedAt.toISOString() } : {};
  // Only when there is something to say: names now, or [] when the text no longer mentions the ones it did.
  const named = saved.mentions !== undefined || found.mentions !== undefined ? { mentions: saved.mentions ?? [] } : {};
  // Files: the list now (and the caption alone) when it has or had some; [] once the last is gone.
  const withFiles = found.attachments !== undefined ? { attachments: wire.attachments ?? [], caption: saved.content } : {};
  // A reply: its quote again (the original may have changed too), its text alone in caption, the quote line in content.
  const asReply = wire.replyTo !== undefined ? { replyTo: wire.replyTo, caption: saved.content } : {};
  io.to(room).emit("message_updated", { room, id, content: wire.content, ...edited, ...named, ...withFiles, ...asReply });
  // The old text may sit in a push notification on a closed page's device: taken back, never re-pushed (push/take-back.ts).
  deps.push?.messageChanged(room, id, "edited");
  await releaseRemoved(deps, found, saved); // after the broadcast: the bytes' removal (disk) need not hold it back
  return { ok: true, message: (await toWireFor(deps, room, [saved], readerOf(socket)))[0] as WireMessage };
}

/** The bytes of the files a change took away from the message go, once nothing else points at them. */
async function releaseRemoved(deps: ChatDeps, before: ChatMessage, after: ChatMessage): Promise<void> {
  const kept = new Set((after.attachments ?? []).map((a) => a.id));
  const removed = (before.attachments ?? []).filter((a) => !kept.has(a.id));
  if (removed.length > 0) await deps.files.release(FileLibrary.blobsOf(removed)).catch((err: unknown) => deps.log.warn("file_release_failed", { err: (err as Error).message }));
}

/** What a moderator's delete took besides the text, for the audit: `{"files":2,"reactions":5}`; null for the text alone. */
function deleteDetail(found: ChatMessage, reactions: number): string | null {
  const detail = { ...(found.attachments ? { files: found.attachments.length } : {}), ...(reactions > 0 ? { reactions } : {}) };
  return Object.keys(detail).length > 0 ? JSON.stringify(detail) : null;
}

/** The owner within the window, or a moderator at any time (that one is audited). The row stays as a tombstone. */
export async function deleteMessage(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<MessageAck> {
  const input = parseDeleteMessage(raw);
  if (!input.ok) return input;
  const { room, id } = input.value;
  return inMessageTurn(io, room, id, () => applyDelete(io, socket, deps, room, id));
}

async function applyDelete(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, id: number): Promise<MessageAck> {
  const found = await liveMessage(socket, deps, room, id);
  if ("ok" in found) return found;
  const refusal = ownerRefusal(found, socket, deps);
  const asModerator = refusal !== null && (await isModerator(socket, deps));
  if (refusal !== null && !asModerator) return refusal;
  const saved = await deps.store.erase(room, id, deps.clock.now());
  if (saved === null) return notFound(); // deleted meanwhile
  const reactions = saved.reactionsRemoved ?? 0; // issue 22: the delete took them in its own transaction
  if (asModerator) await recordAction(socket, deps, { action: "delete", room, target: found.sender, messageId: id, detail: deleteDetail(found, reactions) });
  const withFiles = found.attachments !== undefined ? { attachments: [], caption: "" } : {};
  const withoutReactions = reactions > 0 ? { reactions: [] as [] } : {};
  io.to(room).emit("message_updated", { room, id, content: "", ...(saved.deletedAt ? { deletedAt: saved.deletedAt.toISOString() } : {}), ...withFiles, ...withoutReactions });
  deps.push?.messageChanged(room, id, "deleted"); // and out of any push notification still quoting it
  await releaseRemoved(deps, found, saved); // its files are gone (404) already; their bytes once nothing else needs them
  return { ok: true, message: toWire(saved, socket.data.ownerKey) };
}
