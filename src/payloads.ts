// One definition per client payload: the zod schema is the runtime check, and its input type is the wire
// type that protocol.ts re-exports (type-only, so the page imports no zod). validation.ts turns a schema's
// answer into a Result with our error codes. Fields are listed in the order they are checked: when several
// are bad, the first one listed is the error the client gets.
import { z } from "zod";
import { hasInvisibleCharacters } from "./shared/names.js";
import { isPrivateAddress } from "./access/room-address.js";
import { LIMITS } from "./protocol.js";
import { EMOJI_MAX_UTF16, isOneEmoji } from "./shared/emoji.js";

/** Cheap upper bound before any normalisation work: a 1 MB string is refused without scanning it twice. */
const MAX_RAW_UTF16 = 4 * LIMITS.contentMaxChars + 64;

// C0 and C1 control characters, DEL, and the line/paragraph separators that break layouts.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
// Content may hold newlines and tabs; nothing else from the control ranges.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTENT_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/u;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Trimmed, NFC, minChars..maxChars code points, no control characters. `what` names the field in messages. */
function text(what: string, maxChars: number, fold: (s: string) => string, control: RegExp, minChars = 1) {
  const size = `${what} must be ${Math.max(minChars, 1)}-${maxChars} characters`; // a caption may be empty only beside a file
  return z
    .string({ error: `${what} must be a string` })
    .max(MAX_RAW_UTF16, size)
    .transform((s) => fold(s).normalize("NFC").trim())
    .refine((s) => {
      const n = codePoints(s);
      return n >= minChars && n <= maxChars;
    }, { error: size, abort: true })
    .refine((s) => !control.test(s), `${what} must not contain control characters`);
}

/** A name or a room: one line of text. Rules that apply to both and not to content go here. */
function label(what: "username" | "room" | "title", maxChars: number) {
  return text(what, maxChars, (s) => s, CONTROL).refine((s) => !hasInvisibleCharacters(s), `${what} must not contain invisible or text-direction characters`);
}

export const username = label("username", LIMITS.nameMaxChars);
/**
 * A private room's display name (issue 17): a room name's rules, and never the shape of a private address, so
 * that the room can become the public room of that name.
 */
export const title = label("title", LIMITS.titleMaxChars).refine((s) => !isPrivateAddress(s), "title must not look like a private room's address");
export const room = label("room", LIMITS.roomMaxChars);
/** Newlines and tabs are allowed inside; \r\n and a lone \r become \n before counting. */
export const content = text("content", LIMITS.contentMaxChars, (s) => s.replace(/\r\n?/g, "\n"), CONTENT_CONTROL);
/** A message with files (issue 18) may have no text: its content is their caption, 0-500 characters. */
const caption = text("content", LIMITS.contentMaxChars, (s) => s.replace(/\r\n?/g, "\n"), CONTENT_CONTROL, 0);

/** An upload's id (POST /api/uploads): 22 base64url characters. */
export const UPLOAD_ID = /^[A-Za-z0-9_-]{22}$/;
const attachmentsMessage = `attachments must be a list of upload ids (at most ${LIMITS.filesMaxPerMessage})`;
/** Upload ids, each once; absent or null means none. MAX_FILES_PER_MESSAGE (at most this) is checked by the handler. */
const attachments = z
  .array(z.string({ error: attachmentsMessage }).regex(UPLOAD_ID, attachmentsMessage), { error: attachmentsMessage })
  .max(LIMITS.filesMaxPerMessage, attachmentsMessage)
  .refine((ids) => new Set(ids).size === ids.length, "attachments must not name an upload twice")
  .nullish()
  .transform((v) => v ?? undefined);
const needsText = "content must be 1-500 characters (or the message needs files)";

/** Issue 22: the message a send answers, in the same room; optional, null means absent. */
const replyToMessage = "replyTo must be a message id (a whole number >= 1)";
const replyTo = z
  .number({ error: replyToMessage })
  .refine(Number.isSafeInteger, replyToMessage)
  .min(1, replyToMessage)
  .nullish()
  .transform((v) => v ?? undefined);

