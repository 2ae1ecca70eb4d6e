// The page: home (join form, active rooms) and one room at a time, switched with the History API.
import { createSocket, emitAck, failure } from "./connection.js";
import { codePointLength, hasControlChars, nameKey, normaliseContent, roomFromPath, roomPath } from "./format.js";
import { RoomDirectory } from "./home.js";
import { MessageList } from "./message-list.js";
import { Outbox } from "./outbox.js";
import { TypingIndicator, TypingNotifier } from "./typing.js";

const JOIN_TIMEOUT_MS = 10_000;
const HISTORY_TIMEOUT_MS = 10_000;
const OLDER_PAGE = 50;
const CATCH_UP_PAGE = 500;
/** Missing more than this many pages after a long absence: start from the newest messages instead. */
const MAX_CATCH_UP_PAGES = 10;
/** The counter appears when this few characters are left. */
const COUNTER_FROM = 50;
const NAME_KEY = "messenger-room:name";
const TITLE = "Messenger Room";

/**
 * @typedef {import("./message-list.js").WireMessage} WireMessage
 * @typedef {{
 *   room: string, username: string,
 *   lastId: number, maxSeen: number,
 *   hasMoreOlder: boolean, isLoadingOlder: boolean,
 *   isJoined: boolean, isRejoining: boolean, sawOwnJoin: boolean,
 *   rejoinGen: number,
 * }} Session
 */

