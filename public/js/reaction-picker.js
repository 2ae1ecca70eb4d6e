// The reaction picker (issue 22): a modal dialog with a few frequent emoji and the full list (emoji-data.js),
// searchable by name, fetched the first time the full list is opened. Keyboard: the focus starts on the first
// frequent emoji; arrows move through a grid (up and down by rows, as laid out), Home/End to its ends, Enter
// picks, letters typed on an emoji go to the search box, Tab goes between the frequent row, the search box and
// the full list; in the search box ↓ goes to the results and Enter picks the first; Escape closes, and the focus
// always returns to the button that opened it.
// Builds nodes only: an emoji and its name are text.
/* global Element */
import { onDialogClosed } from "./dialog-closed.js";
import { loadEmoji, searchEmoji } from "./emoji-data.js";

/** The frequent set, each with the name the button is read by. */
export const FREQUENT = [
  { emoji: "👍", name: "thumbs up" },
  { emoji: "❤️", name: "red heart" },
  { emoji: "😂", name: "face with tears of joy" },
  { emoji: "🎉", name: "party popper" },
  { emoji: "😮", name: "face with open mouth" },
  { emoji: "😢", name: "crying face" },
  { emoji: "🙏", name: "folded hands" },
  { emoji: "👀", name: "eyes" },
];

/** @import { EmojiEntry } from "./emoji-data.js" */

/**
 * @param {{ doc: Document, els: import("./elements.js").Elements, announce: (text: string) => void }} deps
 */
export function createReactionPicker({ doc, els, announce }) {
  const { picker, pickerFrequent, pickerSearch, pickerAll, pickerStatus, pickerMore, pickerClose } = els;
  /** What the open picker does with a pick, and where the focus goes back to. */
  let session = /** @type {{ onPick: (emoji: string) => void, opener: HTMLElement | null } | null} */ (null);
  /** @type {EmojiEntry[] | null} */
  let all = null;
  let isShowingAll = false;

  pickerFrequent.replaceChildren(...FREQUENT.map((e) => emojiButton(e.emoji, e.name)));
  setRoving(pickerFrequent);

  /** @param {string} emoji @param {string} name */
  function emojiButton(emoji, name) {
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "picker__emoji";
    b.dataset.emoji = emoji;
    b.textContent = emoji;
    b.setAttribute("aria-label", name);
    b.title = name;
    b.tabIndex = -1;
    return b;
  }

  /** One tab stop per grid: the first button, or the one the arrows left the focus on. @param {HTMLElement} grid */
  function setRoving(grid, current = /** @type {HTMLElement | null} */ (null)) {
    const buttons = gridButtons(grid);
    const chosen = current && buttons.includes(current) ? current : buttons[0];
    for (const b of buttons) b.tabIndex = b === chosen ? 0 : -1;
  }

  /** @param {HTMLElement} grid */
  function gridButtons(grid) {
    return /** @type {HTMLElement[]} */ ([...grid.querySelectorAll("button.picker__emoji")]);
  }

  /**
   * Opens the picker; `onPick` gets the chosen emoji (the picker closes first).
   * @param {HTMLElement | null} opener @param {(emoji: string) => void} onPick
   */
  function open(opener, onPick) {
    session = { onPick, opener };
    pickerSearch.value = "";
    showAll(false);
    if (!picker.open) picker.showModal();
    const first = gridButtons(pickerFrequent)[0];
    setRoving(pickerFrequent);
    first?.focus();
  }

  function close() {
    if (picker.open) picker.close();
  }

  // Closing by Escape (the dialog's cancel), Close or a pick: the focus returns to the opener.
  onDialogClosed(picker, () => {
    const was = session;
    session = null;
    if (was?.opener?.isConnected) was.opener.focus();
  });
  pickerClose.addEventListener("click", close);
  // A click on the backdrop (outside the frame) closes, as a popover would.
  picker.addEventListener("click", (event) => {
    if (event.target === picker) close();
  });

  picker.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button.picker__emoji") : null;
    if (!(b instanceof HTMLElement) || !b.dataset.emoji) return;
    pick(b.dataset.emoji);
  });

  /** @param {string} emoji */
  function pick(emoji) {
    const was = session;
    close();
    was?.onPick(emoji);
  }

  // ---------- the full list ----------

  /** Shows (or hides) the full list, or the search's results when something is typed. @param {boolean} isShown */
  function showAll(isShown) {
    isShowingAll = isShown;
    pickerMore.setAttribute("aria-expanded", String(isShown));
    pickerMore.textContent = isShown ? "Hide all emoji" : "All emoji";
    if (!isShown && pickerSearch.value.trim() === "") {
      pickerAll.hidden = true;
      pickerAll.replaceChildren();
      pickerStatus.textContent = "";
      return;
    }
    void fill();
  }

  /** Draws the full list by group, or the search's results, once the list is loaded. */
  async function fill() {
    if (all === null) {
      pickerStatus.textContent = "Loading emoji…";
      try {
        all = await loadEmoji();
      } catch {
        pickerStatus.textContent = "The emoji list could not be loaded; the frequent ones above still work.";
        return;
      }
    }
    const query = pickerSearch.value.trim();
    if (query !== "") {
      const found = searchEmoji(all, query);
      pickerAll.replaceChildren(...found.map((e) => emojiButton(e.emoji, e.name)));
      pickerAll.setAttribute("aria-label", "Search results");
      pickerStatus.textContent = found.length === 0 ? `No emoji named “${query}”.` : `${found.length} emoji found.`;
    } else if (isShowingAll) {
      pickerAll.replaceChildren(...byGroup(all));
      pickerAll.setAttribute("aria-label", "All emoji");
      pickerStatus.textContent = "";
    } else {
      return;
    }
    pickerAll.hidden = false;
    setRoving(pickerAll);
  }

  /** @param {EmojiEntry[]} entries */
  function byGroup(entries) {
    /** @type {HTMLElement[]} */
    const out = [];
    let group = "";
    for (const e of entries) {
      if (e.group !== group) {
        group = e.group;
        const h = doc.createElement("h3");
        h.className = "picker__group";
        h.textContent = group;
        out.push(h);
      }
      out.push(emojiButton(e.emoji, e.name));
    }
    return out;
  }

  pickerMore.addEventListener("click", () => showAll(!isShowingAll));
  pickerSearch.addEventListener("input", () => {
    if (pickerSearch.value.trim() === "" && !isShowingAll) showAll(false);
    else void fill();
  });
  pickerSearch.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      const first = gridButtons(pickerAll)[0];
      if (!pickerAll.hidden && first) {
        event.preventDefault();
        first.focus();
      }
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      focusIn(pickerFrequent, 0);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const first = gridButtons(pickerAll)[0];
      if (!pickerAll.hidden && pickerSearch.value.trim() !== "" && first?.dataset.emoji) pick(first.dataset.emoji);
      else if (pickerSearch.value.trim() === "") announce("Type part of an emoji's name, such as “heart”.");
    }
  });

  // ---------- arrows in a grid ----------

  for (const grid of [pickerFrequent, pickerAll]) {
    grid.addEventListener("keydown", (event) => {
      const current = doc.activeElement;
      if (!(current instanceof HTMLElement) || !current.matches("button.picker__emoji")) return;
      const buttons = gridButtons(grid);
      const at = buttons.indexOf(current);
      let next = /** @type {HTMLElement | null | undefined} */ (undefined);
      if (event.key === "ArrowRight") next = buttons[at + 1];
      else if (event.key === "ArrowLeft") next = buttons[at - 1];
      else if (event.key === "Home") next = buttons[0];
      else if (event.key === "End") next = buttons[buttons.length - 1];
      else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        next = rowNeighbour(buttons, current, event.key === "ArrowDown" ? 1 : -1);
        // Past the grid's edge: on to the search box (and from it to the other grid).
        if (next === null && ((grid === pickerFrequent && event.key === "ArrowDown") || (grid === pickerAll && event.key === "ArrowUp"))) next = pickerSearch;
      } else {
        // Letters typed on an emoji are a name to search for: the box takes the focus now, so this key lands in it.
        if (isTypedCharacter(event)) pickerSearch.focus();
        return;
      }
      event.preventDefault();
      if (!next) return;
      if (next !== pickerSearch) setRoving(grid, next);
      next.focus();
      next.scrollIntoView({ block: "nearest" });
    });
  }

  /** @param {HTMLElement} grid @param {number} index */
  function focusIn(grid, index) {
    const b = gridButtons(grid)[index];
    if (!b) return;
    setRoving(grid, b);
    b.focus();
  }

  return { open, close, isOpen: () => picker.open };
}

