// A chat_message row as a ChatMessage, read the same way by both stores: the legacy columns, mentions, and the
// issue-12 columns (owner, edit, delete).
import type { ChatMessage, MessageRow } from "./repository.js";
import { fromMentionsColumn, withMentions } from "./mentions-column.js";
import { fromStoredTimestamp, unreadableTimestamp } from "./timestamps.js";

/** The chat_message columns a store reads as a ChatMessage (PostgreSQL's statements; SQLite spells them out alike). */
export const MESSAGE_COLUMNS = "id, chat_room, sender, content, timestamp, client_id, owner_key, edited_at, deleted_at, mentions, files, reply_to";

export interface StateColumns {
  owner_key: string | null;
  edited_at: string | null;
  deleted_at: string | null;
}

/** Adds the columns that are set; unset ones stay absent, so a plain old row reads exactly as before. */
export function withState(message: ChatMessage, row: StateColumns): ChatMessage {
  if (row.owner_key !== null) message.ownerKey = row.owner_key;
  if (row.edited_at !== null) message.editedAt = new Date(row.edited_at);
  if (row.deleted_at !== null) message.deletedAt = new Date(row.deleted_at);
  return message;
}

/** A timestamp that does not read as written is kept as text beside the Date (see ChatMessage.storedTimestamp). */
function withStoredTimestamp(value: unknown): { storedTimestamp?: string } {
  const unread = unreadableTimestamp(value);
  return unread === undefined ? {} : { storedTimestamp: unread };
}

/** better-sqlite3 gives ids as numbers, pg's bigints come as strings: both read as a number here. */
export const toMessage = (r: MessageRow<number | string>): ChatMessage =>
  withState(
    {
      id: Number(r.id),
      room: r.chat_room ?? "",
      sender: r.sender ?? "",
      content: r.content ?? "",
      sentAt: fromStoredTimestamp(r.timestamp),
      ...withStoredTimestamp(r.timestamp),
      clientId: r.client_id,
      ...withMentions(fromMentionsColumn(r.mentions)),
      // The store reads the files of such a row next (sqlite-files.ts withAttachments) and drops the count.
      ...(r.files !== null && r.files !== undefined && Number(r.files) > 0 ? { fileCount: Number(r.files) } : {}),
      ...(r.reply_to !== null && r.reply_to !== undefined ? { replyTo: Number(r.reply_to) } : {}),
    },
    r,
  );
