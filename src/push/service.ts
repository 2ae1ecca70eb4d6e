// Web Push (issue 23), the server side: who gets a push for a stored message, and when. Called on the node that
// stored the message (one node per message, so a cluster sends one push per message without agreeing on
// anything), after the ack: nothing here can slow or fail a send. A session gets a push when it has a
// subscription, knows the room (it joined it, or a direct conversation was opened or brought back for it, so the
// push store has its name there), may still read it, did not send the message, wants it by its level, and has no
// page open anywhere (the page notifies by itself then); at most one per room per NOTIFY_INTERVAL_MS, the rest
// summed up (gate.ts) and checked again when the summary leaves. What each notification quotes is remembered
// (shown.ts) so a delete, an edit or a lost access takes it back from the device (take-back.ts).
import webPush from "web-push";
import { isPrivateAddress } from "../access/room-address.js";
import type { MovedPushRows } from "../access/store.js";
import { titleFor } from "../access/policy.js";
import { resolveMentions } from "../chat/mentions.js";
import { PushKeyStalledError } from "../cluster/redis-push.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import { eachAtMost } from "../shared/each-at-most.js";
import { nameKey } from "../shared/names.js";
import type { PushLevel, PushTarget, VapidKeyPair } from "../storage/push-store.js";
import type { ChatMessage, EditsAndModeration } from "../storage/repository.js";
import type { OnDue, PushGate } from "./gate.js";
import { summarize, type HeldBatch, type Judge } from "./held.js";
import { recheckLateRecords, type LateRecordDeps } from "./late-record.js";
import type { PageTracker } from "./pages.js";
import { PushSender } from "./sender.js";
import type { ShownNotes, ShownRecord } from "./shown.js";
import { takeBackFrom, takeBackMessage, takeBackRoom, takeBackSessions, takeBackShown, type TakeBackDeps } from "./take-back.js";
import { payloadFor, type Place } from "./text.js";

/** What the chat handlers tell push; none can fail or slow the handler that tells it. */
export interface PushHooks {
  /**
   * A browser session joined the room under `name`, or a direct conversation was opened or brought back for it
   * (it need not have joined it: every message of its direct conversations is for it). Kept only when it has a
   * subscription, within PUSH_MAX_ROOMS_PER_SESSION. Resolves once written, never rejects: a caller that must
   * see it written before a push is decided awaits it.
   */
  joined(sessionKey: string, room: string, name: string): Promise<void>;
  /** It left the room for good (leave_chat): no more pushes from it. */
  left(sessionKey: string, room: string): void;
  /** This node stored the message (not a duplicate) and broadcast it. */
  messageStored(message: ChatMessage): void;
  /** The message was deleted or edited: a notification still quoting its old text is taken back. */
  messageChanged(room: string, id: number, change: "deleted" | "edited"): void;
  /** The session lost the room (a kick from a private room, a ban): its notification quoting the room is taken back. */
  accessEnded(sessionKey: string, room: string): void;
  /**
   * The room was made private and moved to `to`, its push rows with it (`rows`: whose followed, whose went): each
   * session whose row went (not let in) loses its notification; the records of those let in follow the room, so a
   * delete or edit at `to` takes theirs back.
   */
  roomMadePrivate(room: string, to: string, rows: MovedPushRows): void;
  /**
   * The name was banned from the room: each session the room's pushes know by that name loses its notification for
   * the room, also one whose name was released long ago (no holder). The direct conversations the ban covers are the
   * ban's to find (chat/moderation.ts): it tells each with accessEnded.
   */
  nameBanned(room: string, username: string): void;
}

export interface PushService extends PushHooks {
  /**
   * The VAPID keys (from the environment, or the database's, made on first use), loaded on the first call: not
   * at start, so a node that serves no page and stores no message touches nothing. A failed load is tried
   * again by the next call.
   */
  ready(): Promise<VapidKeyPair>;
  /** The VAPID public key (base64url), or "" until ready. */
  publicKey(): string;
  readonly pages: PageTracker;
  /** Pushes waiting to be sent or retried. */
  queueLength(): number;
  close(): Promise<void>;
}

export interface PushDeps {
  config: Config;
  store: EditsAndModeration;
  log: Logger;
  clock: Clock;
  metrics: Metrics;
  pages: PageTracker;
  /** The throttle, given what to call when a held batch is due (memory on one node, Redis on several). */
  gate: (onDue: OnDue) => PushGate;
  /** What each session's notification for a room quotes (memory on one node, Redis on several). */
  shown: ShownNotes;
}

/** How many times a push is built again when what it quotes changed while its take-back record was written. */
const MAX_REBUILDS = 2;

