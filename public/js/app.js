// The page's wiring: finds the elements, builds each part (views, message list, outbox, composer, room
// session, router) with what it needs, and routes the address it was opened with. No logic of its own.
import { findElements, readLimits } from "./elements.js";
import { RoomDirectory } from "./home.js";
import { MessageList } from "./message-list.js";
import { Outbox } from "./outbox.js";
import { TypingIndicator } from "./typing.js";
import { createViews } from "./views.js";
import { createComposer } from "./composer.js";
import { createRoomSession } from "./room-session.js";
import { createRouter } from "./router.js";
import { recallName } from "./remembered.js";
import { createConfirmDialog } from "./dialog.js";
import { createMessageActions } from "./message-actions.js";
import { createModeration } from "./moderation.js";
import { createSearch } from "./search.js";
import { createMentionCompleter } from "./mention-complete.js";
import { createNotifier } from "./notifications.js";
import { bindLevelControl } from "./notify-level.js";

/** @param {Document} doc */
export function startApp(doc) {
  const els = findElements(doc);
  const limits = readLimits(doc.body);

  // The parts call each other through these late-bound arrows; each is built once, below.
  const directory = new RoomDirectory({ list: els.roomList, empty: els.roomListEmpty, total: els.roomListTotal, onPick: (room) => void router.pickRoom(room) });
  const views = createViews({ doc, els, limits, directory });
  const list = new MessageList({
    scroller: els.scroller,
    list: els.messages,
    newButton: els.newMessages,
    onNearTop: () => void rooms.loadOlder(),
    onNearBottom: () => void rooms.loadNewer(),
    onNewButton: () => void rooms.returnToLive(),
  });
  const typingIndicator = new TypingIndicator(els.typing);
  const mentionCompleter = createMentionCompleter({
    input: els.content,
    listbox: els.mentionList,
    members: () => rooms.members(),
    self: () => rooms.current()?.username ?? "",
    announce: views.announce,
  });
  const outbox = new Outbox({
    list,
    canSend: () => rooms.canSend(),
    emit: (payload, timeoutMs) => rooms.send(payload, timeoutMs),
    onFailed: (_content, error) => views.announce(`Message not sent: ${error}`),
    onNotInRoom: () => void rooms.rejoin(),
    onRetried: () => composer.focus(),
  });
  const composer = createComposer({
    els,
    limits,
    outbox,
    announce: views.announce,
    joined: () => rooms.current(),
    sendTyping: (room) => rooms.sendTyping(room),
    editLast: () => actions.editLast(),
    beforeSend: () => void rooms.returnToLive(),
    completion: mentionCompleter,
  });
  // Notifications (issue 13): a notification clicked opens its message, in the room shown (one room per page today).
  const notifier = createNotifier({
    win: doc.defaultView ?? window,
    doc,
    bell: els.notifyBell,
    onOpen: (room, id) => {
      if (rooms.current()?.room === room) void openMessage(id);
    },
  });
  const levelControl = bindLevelControl({ select: els.notifyLevel, notifier });
  const rooms = createRoomSession({
    els,
    views,
    list,
    outbox,
    typingIndicator,
    composer,
    onUpdated: (ev) => {
      search.applyUpdate(ev);
      if (ev.deletedAt) actions.closeEditorOf(ev.id);
    },
    onLeft: () => {
      search.reset();
      actions.reset();
    },
    onLive: (room, msg, me) => notifier.onRoomMessage(room, msg, { source: "live", me, isCurrent: true }),
    onEntered: (room) => levelControl.show(room),
  });
  const router = createRouter({ body: doc.body, els, views, room: rooms });
  const dialog = createConfirmDialog(els);
  const actions = createMessageActions({
    doc,
    list,
    messages: els.messages,
    rooms,
    dialog,
    announce: views.announce,
    focusComposer: () => composer.focus(),
    maxContent: limits.content,
  });
  list.decorate = actions.decorate;
  const moderation = createModeration({ doc, presenceList: els.presenceList, rooms, dialog, announce: views.announce });
  views.setPersonDecorator(moderation.decoratePerson);
  const search = createSearch({ doc, els, rooms, onPick: (id) => void openMessage(id) });

  /** A search hit chosen: the message in context, and the focus on it. @param {number} id */
  async function openMessage(id) {
    if (await rooms.jumpTo(id)) list.element(id)?.focus({ preventScroll: true });
  }

  els.loadOlder.addEventListener("click", () => void rooms.loadOlder());
  doc.addEventListener("visibilitychange", () => {
    if (!doc.hidden && rooms.current() === null) void directory.refresh();
  });
  setInterval(() => list.refreshDays(), 60_000);

  els.username.value ||= recallName();
  router.route(true);
}
