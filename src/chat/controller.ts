// Socket.IO events of the chat: one short handler per event, each validate -> act -> answer -> broadcast.
import type { Ack, ClientEventName, Failure, HistoryResult, JoinResult, SendResult, WireMessage } from "../protocol.js";
import { AttachmentUnavailableError, RoomClosedError, RoomMovedError, type AppendResult, type ChatMessage, type NewMessage } from "../storage/repository.js";
import { isPrivateAddress } from "../access/room-address.js";
import { banEndWords } from "../access/ban-end.js";
import { fail, parseFetchHistory, parseJoin, parseLeave, parseSend, parseShown, parseTyping } from "../validation.js";
import { announceArrival, enterRoom, exitAllRooms, exitRoom, retractEntry } from "./membership.js";
import { resolveMentions } from "./mentions.js";
import { PresenceUnavailableError } from "./presence.js";
import { addressKey } from "../shared/address-key.js";
import { EventOrder } from "./event-order.js";
import { ConnectionLimits } from "./rate-limit.js";
import { createMemorySharedLimits, type LimitOwner } from "./shared-limits.js";
import { dispatchEvent, type CallContext, type ConnectionState, type EventRoute } from "./reply.js";
import type { ChatDeps, ChatServer, ChatSocket } from "./types.js";
import { searchMessages } from "./search.js";
import { pageAround } from "../storage/page-around.js";
import { toWire } from "./wire.js";
import { loadJoinHistory } from "./join-history.js";
import { deleteMessage, editMessage } from "./edits.js";
import { banRefusal, banUser, isModerator, kickUser } from "./moderation.js";
import { listBans, unbanUser } from "./bans.js";
import { createRoom, endStay, joinAdmission, joinedRoomInfo, myRooms, outsider, stillAdmitted, updateRoom } from "./private-rooms.js";
import { createInvite, listInvites, revokeInvite } from "./invites.js";
import { afterDirectSend, openDirect } from "./direct-messages.js";
import { listenToOtherNodes } from "./room-exits.js";
import { listMembers } from "./members.js";
import { react } from "./reactions.js";
import { quotesFor, replyTarget, withReplyMention } from "./replies.js";
import { readerOf, toWireFor, type Reader } from "./message-context.js";
import { listenToAny } from "./lean-socket.js";
import { logExitFailure } from "./exit-failures.js";
import { refuseRejoinOfMovedRoom, rejoinTokenFor } from "./moved-rejoin.js";
import { arrivalNotice } from "./presence-notices.js";

