// Stored messages as one reader gets them (issue 22): each reply with its quote, each message with its reactions
// as that reader sees them. Two reads for a whole page (quotes, reactions), whatever its size; none for the quotes
// of originals the caller already holds (the page itself).
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

/** What messages need besides their rows: their replies' quotes and their reactions, by id. */
export interface MessageReads {
  quotes: Map<number, WireQuote>;
  reactions: Map<number, ReactionGroup[]>;
}

/**
 * The quotes and reactions of `messages`, one read each at most. `known`: messages of the room as they are now
 * (its newest page), whose quotes need no read; `reactionsAlso`: messages whose reactions are wanted too, in the
 * same read (a rejoin's page); `reactionIdsAlso`: live messages of the room, by id, likewise (a rejoin's `shown`).
 */
export async function readContext(deps: ChatDeps, room: string, messages: readonly ChatMessage[], reader: Reader, extra: { known?: readonly ChatMessage[]; reactionsAlso?: readonly ChatMessage[]; reactionIdsAlso?: readonly number[] } = {}): Promise<MessageReads> {
  const quotes = await quotesFor(deps.store, room, messages, extra.known);
  const live = [...[...messages, ...(extra.reactionsAlso ?? [])].filter((m) => m.deletedAt === undefined).map((m) => m.id), ...(extra.reactionIdsAlso ?? [])];
  // The original's clients never see reactions: no read for them.
  const reactions: Map<number, ReactionGroup[]> = reader.isLegacy ? new Map() : await deps.store.reactionsOf([...new Set(live)], reader.key);
  return { quotes, reactions };
}

/** The messages as `reader` gets them, with what readContext read. */
export function toWireWith(deps: ChatDeps, messages: readonly ChatMessage[], reader: Reader, reads: MessageReads): WireMessage[] {
  const linkBase = deps.config.files.publicUrl ?? "";
  return messages.map((m) => toWire(m, reader.key, linkBase, contextOf(m, reads.quotes, reads.reactions, reader.isLegacy)));
}

/** The messages of one room, in the order given. `known` as readContext's. */
export async function toWireFor(deps: ChatDeps, room: string, messages: readonly ChatMessage[], reader: Reader, known?: readonly ChatMessage[]): Promise<WireMessage[]> {
  if (messages.length === 0) return [];
  return toWireWith(deps, messages, reader, await readContext(deps, room, messages, reader, known !== undefined ? { known } : {}));
}

function contextOf(m: ChatMessage, quotes: Map<number, WireQuote>, reactions: Map<number, ReactionGroup[]>, isLegacyReader: boolean) {
  const quote = m.replyTo !== undefined ? quotes.get(m.replyTo) : undefined;
  const groups = reactions.get(m.id);
  return { ...(quote !== undefined ? { quote } : {}), ...(groups !== undefined ? { reactions: groups } : {}), isLegacy: isLegacyReader };
}
