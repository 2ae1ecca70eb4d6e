// The page's elements, found once by id, and the limits the server put in data-* attributes on <body>. The
// invite page's card (issue 17) is there only on /invite/<token>: findInviteElements.

/** @param {Document} doc */
function finder(doc) {
  return (/** @type {string} */ id) => {
    const el = doc.getElementById(id);
    if (!el) throw new Error(`#${id} is missing from the page`);
    return el;
  };
}

/** @param {Document} doc */
export function findElements(doc) {
  const byId = finder(doc);
  return {
    home: byId("home-view"),
    chat: byId("chat-view"),
    joinTitle: byId("join-title"),
    joinForm: /** @type {HTMLFormElement} */ (byId("join-form")),
    username: /** @type {HTMLInputElement} */ (byId("username")),
    usernameError: byId("username-error"),
    roomName: /** @type {HTMLInputElement} */ (byId("room-name")),
    roomNameError: byId("room-name-error"),
    roomNameField: byId("room-name-field"),
    roomNameLabel: byId("room-name-label"),
    privateRoom: /** @type {HTMLInputElement} */ (byId("private-room")),
    privateRoomField: byId("private-room-field"),
    joinButton: /** @type {HTMLButtonElement} */ (byId("join-button")),
    joinError: byId("join-error"),
    /** The active rooms; absent with LIST_PUBLIC_ROOMS=false. */
    roomList: /** @type {HTMLUListElement | null} */ (doc.getElementById("room-list")),
    /** A bad room address's error, rendered by the server (absent otherwise). */
    roomError: doc.getElementById("room-error"),
    // Issue 23: the new-version and offline banners, and the bell's push switch.
    updateBanner: byId("update-banner"),
    updateReload: /** @type {HTMLButtonElement} */ (byId("update-reload")),
    offlineBanner: byId("offline-banner"),
    pushField: byId("push-field"),
    notifyBellWrap: byId("notify-bell-wrap"),
    pushMore: /** @type {HTMLButtonElement} */ (byId("push-more")),
    pushSwitch: /** @type {HTMLInputElement} */ (byId("push-switch")),
    pushStatus: byId("push-status"),
    roomListEmpty: doc.getElementById("room-list-empty"),
    roomListTotal: doc.getElementById("room-list-total"),
    joinAs: byId("join-as"),
    joinAsButton: /** @type {HTMLButtonElement} */ (byId("join-as-button")),
    joinAsName: byId("join-as-name"),
    changeName: /** @type {HTMLButtonElement} */ (byId("change-name-button")),
    roomTitle: byId("room-title"),
    roomTitleKind: byId("room-title-kind"),
    roomTitleLock: byId("room-title-lock"),
    roomTitleName: byId("room-title-name"),
    inviteButton: /** @type {HTMLButtonElement} */ (byId("invite-button")),
    privacyButton: /** @type {HTMLButtonElement} */ (byId("privacy-button")),
    privacyLabel: byId("privacy-label"),
    sidebar: byId("sidebar"),
    sidebarList: /** @type {HTMLUListElement} */ (byId("sidebar-list")),
    sidebarDirectGroup: byId("sidebar-direct-group"),
    sidebarDirect: /** @type {HTMLUListElement} */ (byId("sidebar-direct")),
    sidebarJoin: /** @type {HTMLButtonElement} */ (byId("sidebar-join")),
    roomsToggle: /** @type {HTMLButtonElement} */ (byId("rooms-toggle")),
    roomsToggleCount: byId("rooms-toggle-count"),
    presenceToggle: byId("presence-toggle"),
    roomActionsToggle: byId("room-actions-toggle"),
    roomActions: byId("room-actions"),
    presenceToggleCount: byId("presence-toggle-count"),
    leave: /** @type {HTMLButtonElement} */ (byId("leave-button")),
    leaveLabel: byId("leave-label"),
    banner: byId("connection-banner"),
    scroller: byId("message-list"),
    messages: /** @type {HTMLOListElement} */ (byId("messages")),
    loadOlder: /** @type {HTMLButtonElement} */ (byId("load-older")),
    historyNote: byId("history-note"),
    newMessages: /** @type {HTMLButtonElement} */ (byId("new-messages")),
    presence: byId("presence"),
    presenceCount: byId("presence-count"),
    presenceList: byId("presence-list"),
    bans: byId("bans"),
    bansToggle: /** @type {HTMLButtonElement} */ (byId("bans-toggle")),
    bansList: /** @type {HTMLUListElement} */ (byId("bans-list")),
    bansStatus: byId("bans-status"),
    typing: byId("typing-indicator"),
    counter: byId("char-counter"),
    hint: byId("composer-hint"),
    composer: /** @type {HTMLFormElement} */ (byId("composer")),
    content: /** @type {HTMLTextAreaElement} */ (byId("message-content")),
    send: /** @type {HTMLButtonElement} */ (byId("send-button")),
    // Issue 18: files in messages (the paperclip, the drop target, the chips, the image viewer).
    attachButton: /** @type {HTMLButtonElement} */ (byId("attach-button")),
    fileInput: /** @type {HTMLInputElement} */ (byId("file-input")),
    dropTarget: byId("drop-target"),
    uploadTray: byId("upload-tray"),
    uploadList: /** @type {HTMLUListElement} */ (byId("upload-list")),
    uploadFailed: byId("upload-failed"),
    viewer: /** @type {HTMLDialogElement} */ (byId("image-viewer")),
    viewerTitle: byId("viewer-title"),
    viewerCount: byId("viewer-count"),
    viewerImage: /** @type {HTMLImageElement} */ (byId("viewer-image")),
    viewerPrev: /** @type {HTMLButtonElement} */ (byId("viewer-prev")),
    viewerNext: /** @type {HTMLButtonElement} */ (byId("viewer-next")),
    viewerDownload: /** @type {HTMLAnchorElement} */ (byId("viewer-download")),
    viewerClose: /** @type {HTMLButtonElement} */ (byId("viewer-close")),
    mentionList: byId("mention-list"),
    live: byId("live-region"),
    removedNote: byId("removed-note"),
    unsent: byId("unsent"),
    unsentList: /** @type {HTMLUListElement} */ (byId("unsent-list")),
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
    inviteDialog: /** @type {HTMLDialogElement} */ (byId("invite-dialog")),
    inviteRoom: byId("invite-room"),
    inviteForm: /** @type {HTMLFormElement} */ (byId("invite-form")),
    inviteExpiry: /** @type {HTMLSelectElement} */ (byId("invite-expiry")),
    inviteUses: /** @type {HTMLSelectElement} */ (byId("invite-uses")),
    inviteCreate: /** @type {HTMLButtonElement} */ (byId("invite-create")),
    inviteResult: byId("invite-result"),
    inviteLink: /** @type {HTMLInputElement} */ (byId("invite-link")),
    inviteCopy: /** @type {HTMLButtonElement} */ (byId("invite-copy")),
    inviteCopyStatus: byId("invite-copy-status"),
    inviteError: byId("invite-error"),
    inviteMembersField: byId("invite-members-field"),
    inviteMembers: /** @type {HTMLInputElement} */ (byId("invite-members")),
    inviteListTitle: byId("invite-list-title"),
    inviteListStatus: byId("invite-list-status"),
    inviteList: /** @type {HTMLUListElement} */ (byId("invite-list")),
    inviteClose: /** @type {HTMLButtonElement} */ (byId("invite-close")),
    // Issue 22: the message being answered above the message box, and the reaction picker.
    replyDraft: byId("reply-draft"),
    replyDraftText: byId("reply-draft-text"),
    replyCancel: /** @type {HTMLButtonElement} */ (byId("reply-cancel")),
    picker: /** @type {HTMLDialogElement} */ (byId("reaction-picker")),
    pickerFrequent: byId("picker-frequent"),
    pickerSearch: /** @type {HTMLInputElement} */ (byId("picker-search")),
    pickerMore: /** @type {HTMLButtonElement} */ (byId("picker-more")),
    pickerStatus: byId("picker-status"),
    pickerAll: byId("picker-all"),
    pickerClose: /** @type {HTMLButtonElement} */ (byId("picker-close")),
  };
}

