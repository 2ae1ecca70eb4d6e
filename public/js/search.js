// Search in the room: the box in the room header (`/` focuses it), the results panel (a labelled region,
// one button per hit, the count announced, the matched words marked with <mark> nodes built from the
// server's code-point ranges, "Load more" with `before`), results kept current when a message is edited
// or deleted, and choosing a hit to open it in context. A hit with files shows its caption and the files' names
// (search matches file names too; issue 18).
/* global Element, HTMLLIElement */
import { highlightRuns, sentDate, timeLabel, dayLabel, unreadableTime } from "./format.js";
import { captionOf, filesOf } from "./file-info.js";
import { appendWithSpans, findMentions, readerOf } from "./mention-highlight.js";
import { hostEdits, markWholeHosts, shownSlice } from "./link-text.js";
/** @import { MessageUpdatedEvent, SearchHit } from "../../src/protocol.js" */

const PAGE = 20;
/** A query longer than this is cut where it is repeated (the panel's title, "No messages match"); the box holds it whole. */
const QUOTED_MAX_CHARS = 60;

/** @param {string} q @returns {string} */
function quoted(q) {
  const points = [...q];
  return `“${points.length > QUOTED_MAX_CHARS ? `${points.slice(0, QUOTED_MAX_CHARS).join("")}…` : q}”`;
}

// Both indexes keep only letters, digits and private-use characters as words (docs/search.md): emoji and
// punctuation alone match nothing, and the reader is told why. Made on first use (a Unicode-property pattern
// costs a few ms to build on a phone).
/** @type {RegExp | null} */
let WORD_CHAR = null;
const NOT_SEARCHED = "Emoji and punctuation are not searched: type a word.";

/** @param {string} q */
const isSearchable = (q) => (WORD_CHAR ??= /[\p{L}\p{N}\p{Co}]/u).test(q);

/**
 * A refused search in plain words. The server's messages for the payload's fields name them ("q must be at most 200
 * characters"), written for developers; those a person can act on (rate limits, storage) are shown as they are.
 * @param {string} code @param {string} message
 */
function failureText(code, message) {
  // The box holds at most the server's limit in UTF-16 units, but NFC can lengthen some letters: "too long" is the one
  // refusal of the query itself a page can meet.
  if (code === "invalid_payload") return "This search could not be run: it is too long. Type fewer words.";
  if (code.startsWith("invalid_")) return "This search could not be run. Reload the page and try again.";
  return `Search failed: ${message}`;
}

/**
 * @param {{
 *   doc: Document,
 *   els: import("./elements.js").Elements,
 *   rooms: import("./rooms.js").Rooms,
 *   onPick: (id: number) => void,
 * }} deps
 */