/** Optional; null means absent (what JSON makes of undefined). Lower-cased so a retry matches. */
const clientId = z
  .string({ error: "clientId must be a UUID" })
  .regex(UUID, "clientId must be a UUID")
  .transform((s) => s.toLowerCase())
  .nullish()
  .transform((v) => v ?? undefined);

/** A message id to page from; optional, null means absent. */
function cursor(name: string) {
  const message = `${name} must be a message id (a whole number >= 0)`;
  return z
    .number({ error: message })
    .refine(Number.isSafeInteger, message) // not zod's int(): it aborts the parse, and the cursor-pair rule must still run
    .min(0, message)
    .nullish()
    .transform((v) => v ?? undefined);
}

const limitMessage = `limit must be a whole number from 1 to ${LIMITS.historyMaxLimit}`;
const limit = z
  .number({ error: limitMessage })
  .refine(Number.isSafeInteger, limitMessage) // as in cursor(): a bad limit must not hide "before and after"
  .min(1, limitMessage)
  .max(LIMITS.historyMaxLimit, limitMessage)
  .nullish()
  .transform((v) => v ?? LIMITS.fetchDefaultLimit);

/** false clears the indicator at once; absent means true. */
const isTyping = z.boolean({ error: "isTyping must be true or false" }).default(true);

const shownMessage = `shown must be a list of at most ${LIMITS.rejoinShownMaxIds} message ids (whole numbers >= 1)`;
/**
 * A rejoin's messages on the page (join_chat `shown`), checked apart from the rest of the join (validation.ts
 * parseShown): a bad list is reported and the join goes on as one without it. Optional, null means absent.
 */
export const shownIds = z
  .array(z.number({ error: shownMessage }).refine(Number.isSafeInteger, shownMessage).min(1, shownMessage), { error: shownMessage })
  .max(LIMITS.rejoinShownMaxIds, shownMessage)
  .nullish()
  .transform((v) => v ?? undefined);

/** `<joined at, ms since the epoch>.<128 bits of HMAC-SHA256, base64url>` (chat/rejoin-token.ts): the only shape join_chat accepts. */
export const REJOIN_TOKEN = /^\d{1,15}\.[A-Za-z0-9_-]{22}$/;

export const joinPayload = z.object({
  username,
  room,
  /** Reconnect: answer with the messages after this id instead of the newest ones. */
  since: cursor("since"),
  /** Reconnect: the join ack's `rejoinToken` for this room, so a page that saw no message can follow a move (moved-rejoin.ts). */
  rejoinToken: z.string({ error: "rejoinToken must be a join's rejoinToken" }).regex(REJOIN_TOKEN, "rejoinToken must be a join's rejoinToken").optional(),
});

export const sendPayload = z
  .object({
    room,
    username,
    content: caption,
    /** UUID chosen by the client; a repeat of the same (room, clientId) is stored once. */
    clientId,
    /** Issue 18: files uploaded by this browser session (POST /api/uploads), attached to this message in this order. */
    attachments,
    /** Issue 22: answers this message of the room. */
    replyTo,
  })
  .refine((v) => v.content !== "" || (v.attachments?.length ?? 0) > 0, { error: needsText, path: ["content"] });

/** The name a socket left with is the one it joined with; a given username is only checked for shape. */
export const leavePayload = z.object({ room, username: username.optional() });

export const fetchHistoryPayload = z
  .object({
    room,
    /** Older page: messages with id < before. */
    before: cursor("before"),
    /** Newer page: messages with id > after. */
    after: cursor("after"),
    /** A message in context (issue 12): it, with up to limit/2 older and limit/2 newer. */
    around: cursor("around"),
    limit,
  })
  // Reported on `after` so that it ranks after the cursors' own errors and before limit's; `when` makes
  // it run even when another field already failed, so that ranking (not zod's order) decides.
  .refine((v) => v.before === undefined || v.after === undefined, {
    error: "give before or after, not both",
    path: ["after"],
    when: () => true,
  })
  .refine((v) => v.around === undefined || (v.before === undefined && v.after === undefined), {
    error: "give around alone, without before or after",
    path: ["around"],
    when: () => true,
  });