/** A push built again: how many times so far, the record its first try replaced, and the id its last try remembered. */
interface Retry {
  rebuilds: number;
  older: ShownRecord | null;
  remembered: number;
}

/** How long shutdown waits for pushes under way. */
const CLOSE_WAIT_MS = 2000;

/** The room kind's level when the session chose none: everything in a direct conversation, mentions elsewhere. */
const defaultLevel = (isDirect: boolean): PushLevel => (isDirect ? "all" : "mentions");

const levelOf = (target: PushTarget, place: Place): PushLevel => target.level ?? defaultLevel(place.isDirect);

/** How the target takes a message of the room by its level: not at all (null), or whether it is for the reader. */
function judgeFor(target: PushTarget, place: Place): Judge {
  const level = levelOf(target, place);
  return (message) => {
    // In a direct conversation every message is for the reader: it notifies as a mention does (as the page does).
    const isMention = place.isDirect || mentionsName(message, target.name);
    return level === "none" || (level === "mentions" && !isMention) ? null : { isMention };
  };
}

/** Whether the message mentions `name`: the names resolved when it was stored, or (a session with no page holds no name after NAME_GRACE_MS, so it was not resolved) its text. */
export function mentionsName(message: Pick<ChatMessage, "content" | "mentions">, name: string | null): boolean {
  if (name === null) return false;
  const key = nameKey(name);
  return (message.mentions ?? []).some((n) => nameKey(n) === key) || resolveMentions(message.content, [name]).length > 0;
}