export function registerChat(io: ChatServer, deps: ChatDeps): void {
  // One table for the whole server: idle connections are what memory goes to.
  const routes: Record<ClientEventName, EventRoute> = {
    // Issue 19: a client that can retry (it gave an ack) is refused at once while the node is behind; the Flask
    // original's clients (no ack) could not, so they are always taken.
    join_chat: { limit: "join", isMembership: true, needsPresence: true, handler: (socket, raw, ctx) => (ctx.hasAck ? deps.admission.admit(() => join(io, socket, deps, raw, ctx)) : join(io, socket, deps, raw, ctx)) },
    send_message: { limit: "send", handler: (socket, raw) => send(io, socket, deps, raw) },
    leave_chat: { limit: "join", isMembership: true, handler: (socket, raw) => leave(io, socket, deps, raw) },
    fetch_history: { limit: "history", handler: (socket, raw) => fetchHistory(socket, deps, raw) },
    typing: { limit: "typing", handler: (socket, raw) => typing(socket, raw) },
    // Search reads like history and spends the same budget (RATE_HISTORY_*).
    search_messages: { limit: "history", handler: (socket, raw) => searchMessages(socket, deps, raw) },
    // Issue 12: edits and deletes spend the send budget; kicks and bans the join budget.
    edit_message: { limit: "send", handler: (socket, raw) => editMessage(io, socket, deps, raw) },
    delete_message: { limit: "send", handler: (socket, raw) => deleteMessage(io, socket, deps, raw) },
    kick_user: { limit: "join", handler: (socket, raw) => kickUser(io, socket, deps, raw) },
    ban_user: { limit: "join", handler: (socket, raw) => banUser(io, socket, deps, raw) },
    // An unban writes like a ban; the list reads like list_invites.
    unban_user: { limit: "join", handler: (socket, raw) => unbanUser(socket, deps, raw) },
    list_bans: { limit: "history", handler: (socket, raw) => listBans(socket, deps, raw) },
    // Issue 17: private rooms, invite links, direct conversations. Each writes at most a row or two: the join budget.
    create_room: { limit: "join", handler: (socket, raw) => createRoom(socket, deps, raw) },
    update_room: { limit: "join", handler: (socket, raw) => updateRoom(io, socket, deps, raw) },
    my_rooms: { limit: "history", handler: (socket, raw) => myRooms(socket, deps, raw) },
    create_invite: { limit: "join", handler: (socket, raw) => createInvite(socket, deps, raw) },
    list_invites: { limit: "history", handler: (socket, raw) => listInvites(socket, deps, raw) },
    revoke_invite: { limit: "join", handler: (socket, raw) => revokeInvite(socket, deps, raw) },
    open_direct: { limit: "join", handler: (socket, raw) => openDirect(io, socket, deps, raw) },
    // Reads like list_invites: the history budget.
    list_members: { limit: "history", handler: (socket, raw) => listMembers(socket, deps, raw) },
    // Issue 22: a reaction spends the send budget (the same buckets as send_message).
    react: { limit: "send", handler: (socket, raw) => react(io, socket, deps, raw) },
  };
  listenToOtherNodes(io, deps);
  const shared = deps.sharedLimits ?? createMemorySharedLimits(deps.config.rateLimits);
  // Listeners shared by every connection: Socket.IO calls them with the socket as `this`, so a connection costs
  // no closure (and no context) of its own; its state lives in one object, found by the socket (issue 20).
  const connections = new WeakMap<ChatSocket, ConnectionState>();
  // Made on a connection's first event, not on connect: a socket that never speaks costs none of it.
  const stateOf = (socket: ChatSocket): ConnectionState => {
    let state = connections.get(socket);
    if (state === undefined) {
      state = { limits: new ConnectionLimits(deps.config.rateLimits, deps.clock), shared, owner: limitOwner(socket, deps), order: new EventOrder() };
      connections.set(socket, state);
    }
    return state;
  };
  function onEvent(this: ChatSocket, event: string, ...args: unknown[]): void {
    if (!Object.hasOwn(routes, event)) return; // unknown events are ignored, as Socket.IO does without a listener
    const name = event as ClientEventName;
    dispatchEvent(this, deps, name, routes[name], stateOf(this), args);
  }
  // After the joins already under way have been announced, or a join still reading history would announce
  // an arrival after this departure. Runs at once (before other "disconnect" listeners) when none is pending.
  const exitAll = (socket: ChatSocket): Promise<void> =>
    exitAllRooms(io, socket, deps).then(
      (failures) => failures.forEach((failure) => logExitFailure(deps, "disconnect_failed", failure, { socket: socket.id })),
      (err: unknown) => deps.log.error("disconnect_failed", { socket: socket.id, err }),
    );
  function onDisconnect(this: ChatSocket): void {
    const state = connections.get(this);
    // No state: the socket never sent an event, so no membership change can be pending.
    void (state === undefined ? exitAll(this) : state.order.change(exitAll.bind(null, this)));
  }
  io.on("connection", (socket) => {
    socket.data.rooms = new Map();
    listenToAny(socket, onEvent);
    socket.on("disconnect", onDisconnect);
  });
}

/**
 * A browser session spends one budget across its tabs and reconnects. A client without the cookie (a script,
 * the Flask original's clients) could drop it at will, so those share one budget per address (an IPv6 /64),
 * scaled by RATE_COOKIELESS_IP_FACTOR for the several that may sit behind one.
 */
function limitOwner(socket: ChatSocket, deps: ChatDeps): LimitOwner {
  const session = socket.data.sessionId;
  if (session.startsWith("s:")) return session as LimitOwner;
  return `ip:${addressKey(socket.data.ip, deps.config.rateLimits.ipv6PrefixLength)}`;
}

/**
 * A join's `shown` (its older messages on screen, for a rejoin). A bad list is reported on chat_error and the join
 * goes on as one without it: a page gets its room back as before, never less.
 */
function shownOf(socket: ChatSocket, raw: unknown): number[] | undefined {
  const shown = parseShown(raw);
  if (shown.ok) return shown.value;
  socket.emit("chat_error", { ...shown.error, event: "join_chat" });
  return undefined;
}

