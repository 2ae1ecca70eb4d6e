// The page's wiring: finds the elements, builds each part (views, rooms and their sessions, sidebar,
// composer and its files, search, message actions, replies and reactions, the image viewer, moderation, private
// rooms, invites and direct messages, router) with what it needs, and routes the address it was opened with. No logic of its own.
import { findElements, findInviteElements, readLimits } from "./elements.js";
import { RoomDirectory, noDirectory } from "./home.js";
import { createViews } from "./views.js";
import { createComposer } from "./composer.js";
import { createRooms } from "./rooms.js";
import { createSidebar } from "./sidebar.js";
import { createRouter } from "./router.js";
import { recallName, recallRooms } from "./remembered.js";
import { createConfirmDialog } from "./dialog.js";
import { createMessageActions } from "./message-actions.js";
import { bindActionsPlacement } from "./message-actions-place.js";
import { bindMessageTap } from "./message-tap.js";
import { createModeration } from "./moderation.js";
import { createBanList } from "./ban-list.js";
import { createMembersList } from "./members-list.js";
import { createSearch } from "./search.js";
import { createNotifier } from "./notifications.js";
import { bindLevelControl } from "./notify-level.js";
import { createMentionCompleter } from "./mention-complete.js";
import { createRoomInfo } from "./room-info.js";
import { createPrivateRooms } from "./private-rooms.js";
import { createInviteDialog } from "./invite-dialog.js";
import { createInvitePage, showInviteBanEnd } from "./invite-page.js";
import { createDirectMessages } from "./direct-messages.js";
import { createMyRooms } from "./my-rooms.js";
import { createUploadTray } from "./upload-tray.js";
import { createAttachmentsPicker } from "./attachments-picker.js";
import { createImageViewer } from "./image-viewer.js";
import { createReplyDraft } from "./reply-draft.js";
import { bindQuoteClicks } from "./reply-quote.js";
import { createReactionPicker } from "./reaction-picker.js";
import { createReactions } from "./reactions.js";
import { startServiceWorker } from "./app-update.js";
import { createMessageCache } from "./message-cache.js";
import { createOutboxStore } from "./outbox-store.js";
import { createOfflineView } from "./offline-view.js";
import { createPushSwitch } from "./push-switch.js";
import { bindPushDisclosure } from "./push-disclosure.js";