const searchLimitMessage = `limit must be a whole number from 1 to ${LIMITS.searchMaxLimit}`;
/** The search box's text (syntax in docs/search.md); a query with no word and no from: matches nothing (the handler). */
const searchText = z
  .string({ error: "q must be a string" })
  .max(4 * LIMITS.searchMaxChars, `q must be at most ${LIMITS.searchMaxChars} characters`)
  .transform((s) => s.normalize("NFC").trim())
  .refine((s) => s !== "", { error: "q must not be empty: type a word, a \"phrase\" or from:name", abort: true })
  .refine((s) => codePoints(s) <= LIMITS.searchMaxChars, `q must be at most ${LIMITS.searchMaxChars} characters`);

export const searchPayload = z.object({
  room,
  q: searchText,
  /** Older page: matches with id < before (the smallest id of the previous page). */
  before: cursor("before"),
  limit: z
    .number({ error: searchLimitMessage })
    .refine(Number.isSafeInteger, searchLimitMessage)
    .min(1, searchLimitMessage)
    .max(LIMITS.searchMaxLimit, searchLimitMessage)
    .nullish()
    .transform((v) => v ?? LIMITS.searchDefaultLimit),
});

export const typingPayload = z.object({ room, isTyping });

/** The id of a stored message: a whole number >= 1. */
const messageIdMessage = "id must be a message id (a whole number >= 1)";
const messageId = z.number({ error: messageIdMessage }).refine(Number.isSafeInteger, messageIdMessage).min(1, messageIdMessage);

/** Issue 12: the owner edits within EDIT_WINDOW_MS; the content follows send_message's rules. */
export const editMessagePayload = z.object({
  room,
  id: messageId,
  /** May be "" while the message keeps a file (checked by the handler, which knows its files). */
  content: caption,
  /** Issue 18: the files to keep, a subset of the message's (absent: keep them all). */
  attachments,
});

/** Issue 12: the owner within EDIT_WINDOW_MS, or a moderator at any time. */
export const deleteMessagePayload = z.object({ room, id: messageId });

/** Issue 22: exactly one emoji (shared/emoji.ts), kept as sent: no normalisation, no trimming. */
const emojiMessage = "emoji must be exactly one emoji";
const emoji = z
  .string({ error: emojiMessage })
  .max(EMOJI_MAX_UTF16, emojiMessage)
  .refine(isOneEmoji, emojiMessage);

/** Issue 22: this browser session's reaction on a message, on or off. */
export const reactPayload = z.object({
  room,
  id: messageId,
  emoji,
  on: z.boolean({ error: "on must be true or false" }),
});

/** Moderators: remove a name from a room. */
export const kickUserPayload = z.object({ room, username });

/** The longest ban: a year. Longer is a permanent decision, better made in the database than in a form. */
export const MAX_BAN_MS = 365 * 24 * 3600 * 1000;
const durationMessage = `durationMs must be a whole number of milliseconds from 1 to ${MAX_BAN_MS}`;
const durationMs = z.number({ error: durationMessage }).refine(Number.isSafeInteger, durationMessage).min(1, durationMessage).max(MAX_BAN_MS, durationMessage);

/** Moderators: remove a name from a room and keep it (and its session) out until the ban ends. */
export const banUserPayload = z.object({ room, username, durationMs });

/** Moderators: end every ban in force of a name in a room now (and the session bans made with it). */
export const unbanUserPayload = z.object({ room, username });

/** Moderators: the bans in force in a room. */
export const listBansPayload = z.object({ room });