async function join(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown, ctx: CallContext): Promise<Ack<JoinResult>> {
  const input = parseJoin(raw);
  if (!input.ok) return input;
  const { room, username, since, rejoinToken } = input.value;
  const shown = shownOf(socket, raw);
  const current = socket.data.rooms.get(room);
  const maxRooms = deps.config.rateLimits.maxRoomsPerConnection;
  // Every room a connection is in stays in memory and on the home page's list: cap them. A room it is already in costs nothing new.
  if (current === undefined && socket.data.rooms.size >= maxRooms) return fail("too_many_rooms", `You can be in at most ${maxRooms} rooms at once; leave one first.`);
  // A page back after its room was made private must not land in the fresh public room of the old name.
  const moved = current === undefined ? await refuseRejoinOfMovedRoom(socket, deps, room, since, rejoinToken) : null;
  if (moved !== null) return moved;
  // First: an outsider of a private room learns nothing, not even whether a name is taken or banned there.
  const admitted = await joinAdmission(socket, deps, room, username);
  if ("ok" in admitted) return admitted;
  if (current !== username) {
    const banned = await banRefusal(socket, deps, room, username);
    if (banned !== null) return banned;
  }
  if (current !== undefined && current !== username) await exitRoom(io, socket, deps, room); // same tab, new name
  const entered = current === username ? { isNew: false } : await enterRoom(socket, deps, room, username);
  if ("ok" in entered) return entered;

  // Read after joining the Socket.IO room: a message committed before this read is in the history, one
  // committed after it is broadcast to this socket, so nothing is missed or shown twice.
  let result: JoinResult;
  try {
    await deps.fanout.enter(room); // several nodes: where this node's live delivery of the room starts, read before the history
    result = await loadJoinHistory(deps, room, username, { since, shown }, readerOf(socket), ctx.hasAck);
    if (deps.config.moderatorToken !== null) result.isModerator = await isModerator(socket, deps);
    if (admitted.kind === "member") {
      if (!(await stillAdmitted(socket, deps, room, username))) {
        if (current !== username) await retractEntry(io, socket, deps, room, entered.isNew);
        return outsider();
      }
      result.roomInfo = await joinedRoomInfo(socket, deps, admitted.record, admitted.member, username);
    }
    const token = rejoinTokenFor(socket, deps, room);
    if (token !== undefined) result.rejoinToken = token;
    // Last, right before the ack leaves: every presence delta this socket gets after the ack is newer than the list.
    result.users = await deps.presence.users(room);
  } catch (err) {
    if (current !== username) await retractEntry(io, socket, deps, room, entered.isNew);
    throw err;
  }
  // Taken out meanwhile (issue 17: an admission ended on another node while this join read): it heard `removed`,
  // so it must not hear "ok" after it.
  if (admitted.kind === "member" && socket.data.rooms.get(room) !== username) return outsider();
  if (!ctx.hasAck) {
    // Legacy clients get the history as one `message` event per row, oldest first, as the original sent it.
    for (const m of result.history) socket.emit("message", m);
  }
  const listForAckless = ctx.hasAck ? null : result.users;
  const notice = arrivalNotice(socket, room, admitted.kind === "member" ? admitted.record.kind : "public");
  ctx.afterReply(() => announceArrival(io, socket, room, username, entered.isNew, listForAckless, notice));
  // Issue 23: a session with a push subscription is known by this name here once its pages are closed.
  if (socket.data.sessionId.startsWith("s:")) void deps.push?.joined(socket.data.ownerKey, room, username);
  return { ok: true, ...result };
}