/**
 * The invite page's card and, for a link that works (or a member's), its form; null on every other page, and
 * for a link that no longer works (the card only says why).
 * @param {Document} doc
 */
export function findInviteElements(doc) {
  const card = doc.getElementById("invite-card");
  const state = card?.dataset.state;
  if (!card || (state !== "active" && state !== "member")) return null;
  const byId = finder(doc);
  return {
    card,
    state,
    /** A member's room (the address to open). */
    room: card.dataset.room ?? null,
    form: /** @type {HTMLFormElement} */ (byId("invite-join-form")),
    nameField: byId("invite-name-field"),
    username: /** @type {HTMLInputElement} */ (byId("invite-username")),
    usernameError: byId("invite-username-error"),
    submit: /** @type {HTMLButtonElement} */ (byId("invite-submit")),
    error: byId("invite-card-error"),
  };
}

/** @typedef {ReturnType<typeof findElements>} Elements */
/**
 * @typedef {{ content: number, name: number, room: number, keepMessages: number, maxRooms: number, listRooms: boolean,
 *   maxFileBytes: number, maxFiles: number }} Limits
 */

/** @param {HTMLElement} body @returns {Limits} */
export function readLimits(body) {
  return {
    content: Number(body.dataset.maxContent) || 500,
    name: Number(body.dataset.maxName) || 50,
    room: Number(body.dataset.maxRoom) || 50,
    keepMessages: Number(body.dataset.keepMessages) || 500,
    /** MAX_ROOMS_PER_CONNECTION: the most rooms the one connection may be in. */
    maxRooms: Number(body.dataset.maxRooms) || 20,
    /** LIST_PUBLIC_ROOMS: false, and /api/rooms answers 404 (nothing to ask). */
    listRooms: body.dataset.listRooms !== "false",
    /** MAX_FILE_BYTES: a bigger file is refused here, before a byte of it is sent (issue 18). */
    maxFileBytes: Number(body.dataset.maxFileBytes) || 25 * 1024 * 1024,
    /** MAX_FILES_PER_MESSAGE. */
    maxFiles: Number(body.dataset.maxFiles) || 10,
  };
}
