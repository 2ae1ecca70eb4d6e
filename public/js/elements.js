// The page's elements, found once by id, and the limits the server put in data-* attributes on <body>.

/** @param {Document} doc */
export function findElements(doc) {
  const byId = (/** @type {string} */ id) => {
    const el = doc.getElementById(id);
    if (!el) throw new Error(`#${id} is missing from the page`);
    return el;
  };
  return {
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
    roomListTotal: byId("room-list-total"),
    joinAs: byId("join-as"),
    joinAsButton: /** @type {HTMLButtonElement} */ (byId("join-as-button")),
    joinAsName: byId("join-as-name"),
    changeName: /** @type {HTMLButtonElement} */ (byId("change-name-button")),
    roomTitleName: byId("room-title-name"),
    sidebar: byId("sidebar"),
    sidebarList: /** @type {HTMLUListElement} */ (byId("sidebar-list")),
    sidebarJoin: /** @type {HTMLButtonElement} */ (byId("sidebar-join")),
    roomsToggle: /** @type {HTMLButtonElement} */ (byId("rooms-toggle")),
    roomsToggleCount: byId("rooms-toggle-count"),
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
    mentionList: byId("mention-list"),
    live: byId("live-region"),
    removedNote: byId("removed-note"),
    searchForm: /** @type {HTMLFormElement} */ (byId("search-form")),
    searchInput: /** @type {HTMLInputElement} */ (byId("search-input")),
    searchPanel: byId("search-panel"),
    searchTitle: byId("search-title"),
    searchStatus: byId("search-status"),
    searchResults: /** @type {HTMLOListElement} */ (byId("search-results")),
    searchMore: /** @type {HTMLButtonElement} */ (byId("search-more")),
    searchClose: /** @type {HTMLButtonElement} */ (byId("search-close")),
    dialog: /** @type {HTMLDialogElement} */ (byId("confirm-dialog")),
    dialogTitle: byId("confirm-title"),
    dialogText: byId("confirm-text"),
    dialogChoices: /** @type {HTMLFieldSetElement} */ (byId("confirm-choices")),
    dialogError: byId("confirm-error"),
    dialogOk: /** @type {HTMLButtonElement} */ (byId("confirm-ok")),
    dialogCancel: /** @type {HTMLButtonElement} */ (byId("confirm-cancel")),
    notifyBell: /** @type {HTMLButtonElement} */ (byId("notify-bell")),
    notifyLevel: /** @type {HTMLSelectElement} */ (byId("notify-level")),
  };
}

/** @typedef {ReturnType<typeof findElements>} Elements */
/** @typedef {{ content: number, name: number, room: number, keepMessages: number }} Limits */

/** @param {HTMLElement} body @returns {Limits} */
export function readLimits(body) {
  return {
    content: Number(body.dataset.maxContent) || 500,
    name: Number(body.dataset.maxName) || 50,
    room: Number(body.dataset.maxRoom) || 50,
    keepMessages: Number(body.dataset.keepMessages) || 500,
  };
}
