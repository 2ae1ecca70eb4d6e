// The invite dialog of a private room (issue 17), a modal <dialog>: make an invite link (how long it works, how
// many times), show it once in full with Copy (the clipboard, or the link selected in a read-only box to copy by
// hand), the room's links with who made them, their uses, expiry and state, each active one with Revoke, and for the room's
// managers "Every member may invite". Focus moves in when it opens and back to the Invite button when it closes.
/* global Element, HTMLButtonElement */
import { onDialogClosed } from "./dialog-closed.js";
/** @import { InviteInfo } from "../../src/protocol.js" */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The choices the dialog offers; the server's INVITE_MAX_TTL_MS may refuse the longest. */
export const EXPIRY_CHOICES = [
  { label: "1 hour", ms: HOUR_MS },
  { label: "1 day", ms: DAY_MS },
  { label: "7 days", ms: 7 * DAY_MS, isDefault: true },
  { label: "30 days", ms: 30 * DAY_MS },
];
/** `uses: 0` is unlimited (no maxUses). @type {{ label: string, uses: number, isDefault?: boolean }[]} */
export const USES_CHOICES = [{ label: "Unlimited", uses: 0, isDefault: true }, ...[1, 5, 10, 25, 100].map((n) => ({ label: n === 1 ? "Once" : `${n} times`, uses: n }))];

const STATE_LABELS = { active: "Active", expired: "Expired", used_up: "Used up" };
/** Refusals of Revoke that mean the link has ended already (docs/protocol.md): the list is out of date. */
const ENDED_CODES = new Set(["invite_expired", "invite_used_up"]);

/**
 * @param {{
 *   doc: Document,
 *   els: import("./elements.js").Elements,
 *   rooms: import("./rooms.js").Rooms,
 *   info: import("./room-info.js").RoomInfos,
 *   announce: (text: string) => void,
 * }} deps
 */
