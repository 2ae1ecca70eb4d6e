// Stored messages as one reader gets them (issue 22): each reply with its quote, each message with its reactions
// as that reader sees them. Two reads for a whole page (quotes, reactions), whatever its size.
import type { WireMessage, WireQuote } from "../protocol.js";
import type { ChatMessage, ReactionGroup } from "../storage/repository.js";
import { isLegacy } from "./audiences.js";
import { quotesFor } from "./replies.js";
import type { ChatDeps, ChatSocket } from "./types.js";
import { toWire } from "./wire.js";

/** Who reads: the session key (`mine`, `isMine`) and whether it is a client without the session cookie. */
export interface Reader {
  key: string;
  isLegacy: boolean;
}

export const readerOf = (socket: ChatSocket): Reader => ({ key: socket.data.ownerKey, isLegacy: isLegacy(socket) });

/** The messages of one room, in the order given. */
export async function toWireFor(deps: ChatDeps, room: string, messages: readonly ChatMessage[], reader: Reader): Promise<WireMessage[]> {
  if (messages.length === 0) return [];
  const linkBase = deps.config.files.publicUrl ?? "";
  const quotes = await quotesFor(deps.store, room, messages);
  // The original's clients never see reactions: no read for them.
  const reactions: Map<number, ReactionGroup[]> = reader.isLegacy ? new Map() : await deps.store.reactionsOf(messages.filter((m) => m.deletedAt === undefined).map((m) => m.id), reader.key);
  return messages.map((m) => toWire(m, reader.key, linkBase, contextOf(m, quotes, reactions, reader.isLegacy)));
}

function contextOf(m: ChatMessage, quotes: Map<number, WireQuote>, reactions: Map<number, ReactionGroup[]>, isLegacyReader: boolean) {
  const quote = m.replyTo !== undefined ? quotes.get(m.replyTo) : undefined;
  const groups = reactions.get(m.id);
  return { ...(quote !== undefined ? { quote } : {}), ...(groups !== undefined ? { reactions: groups } : {}), isLegacy: isLegacyReader };
}
