// The page's wiring: finds the elements, builds each part (views, rooms and their sessions, sidebar,
// composer, search, message actions, moderation, router) with what it needs, and routes the address it
// was opened with. No logic of its own.
import { findElements, readLimits } from "./elements.js";
import { RoomDirectory } from "./home.js";
import { createViews } from "./views.js";
import { createComposer } from "./composer.js";
import { createRooms } from "./rooms.js";
import { createSidebar } from "./sidebar.js";
import { createRouter } from "./router.js";
import { recallName } from "./remembered.js";
import { createConfirmDialog } from "./dialog.js";
import { createMessageActions } from "./message-actions.js";
import { createModeration } from "./moderation.js";
import { createSearch } from "./search.js";
import { createNotifier } from "./notifications.js";
import { bindLevelControl } from "./notify-level.js";
import { createMentionCompleter } from "./mention-complete.js";

/** @param {Document} doc */
export function startApp(doc) {
  const els = findElements(doc);
  const limits = readLimits(doc.body);

  // The parts call each other through these late-bound arrows; each is built once, below.
  const directory = new RoomDirectory({ list: els.roomList, empty: els.roomListEmpty, total: els.roomListTotal, onPick: (room) => void router.pickRoom(room) });
  const views = createViews({ doc, els, limits, directory });
  const sidebar = createSidebar({
    doc,
    nav: els.sidebar,
    list: els.sidebarList,
    join: els.sidebarJoin,
    toggle: els.roomsToggle,
    toggleCount: els.roomsToggleCount,
    chat: els.chat,
    onPick: (room) => void rooms.openRoom(room),
    onJoinNew: () => rooms.showJoinForm({ push: true, focus: true }),
    onMove: (step) => rooms.moveBy(step),
  });
  // Completing `@name` in the message box: the names in the room on screen (each room its own people).
  const mentionCompleter = createMentionCompleter({
    input: els.content,
    listbox: els.mentionList,
    members: () => rooms.members(),
    self: () => rooms.myName() ?? "",
    announce: views.announce,
  });
  // Notifications (issue 13): every joined room's messages go to the notifier (rooms.onRoomMessage below);
  // a notification clicked opens its room at that message.
  const notifier = createNotifier({
    win: doc.defaultView ?? window,
    doc,
    bell: els.notifyBell,
    onOpen: (room, id) => void rooms.openRoom(room, id),
  });
  const levelControl = bindLevelControl({ select: els.notifyLevel, notifier });
  const rooms = createRooms({
    doc,
    els,
    views,
    keepMessages: limits.keepMessages,
    composer: () => composer,
    decorate: (li, meta, isModerator) => actions.decorate(li, meta, isModerator),
    render: (entries) => sidebar.render(entries),
    onUpdated: (ev) => {
      search.applyUpdate(ev);
      if (ev.deletedAt) actions.closeEditorOf(ev.id);
    },
    onSwitched: () => {
      search.reset();
      actions.reset();
      const room = rooms.currentRoom();
      if (room !== null) levelControl.show(room);
    },
  });
  rooms.onRoomMessage((room, msg, info) => notifier.onRoomMessage(room, msg, info));
  // A muted room shows only a dot in the sidebar and leaves the title count.
  rooms.setLevelSource((room) => notifier.level(room));
  notifier.onLevelChange(() => rooms.redraw());
  /** The list of the room on screen, for the parts that act on messages shown. */
  const shownList = {
    /** @param {number} id */
    element: (id) => rooms.list()?.element(id) ?? null,
    /** @param {number} id */
    info: (id) => rooms.list()?.info(id) ?? null,
    /** @param {Parameters<import("./message-list.js").MessageList["applyUpdate"]>[0]} ev */
    applyUpdate: (ev) => rooms.list()?.applyUpdate(ev) ?? false,
    lastMine: () => rooms.list()?.lastMine() ?? null,
    /** @param {number} id */
    showMessage: (id) => rooms.list()?.showMessage(id) ?? false,
  };
  const composer = createComposer({
    els,
    limits,
    outbox: () => rooms.outbox(),
    announce: views.announce,
    joined: () => rooms.current(),
    sendTyping: (room) => rooms.sendTyping(room),
    editLast: () => actions.editLast(),
    beforeSend: () => rooms.returnToLive(),
    completion: mentionCompleter,
  });
  const router = createRouter({ body: doc.body, els, views, rooms });
  const dialog = createConfirmDialog(els);
  const actions = createMessageActions({
    doc,
    list: shownList,
    messages: els.scroller,
    rooms,
    dialog,
    announce: views.announce,
    focusComposer: () => composer.focus(),
    maxContent: limits.content,
  });
  const moderation = createModeration({ doc, presenceList: els.presenceList, rooms, dialog, announce: views.announce });
  views.setPersonDecorator(moderation.decoratePerson);
  const search = createSearch({ doc, els, rooms, onPick: (id) => void openMessage(id) });

  /** A search hit chosen: the message in context, and the focus on it. @param {number} id */
  async function openMessage(id) {
    if (await rooms.jumpTo(id)) shownList.element(id)?.focus({ preventScroll: true });
  }

  els.loadOlder.addEventListener("click", () => rooms.loadOlder());
  doc.addEventListener("visibilitychange", () => {
    if (!doc.hidden && rooms.current() === null) void directory.refresh();
  });
  setInterval(() => rooms.list()?.refreshDays(), 60_000);

  els.username.value ||= recallName();
  router.route(true);
  return rooms;
}
