// The issue-12 columns of a chat_message row (owner, edit, delete), read the same way by both stores.
import type { ChatMessage } from "./repository.js";

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