export function createInviteDialog({ doc, els, rooms, info, announce }) {
  const dialog = els.inviteDialog;
  /** The room the dialog is about, while it is open. */
  let room = "";
  /** Answers about another room, or from before a reopen, are dropped. */
  let generation = 0;
  /** The id of the link on show in "Your new invite link", if any. @type {number | null} */
  let shownId = null;
  /** Made when a link is first shown (14 ms of the page's start when made here). @type {Intl.DateTimeFormat | null} */
  let dateFormat = null;

  fillChoices();

  function fillChoices() {
    els.inviteExpiry.replaceChildren(...EXPIRY_CHOICES.map((c) => option(String(c.ms), c.label, c.isDefault === true)));
    els.inviteUses.replaceChildren(...USES_CHOICES.map((c) => option(String(c.uses), c.label, c.isDefault === true)));
  }

  /** @param {string} value @param {string} label @param {boolean} isSelected */
  function option(value, label, isSelected) {
    const o = doc.createElement("option");
    o.value = value;
    o.textContent = label;
    o.selected = isSelected;
    return o;
  }

  /** Opens the dialog for `address` (the room on screen). @param {string} address */
  function open(address) {
    room = address;
    generation++;
    const about = info.get(address);
    els.inviteRoom.textContent = about.title;
    hideLink();
    els.inviteCopyStatus.textContent = "";
    setError(null);
    fillChoices();
    els.inviteMembersField.hidden = about.canManage !== true;
    els.inviteMembers.checked = about.membersCanInvite === true;
    els.inviteCreate.disabled = false;
    if (!dialog.open) dialog.showModal();
    els.inviteExpiry.focus();
    void refreshList();
  }

  /** Takes the link on show out of the page: on open, on close, and when it is revoked. */
  function hideLink() {
    els.inviteLink.value = "";
    els.inviteResult.hidden = true;
    shownId = null;
  }

  /** @param {string | null} message */
  function setError(message) {
    els.inviteError.textContent = message ?? "";
    els.inviteError.hidden = message === null;
  }

  async function create() {
    const gen = generation;
    const expiresInMs = Number(els.inviteExpiry.value);
    const uses = Number(els.inviteUses.value);
    setError(null);
    els.inviteCreate.disabled = true;
    const res = await rooms.request("create_invite", { room, expiresInMs, ...(uses > 0 ? { maxUses: uses } : {}) });
    if (gen !== generation) return;
    els.inviteCreate.disabled = false;
    if (!res.ok) {
      setError(res.error.message);
      return;
    }
    // The token is in this answer only: the link is shown now, and never kept by the page.
    els.inviteLink.value = new URL(res.path, location.origin).href;
    shownId = res.invite.id;
    els.inviteCopyStatus.textContent = "";
    els.inviteResult.hidden = false;
    els.inviteLink.focus();
    els.inviteLink.select();
    announce("Invite link created. Copy it now: it is shown only once.");
    void refreshList();
  }

  async function copy() {
    const link = els.inviteLink.value;
    if (link === "") return;
    try {
      await navigator.clipboard.writeText(link);
      els.inviteCopyStatus.textContent = "Link copied.";
    } catch {
      // No clipboard (an older browser, a refused permission, plain http): the link is selected to copy by hand.
      els.inviteLink.focus();
      els.inviteLink.select();
      els.inviteCopyStatus.textContent = "The link is selected: copy it with Ctrl+C (⌘C on a Mac).";
    }
  }

  async function refreshList() {
    const gen = generation;
    els.inviteListStatus.textContent = "Loading…";
    const res = await rooms.request("list_invites", { room });
    if (gen !== generation) return;
    if (!res.ok) {
      els.inviteList.replaceChildren();
      els.inviteListStatus.textContent = res.error.message;
      return;
    }
    const canManage = info.get(room).canManage === true;
    // The newest first: the one just made is at the top.
    const newestFirst = [...res.invites].sort((a, b) => b.id - a.id);
    els.inviteList.replaceChildren(...newestFirst.map((invite) => item(invite, canManage || invite.isMine)));
    // The server lists no revoked links, so an empty list may follow revoking them all: "yet" would be untrue.
    // Expired and used-up links still listed let nobody in either.
    els.inviteListStatus.textContent = res.invites.some((i) => i.state === "active") ? "" : "No active invite links.";
  }

  /** @param {InviteInfo} invite @param {boolean} canRevoke */
  function item(invite, canRevoke) {
    const li = doc.createElement("li");
    li.className = "invite-list__item";
    li.dataset.id = String(invite.id);
    const text = doc.createElement("div");
    text.className = "invite-list__text";
    const who = doc.createElement("p");
    who.className = "invite-list__who";
    who.textContent = invite.isMine ? "Made by you" : `Made by ${invite.createdBy}`;
    const state = doc.createElement("span");
    state.className = `invite-list__state invite-list__state--${invite.state}`;
    state.textContent = STATE_LABELS[invite.state] ?? invite.state;
    who.append(" ", state);
    const meta = doc.createElement("p");
    meta.className = "invite-list__meta";
    meta.textContent = `${usesText(invite)} · ${expiryText(invite)}`;
    text.append(who, meta);
    li.append(text);
    // An expired or used-up link lets nobody in already: its state (above) says so, and Revoke would do nothing.
    if (canRevoke && invite.state === "active") {
      const b = doc.createElement("button");
      b.type = "button";
      b.className = "btn btn--small";
      b.dataset.revoke = String(invite.id);
      b.textContent = "Revoke";
      b.setAttribute("aria-label", `Revoke the link ${invite.isMine ? "you made" : `${invite.createdBy} made`}: ${meta.textContent}`);
      li.append(b);
    }
    return li;
  }

  /** @param {InviteInfo} invite */
  function usesText(invite) {
    const used = `${invite.uses} ${invite.uses === 1 ? "use" : "uses"}`;
    return invite.maxUses === undefined ? `${used}, no limit` : `${invite.uses} of ${invite.maxUses} ${invite.maxUses === 1 ? "use" : "uses"}`;
  }

  /** @param {InviteInfo} invite */
  function expiryText(invite) {
    const at = new Date(invite.expiresAt);
    if (Number.isNaN(at.getTime())) return "";
    return `${at.getTime() > Date.now() ? "expires" : "expired"} ${(dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" })).format(at)}`;
  }

  /** @param {HTMLButtonElement} button */
  async function revoke(button) {
    const id = Number(button.dataset.revoke);
    const gen = generation;
    button.disabled = true;
    setError(null);
    const res = await rooms.request("revoke_invite", { room, id });
    if (gen !== generation) return;
    if (!res.ok) {
      setError(res.error.message);
      if (ENDED_CODES.has(res.error.code)) await showEnded();
      else button.disabled = false;
      return;
    }
    announce("Invite link revoked.");
    // A revoked link lets nobody in: it is no longer offered to copy.
    if (id === shownId) hideLink();
    await refreshList();
    // The button is gone with its link: the focus goes to the next link's, or to the list's heading.
    const next = els.inviteList.querySelector("button[data-revoke]");
    (next instanceof HTMLButtonElement ? next : els.inviteListTitle).focus();
  }

  /**
   * The link ended while the dialog was open (it expired, or its last use was taken): the list is read again, so it
   * shows the link as ended and without Revoke. The message stays (it says why nothing was revoked); the focus,
   * on the Revoke button that is gone now, goes to the list's heading, in the dialog and beside the link.
   */
  async function showEnded() {
    const gen = generation;
    await refreshList();
    if (gen !== generation) return;
    els.inviteListTitle.focus();
  }

  async function setMembersCanInvite() {
    const wanted = els.inviteMembers.checked;
    setError(null);
    els.inviteMembers.disabled = true;
    const res = await rooms.request("update_room", { room, membersCanInvite: wanted });
    els.inviteMembers.disabled = false;
    if (!res.ok) {
      els.inviteMembers.checked = !wanted;
      setError(res.error.message);
      return;
    }
    info.set(res.room);
    announce(wanted ? "Every member may now make invite links." : "Only you and moderators may make invite links now.");
  }

  els.inviteForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!els.inviteCreate.disabled) void create();
  });
  els.inviteCopy.addEventListener("click", () => void copy());
  els.inviteMembers.addEventListener("change", () => void setMembersCanInvite());
  els.inviteList.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button[data-revoke]") : null;
    if (b instanceof HTMLButtonElement && !b.disabled) void revoke(b);
  });
  els.inviteClose.addEventListener("click", () => dialog.close());
  onDialogClosed(dialog, () => {
    generation++;
    room = "";
    // The link was shown once: it does not stay in the page after the dialog closes.
    hideLink();
    if (!els.inviteButton.hidden) els.inviteButton.focus();
  });

  return {
    open,
    /** The room left the screen (switched, left, lost): a dialog about it closes. @param {string | null} shown */
    follow(shown) {
      if (dialog.open && shown !== room) dialog.close();
    },
  };
}

/** @typedef {ReturnType<typeof createInviteDialog>} InviteDialog */