/** @param {Document} doc */
export function startApp(doc) {
  const els = findElements(doc);
  const limits = readLimits(doc.body);

  // The parts call each other through these late-bound arrows; each is built once, below.
  // What each room is called (issue 17): a private room's or a conversation's address is never shown.
  const info = createRoomInfo(recallRooms());
  const { roomList, roomListEmpty, roomListTotal } = els;
  const directory =
    limits.listRooms && roomList && roomListEmpty && roomListTotal
      ? new RoomDirectory({ list: roomList, empty: roomListEmpty, total: roomListTotal, onPick: (room) => void router.pickRoom(room) })
      : noDirectory;
  const views = createViews({ doc, els, limits, directory, titleOf: info.titleOf, kindOf: info.kindOf });
  const sidebar = createSidebar({
    doc,
    nav: els.sidebar,
    list: els.sidebarList,
    directGroup: els.sidebarDirectGroup,
    directList: els.sidebarDirect,
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
    placeOf: (room) => ({ title: info.titleOf(room), isDirect: info.isDirect(room) }),
  });
  const levelControl = bindLevelControl({ select: els.notifyLevel, notifier });
  // Issue 23: the last messages of public rooms and the unsent ones, kept on this device.
  const messageCache = createMessageCache();
  const rooms = createRooms({
    doc,
    els,
    views,
    keepMessages: limits.keepMessages,
    composer: () => composer,
    decorate: (li, meta, isModerator) => actions.decorate(li, meta, isModerator),
    render: (entries) => sidebar.render(entries),
    info,
    onUpdated: (ev) => {
      search.applyUpdate(ev);
      if (ev.deletedAt) actions.closeEditorOf(ev.id);
    },
    onSwitched: () => {
      search.reset();
      actions.reset();
      replyDraft.showCurrent();
      const room = rooms.currentRoom();
      if (room !== null) levelControl.show(room);
      privateRooms.refresh();
      banList.refresh();
      membersList.refresh();
      offline.refresh();
    },
    onCaughtUp: (room) => {
      if (room === rooms.currentRoom()) {
        privateRooms.refresh();
        banList.refresh();
        membersList.refresh();
      }
      offline.refresh();
    },
    onAnyUpdate: (room, ev) => {
      messageCache.update(room, ev);
      notifier.onRoomUpdate(room, ev);
    },
    outboxStore: createOutboxStore(),
    onForgotten: (room) => messageCache.forget(room),
  });
  rooms.onRoomMessage((room, msg, info) => {
    messageCache.note(room, msg);
    notifier.onRoomMessage(room, msg, info);
  });
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
    /** @param {Parameters<import("./message-list.js").MessageList["applyReactions"]>[0]} ev */
    applyReactions: (ev) => rooms.list()?.applyReactions(ev) ?? false,
  };
  // Issue 22: the message being answered (above the message box) and the reactions with their picker.
  const replyDraft = createReplyDraft({
    doc,
    els,
    info: shownList.info,
    currentRoom: () => rooms.currentRoom(),
    announce: views.announce,
    focusComposer: () => composer.focus(),
  });
  const picker = createReactionPicker({ doc, els, announce: views.announce });
  const reactions = createReactions({ doc, messages: els.scroller, rooms, list: shownList, picker, announce: views.announce });
  // Issue 18: files picked (button, drop, paste) upload at once into the room's tray; Send takes them.
  const tray = createUploadTray({ els, limits, announce: views.announce, focusComposer: () => composer.focus() });
  createAttachmentsPicker({
    els,
    onFiles: (files) => {
      const room = rooms.currentRoom();
      if (room !== null) tray.add(room, files);
    },
  });
  createImageViewer({ els, announce: views.announce });
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
    tray,
    reply: replyDraft,
  });
  const router = createRouter({
    body: doc.body,
    els,
    views,
    rooms,
    createPrivate: (name, title) => privateRooms.create(name, title),
    leave: (room) => privateRooms.leave(room),
  });
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
    onReply: (id) => void replyDraft.start(id),
    onReact: (id, opener) => reactions.openPicker(id, opener),
  });
  const actionsPlacement = bindActionsPlacement({ scroller: els.scroller, win: doc.defaultView ?? window });
  bindMessageTap({ scroller: els.scroller, doc, win: doc.defaultView ?? window, onSelect: actionsPlacement.place });
  const banList = createBanList({ doc, els, rooms, announce: views.announce });
  const moderation = createModeration({ doc, presenceList: els.presenceList, rooms, dialog, announce: views.announce, onBanned: () => banList.banMade() });
  // Issue 17: private rooms, their invite links, direct messages, and the rooms this browser is admitted to.
  const invites = createInviteDialog({ doc, els, rooms, info, announce: views.announce });
  const privateRooms = createPrivateRooms({ els, views, rooms, info, dialog, invites, announce: views.announce });
  // Who can read a private room or conversation: its away members under the people list (members-list.js).
  const membersList = createMembersList({ doc, presenceList: els.presenceList, rooms, info, dialog, announce: views.announce });
  const directs = createDirectMessages({
    doc,
    presenceList: els.presenceList,
    rooms,
    info,
    announce: views.announce,
    notify: (room, msg, me) => notifier.onRoomMessage(room, msg, { source: "live", me }),
  });
  createMyRooms({ rooms, info, fallbackName: recallName, maxRooms: limits.maxRooms });
  // Rooms are renamed (a title learnt, a room moved): the sidebar, and the room bar of the room on screen.
  info.onChange((room) => {
    rooms.redraw();
    if (room === rooms.currentRoom()) views.showRoomName(info.get(room));
  });
  views.setPersonDecorator((li, name, isMe) => {
    directs.decoratePerson(li, name, isMe);
    moderation.decoratePerson(li, name, isMe);
  });
  const search = createSearch({ doc, els, rooms, onPick: (id) => void openMessage(id) });

  // A reply's quote clicked: its original, as a search hit or a permalink opens it (the history around it when it is not loaded).
  bindQuoteClicks(els.scroller, (id) => void openMessage(id));

  /** A search hit or a quote chosen: the message in context, and the focus on it. @param {number} id */
  async function openMessage(id) {
    if (await rooms.jumpTo(id)) shownList.element(id)?.focus({ preventScroll: true });
  }

  // Issue 23: offline, the room on screen with nothing loaded shows what the page last showed of it.
  const offline = createOfflineView({
    win: doc.defaultView ?? window,
    banner: els.offlineBanner,
    scroller: els.scroller,
    cache: messageCache,
    currentRoom: () => rooms.currentRoom(),
    hasLoaded: () => (rooms.list()?.storedCount ?? 0) > 0,
  });
  // The service worker: a new version announced, and a push notification clicked opens its room at the message.
  const worker = startServiceWorker({
    win: doc.defaultView ?? window,
    banner: els.updateBanner,
    reload: els.updateReload,
    onOpenMessage: (room, id, url) =>
      void rooms.openRoom(room, id).then((isOpen) => {
        if (!isOpen) location.assign(url);
      }),
  });
  rooms.onConnected(() => worker.checkForUpdate());
  const pushDisclosure = bindPushDisclosure({ doc, wrap: els.notifyBellWrap, button: els.pushMore });
  const pushSwitch = createPushSwitch({
    win: doc.defaultView ?? window,
    field: els.pushField,
    toggle: els.pushSwitch,
    status: els.pushStatus,
    publicKey: doc.body.dataset.vapidPublicKey ?? "",
    registration: worker.registration,
    levels: () => Object.fromEntries(recallRooms().map((r) => [r.room, notifier.level(r.room)])),
    levelSelect: els.notifyLevel,
    currentRoom: () => rooms.currentRoom(),
    onProblem: (say) => pushDisclosure.showProblem(say),
  });
  els.notifyBell.addEventListener("click", () => setTimeout(pushSwitch.render, 0));

  els.loadOlder.addEventListener("click", () => rooms.loadOlder());
  doc.addEventListener("visibilitychange", () => {
    if (!doc.hidden && rooms.current() === null) void directory.refresh();
  });
  setInterval(() => rooms.list()?.refreshDays(), 60_000);

  els.username.value ||= recallName();
  router.route(true);
  // The invite page (/invite/<token>): its card, not the join form, is where the reader acts.
  const inviteEls = findInviteElements(doc);
  if (inviteEls) createInvitePage({ els: inviteEls, page: els, maxName: limits.name, rooms, info, views }).focus();
  showInviteBanEnd(doc);
  return rooms;
}
