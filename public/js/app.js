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

/** @param {Document} doc */
export function startApp(doc) {
  const els = findElements(doc);
  const limits = readLimits(doc.body);

  // The parts call each other through these late-bound arrows; each is built once, below.
  const directory = new RoomDirectory({ list: els.roomList, empty: els.roomListEmpty, total: els.roomListTotal, onPick: (room) => void router.pickRoom(room) });
  const views = createViews({ doc, els, limits, directory });
  const list = new MessageList({ scroller: els.scroller, list: els.messages, newButton: els.newMessages, onNearTop: () => void rooms.loadOlder() });
  const typingIndicator = new TypingIndicator(els.typing);
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
  });
  const rooms = createRoomSession({ els, views, list, outbox, typingIndicator, composer });
  const router = createRouter({ body: doc.body, els, views, room: rooms });

  els.loadOlder.addEventListener("click", () => void rooms.loadOlder());
  doc.addEventListener("visibilitychange", () => {
    if (!doc.hidden && rooms.current() === null) void directory.refresh();
  });
  setInterval(() => list.refreshDays(), 60_000);

  els.username.value ||= recallName();
  router.route(true);
}
