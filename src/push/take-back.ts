// A "take back" push: a message a notification quotes was deleted or edited, or the reader lost the room (a kick
// from a private room, a ban, a move to a private address it was not let into), so the notification the service worker showed must not keep its text on the
// device. The payload names the room and the quoted message, never any text; the worker (public/sw/worker.js)
// closes only a notification of that room whose data quotes that id, so a take-back can never close another
// room's or another message's notification. Who gets one is what shown.ts remembers: the sessions whose last
// notification for the room quotes the message, each at most once per push they were sent.
import type { Logger } from "../log.js";
import type { PushStore, PushTarget } from "../storage/push-store.js";
import type { PushSender } from "./sender.js";
import type { ShownClaim, ShownNotes, ShownRecord } from "./shown.js";
import { roomTag } from "./text.js";

/** Why the notification goes: the worker says it in words of its own (the payload carries no text). */
export type TakeBackReason = "deleted" | "edited" | "no_access";

/** What the service worker gets for a take-back (JSON, encrypted like every push). */
export interface TakeBackPayload {
  type: "take_back";
  room: string;
  /** The message the notification to take back quotes. */
  id: number;
  /** The room's notification tag, as the push that showed it had. */
  tag: string;
  reason: TakeBackReason;
}

export const takeBackPayload = (room: string, id: number, reason: TakeBackReason): TakeBackPayload => ({ type: "take_back", room, id, tag: roomTag(room), reason });

export interface TakeBackDeps {
  shown: ShownNotes;
  store: PushStore;
  log: Logger;
  /** The sender, the keys loaded first (with several nodes the push may have left from another node). */
  sender: () => Promise<PushSender | null>;
}

/**
 * Sends the take-back to every subscription of each session (each showed the room's notification, or may have).
 * The payload names the room as the notification was shown (`shownAs`): a record that followed its room to a private
 * address still takes back the notification shown under the old public name, which is what the worker matches.
 */
async function sendTo(deps: TakeBackDeps, claims: readonly ShownClaim[], room: string, id: number, reason: TakeBackReason): Promise<void> {
  if (claims.length === 0) return;
  const sender = await deps.sender();
  if (sender === null) return;
  for (const { sessionKey, shownAs } of claims) {
    const payload = takeBackPayload(shownAs, id, reason);
    // High: the device should drop the text now, not at its next wake-up; at most one per push sent, so never a flood.
    for (const sub of await deps.store.subscriptionsOf(sessionKey)) sender.enqueue(sub, payload, "high");
  }
  deps.log.info("push_taken_back", { room, id, reason, sessions: claims.length });
}

/** The message was deleted or edited: the notifications quoting it are taken back. A message nobody was pushed costs one lookup. */
export async function takeBackMessage(deps: TakeBackDeps, room: string, id: number, reason: "deleted" | "edited"): Promise<void> {
  const claims = await deps.shown.claimQuoting(room, id);
  if (claims.length === 0) return deps.log.debug("push_not_taken_back", { room, id, reason });
  await sendTo(deps, claims, room, id, reason);
}

/** The session lost the room: its notification for the room (whatever message it quotes) is taken back. */
export async function takeBackRoom(deps: TakeBackDeps, sessionKey: string, room: string): Promise<void> {
  const record = await deps.shown.claimSession(sessionKey, room);
  if (record !== null) await takeBackShown(deps, sessionKey, room, record);
}

/**
 * `record` (already claimed, or replaced by a push not sent) is the session's notification's, which goes: the session
 * lost the room, or (late-record.ts) its message changed while the record was on its way.
 */
export async function takeBackShown(deps: TakeBackDeps, sessionKey: string, room: string, record: ShownRecord, reason: TakeBackReason = "no_access"): Promise<void> {
  await sendTo(deps, [{ sessionKey, shownAs: record.shownAs }], room, record.id, reason);
}

/**
 * Every session the room's pushes go to that `lost` picks lost the room at once (their name was banned): each one's
 * notification for it is taken back. The sessions come from the push store, not from presence, because the person
 * whose page is closed is exactly the one presence no longer knows: their name was released when its grace ended.
 * Resolves to the sessions picked.
 */
export async function takeBackFrom(deps: TakeBackDeps, room: string, lost: (target: PushTarget) => boolean): Promise<string[]> {
  const sessions = (await deps.store.targets(room)).filter(lost).map((t) => t.sessionKey);
  await takeBackSessions(deps, room, sessions);
  return sessions;
}

/** Each of `sessions` lost the room at once (a ban; a move they were not let in on): their notifications of it go. */
export async function takeBackSessions(deps: TakeBackDeps, room: string, sessions: readonly string[]): Promise<void> {
  for (const sessionKey of sessions) await takeBackRoom(deps, sessionKey, room);
  deps.log.debug("push_room_lost", { room, sessions: sessions.length });
}
