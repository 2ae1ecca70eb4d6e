// A rejoin's `shown` (join_chat): the messages the page has that are older than the room's newest page. Their
// edits, deletes and reactions made while it was away reach the page whatever their age: a message deleted by its
// author must not stay on a screen that slept through more than a page. One read of their edit states (four small
// columns by primary key, at most LIMITS.rejoinShownMaxIds ids, this room's only); the few that changed are read
// in full with the originals the join reads anyway (join-history.ts), and their reactions in the join's one read.
import type { EditState, HistoryPage } from "../storage/repository.js";
import type { ChatDeps } from "./types.js";

/**
 * The edit states of the listed messages of this room outside its newest page, up to `since`, oldest first (the
 * page's own are read with it). Ids of other rooms are dropped by the store's read: a page learns nothing of them.
 */
export async function shownOutsidePage(deps: ChatDeps, room: string, newest: HistoryPage, since: number, shown: readonly number[] | undefined): Promise<EditState[]> {
  if (shown === undefined || shown.length === 0) return [];
  const inPage = new Set(newest.messages.map((m) => m.id));
  const ids = [...new Set(shown)].filter((id) => id <= since && !inPage.has(id));
  return ids.length === 0 ? [] : deps.store.editStatesById(room, ids);
}

/** The ones edited or deleted: read in full, so the page gets their text or tombstone in `changed`. */
export const changedIds = (states: readonly EditState[]): number[] => states.filter((s) => s.isEdited || s.isDeleted).map((s) => s.id);

/** The live ones: their reactions go in the rejoin's `reactions` (a tombstone has none). */
export const liveIds = (states: readonly EditState[]): number[] => states.filter((s) => !s.isDeleted).map((s) => s.id);

/** What the live replies among them answer: their quotes on the page follow an edit or delete of the original. */
export const answeredByShown = (states: readonly EditState[]): number[] => states.flatMap((s) => (s.isDeleted || s.replyTo === undefined ? [] : [s.replyTo]));
