// What the throttle (gate.ts) holds for a (session, room) between pushes, and what is left of it when the summary
// leaves. It holds message ids, never text: a message can be edited or deleted while it waits, so the summary is
// built from the messages as they are when it is sent (service.ts reads them again), and a deleted one is never
// in it. Pure, no I/O.
import type { ChatMessage } from "../storage/repository.js";
import { excerpt, messageSummary, type PushBatch } from "./text.js";

/** One held message: its id, and whether it was for the reader when it was stored. */
export interface HeldRef {
  id: number;
  isMention: boolean;
}

/** Messages held for one summary: how many, how many were for the reader, and the ids kept to read them again. */
export interface HeldBatch {
  count: number;
  mentions: number;
  /** The first held message and the newest ones, oldest first, at most MAX_HELD_REFS (the ones between are only counted). */
  refs: HeldRef[];
}

/**
 * Ids kept per held batch. NOTIFY_INTERVAL_MS may be an hour and a room busy: without a bound a held batch (one
 * per session and room, in memory or Redis) would grow with every message. The summary shows the newest text and
 * opens at the first, so those are what it keeps.
 */
export const MAX_HELD_REFS = 20;

/** The held batch with `ref` added; the oldest but the first goes once there are more than MAX_HELD_REFS. */
export function hold(held: HeldBatch | null, ref: HeldRef): HeldBatch {
  const refs = [...(held?.refs ?? []), ref];
  if (refs.length > MAX_HELD_REFS) refs.splice(1, refs.length - MAX_HELD_REFS);
  return { count: (held?.count ?? 0) + 1, mentions: (held?.mentions ?? 0) + (ref.isMention ? 1 : 0), refs };
}

/** How the reader takes a message now: null when it wants no push for it (any more), else whether it is for the reader. */
export type Judge = (message: ChatMessage) => { isMention: boolean } | null;

/**
 * The push for a held batch, from `current` (the kept ids' messages as they are now): deleted ones and ones the
 * reader no longer wants (`judge`: its level changed, an edit took the mention out) are left out; those only
 * counted are taken as they were (as mentions only, when the reader wants nothing else now). Null when no kept
 * message is left: nothing is sent (a summary is a courtesy, and one with nothing to show would say too little).
 */
export function summarize(held: HeldBatch, current: readonly ChatMessage[], judge: Judge, wantsEveryMessage: boolean): PushBatch | null {
  const byId = new Map(current.map((m) => [m.id, m]));
  const live: { message: ChatMessage; isMention: boolean }[] = [];
  for (const ref of held.refs) {
    const message = byId.get(ref.id);
    if (message === undefined || message.deletedAt !== undefined) continue;
    const taken = judge(message);
    if (taken !== null) live.push({ message, isMention: taken.isMention });
  }
  const [first, last] = [live[0], live.at(-1)];
  if (first === undefined || last === undefined) return null;
  const countedMentions = Math.max(0, held.mentions - held.refs.filter((r) => r.isMention).length);
  const counted = wantsEveryMessage ? Math.max(0, held.count - held.refs.length) : countedMentions;
  return {
    count: live.length + counted,
    mentions: live.filter((l) => l.isMention).length + countedMentions,
    firstId: first.message.id,
    last: { id: last.message.id, sender: last.message.sender, excerpt: excerpt(messageSummary(last.message)), isMention: last.isMention },
  };
}