export function createPushService(deps: PushDeps): PushService {
  const { config, store, log, clock, metrics, pages } = deps;
  const settings = config.push;
  if (settings.testService !== null) log.warn("push_test_service", { origin: settings.testService.origin, hint: "test-only push service allowed (NODE_ENV=test)" });
  let keys: VapidKeyPair | null = null;
  let sender: PushSender | null = null;
  let loading: Promise<VapidKeyPair> | null = null;
  const ready = (): Promise<VapidKeyPair> => {
    loading ??= (settings.vapidKeys !== null ? Promise.resolve(settings.vapidKeys) : store.push.vapidKeys(webPush.generateVAPIDKeys(), clock.now())).then(
      (pair) => {
        keys = pair;
        sender = new PushSender({ settings, keys: pair, store: store.push, log, metrics, clock });
        return pair;
      },
      (err: unknown) => {
        log.error("push_keys_unavailable", { err });
        loading = null; // the next caller tries again
        throw err;
      },
    );
    return loading;
  };

  /** The room as this session should see it in a notification, or null when it may not read it (any more). */
  async function placeFor(sessionKey: string, room: string, name: string | null): Promise<Place | null> {
    let place: Place = { title: room, isDirect: false };
    let banRoom = room;
    if (isPrivateAddress(room)) {
      const found = await store.access.roomAccess(room, sessionKey);
      if (found === null || found.member === null) return null;
      const isDirect = found.record.kind === "direct";
      place = { title: titleFor(found.record, sessionKey, isDirect ? await store.access.members(room) : []), isDirect };
      if (isDirect && found.record.originRoom !== null) banRoom = found.record.originRoom; // a ban there covers the conversation
    }
    const ban = await store.activeBan(banRoom, nameKey(name ?? ""), sessionKey, clock.now());
    return ban === null ? place : null;
  }

  /**
   * Pushes what is left of `held`: its messages read again (but `stored`, just stored), so an edit shows as it is
   * now, a deleted message is left out, and so is one the target's level no longer wants; nothing when none is left.
   * `retry` is set when it is built again: the record its first try replaced, and the id its last try remembered.
   */
  async function sendHeld(target: PushTarget, room: string, place: Place, held: HeldBatch, stored?: ChatMessage, retry?: Retry): Promise<void> {
    const ids = held.refs.map((r) => r.id).filter((id) => id !== stored?.id);
    const current = ids.length === 0 ? [] : await store.messagesById(room, ids);
    const messages = stored === undefined ? current : [...current, stored];
    const batch = summarize(held, messages, judgeFor(target, place), levelOf(target, place) === "all");
    if (batch === null) {
      if (retry !== undefined) await putBack(target.sessionKey, room, retry);
      return log.debug("push_not_needed", { room, reason: "nothing_left" });
    }
    const payload = payloadFor(room, batch, place);
    // Before it leaves: a delete racing the push then finds the record and takes it back. A record that could not
    // be kept costs only the take-back of this one notification: the push itself still goes. But not when the room's
    // Redis Cluster master is marked stalled (PushKeyStalledError, thrown before anything is sent to it): the push is
    // not sent (push_dispatch_failed), at once. That is the safe outcome: a push whose record cannot be written can
    // never be taken back, so a delete, an edit, a kick or a ban would leave its text on the lock screen for good,
    // while a push not sent only costs a notification of a message the room still shows. Elsewhere the record's
    // script was at least sent (a frozen master runs it when it wakes); under the mark it would never be.
    const replaced = await deps.shown.remember(target.sessionKey, room, payload.quoted).catch((err: unknown) => {
      if (err instanceof PushKeyStalledError) throw err;
      log.warn("push_take_back_unremembered", { room, err: (err as Error).message });
      return null;
    });
    // What the session's older notification (still on screen) quotes: this push replaced its record, so if this push
    // is not sent after all, that record must come back (or, access lost, be taken back) rather than be forgotten.
    const older = retry === undefined ? replaced : retry.older;
    // A kick or ban, a delete or an edit (or the room's move) between the reads that decided this push and its
    // record found nothing to claim, so nothing would take the push back: what decided it is read again now that
    // any later change finds the record. Access lost: not sent, its record forgotten (it was never shown), and the
    // older notification taken back (the kick or ban claimed this record, not that one). The quoted message
    // changed: the push is built again from what is there (bounded: one edited every time goes unpushed).
    if ((await placeFor(target.sessionKey, room, target.name)) === null) {
      await deps.shown.claimSession(target.sessionKey, room);
      if (older !== null) await takeBackShown(takeBacks, target.sessionKey, room, older);
      return log.debug("push_not_needed", { room, reason: "no_access" });
    }
    if (!(await isAsRead(room, messages.find((m) => m.id === payload.quoted)))) {
      const rebuilds = retry?.rebuilds ?? 0;
      log.debug("push_quote_changed", { room, id: payload.quoted, rebuilds });
      const next: Retry = { rebuilds: rebuilds + 1, older, remembered: payload.quoted };
      return rebuilds < MAX_REBUILDS ? sendHeld(target, room, place, held, undefined, next) : putBack(target.sessionKey, room, next);
    }
    if (sender === null) return;
    // High wakes a sleeping phone at once; a message that is not for the reader can wait for the next wake-up.
    const urgency = batch.mentions > 0 ? "high" : "normal";
    for (const sub of target.subscriptions) sender.enqueue(sub, payload, urgency);
  }

  /**
   * A push not sent after all: the older notification's record comes back in place of the one it remembered. A delete
   * or edit of the older message while this push's record stood in its place found nothing to claim: once it is back,
   * that message is read again (one read by id, only on this rare path).
   */
  async function putBack(sessionKey: string, room: string, retry: Retry): Promise<void> {
    const older = retry.older;
    if (older === null) return;
    const isBack = await deps.shown.putBack(sessionKey, room, retry.remembered, older).catch((err: unknown) => {
      log.warn("push_take_back_unremembered", { room, err: (err as Error).message });
      return false;
    });
    if (isBack) await recheckLateRecords(lateRecords, room, [{ sessionKey, record: older }]);
  }

  /** Whether the message is still in the room as it was read: not deleted, not edited, not moved away with its room. */
  async function isAsRead(room: string, read: ChatMessage | undefined): Promise<boolean> {
    if (read === undefined) return false;
    const [now] = await store.messagesById(room, [read.id]);
    return now !== undefined && now.deletedAt === undefined && now.content === read.content && now.editedAt?.getTime() === read.editedAt?.getTime();
  }

  /**
   * A held batch's interval ended: pushed unless a page has opened meanwhile (it shows the messages), or the
   * session no longer wants the room's pushes (it left the room for good, set its level to none, unsubscribed),
   * or access ended; all read again now, as the messages are.
   */
  const onDue: OnDue = (sessionKey, room, held) => {
    void (async () => {
      if (await pages.hasPage(sessionKey)) return log.debug("push_not_needed", { room, reason: "page_open" });
      const target = (await store.push.targets(room)).find((t) => t.sessionKey === sessionKey);
      if (target === undefined) return log.debug("push_not_needed", { room, reason: "not_wanted" });
      const place = await placeFor(sessionKey, room, target.name);
      if (place === null) return log.debug("push_not_needed", { room, reason: "no_access" });
      await sendHeld(target, room, place, held);
    })().catch((err: unknown) => log.warn("push_summary_failed", { err: (err as Error).message }));
  };
  const gate = deps.gate(onDue);

  async function offerTo(target: PushTarget, message: ChatMessage): Promise<void> {
    const room = message.room;
    const place = await placeFor(target.sessionKey, room, target.name);
    if (place === null) return log.debug("push_not_needed", { room, reason: "no_access" });
    const taken = judgeFor(target, place)(message);
    if (taken === null) return;
    if (await pages.hasPage(target.sessionKey)) {
      log.debug("push_not_needed", { room, reason: "page_open" }); // the page notifies by itself
      return;
    }
    const answer = await gate.offer(target.sessionKey, room, { id: message.id, isMention: taken.isMention });
    // With several nodes an ended interval's held messages can come back with this one (cluster/redis-push.ts).
    if ("send" in answer) await sendHeld(target, room, place, answer.send, message);
  }

  async function dispatch(message: ChatMessage): Promise<void> {
    const targets = (await store.push.targets(message.room)).filter((t) => t.sessionKey !== message.ownerKey);
    if (targets.length === 0) return; // most messages: one read, and the keys are not even needed
    await ready();
    // Side by side, at most PUSH_TARGETS_AT_ONCE: one after another, a target whose Redis read waits out a timeout
    // (a master frozen but not yet marked stalled) held up every target after it, N such targets N timeouts. Each
    // target's own steps (page, throttle, record, re-read, queue) still run in order, inside offerTo.
    await eachAtMost(targets, settings.targetsAtOnce, async (target) => {
      try {
        await offerTo(target, message);
      } catch (err) {
        log.warn("push_dispatch_failed", { room: message.room, err: (err as Error).message });
      }
    });
  }

  const takeBacks: TakeBackDeps = { shown: deps.shown, store: store.push, log, sender: async () => {
      await ready();
      return sender;
    } };
  const lateRecords: LateRecordDeps = { ...takeBacks, messages: store, windowMs: settings.takeBackMs };
  const failedTakeBack = (room: string) => (err: unknown) => log.warn("push_take_back_failed", { room, err: (err as Error).message });

  /**
   * The room was made private. Its push rows moved in the move's own transaction (RoomAccessStore.makePrivate):
   * those let in get its pushes at the new address, under the same name and level, and the rest none from whatever
   * now has the old name. The rows are the only place a reader whose page is closed is known, so the sessions whose
   * rows went are the ones not let in: each loses its notification. The records of those let in move with the room
   * (ShownNotes.move), so a delete or edit at `to` takes theirs back.
   */
  async function madePrivate(room: string, to: string, rows: MovedPushRows): Promise<void> {
    log.debug("push_rooms_moved", { room, to, rows: rows.followed.length });
    await takeBackSessions(takeBacks, room, rows.dropped);
    const moved = await deps.shown.move(room, to, rows.followed);
    // A delete or edit at `to` before a record got there (the rows moved first; with Redis each record goes in two
    // steps) found nothing: their messages are read again, one read for them all.
    await recheckLateRecords(lateRecords, to, moved);
    log.debug("push_records_moved", { room, to, sessions: moved.length });
  }

  let isClosed = false;
  return {
    ready,
    pages,
    publicKey: () => keys?.publicKey ?? "",
    queueLength: () => (sender as PushSender | null)?.length ?? 0,
    messageStored(message) {
      if (isClosed) return;
      dispatch(message).catch((err: unknown) => log.warn("push_dispatch_failed", { room: message.room, err: (err as Error).message }));
    },
    messageChanged(room, id, change) {
      if (!isClosed) takeBackMessage(takeBacks, room, id, change).catch(failedTakeBack(room));
    },
    accessEnded(sessionKey, room) {
      if (!isClosed) takeBackRoom(takeBacks, sessionKey, room).catch(failedTakeBack(room));
    },
    roomMadePrivate(room, to, rows) {
      if (!isClosed) madePrivate(room, to, rows).catch(failedTakeBack(room));
    },
    nameBanned(room, username) {
      // The room's own notification only: which direct conversations the ban covers is decided once, by the ban
      // (chat/moderation.ts directsBanned), which takes theirs back with accessEnded as it evicts.
      const key = nameKey(username);
      if (!isClosed) takeBackFrom(takeBacks, room, (t) => t.name !== null && nameKey(t.name) === key).catch(failedTakeBack(room));
    },
    joined(sessionKey, room, name) {
      return (async () => {
        // A read first: most sessions have no subscription, and then a join writes nothing.
        if (await store.push.hasSubscription(sessionKey)) await store.push.noteName(sessionKey, room, name, clock.now(), settings.maxRoomsPerSession);
      })().catch((err: unknown) => log.warn("push_name_failed", { err: (err as Error).message }));
    },
    left(sessionKey, room) {
      store.push.forgetRoom(sessionKey, room).catch((err: unknown) => log.warn("push_forget_failed", { err: (err as Error).message }));
    },
    async close() {
      isClosed = true;
      gate.close();
      pages.close();
      await (sender as PushSender | null)?.close(CLOSE_WAIT_MS);
    },
  };
}
