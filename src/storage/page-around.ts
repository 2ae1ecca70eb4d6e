// fetch_history {around} (issue 12): a message in its context, for search results and permalinks. Built on
// page(), so every store answers it alike.
import type { HistoryPage, MessageRepository } from "./repository.js";

export interface AroundPage extends HistoryPage {
  /** Newer messages exist after the last one returned. (`hasMore`: older ones exist before the first.) */
  hasMoreAfter: boolean;
}

/**
 * The message `id` (when it is in the room) with up to ceil((limit - 1) / 2) older and floor((limit - 1) / 2)
 * newer ones, oldest first, `limit` rows at most. An id that is not in the room gives its neighbours.
 */
export async function pageAround(repo: MessageRepository, room: string, id: number, limit: number): Promise<AroundPage> {
  const newer = Math.floor((limit - 1) / 2);
  const olderAndSelf = await repo.page(room, { before: id + 1, limit: limit - newer });
  const after = newer > 0 ? await repo.page(room, { after: id, limit: newer }) : await hasAny(repo, room, id);
  return { messages: [...olderAndSelf.messages, ...after.messages], hasMore: olderAndSelf.hasMore, hasMoreAfter: after.hasMore };
}

/** limit 1: nothing newer is returned, but the answer still says whether something newer exists. */
async function hasAny(repo: MessageRepository, room: string, id: number): Promise<HistoryPage> {
  const next = await repo.page(room, { after: id, limit: 1 });
  return { messages: [], hasMore: next.messages.length > 0 };
}
