// The wire contract's messages (part of src/protocol.ts, which re-exports them): a message as it travels, its
// quote, reactions and files, a system line, and the answers and events that carry messages.

/** A stored chat message as it travels. `sender`, `content`, `timestamp` are the original's fields. */
export interface WireMessage {
  id: number;
  room: string;
  sender: string;
  content: string;
  /** `YYYY-MM-DD HH:MM:SS`, UTC: the original's format. */
  timestamp: string;
  /** ISO 8601, UTC, millisecond precision. */
  sentAt: string;
  /**
   * Only on a row whose stored timestamp does not read as a date and time (the Flask app's: a date alone, fields out
   * of range, none as ""): that text as stored. `timestamp` and `sentAt` then stay as they always were (the epoch, or
   * the fields rolled over); a page shows a date alone as that day, anything else as this text, never those.
   */
  storedTimestamp?: string;
  /** The sender's idempotency key, when the sender gave one. */
  clientId?: string;
  /** ISO 8601: when the text was last edited (issue 12). */
  editedAt?: string;
  /** ISO 8601: when the message was deleted; `content` is "" then (issue 12). */
  deletedAt?: string;
  /** The requesting browser session sent it: only in answers to that session, never in broadcasts (issue 12). */
  mine?: true;
  /**
   * Issue 18: the files of the message, in order. With files, `content` is the caption followed by one line per
   * file with its link (what the original's clients show); `caption` is the caption alone, what a page draws.
   */
  attachments?: WireAttachment[];
  caption?: string;
  /**
   * The present names the content mentions with `@name`, as presence shows them, in order of first
   * appearance; resolved by the server when the message was stored (again when it is edited; none once
   * deleted). Absent when there are none.
   */
  mentions?: string[];
  /**
   * Issue 22: the message answers another of the room, resolved by the server at each read (the excerpt follows
   * edits of the original; a deleted original has `excerpt: null, deleted: true`). With it, `content` begins with
   * the line `> sender: excerpt` for the original's clients, and `caption` holds the text alone. Absent when the
   * message is not a reply, and never sent to clients without the page's session cookie.
   */
  replyTo?: WireQuote;
  /**
   * Issue 22: the reactions, one entry per emoji in the order each emoji first appeared; `isMine` is for the
   * reader's browser session. Absent when there are none, and never sent to clients without the session cookie.
   */
  reactions?: WireReaction[];
}
/** Issue 22: the message a reply answers, as the reply shows it. */
export interface WireQuote {
  id: number;
  /** The original's sender, as stored with it. */
  sender: string;
  /**
   * The original's current text (with files and no caption, the files' names, comma-separated) on one line (white
   * space runs become one space): at most 100 graphemes, cut on a grapheme boundary and then ending with "…".
   * null once the original is deleted.
   */
  excerpt: string | null;
  /** The original is deleted (its text erased): `excerpt` is null. */
  deleted?: true;
}
/** Issue 22: one emoji's reactions on a message, the same for every reader. */
export interface ReactionCount {
  emoji: string;
  /** How many browser sessions reacted with it (one session's tabs count once). */
  count: number;
  /** The names they reacted under, the first 20 in the order they reacted (for a tooltip; `count` may be larger). */
  names: string[];
}
/** A reaction as one reader sees it. */
export interface WireReaction extends ReactionCount {
  /** The reader's browser session is among those who reacted with this emoji. */
  isMine: boolean;
}
/**
 * Issue 22: a message's reactions changed. Carries every reaction of that one message (never the room's); an
 * empty list when its last reaction went. `mine` goes only to the tabs of the browser session that reacted (on
 * every node): the emoji it has on the message now. Without `mine`, keep your own `isMine` per emoji as it was
 * (your reactions did not change), and an emoji new to you is not yours.
 */
export interface ReactionsUpdatedEvent {
  room: string;
  id: number;
  reactions: ReactionCount[];
  mine?: string[];
}
/**
 * A file of a message (issue 18). `type` is what its bytes are (sniffed), never what its name or its uploader
 * said. Images (JPEG, PNG, WebP, GIF, AVIF) have their display size and a thumbnail; `animated` ones (GIF, WebP)
 * show their first frame until played. `url` and `thumbUrl` are paths on this site.
 */
export interface WireAttachment {
  id: string;
  name: string;
  type: string;
  size: number;
  width?: number;
  height?: number;
  url: string;
  thumbUrl?: string;
  /** The viewer's image: at most 1600 px each way, metadata removed, orientation applied. */
  displayUrl?: string;
  animated?: true;
}
/** A system line ("ana has joined the chat."). The original sent only `content`. */
export interface Notice {
  content: string;
  kind: "joined" | "left";
  username: string;
  room: string;
}
export type MessageEvent = WireMessage | Notice;
export interface SendResult {
  message: WireMessage;
  /** The (room, clientId) was stored before: this is that message, and nothing was broadcast. */
  duplicate?: boolean;
}
export interface HistoryResult {
  messages: WireMessage[];
  hasMore: boolean;
  /** Only with `around`: newer messages exist after the last one returned. */
  hasMoreAfter?: boolean;
}
/** One search match: [start, end) code-point offsets into `message.content` of the matched words (never HTML). */
export interface SearchHit {
  message: WireMessage;
  highlights: [number, number][];
}
export interface SearchResult {
  /** The newest matches below `before`, best match first. */
  hits: SearchHit[];
  /** Older matches exist: ask again with before = the smallest message id among these hits. */
  hasMore: boolean;
}
/** An edit or delete committed (issue 12): the fields that changed. A delete carries content "" and deletedAt. */
export interface MessageUpdatedEvent {
  room: string;
  id: number;
  content?: string;
  editedAt?: string;
  deletedAt?: string;
  /** An edit's mentions, resolved again against the present names, when it mentions someone or did before ([] then). */
  mentions?: string[];
  /** Issue 18: the message's files after the edit, when it has or had some ([] when the last was removed), and its caption. */
  attachments?: WireAttachment[];
  caption?: string;
  /** Issue 22: an edited reply's quote, resolved again; with it `content` has the quote line and `caption` the text alone. */
  replyTo?: WireQuote;
  /** Issue 22: a delete removed the message's reactions: `[]` (sent only when it had some). */
  reactions?: [];
}
export interface ReactResult {
  id: number;
  reactions: WireReaction[];
}
export function isNotice(msg: MessageEvent): msg is Notice {
  return "kind" in msg;
}
