// A take-back record that reaches its place late: one that followed its room to a private address (ShownNotes.move),
// or an older notification's record put back after a newer push was not sent (ShownNotes.putBack). While it was on
// its way (claimed at the old address, not yet written at the new; replaced by the newer push's record, not yet put
// back) a delete or an edit of the message it quotes found nothing to claim, so nothing took that notification back.
// The pattern the push itself uses closes it (docs/push.md, "A change in the milliseconds before the record"): once
// the record is in place, the message is read again. A change from then on finds the record; a change before it
// shows in this read, and the record is claimed and its notification taken back here.
import type { ChatMessage, MessageEdits } from "../storage/repository.js";
import type { MovedRecord, ShownRecord } from "./shown.js";
import { takeBackShown, type TakeBackDeps, type TakeBackReason } from "./take-back.js";

/**
 * How much earlier than its record an edit may look and still count as made after the notification was shown. The
 * edit's time comes from the clock of the node that stored it, the record's from the node that pushed: with several
 * nodes they disagree a little. Too short, and an edit that raced the record is missed (the old text stays on the
 * lock screen); too long, and a notification that already showed the new text is quietly replaced by "Message edited"
 * (only for a message edited within this much before its push, in one of these rare windows). The first is worse.
 */
export const EDIT_CLOCK_SLACK_MS = 10_000;

export interface LateRecordDeps extends TakeBackDeps {
  messages: Pick<MessageEdits, "messagesById">;
  /** PUSH_TAKE_BACK_MS: a record's end minus this is when it was remembered (a moved or put-back one keeps its end). */
  windowMs: number;
}

/**
 * What happened to the quoted message since the notification was shown, as a take-back reason; null when nothing did.
 * Not found in the room (it moved away with its room meanwhile): taken back as no longer available, the safe side.
 */
export function changeSince(message: ChatMessage | undefined, record: ShownRecord, windowMs: number): TakeBackReason | null {
  if (message === undefined) return "no_access";
  if (message.deletedAt !== undefined) return "deleted";
  const rememberedAtMs = record.untilMs - windowMs;
  return message.editedAt !== undefined && message.editedAt.getTime() > rememberedAtMs - EDIT_CLOCK_SLACK_MS ? "edited" : null;
}

/**
 * `records` now sit at `room` (moved there, or put back): their messages are read again (one read for them all) and
 * each record whose message was deleted or edited since is claimed (only while it still quotes that message: a newer
 * push's record stays) and its notification taken back.
 */
export async function recheckLateRecords(deps: LateRecordDeps, room: string, records: readonly MovedRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ids = [...new Set(records.map((r) => r.record.id))];
  const messages = new Map((await deps.messages.messagesById(room, ids)).map((m) => [m.id, m]));
  for (const { sessionKey, record } of records) {
    const reason = changeSince(messages.get(record.id), record, deps.windowMs);
    if (reason === null) continue;
    const claimed = await deps.shown.claimSession(sessionKey, room, record.id);
    if (claimed !== null) await takeBackShown(deps, sessionKey, room, claimed, reason);
  }
}