/** Issue 17: a private room; its creator (this browser session) is its first member. */
export const createRoomPayload = z.object({ title });

const flag = (name: string) =>
  z
    .boolean({ error: `${name} must be true or false` })
    .nullish()
    .transform((v) => v ?? undefined);

/** Issue 17: a moderator makes a room private or public; the creator or a moderator sets who may invite. */
export const updateRoomPayload = z
  .object({ room, isPrivate: flag("isPrivate"), membersCanInvite: flag("membersCanInvite") })
  .refine((v) => v.isPrivate !== undefined || v.membersCanInvite !== undefined, { error: "give isPrivate or membersCanInvite", path: ["isPrivate"] });

/** Issue 17: the session's private rooms and direct conversations. Nothing to give. */
export const myRoomsPayload = z.object({});

const MAX_INVITE_TTL_MS = LIMITS.inviteMaxTtlMs;
const expiresMessage = `expiresInMs must be a whole number of milliseconds from 60000 to ${MAX_INVITE_TTL_MS}`;
const usesMessage = "maxUses must be a whole number from 1 to 10000";

/** Issue 17: an invite link to a private room; absent fields take INVITE_TTL_MS and unlimited uses. */
export const createInvitePayload = z.object({
  room,
  expiresInMs: z
    .number({ error: expiresMessage })
    .refine(Number.isSafeInteger, expiresMessage)
    .min(60_000, expiresMessage)
    .max(MAX_INVITE_TTL_MS, expiresMessage)
    .nullish()
    .transform((v) => v ?? undefined),
  maxUses: z
    .number({ error: usesMessage })
    .refine(Number.isSafeInteger, usesMessage)
    .min(1, usesMessage)
    .max(10_000, usesMessage)
    .nullish()
    .transform((v) => v ?? undefined),
});

export const listInvitesPayload = z.object({ room });

const inviteIdMessage = "id must be an invite id (a whole number >= 1)";
export const revokeInvitePayload = z.object({ room, id: z.number({ error: inviteIdMessage }).refine(Number.isSafeInteger, inviteIdMessage).min(1, inviteIdMessage) });

/** Who may read a private room or a direct conversation: its members, present or away (members.ts). */
export const listMembersPayload = z.object({ room });

/** Issue 17: a direct conversation with the person holding `username` in `room`. */
export const openDirectPayload = z.object({ room, username });

/** `shown` (with `since`): ids of the messages the page has at or below `since`, newest first; see shownIds. */
export type JoinPayload = z.input<typeof joinPayload> & { shown?: z.input<typeof shownIds> };
export type SendPayload = z.input<typeof sendPayload>;
export type LeavePayload = z.input<typeof leavePayload>;
export type FetchHistoryPayload = z.input<typeof fetchHistoryPayload>;
export type TypingPayload = z.input<typeof typingPayload>;
export type SearchPayload = z.input<typeof searchPayload>;
export type EditMessagePayload = z.input<typeof editMessagePayload>;
export type DeleteMessagePayload = z.input<typeof deleteMessagePayload>;
export type KickUserPayload = z.input<typeof kickUserPayload>;
export type BanUserPayload = z.input<typeof banUserPayload>;
export type UnbanUserPayload = z.input<typeof unbanUserPayload>;
export type ListBansPayload = z.input<typeof listBansPayload>;
export type CreateRoomPayload = z.input<typeof createRoomPayload>;
export type UpdateRoomPayload = z.input<typeof updateRoomPayload>;
export type MyRoomsPayload = z.input<typeof myRoomsPayload>;
export type CreateInvitePayload = z.input<typeof createInvitePayload>;
export type ListInvitesPayload = z.input<typeof listInvitesPayload>;
export type RevokeInvitePayload = z.input<typeof revokeInvitePayload>;
export type OpenDirectPayload = z.input<typeof openDirectPayload>;
export type ListMembersPayload = z.input<typeof listMembersPayload>;
export type ReactPayload = z.input<typeof reactPayload>;
