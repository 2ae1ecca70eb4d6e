// Replies (issue 22): checking what a send answers, the mention a reply makes, and the quotes of a list of messages.
import type { Failure, WireQuote } from "../protocol.js";
import type { ChatMessage, MessageEdits } from "../storage/repository.js";
import { nameKey } from "../shared/names.js";
import { fail } from "../validation.js";
import { quoteOf } from "./quote.js";
import type { ChatDeps } from "./types.js";

/**
 * The live message of the room a send answers. Missing, deleted and in another room are one answer, so an id
 * tells nothing of a room the sender is not in.
 */
export async function replyTarget(deps: ChatDeps, room: string, id: number): Promise<ChatMessage | Failure> {
  const original = await deps.store.find(room, id);
  if (original === null || original.deletedAt !== undefined) return fail("reply_not_found", "The message you are answering is not in this room, or it was deleted.");
  return original;
}

/**
 * A reply mentions the original's sender (so it counts and notifies as `@name` does), unless it answers a message
 * of the same browser session or the same name. Added after the names the text mentions, once.
 */
export function withReplyMention(mentions: readonly string[], original: ChatMessage, replier: { ownerKey?: string; name: string }): string[] {
  const isOwn = (original.ownerKey !== undefined && original.ownerKey === replier.ownerKey) || nameKey(original.sender) === nameKey(replier.name);
  const key = nameKey(original.sender);
  if (isOwn || original.sender === "" || mentions.some((m) => nameKey(m) === key)) return [...mentions];
  return [...mentions, original.sender];
}

/** The ids of the messages that the live replies among `messages` answer, each once. */
export function answeredIds(messages: readonly ChatMessage[]): number[] {
  return [...new Set(messages.filter((m) => m.replyTo !== undefined && m.deletedAt === undefined).map((m) => m.replyTo as number))];
}

/**
 * The quotes of these messages' originals, by original id: one read for the whole list, only when one is a reply
 * whose original is not among `known` (messages of the room as they are now, e.g. its newest page just read).
 */
export async function quotesFor(store: Pick<MessageEdits, "messagesById">, room: string, messages: readonly ChatMessage[], known: readonly ChatMessage[] = []): Promise<Map<number, WireQuote>> {
  const ids = answeredIds(messages);
  const quotes = new Map<number, WireQuote>();
  if (ids.length === 0) return quotes;
  const wanted = new Set(ids);
  for (const original of known) if (wanted.has(original.id)) quotes.set(original.id, quoteOf(original));
  const unknown = ids.filter((id) => !quotes.has(id));
  if (unknown.length > 0) for (const original of await store.messagesById(room, unknown)) quotes.set(original.id, quoteOf(original));
  // A row removed outright (by hand, or by the Flask app) reads as deleted.
  for (const id of ids) if (!quotes.has(id)) quotes.set(id, { id, sender: "", excerpt: null, deleted: true });
  return quotes;
}
