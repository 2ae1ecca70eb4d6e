// search_messages (issue 12): parse the query ourselves, let the store find the newest matches, then rank
// them and mark where the words are. Ranking and highlights are computed here, for both stores alike.
import type { Ack, SearchHit, SearchResult } from "../protocol.js";
import { fail, parseSearch } from "../validation.js";
import { highlightRanges, isEmptyQuery, parseSearchQuery, rankByRelevance } from "../shared/search-query.js";
import type { ChatDeps, ChatSocket } from "./types.js";
import { toWire } from "./wire.js";

export async function searchMessages(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<SearchResult>> {
  const input = parseSearch(raw);
  if (!input.ok) return input;
  const { room, q, before, limit } = input.value;
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room before searching it.");
  const query = parseSearchQuery(q);
  if (isEmptyQuery(query)) return fail("invalid_payload", 'q has nothing to search for: type a word (letters or digits), a "phrase" or from:name');
  const page = await deps.repo.search(room, query, before === undefined ? { limit } : { before, limit });
  // The store gives the recency page; it is ranked here, the same way on every store.
  const hits: SearchHit[] = rankByRelevance(page.messages, query).map((m) => ({ message: toWire(m, socket.data.ownerKey), highlights: highlightRanges(m.content, query) }));
  return { ok: true, hits, hasMore: page.hasMore };
}