export function createSearch({ doc, els, rooms, onPick }) {
  /** The query shown, its hits so far, and whether more are older; `gen` drops answers to older queries. */
  let state = { q: "", room: "", hits: /** @type {SearchHit[]} */ ([]), hasMore: false, isLoading: false, gen: 0 };

  /** @param {string} q */
  async function search(q) {
    const s = rooms.current();
    const query = q.trim();
    if (!s || query === "") {
      close();
      return;
    }
    state = { q: query, room: s.room, hits: [], hasMore: false, isLoading: true, gen: state.gen + 1 };
    els.searchResults.replaceChildren();
    els.searchTitle.textContent = `Results for ${quoted(query)}`;
    els.searchPanel.hidden = false;
    els.searchMore.hidden = true;
    setStatus("Searching…");
    await loadPage();
  }

  async function loadPage() {
    const gen = state.gen;
    const before = state.hits.reduce((min, h) => Math.min(min, h.message.id), Infinity);
    const payload = { room: state.room, q: state.q, limit: PAGE, ...(Number.isFinite(before) ? { before } : {}) };
    state.isLoading = true;
    els.searchMore.disabled = true;
    const res = await rooms.request("search_messages", payload);
    if (gen !== state.gen) return;
    state.isLoading = false;
    els.searchMore.disabled = false;
    if (!res.ok) {
      setStatus(failureText(res.error.code, res.error.message));
      els.searchMore.hidden = !state.hasMore;
      return;
    }
    const firstNew = state.hits.length;
    state.hits.push(...res.hits);
    state.hasMore = Boolean(res.hasMore);
    els.searchResults.append(...res.hits.map(renderHit));
    els.searchMore.hidden = !state.hasMore;
    setStatus(countText(state.hits.length, state.hasMore, state.q));
    return firstNew;
  }

  /** @param {number} n @param {boolean} hasMore @param {string} q */
  function countText(n, hasMore, q) {
    if (n === 0) return isSearchable(q) ? `No messages match ${quoted(q)}.` : `No messages match ${quoted(q)}. ${NOT_SEARCHED}`;
    const count = `${n}${hasMore ? "+" : ""} ${n === 1 && !hasMore ? "message matches" : "messages match"}`;
    return hasMore ? `${count}; older ones with Load more results.` : `${count}.`;
  }

  /** The status line is a live region: the count is read out without moving the focus. @param {string} text */
  function setStatus(text) {
    els.searchStatus.textContent = text;
  }

  /** @param {SearchHit} hit */
  function renderHit(hit) {
    const li = doc.createElement("li");
    li.className = "search-hit";
    li.dataset.id = String(hit.message.id);
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "search-hit__button";
    const head = doc.createElement("span");
    head.className = "search-hit__head";
    const who = doc.createElement("span");
    who.className = "search-hit__sender";
    who.textContent = hit.message.sender;
    who.dir = "auto";
    const when = doc.createElement("time");
    const date = sentDate(hit.message);
    const unreadable = unreadableTime(hit.message);
    if (unreadable !== null) when.textContent = unreadable.day !== null ? dayLabel(unreadable.day, new Date()) : unreadable.text; // a Flask row's
    else {
      when.dateTime = date.toISOString();
      when.textContent = `${dayLabel(date, new Date())}, ${timeLabel(date)}`;
    }
    head.append(who, " ", when);
    const text = doc.createElement("span");
    text.className = "search-hit__text";
    text.dir = "auto";
    const files = doc.createElement("span");
    files.className = "search-hit__files";
    button.append(head, text, files);
    li.append(button);
    fillText(li, hit);
    return li;
  }

  /** @param {HTMLLIElement} li @param {SearchHit} hit */
  function fillText(li, hit) {
    const text = li.querySelector(".search-hit__text");
    const files = li.querySelector(".search-hit__files");
    if (!(text instanceof HTMLElement) || !(files instanceof HTMLElement)) return;
    text.replaceChildren();
    li.classList.toggle("search-hit--deleted", hit.message.deletedAt !== undefined);
    const names = hit.message.deletedAt === undefined ? (filesOf(hit.message) ?? []).map((f) => f.name) : [];
    files.textContent = names.length > 0 ? `📎 ${names.join(", ")}` : "";
    files.hidden = names.length === 0;
    if (hit.message.deletedAt !== undefined) {
      text.textContent = "message deleted";
      return;
    }
    // A mention is one span; the words the query matched are marked inside and around it. With files, the
    // highlights are offsets into the caption (what the server searched), never into the link lines. The offsets
    // are into the text as typed; each piece is drawn as it reads (a URL's host as its link would show it).
    const content = captionOf(hit.message);
    const edits = hostEdits(content);
    /** @type {{ start: number, end: number, isMatch: boolean }[]} */
    const marked = [];
    let offset = 0;
    for (const run of highlightRuns(content, hit.highlights)) {
      marked.push({ start: offset, end: offset + run.text.length, isMatch: run.isMatch });
      offset += run.text.length;
    }
    // A word matched inside a look-alike host marks the whole host as shown (link-text.js).
    const runs = markWholeHosts(marked, edits);
    const me = readerOf(hit.message.sender, rooms.current()?.username ?? "");
    appendWithSpans(text, content, findMentions(content, hit.message.mentions), me, (target, start, end) => {
      for (const run of runs) {
        const from = Math.max(run.start, start);
        const to = Math.min(run.end, end);
        if (from >= to) continue;
        const piece = shownSlice(content, edits, from, to);
        if (piece === "") continue;
        if (!run.isMatch) target.append(doc.createTextNode(piece));
        else target.appendChild(doc.createElement("mark")).textContent = piece;
      }
    });
  }

  /** An edit or a deletion: the hit shows the new state (an edit's new text is not marked: the old ranges no longer fit). @param {MessageUpdatedEvent} ev */
  function applyUpdate(ev) {
    const hit = state.hits.find((h) => h.message.id === ev.id);
    const li = els.searchResults.querySelector(`li[data-id="${ev.id}"]`);
    if (!hit || !(li instanceof HTMLLIElement) || ev.room !== state.room) return;
    if (typeof ev.deletedAt === "string") hit.message = { ...hit.message, content: "", deletedAt: ev.deletedAt };
    else if (typeof ev.content === "string") {
      hit.message = { ...hit.message, content: ev.content, mentions: ev.mentions, ...(ev.editedAt ? { editedAt: ev.editedAt } : {}) };
      if (typeof ev.caption === "string") hit.message.caption = ev.caption;
      hit.highlights = [];
    }
    if (ev.attachments !== undefined && hit.message.deletedAt === undefined) hit.message = { ...hit.message, attachments: ev.attachments };
    fillText(li, hit);
  }

  function close() {
    state = { q: "", room: "", hits: [], hasMore: false, isLoading: false, gen: state.gen + 1 };
    els.searchPanel.hidden = true;
    els.searchResults.replaceChildren();
    setStatus("");
  }

  els.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    void search(els.searchInput.value);
  });
  els.searchInput.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (!els.searchPanel.hidden) close();
    else if (els.searchInput.value !== "") els.searchInput.value = "";
    else els.content.focus();
  });
  // type="search" has its own clear button: clearing the box closes the results.
  els.searchInput.addEventListener("input", () => {
    if (els.searchInput.value === "" && !els.searchPanel.hidden) close();
  });
  els.searchMore.addEventListener("click", async () => {
    if (state.isLoading) return;
    const firstNew = await loadPage();
    // Keyboard readers continue at the first new result rather than at a button that may have gone.
    if (typeof firstNew === "number") els.searchResults.children[firstNew]?.querySelector("button")?.focus();
  });
  els.searchClose.addEventListener("click", () => {
    close();
    els.searchInput.focus();
  });
  els.searchResults.addEventListener("click", (event) => {
    const li = event.target instanceof Element ? event.target.closest("li.search-hit") : null;
    const id = Number(li?.getAttribute("data-id"));
    if (!Number.isSafeInteger(id)) return;
    // On a phone the panel lies over the messages (chat.css): left open, it hid the very message just opened.
    // The words stay in the box, so Enter brings the results back.
    if (doc.defaultView?.getComputedStyle(els.searchPanel).position === "absolute") close();
    onPick(id);
  });
  els.searchPanel.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    close();
    els.searchInput.focus();
  });
  // `/` focuses the search box, unless the reader is typing somewhere or a dialog is open.
  doc.addEventListener("keydown", (event) => {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || els.chat.hidden || els.dialog.open || els.picker.open) return;
    const t = event.target;
    if (t instanceof HTMLElement && (t.isContentEditable || t.closest("input, textarea, select"))) return;
    event.preventDefault();
    els.searchInput.focus();
    els.searchInput.select();
  });

  return {
    applyUpdate,
    /** The reader left the room: results and query go. */
    reset() {
      close();
      els.searchInput.value = "";
    },
  };
}