/** @param {Document} doc */
export function startApp(doc) {
  const byId = (/** @type {string} */ id) => {
    const el = doc.getElementById(id);
    if (!el) throw new Error(`#${id} is missing from the page`);
    return el;
  };
  const body = doc.body;
  const els = {
    home: byId("home-view"),
    chat: byId("chat-view"),
    joinTitle: byId("join-title"),
    joinForm: /** @type {HTMLFormElement} */ (byId("join-form")),
    username: /** @type {HTMLInputElement} */ (byId("username")),
    usernameError: byId("username-error"),
    roomName: /** @type {HTMLInputElement} */ (byId("room-name")),
    roomNameError: byId("room-name-error"),
    joinButton: /** @type {HTMLButtonElement} */ (byId("join-button")),
    joinError: byId("join-error"),
    roomList: /** @type {HTMLUListElement} */ (byId("room-list")),
    roomListEmpty: byId("room-list-empty"),
    roomTitleName: byId("room-title-name"),
    presenceToggle: byId("presence-toggle"),
    presenceToggleCount: byId("presence-toggle-count"),
    leave: byId("leave-button"),
    banner: byId("connection-banner"),
    scroller: byId("message-list"),
    messages: /** @type {HTMLOListElement} */ (byId("messages")),
    loadOlder: /** @type {HTMLButtonElement} */ (byId("load-older")),
    historyNote: byId("history-note"),
    newMessages: /** @type {HTMLButtonElement} */ (byId("new-messages")),
    presence: byId("presence"),
    presenceCount: byId("presence-count"),
    presenceList: byId("presence-list"),
    typing: byId("typing-indicator"),
    counter: byId("char-counter"),
    hint: byId("composer-hint"),
    composer: /** @type {HTMLFormElement} */ (byId("composer")),
    content: /** @type {HTMLTextAreaElement} */ (byId("message-content")),
    send: /** @type {HTMLButtonElement} */ (byId("send-button")),
    live: byId("live-region"),
  };
  const limits = {
    content: Number(body.dataset.maxContent) || 500,
    name: Number(body.dataset.maxName) || 50,
    room: Number(body.dataset.maxRoom) || 50,
  };

  /** @type {import("socket.io-client").Socket | null} */
  let socket = null;
  /** @type {Session | null} */
  let session = null;
  /** Events for a room whose join answer has not been handled yet (a polling response can batch them). */
  let joining = /** @type {{ room: string, buffer: (() => void)[] } | null} */ (null);
  let isRestarting = false;
  let unread = 0;
  /** Wait before reconnecting after the server itself ended the connection; doubles while that repeats. */
  let serverDisconnectRetryMs = 1000;

  const list = new MessageList({ scroller: els.scroller, list: els.messages, newButton: els.newMessages, onNearTop: () => void loadOlder() });
  const typingIndicator = new TypingIndicator(els.typing);
  const typingNotifier = new TypingNotifier((room) => socket?.volatile.emit("typing", { room, isTyping: true }));
  const outbox = new Outbox({
    list,
    canSend: () => session !== null && session.isJoined && socket !== null && socket.connected,
    emit: (payload, timeoutMs) => {
      const s = session;
      if (!s || !socket) return Promise.resolve(failure("disconnected", "Not connected."));
      return emitAck(socket, "send_message", { username: s.username, room: s.room, ...payload }, timeoutMs);
    },
    onFailed: (_content, error) => announce(`Message not sent: ${error}`),
    onNotInRoom: () => void rejoin(),
    onRetried: () => els.content.focus(),
  });
  const directory = new RoomDirectory({ list: els.roomList, empty: els.roomListEmpty, onPick: (room) => void pickRoom(room) });

  // ---------- connection ----------

  function ensureSocket() {
    if (socket) return socket;
    const s = createSocket();
    socket = s;
    s.on("connect", () => {
      if (session) void rejoin();
    });
    s.on("disconnect", (reason) => {
      outbox.disconnected();
      typingIndicator.clear();
      if (session) {
        session.isJoined = false;
        session.isRejoining = false;
        session.rejoinGen++; // a catch-up still running belongs to the old connection: it stops
        setBanner(isRestarting ? "Server restarting…" : "Reconnecting…");
      }
      // A disconnect the server chose is not retried by Socket.IO itself; a chat page wants back in, gently.
      if (reason === "io server disconnect") {
        setTimeout(() => s.connect(), serverDisconnectRetryMs);
        serverDisconnectRetryMs = Math.min(serverDisconnectRetryMs * 2, 30_000);
      }
    });
    s.on("server_shutdown", () => {
      isRestarting = true;
      if (session) setBanner("Server restarting…");
    });
    s.on("message", (msg) => whenReady(msg?.room, () => onMessage(msg)));
    s.on("presence", (ev) => whenReady(ev?.room, () => onPresence(ev)));
    s.on("typing", (ev) => {
      if (session && ev && ev.room === session.room && nameKey(String(ev.username)) !== nameKey(session.username)) {
        typingIndicator.set(String(ev.username), ev.isTyping !== false);
      }
    });
    // Every event is sent with an ack, so chat_error only reports a typing signal that was refused.
    s.on("chat_error", () => {});
    return s;
  }

  /** Runs `fn` now, or after the join answer for that room has been handled. */
  function whenReady(room, fn) {
    if (joining && room === joining.room) joining.buffer.push(fn);
    else fn();
  }

  function setBanner(text) {
    els.banner.textContent = text ?? "";
    els.banner.hidden = text === null;
  }

  // ---------- incoming ----------

  /** @param {any} msg */
  function onMessage(msg) {
    const s = session;
    if (!s || !msg || msg.room !== s.room || typeof msg.content !== "string") return;
    if (typeof msg.id !== "number") {
      onNotice(s, msg);
      return;
    }
    typingIndicator.stopped(String(msg.sender));
    const added = ingest(s, [msg], true);
    if (added.length === 0 || nameKey(msg.sender) === nameKey(s.username)) return;
    announce(`${msg.sender}: ${msg.content}`);
    if (doc.hidden) {
      unread++;
      updateTitle();
    }
  }

  function onNotice(s, notice) {
    const isOwnJoin = notice.kind === "joined" && typeof notice.username === "string" && nameKey(notice.username) === nameKey(s.username);
    if (isOwnJoin) {
      // Rejoining after a reconnect announces us again; once per visit to a room is enough.
      if (s.sawOwnJoin) return;
      s.sawOwnJoin = true;
    } else {
      announce(notice.content);
    }
    if (typeof notice.username === "string" && notice.kind === "left") typingIndicator.stopped(notice.username);
    list.addNotice(notice);
  }

  /**
   * Shows stored messages once each; our own pending ones turn into sent ones.
   * @param {Session} s @param {WireMessage[]} messages @param {boolean} isNew
   * @returns {WireMessage[]} the ones that were new on screen
   */
  function ingest(s, messages, isNew) {
    const fresh = [];
    for (const m of messages) {
      s.maxSeen = Math.max(s.maxSeen, m.id);
      if (m.clientId && outbox.confirm(m.clientId, m)) continue;
      fresh.push(m);
    }
    // While catching up after a reconnect, live messages must not move the resume point past a gap.
    if (s.isJoined) s.lastId = s.maxSeen;
    return list.addMessages(fresh, { isNew });
  }

  /** @param {any} ev */
  function onPresence(ev) {
    if (!session || !ev || ev.room !== session.room || !Array.isArray(ev.users)) return;
    renderPresence(ev.users.map(String));
  }

  function renderPresence(users) {
    const me = session ? nameKey(session.username) : "";
    els.presenceList.replaceChildren(
      ...users.map((name) => {
        const li = doc.createElement("li");
        li.className = "presence__item";
        const label = doc.createElement("span");
        label.textContent = name;
        li.append(label);
        if (nameKey(name) === me) {
          li.classList.add("presence__item--me");
          const you = doc.createElement("span");
          you.className = "presence__you";
          you.textContent = " (you)";
          li.append(you);
        }
        return li;
      }),
    );
    els.presenceCount.textContent = String(users.length);
    els.presenceToggleCount.textContent = String(users.length);
  }

  // ---------- joining and leaving ----------

  /**
   * @param {string} username
   * @param {string} room
   * @param {{ push: boolean }} opts push: a new history entry (a click), else replace (load, back/forward)
   */
  async function enterRoom(username, room, opts) {
    const s = ensureSocket();
    const roomKey = room.normalize("NFC").trim();
    joining = { room: roomKey, buffer: [] };
    setJoinBusy(true);
    const res = await emitAck(s, "join_chat", { username, room }, JOIN_TIMEOUT_MS);
    setJoinBusy(false);
    const buffered = joining?.room === roomKey ? joining.buffer : [];
    joining = null;
    if (!res.ok) {
      showHome({ focus: false });
      showJoinError(res.error);
      return false;
    }
    try {
      localStorage.setItem(NAME_KEY, res.username);
    } catch {
      // Storage can be off (private mode, policy): the name is simply not remembered.
    }
    els.username.value = res.username;
    const initial = /** @type {WireMessage[]} */ (res.history);
    const last = initial.at(-1)?.id ?? 0;
    session = {
      room: res.room,
      username: res.username,
      lastId: last,
      maxSeen: last,
      hasMoreOlder: Boolean(res.hasMore),
      isLoadingOlder: false,
      isJoined: true,
      isRejoining: false,
      sawOwnJoin: false,
      rejoinGen: 0,
    };
    isRestarting = false;
    list.reset(res.username);
    outbox.clear();
    typingIndicator.clear();
    renderPresence([res.username]);
    setBanner(null);
    els.roomTitleName.textContent = res.room;
    els.content.value = "";
    updateCounter();
    const path = roomPath(res.room);
    if (opts.push && location.pathname !== path) history.pushState({ room: res.room }, "", path);
    else if (location.pathname !== path) history.replaceState({ room: res.room }, "", path);
    showChat();
    ingest(session, initial, false);
    for (const fn of buffered) fn();
    updateHistoryStatus();
    list.scrollToBottom();
    els.content.focus();
    fillViewWithOlder();
    return true;
  }

  /** After a reconnect: join again from the last message seen, and page forward until caught up. */
  async function rejoin() {
    const s = session;
    if (!s || !socket || !socket.connected || s.isRejoining) return;
    const gen = ++s.rejoinGen;
    const isCurrent = () => session === s && s.rejoinGen === gen;
    s.isRejoining = true;
    s.isJoined = false;
    const res = await emitAck(socket, "join_chat", { username: s.username, room: s.room, since: s.lastId }, JOIN_TIMEOUT_MS);
    if (!isCurrent()) return;
    if (!res.ok) {
      s.isRejoining = false;
      handleRejoinFailure(s, res.error);
      return;
    }
    ingest(s, res.history, true);
    let cursor = res.history.at(-1)?.id ?? s.lastId;
    let hasMore = Boolean(res.hasMoreAfter);
    for (let pages = 0; hasMore; pages++) {
      if (pages >= MAX_CATCH_UP_PAGES) {
        await restartFromNewest(s);
        return;
      }
      const page = await emitAck(socket, "fetch_history", { room: s.room, after: cursor, limit: CATCH_UP_PAGE }, HISTORY_TIMEOUT_MS);
      if (!isCurrent()) return;
      if (!page.ok) {
        if (page.error.code === "rate_limited") {
          await delay(page.error.retryAfterMs ?? 500);
          if (!isCurrent()) return;
          pages--;
          continue;
        }
        s.isRejoining = false;
        if (page.error.code !== "disconnected") setTimeout(() => void rejoin(), 2000);
        return;
      }
      ingest(s, page.messages, true);
      cursor = page.messages.at(-1)?.id ?? cursor;
      hasMore = Boolean(page.hasMore);
    }
    s.isRejoining = false;
    s.isJoined = true;
    s.lastId = s.maxSeen;
    isRestarting = false;
    serverDisconnectRetryMs = 1000;
    setBanner(null);
    outbox.pump();
  }

  /** Too much was missed to page through: show the newest messages, as a fresh visit would. */
  async function restartFromNewest(s) {
    if (!socket) return;
    const gen = s.rejoinGen;
    const res = await emitAck(socket, "join_chat", { username: s.username, room: s.room }, JOIN_TIMEOUT_MS);
    if (session !== s || s.rejoinGen !== gen) return;
    s.isRejoining = false;
    if (!res.ok) {
      handleRejoinFailure(s, res.error);
      return;
    }
    list.clearStored();
    const last = res.history.at(-1)?.id ?? s.lastId;
    s.lastId = last;
    s.maxSeen = last;
    s.hasMoreOlder = Boolean(res.hasMore);
    s.isJoined = true;
    isRestarting = false;
    ingest(s, res.history, false);
    updateHistoryStatus();
    setBanner(null);
    outbox.pump();
  }

  function handleRejoinFailure(s, error) {
    if (error.code === "disconnected") return; // the next connect tries again
    if (error.code === "name_taken" || error.code === "invalid_name" || error.code === "invalid_room") {
      // Someone else took the name while we were away: back to the form, saying so.
      leaveRoom({ push: true, notify: false });
      showJoinError(error.code === "name_taken" ? { code: error.code, message: `While you were away, ${error.message}` } : error);
      return;
    }
    setTimeout(() => void rejoin(), error.retryAfterMs ?? 2000);
  }

  /**
   * @param {{ push: boolean, notify?: boolean }} opts
   */
  function leaveRoom(opts) {
    const s = session;
    session = null;
    if (s && socket?.connected && opts.notify !== false) {
      void emitAck(socket, "leave_chat", { room: s.room, username: s.username }, JOIN_TIMEOUT_MS);
    }
    outbox.clear();
    typingIndicator.clear();
    list.reset("");
    setBanner(null);
    els.presenceList.replaceChildren();
    setJoinTitle("");
    if (opts.push && location.pathname !== "/") history.pushState({}, "", "/");
    showHome({ focus: true });
  }

  /** A room picked from the list of active rooms. */
  async function pickRoom(room) {
    els.roomName.value = room;
    const name = readName(false);
    if (name === null) {
      setJoinTitle(room);
      showFieldError(els.username, els.usernameError, `Enter your name to join ${room}.`);
      els.username.focus();
      return;
    }
    await enterRoom(name, room, { push: true });
  }

  // ---------- older history ----------

  async function loadOlder() {
    const s = session;
    if (!s || !socket || !s.hasMoreOlder || s.isLoadingOlder || !s.isJoined) return;
    const before = list.oldestId;
    if (before === null) {
      s.hasMoreOlder = false;
      updateHistoryStatus();
      return;
    }
    s.isLoadingOlder = true;
    updateHistoryStatus();
    const res = await emitAck(socket, "fetch_history", { room: s.room, before, limit: OLDER_PAGE }, HISTORY_TIMEOUT_MS);
    if (session !== s) return;
    s.isLoadingOlder = false;
    if (res.ok) {
      list.prependOlder(res.messages);
      s.hasMoreOlder = Boolean(res.hasMore);
    } else if (res.error.code === "rate_limited") {
      setTimeout(() => void loadOlder(), res.error.retryAfterMs ?? 500);
    }
    updateHistoryStatus();
    if (res.ok) fillViewWithOlder();
  }

  /** A short page leaves no scrollbar to pull on: keep loading until the view is full or the room begins. */
  function fillViewWithOlder() {
    const s = session;
    if (s && s.hasMoreOlder && els.scroller.scrollHeight <= els.scroller.clientHeight) void loadOlder();
  }

  function updateHistoryStatus() {
    const s = session;
    const hasMore = s !== null && s.hasMoreOlder;
    const isLoading = s !== null && s.isLoadingOlder;
    const hadFocus = doc.activeElement === els.loadOlder;
    els.loadOlder.hidden = !hasMore || isLoading;
    els.historyNote.hidden = hasMore && !isLoading;
    els.historyNote.textContent = isLoading ? "Loading older messages…" : hasMore ? "" : "Beginning of the room";
    if (hadFocus && els.loadOlder.hidden) els.scroller.focus();
  }

  // ---------- sending ----------

  function sendFromComposer() {
    const s = session;
    if (!s) return;
    const content = normaliseContent(els.content.value);
    els.content.focus();
    if (content === "") return;
    if (codePointLength(content) > limits.content) {
      announce(`The message is too long: ${limits.content} characters at most.`);
      return;
    }
    outbox.add(s.username, content);
    els.content.value = "";
    updateCounter();
  }

  function updateCounter() {
    const used = codePointLength(normaliseContent(els.content.value));
    const left = limits.content - used;
    const isNear = left <= COUNTER_FROM;
    els.counter.hidden = !isNear;
    els.hint.classList.toggle("hint--hidden", isNear);
    els.counter.classList.toggle("counter--over", left < 0);
    els.counter.textContent = left >= 0 ? `${left} ${left === 1 ? "character" : "characters"} left` : `${-left} too many`;
    if (left < 0) els.content.setAttribute("aria-invalid", "true");
    else els.content.removeAttribute("aria-invalid");
  }

  // ---------- views and forms ----------

  function showHome(opts) {
    els.chat.hidden = true;
    els.home.hidden = false;
    els.home.removeAttribute("data-deep-link");
    els.presence.classList.remove("is-open");
    els.presenceToggle.setAttribute("aria-expanded", "false");
    directory.start();
    if (opts.focus) {
      els.roomName.focus();
      els.roomName.select();
    }
  }

  function showChat() {
    directory.stop();
    clearJoinErrors();
    els.home.hidden = true;
    els.home.removeAttribute("data-deep-link");
    els.chat.hidden = false;
    doc.getElementById("room-error")?.remove();
  }

  function setJoinTitle(room) {
    els.joinTitle.replaceChildren();
    if (room) {
      const ref = doc.createElement("span");
      ref.className = "room-ref";
      ref.textContent = room;
      els.joinTitle.append("Join ", ref);
    } else {
      els.joinTitle.textContent = "Join a room";
    }
  }

  function setJoinBusy(isBusy) {
    els.joinButton.disabled = isBusy;
    els.joinButton.textContent = isBusy ? "Joining…" : "Join Chat";
  }

  function clearJoinErrors() {
    for (const [input, error] of [
      [els.username, els.usernameError],
      [els.roomName, els.roomNameError],
    ]) {
      input.removeAttribute("aria-invalid");
      error.hidden = true;
      error.textContent = "";
    }
    els.joinError.hidden = true;
    els.joinError.textContent = "";
  }

  function showFieldError(input, errorEl, message) {
    input.setAttribute("aria-invalid", "true");
    errorEl.textContent = message;
    errorEl.hidden = false;
  }

  /** @param {{ code: string, message: string }} error */
  function showJoinError(error) {
    clearJoinErrors();
    if (error.code === "name_taken" || error.code === "invalid_name") {
      showFieldError(els.username, els.usernameError, error.message);
      els.username.focus();
    } else if (error.code === "invalid_room") {
      showFieldError(els.roomName, els.roomNameError, error.message);
      els.roomName.focus();
    } else {
      els.joinError.textContent = error.code === "disconnected" || error.code === "timeout" ? "Cannot reach the server right now; try again in a moment." : error.message;
      els.joinError.hidden = false;
      els.joinButton.focus();
    }
  }

  /** The name in the form if it is valid, else null (and, with `show`, says why next to the field). */
  function readName(show) {
    const name = els.username.value.normalize("NFC").trim();
    const problem = labelProblem(name, "name", limits.name);
    if (problem && show) showFieldError(els.username, els.usernameError, problem);
    return problem ? null : name;
  }

  function labelProblem(value, what, max) {
    if (value === "") return what === "name" ? "Enter your name." : "Enter a room name.";
    if (codePointLength(value) > max) return `Use at most ${max} characters.`;
    if (hasControlChars(value)) return "Remove the control characters.";
    return null;
  }

  els.joinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (els.joinButton.disabled) return;
    clearJoinErrors();
    const name = readName(true);
    const room = els.roomName.value.normalize("NFC").trim();
    const roomProblem = labelProblem(room, "room", limits.room);
    if (roomProblem) showFieldError(els.roomName, els.roomNameError, roomProblem);
    if (name === null) els.username.focus();
    else if (roomProblem) els.roomName.focus();
    else void enterRoom(name, room, { push: true });
  });

  els.leave.addEventListener("click", () => leaveRoom({ push: true }));

  els.presenceToggle.addEventListener("click", () => {
    const isOpen = els.presence.classList.toggle("is-open");
    els.presenceToggle.setAttribute("aria-expanded", String(isOpen));
  });
  doc.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && els.presence.classList.contains("is-open")) {
      els.presence.classList.remove("is-open");
      els.presenceToggle.setAttribute("aria-expanded", "false");
      els.presenceToggle.focus();
    }
  });

  els.loadOlder.addEventListener("click", () => void loadOlder());

  els.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    sendFromComposer();
  });
  // Clicking Send must not take the focus (and the phone keyboard) away from the message box.
  els.send.addEventListener("mousedown", (event) => event.preventDefault());
  els.content.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.isComposing) return;
    event.preventDefault();
    sendFromComposer();
  });
  els.content.addEventListener("input", () => {
    updateCounter();
    const s = session;
    if (s && s.isJoined && els.content.value.trim() !== "") typingNotifier.typed(s.room);
  });

  // ---------- announcements, title, time ----------

  function announce(text) {
    const p = doc.createElement("p");
    p.textContent = text;
    els.live.append(p);
    while (els.live.childElementCount > 5) els.live.firstElementChild?.remove();
  }

  function updateTitle() {
    doc.title = unread > 0 ? `(${unread}) ${TITLE}` : TITLE;
  }

  doc.addEventListener("visibilitychange", () => {
    if (doc.hidden) return;
    unread = 0;
    updateTitle();
    if (session === null) void directory.refresh();
  });

  setInterval(() => list.refreshDays(), 60_000);

  // ---------- routing ----------

  function route(isInitial) {
    const room = roomFromPath(location.pathname);
    if (room === null || (isInitial && body.dataset.room === "")) {
      if (session) leaveRoom({ push: false });
      else showHome({ focus: false });
      // Start where typing is needed: the name, or the room when the name is remembered.
      if (isInitial) (els.username.value ? els.roomName : els.username).focus();
      return;
    }
    if (session && session.room === room.normalize("NFC").trim()) {
      showChat();
      return;
    }
    if (session) leaveRoom({ push: false });
    els.roomName.value = room;
    setJoinTitle(room);
    const name = readName(false);
    if (name !== null) {
      void enterRoom(name, room, { push: false });
    } else {
      showHome({ focus: false });
      els.username.focus();
    }
  }

  window.addEventListener("popstate", () => route(false));

  try {
    els.username.value ||= localStorage.getItem(NAME_KEY) ?? "";
  } catch {
    // no storage: nothing remembered
  }
  route(true);
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
