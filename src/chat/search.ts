// search_messages (issue 12): parse the query ourselves, let the store find the newest matches, then rank
// them and mark where the words are. Ranking and highlights are computed here, for both stores alike.
import type { Ack, SearchHit, SearchResult, WireMessage } from "../protocol.js";
import { fail, parseSearch } from "../validation.js";
import { highlightRanges, isEmptyQuery, matchesAllTerms, parseSearchQuery, rankByRelevance } from "../shared/search-query.js";
import { nameKey } from "../shared/names.js";
import type { SearchQuery } from "../shared/search-query.js";
import type { ChatMessage, SearchPage } from "../storage/repository.js";
import type { ChatDeps, ChatSocket } from "./types.js";
import { readerOf, toWireFor } from "./message-context.js";

export async function searchMessages(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<SearchResult>> {
  const input = parseSearch(raw);
  if (!input.ok) return input;
  const { room, q, before, limit } = input.value;
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room before searching it.");
  const query = parseSearchQuery(q);
  // Emoji and punctuation alone ("😀", "!!!") are not bad input: neither index keeps them as words, so nothing can
  // match, and the answer says so the way any search without a match does (docs/search.md).
  if (isEmptyQuery(query)) return { ok: true, hits: [], hasMore: false };
  const byText = await deps.repo.search(room, query, before === undefined ? { limit } : { before, limit });
  const page = await withFileNames(deps, room, query, byText, before ?? Number.MAX_SAFE_INTEGER, limit);
  // The store gives the recency page; it is ranked here, the same way on every store.
  const ranked = rankByRelevance(page.messages, query);
  const wires = await toWireFor(deps, room, ranked, readerOf(socket)); // replies' quotes and reactions (issue 22)
  const hits: SearchHit[] = ranked.map((m, i) => ({ message: wires[i] as WireMessage, highlights: highlightRanges(m.content, query) }));
  return { ok: true, hits, hasMore: page.hasMore };
}

/** How many of the room's newest files a search looks at for names (files are far fewer than messages). */
const FILE_NAME_SCAN = 5000;

/**
 * Issue 18: messages whose files' names match count as hits too. The newest `limit` of both kinds below
 * `before`, newest first, as the text search alone answers.
 */
async function withFileNames(deps: ChatDeps, room: string, query: SearchQuery, byText: SearchPage, before: number, limit: number): Promise<SearchPage> {
  if (query.terms.length === 0) return byText; // from:name alone is about senders, not files
  const from = query.from === undefined ? undefined : nameKey(query.from);
  const ids = await deps.store.files.messagesWithFileNames(room, (name) => matchesAllTerms(name, query), { before, limit, scanLimit: FILE_NAME_SCAN });
  const seen = new Set(byText.messages.map((m) => m.id));
  const fresh = (await deps.store.messagesById(room, ids.filter((id) => !seen.has(id)))).filter((m) => m.deletedAt === undefined && (from === undefined || nameKey(m.sender) === from));
  if (fresh.length === 0) return byText;
  const merged: ChatMessage[] = [...byText.messages, ...fresh].sort((a, b) => b.id - a.id);
  return { messages: merged.slice(0, limit), hasMore: byText.hasMore || ids.length > limit || merged.length > limit };
}
