// What a push says (issue 23): the same words the page's desktop notifications use (public/js/notifications.js:
// noteFor, countText, excerpt; public/js/file-info.js: messageSummary), mirrored here because the page is served
// as plain modules that cannot import src/. test/push.text.test.ts runs both over the same cases, so they cannot
// drift apart silently. Pure, no I/O.
import type { ChatMessage } from "../storage/repository.js";
import { shownText } from "../shared/link-text.js";

/** The newest message of a push, as it shows it. */
export interface PushItem {
  id: number;
  sender: string;
  /** At most EXCERPT_CHARS code points, on one line. */
  excerpt: string;
  isMention: boolean;
}

/** Messages summed into one push: how many, how many mention the reader, the first (opened) and the newest (shown). */
export interface PushBatch {
  count: number;
  mentions: number;
  firstId: number;
  last: PushItem;
}

/** How a push names its room: `#name` (a private room's title, never its address), or the other person in a direct conversation. */
export interface Place {
  title: string;
  isDirect: boolean;
}

/** What the service worker gets (JSON, encrypted for the browser): enough to show the notification and open the message. */
export interface PushPayload {
  room: string;
  /** The first message of the batch: the one opening the notification goes to. */
  id: number;
  /** The newest message: the one whose text the notification quotes (a take-back names it: take-back.ts). */
  quoted: number;
  /** The newest message's sender and text. */
  sender: string;
  excerpt: string;
  title: string;
  body: string;
  count: number;
  mentions: number;
  tag: string;
  url: string;
}

export const EXCERPT_CHARS = 100;

/**
 * The start of a text on one line, cut at a code point (never inside an emoji), as the page's excerpt(); a URL's
 * host as the page's link would show it (shared/link-text.ts), so a look-alike reads as punycode here too.
 */
export function excerpt(text: string): string {
  const chars = [...shownText(text).replace(/\s+/g, " ").trim()];
  return chars.length <= EXCERPT_CHARS ? chars.join("") : `${chars.slice(0, EXCERPT_CHARS).join("").trimEnd()}…`;
}

/** A message in one line, never its file links: the caption, then its files' names (the page's messageSummary). */
export function messageSummary(message: Pick<ChatMessage, "content" | "attachments">): string {
  const files = message.attachments ?? [];
  if (files.length === 0) return message.content;
  const names = files.length === 1 ? (files[0]?.name ?? "a file") : `${files.length} files`;
  return message.content === "" ? `📎 ${names}` : `${message.content} 📎 ${names}`;
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** "3 new messages in #room", "2 mentions in #room", "4 new messages in #room, 1 mentioning you", "2 new messages from Ana". */
export function countText(count: number, mentions: number, place: Place): string {
  if (place.isDirect) return `${plural(count, "new message", "new messages")} from ${place.title}`;
  if (mentions === count) return `${plural(count, "mention", "mentions")} in #${place.title}`;
  const messages = `${plural(count, "new message", "new messages")} in #${place.title}`;
  return mentions === 0 ? messages : `${messages}, ${mentions} mentioning you`;
}

/** The title and body the page's noteFor() gives the same messages. */
export function noteText(batch: PushBatch, place: Place): { title: string; body: string } {
  const latest = `${batch.last.sender}: ${batch.last.excerpt}`;
  return {
    title: place.isDirect ? place.title : `#${place.title}`,
    body: batch.count === 1 ? latest : `${countText(batch.count, batch.mentions, place)}\n${latest}`,
  };
}

/** The page's permalink to a message (public/js/message-actions.js: /r/<room>?m=<id>). */
export const messageUrl = (room: string, id: number): string => `/r/${encodeURIComponent(room)}?m=${id}`;

/** The tag every notification of the room shares: the newest replaces the one before. */
export const roomTag = (room: string): string => `messenger-room:${room}`;

export function payloadFor(room: string, batch: PushBatch, place: Place): PushPayload {
  return {
    room,
    id: batch.firstId,
    quoted: batch.last.id,
    sender: batch.last.sender,
    excerpt: batch.last.excerpt,
    ...noteText(batch, place),
    count: batch.count,
    mentions: batch.mentions,
    tag: roomTag(room),
    url: messageUrl(room, batch.firstId),
  };
}
