// chat_message rows as migrate-db moves them: read from SQLite as text (SQLite is dynamically typed, so a stray
// number or blob becomes text), split into what never changes once written (identity) and what may (state), and
// the one error the copy stops with.
import { asText } from "./copy-moderation.js";
import type { MessageState } from "./copy-message-changes.js";

/** Something about the source or the target makes copying wrong (not a network hiccup): nothing more is copied. */
export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CopyError";
  }
}

export interface SourceRow {
  id: number;
  chat_room: unknown;
  sender: unknown;
  content: unknown;
  timestamp: unknown;
  client_id: unknown;
  owner_key: unknown;
  edited_at: unknown;
  deleted_at: unknown;
  mentions: unknown;
  files: unknown;
  reply_to: unknown;
}

/** What goes into PostgreSQL's columns, as text, in this order (the INSERT's and SQL_EXISTING's). */
export type Values = [string, ...(string | null)[]];
export const COPIED_COLUMNS = ["id", "chat_room", "sender", "content", "timestamp", "client_id", "owner_key", "edited_at", "deleted_at", "mentions", "files", "reply_to"] as const;
/** Columns later migrations added, in Values order after id..timestamp; an older file lacks some (NULL then). */
export const LATER_COLUMNS = COPIED_COLUMNS.slice(5);

export const valueOf = (v: readonly (string | null | undefined)[], column: (typeof COPIED_COLUMNS)[number]): string | null => v[COPIED_COLUMNS.indexOf(column)] ?? null;

export const toValues = (r: SourceRow): Values => [String(r.id), ...COPIED_COLUMNS.slice(1).map((c) => asText(r[c]))];

/** A row's identity: the columns no node and no SQLite app ever changes after the INSERT. */
export const IDENTITY_COLUMNS = ["chat_room", "sender", "timestamp", "client_id", "owner_key", "reply_to"] as const;

export const stateOf = (v: readonly (string | null | undefined)[]): MessageState => ({
  content: valueOf(v, "content"),
  editedAt: valueOf(v, "edited_at"),
  deletedAt: valueOf(v, "deleted_at"),
  mentions: valueOf(v, "mentions"),
  files: valueOf(v, "files"),
});

export const sameIdentity = (a: readonly (string | null | undefined)[], b: readonly (string | null | undefined)[]): boolean =>
  IDENTITY_COLUMNS.every((c) => valueOf(a, c) === valueOf(b, c));

/** The three things an operator recognises a message by, for the clash's line. */
export const described = (v: readonly (string | null | undefined)[]): string =>
  `room ${JSON.stringify(valueOf(v, "chat_room"))}, sender ${JSON.stringify(valueOf(v, "sender"))}, sent ${JSON.stringify(valueOf(v, "timestamp"))}`;

/**
 * The clash error: a different message under the id (or the room's client id) the file's message needs. Found by the
 * check before the copy, nothing was written; found while copying (something wrote to PostgreSQL meanwhile), the
 * batches before it were.
 */
export function clashError(row: readonly (string | null)[], there: readonly (string | null | undefined)[], sameId: boolean, stage: "check" | "copy"): CopyError {
  const what = sameId
    ? `PostgreSQL already holds a different message with id ${row[0]} (${described(there)}; the file's: ${described(row)})`
    : `PostgreSQL already holds ${there[0] === null || there[0] === undefined ? "another message" : `message ${there[0]}`} with the client id of the file's message ${row[0]} in room ${JSON.stringify(valueOf(row, "chat_room"))}`;
  const written = stage === "check" ? "Nothing was copied." : "The copy stopped there (something wrote to PostgreSQL while it ran: stop the nodes).";
  return new CopyError(
    `${what}: the database holds a history of its own, which this copy would mix with the file's. ${written} Check that --from and --to name the file and the database you mean; to keep both histories, copy the file into a new, empty database instead`,
  );
}