/**
 * A key that types a character, other than Space (an emoji button's own key: it picks).
 * @param {KeyboardEvent} event
 */
function isTypedCharacter(event) {
  return event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey;
}

/**
 * The button in the next row down (`step` 1) or up (-1) nearest to `from` across, as laid out (rows may be
 * broken by a group's heading); null past the last row.
 * @param {HTMLElement[]} buttons @param {HTMLElement} from @param {1 | -1} step
 * @returns {HTMLElement | null}
 */
function rowNeighbour(buttons, from, step) {
  const r = from.getBoundingClientRect();
  const x = r.left + r.width / 2;
  let rowTop = /** @type {number | null} */ (null);
  let best = /** @type {HTMLElement | null} */ (null);
  let bestDx = Infinity;
  const start = buttons.indexOf(from);
  for (let i = start + step; i >= 0 && i < buttons.length; i += step) {
    const b = /** @type {HTMLElement} */ (buttons[i]);
    const br = b.getBoundingClientRect();
    const isOtherRow = step === 1 ? br.top >= r.bottom - 1 : br.bottom <= r.top + 1;
    if (!isOtherRow) continue;
    if (rowTop === null) rowTop = br.top;
    else if (Math.abs(br.top - rowTop) > 1) break; // past the neighbouring row
    const dx = Math.abs(br.left + br.width / 2 - x);
    if (dx < bestDx) {
      bestDx = dx;
      best = b;
    }
  }
  return best;
}

/** @typedef {ReturnType<typeof createReactionPicker>} ReactionPicker */