async function send(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<SendResult>> {
  const input = parseSend(raw);
  if (!input.ok) return input;
  const { room, username, content, clientId, attachments, replyTo } = input.value;
  const boundName = socket.data.rooms.get(room);
  if (boundName === undefined) return fail("not_in_room", "Join the room before sending to it.");
  if (boundName !== username) return fail("name_mismatch", `You joined this room as "${boundName}".`);
  const ownerKey = socket.data.ownerKey;
  const reader = readerOf(socket);
  const refuse = (refusal: Failure): Promise<Ack<SendResult>> => refuseUnlessRepeat(deps, room, clientId, refusal, reader);
  const badFiles = attachments === undefined ? null : await checkAttachments(deps, ownerKey, attachments);
  if (badFiles !== null) return refuse(badFiles);
  // Issue 22: the message answered must be live in this room; its sender is mentioned (not when it is one's own).
  const original = replyTo === undefined ? null : await replyTarget(deps, room, replyTo);
  if (original !== null && "ok" in original) return refuse(original);
  const textMentions = await mentionsIn(deps, room, content);
  const mentions = original === null ? textMentions : withReplyMention(textMentions, original, { ownerKey, name: boundName });
  const memberSince = socket.data.joinedAt?.get(room);
  const saved = await appendOrRefusal(deps, {
    room,
    sender: boundName,
    content,
    sentAt: deps.clock.now(),
    ownerKey,
    ...(memberSince !== undefined ? { memberSince: new Date(memberSince) } : {}),
    ...(clientId ? { clientId } : {}),
    ...(mentions.length > 0 ? { mentions } : {}),
    ...(attachments !== undefined && attachments.length > 0 ? { attachments } : {}),
    ...(original !== null ? { replyTo: original.id } : {}),
  });
  if ("ok" in saved) return saved;
  if (saved.duplicate) return answerRepeat(deps, room, saved.message, reader);
  return { ok: true, message: await publishStored(io, socket, deps, saved, reader) };
}

/**
 * The room gets the stored message (the sender's socket too: its copy comes before the ack), then pushes go out;
 * the answer is the sender's own copy (`mine`).
 */
async function publishStored(io: ChatServer, socket: ChatSocket, deps: ChatDeps, saved: AppendResult, reader: Reader): Promise<WireMessage> {
  const { room, replyTo } = saved.message;
  const linkBase = deps.config.files.publicUrl ?? "";
  // Read after the commit, not the original checked before it: a delete that committed meanwhile shows as deleted
  // (as history shows it), never with the erased text. Replies only: other sends read nothing more.
  const quote = replyTo === undefined ? undefined : (await quotesFor(deps.store, room, [saved.message])).get(replyTo);
  const context = quote === undefined ? {} : { quote };
  // `mine` in the ack only, never in the broadcast; a legacy sender's ack has its quote in `content` only.
  const message = toWire(saved.message, socket.data.ownerKey, linkBase, { ...context, isLegacy: reader.isLegacy });
  const broadcast = toWire(saved.message, undefined, linkBase, context);
  deps.metrics.messagesStored.inc();
  await deps.fanout.publish(saved, broadcast);
  // Issue 23: pushes are fire-and-forget, after the broadcast (this node stored it: one push per message). In a
  // direct conversation after afterDirectSend: it makes the push store know the room for a peer that never joined
  // it or closed it, and the push for this very message must find that.
  const pushIt = (): void => deps.push?.messageStored(saved.message);
  if (socket.data.privateRooms?.get(room)?.kind === "direct") {
    afterDirectSend(io, socket, deps, broadcast)
      .catch((err: unknown) => deps.log.warn("direct_notify_failed", { room, err: (err as Error).message }))
      .finally(pushIt);
  } else pushIt();
  return message;
}

/** A repeat of a stored send (same clientId) gets that message back, as it is now; nothing is broadcast. */
async function answerRepeat(deps: ChatDeps, room: string, stored: ChatMessage, reader: Reader): Promise<Ack<SendResult>> {
  return { ok: true, message: (await toWireFor(deps, room, [stored], reader))[0] as WireMessage, duplicate: true };
}

/**
 * A check refused the send, but a retry (same clientId, its ack lost) of one already stored is answered as a repeat
 * all the same (protocol.md), though its original was deleted or its files edited away since. Only a refused send
 * with a clientId pays this read; the store's own dedupe answers every other repeat.
 */
async function refuseUnlessRepeat(deps: ChatDeps, room: string, clientId: string | undefined, refusal: Failure, reader: Reader): Promise<Ack<SendResult>> {
  const stored = clientId === undefined ? null : await deps.store.findByClientId(room, clientId);
  return stored === null ? refusal : answerRepeat(deps, room, stored, reader);
}

/**
 * The append, or the refusal when the store refused it alone: one of its files was taken after checkAttachments, or
 * its room moved to another address (made private or public) after this socket joined it, so the checks above were of
 * a room that is no longer at this address (a moved room's sockets may hear room_moved after sending; on several
 * nodes, later still), or a ban or a kick closed the room to this browser after the checks (the socket hears
 * `removed` before or after this answer).
 */
async function appendOrRefusal(deps: ChatDeps, msg: NewMessage): Promise<AppendResult | Failure> {
  try {
    return await deps.repo.append(msg);
  } catch (err) {
    if (err instanceof AttachmentUnavailableError) return invalidAttachment();
    if (err instanceof RoomMovedError) return roomMoved(err);
    if (err instanceof RoomClosedError) return roomClosed(err);
    throw err;
  }
}

/** A ban or a kick landed after this send's checks (the join's words: moderation.ts, private-rooms.ts). */
function roomClosed(err: RoomClosedError): Failure {
  const notSent = "this message was not sent.";
  if (err.until === null) return fail("not_in_room", `${err.isDirect ? "This conversation is" : "This room is"} no longer open to this browser: ${notSent}`);
  const from = err.isDirect ? "the room this conversation started in" : "this room";
  return fail("banned", `You are banned from ${from} ${banEndWords(err.until)}: ${notSent}`);
}

/** Never the new address: a private one is not every sender's to know (a cookie-less client is turned away). */
const roomMoved = (err: RoomMovedError): Failure =>
  fail("room_moved", `This room was just made ${isPrivateAddress(err.to) ? "private" : "public"}: this message was not sent. Send it again in the room.`);

const invalidAttachment = (): Failure =>
  fail("invalid_attachment", "A file of this message is not an upload of this browser's, or it was sent or removed already: upload it again.");

/**
 * Issue 18: the files a send names must be this browser session's own uploads, not yet sent and not expired,
 * and at most MAX_FILES_PER_MESSAGE. Null lets the send go ahead. Another send may still take one of them before
 * this one commits (two tabs sending the same upload): the store then refuses this send (appendUnlessFilesTaken).
 */
async function checkAttachments(deps: ChatDeps, ownerKey: string, ids: readonly string[]): Promise<Failure | null> {
  const most = deps.config.files.maxFilesPerMessage;
  if (ids.length > most) return fail("too_many_files", `A message can carry at most ${most} files.`);
  const found = await deps.store.files.ownUploads(ownerKey, ids);
  return found.length === ids.length && found.every((f) => f.messageId === null) ? null : invalidAttachment();
}

/** Resolved once, when the message is stored: against who is present now, held names included. */
async function mentionsIn(deps: ChatDeps, room: string, content: string): Promise<string[]> {
  if (!content.includes("@")) return []; // most messages: no presence read at all
  // The node knows the read would wait REDIS_COMMAND_TIMEOUT_MS for a frozen Redis (on a Redis Cluster, the room's
  // master) and then fail: the outcome below, without the wait.
  if (deps.isPresenceStalled?.(room) === true) {
    deps.log.warn("mentions_unresolved", { room, isStalled: true });
    return [];
  }
  try {
    return resolveMentions(content, await deps.presence.users(room));
  } catch (err) {
    // Several nodes, Redis away: the message is still stored and acknowledged, without mentions (nobody to check them against).
    if (!(err instanceof PresenceUnavailableError)) throw err;
    deps.log.warn("mentions_unresolved", { room });
    return [];
  }
}

async function leave(io: ChatServer, socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack> {
  const input = parseLeave(raw);
  if (!input.ok) return input;
  const { room } = input.value;
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "You are not in this room.");
  const kind = socket.data.privateRooms?.get(room)?.kind;
  try {
    await exitRoom(io, socket, deps, room); // an explicit leave gives the name up at once, no grace
  } finally {
    // Also when its presence step is refused (Redis frozen where the room's presence lives: presence_unavailable, at
    // once or after the timeout): the socket is out of the room by then and the page has dropped it, so what needs no
    // Redis ends all the same; else the room's pushes would go on and my_rooms would offer the room back.
    await endStayHere(io, socket, deps, room, kind);
  }
  return { ok: true };
}

/** What a leave ends besides presence: the session's pushes from the room and, for a private room or a conversation, its stay. */
async function endStayHere(io: ChatServer, socket: ChatSocket, deps: ChatDeps, room: string, kind: "private" | "direct" | undefined): Promise<void> {
  deps.push?.left(socket.data.ownerKey, room); // issue 23: its pushes
  if (kind !== undefined) await endStay(io, socket, deps, room, kind); // issue 17: the admission ends (private) or the conversation closes (direct)
}

async function fetchHistory(socket: ChatSocket, deps: ChatDeps, raw: unknown): Promise<Ack<HistoryResult>> {
  const reader = readerOf(socket);
  const input = parseFetchHistory(raw);
  if (!input.ok) return input;
  const { room, before, after, around, limit } = input.value;
  if (!socket.data.rooms.has(room)) return fail("not_in_room", "Join the room before reading its history.");
  if (around !== undefined) {
    const context = await pageAround(deps.repo, room, around, limit);
    return { ok: true, messages: await toWireFor(deps, room, context.messages, reader), hasMore: context.hasMore, hasMoreAfter: context.hasMoreAfter };
  }
  const page = await deps.repo.page(room, after !== undefined ? { after, limit } : { before, limit });
  return { ok: true, messages: await toWireFor(deps, room, page.messages, reader), hasMore: page.hasMore };
}

function typing(socket: ChatSocket, raw: unknown): Promise<Ack> {
  const input = parseTyping(raw);
  if (!input.ok) return Promise.resolve(input);
  const { room, isTyping } = input.value;
  const username = socket.data.rooms.get(room);
  if (username === undefined) return Promise.resolve(fail("not_in_room", "You are not in this room."));
  socket.to(room).emit("typing", { room, username, isTyping });
  return Promise.resolve({ ok: true });
}
