// The invite page (issue 17), /invite/<token>: the card the server rendered says what the link leads to. A working
// link shows the room's name, a name field (the remembered name filled in) and "Join as <name>"; the click is a
// same-origin POST to the same address, which admits this browser, and then the room is joined as any other, so
// the address bar shows /r/<address> and the token leaves it. "Already a member" opens the room the same way. A
// link that no longer works only says why (the server rendered it; nothing to do here). A browser banned from the
// room is told until when, with no form: showInviteBanEnd puts that end in the reader's own date and time.
/* global AbortController, HTMLTimeElement */
import { codePointLength, fullDateLabel, hasControlChars, localTimesIn, roomPath } from "./format.js";
import { recallName } from "./remembered.js";
/** @import { RoomInfo, ErrorBody } from "../../src/protocol.js" */

const POST_TIMEOUT_MS = 10_000;

/**
 * @param {{
 *   els: NonNullable<ReturnType<typeof import("./elements.js").findInviteElements>>,
 *   page: import("./elements.js").Elements,
 *   maxName: number,
 *   rooms: import("./rooms.js").Rooms,
 *   info: import("./room-info.js").RoomInfos,
 *   views: import("./views.js").Views,
 * }} deps
 */
export function createInvitePage({ els, page, maxName, rooms, info, views }) {
  let isBusy = false;

  els.username.value ||= recallName();
  // Already a member with a remembered name: Open is all it takes.
  if (els.state === "member" && els.username.value !== "") els.nameField.hidden = true;
  showName();

  /** A working link's button says whose name it joins under, as the field changes. */
  function showName() {
    if (els.state !== "active") return;
    const name = els.username.value.normalize("NFC").trim();
    els.submit.textContent = name === "" ? "Join" : `Join as ${name}`;
  }

  /** The name in the field, or null after saying what is wrong with it. */
  function readName() {
    const name = els.username.value.normalize("NFC").trim();
    const problem = name === "" ? "Enter your name." : codePointLength(name) > maxName ? `Use at most ${maxName} characters.` : hasControlChars(name) ? "Remove the control characters." : null;
    if (problem === null) els.username.removeAttribute("aria-invalid");
    else els.username.setAttribute("aria-invalid", "true");
    els.usernameError.textContent = problem ?? "";
    els.usernameError.hidden = problem === null;
    if (problem !== null) {
      els.nameField.hidden = false;
      els.username.focus();
    }
    return problem === null ? name : null;
  }

  /** The server's refusal, its times ("banned … until <ISO>") in the reader's own. @param {string | null} message */
  function setError(message) {
    els.error.textContent = message === null ? "" : localTimesIn(message);
    els.error.hidden = message === null;
  }

  /** @param {boolean} busy */
  function setBusy(busy) {
    isBusy = busy;
    els.submit.disabled = busy;
  }

  /** Join: the POST that admits this browser, then the room. */
  async function join() {
    const name = readName();
    if (name === null || isBusy) return;
    setError(null);
    setBusy(true);
    const answer = await admit(name);
    setBusy(false);
    if (!answer.ok) {
      setError(answer.error.message);
      els.submit.focus();
      return;
    }
    info.set(answer.room);
    await enter(name, answer.room.room);
  }

  /**
   * POST /invite/<token>. The page is served with Referrer-Policy: no-referrer, under which a POST carries
   * "Origin: null": this request's own policy sends the real origin (the server wants a same-origin post),
   * and `referrer: ""` keeps the token out of any Referer.
   * @param {string} username
   * @returns {Promise<{ ok: true, room: RoomInfo } | { ok: false, error: Pick<ErrorBody, "message"> }>}
   */
  async function admit(username) {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), POST_TIMEOUT_MS);
    try {
      const res = await fetch(location.pathname, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ username }),
        credentials: "same-origin",
        referrerPolicy: "same-origin",
        referrer: "",
        signal: timeout.signal,
      });
      const body = /** @type {unknown} */ (await res.json().catch(() => null));
      if (isAnswer(body)) return body;
      return { ok: false, error: { message: res.ok ? "The server's answer was not understood; try again." : `The server refused (${res.status}); try again.` } };
    } catch {
      return { ok: false, error: { message: "Cannot reach the server right now; try again in a moment." } };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Leaves the invite card for the room: the token goes from the address bar before anything else, then the
   * room is joined as any other (a refusal, such as a name taken there, shows on the join form).
   * @param {string} name @param {string} room
   */
  async function enter(name, room) {
    history.replaceState({}, "", roomPath(room));
    els.card.remove();
    // The section was named by the card's heading, gone now: the join form's title (the room's) names it instead.
    page.home.setAttribute("aria-labelledby", "join-title");
    for (const hidden of page.home.querySelectorAll("[data-hidden-by-invite]")) {
      if (hidden instanceof HTMLElement) hidden.hidden = false;
    }
    page.roomName.value = room;
    page.username.value = name;
    views.setJoinTitle(room);
    await rooms.enterRoom(name, room, { push: false });
  }

  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (els.state === "active") void join();
    else if (els.state === "member" && els.room !== null) {
      const name = readName();
      if (name !== null) void enter(name, els.room);
    }
  });
  els.username.addEventListener("input", showName);

  return {
    /** Puts the focus where the reader acts: the Join (or Open) button, or the name field when it is empty. */
    focus() {
      (els.username.value.trim() === "" ? els.username : els.submit).focus();
    },
  };
}

/**
 * The banned card's end of the ban, which the server writes in UTC, in the reader's own date and time (as the
 * POST's refusal is shown). The `datetime` attribute keeps the exact instant for assistive technology.
 * @param {Document} doc
 */
export function showInviteBanEnd(doc) {
  const end = doc.getElementById("invite-ban-until");
  if (!(end instanceof HTMLTimeElement)) return;
  const date = new Date(end.dateTime);
  if (!Number.isNaN(date.getTime())) end.textContent = fullDateLabel(date);
}

/** @param {unknown} body @returns {body is { ok: true, room: RoomInfo } | { ok: false, error: Pick<ErrorBody, "message"> }} */
function isAnswer(body) {
  if (typeof body !== "object" || body === null || !("ok" in body)) return false;
  if (body.ok === true) return "room" in body && typeof body.room === "object" && body.room !== null && "room" in body.room && typeof body.room.room === "string";
  return "error" in body && typeof body.error === "object" && body.error !== null && "message" in body.error && typeof body.error.message === "string";
}
