// Completing `@name` in the message box: typing `@` (and the start of a name) opens a list of the room's
// members whose name, or one of whose words, starts with what was typed; Up/Down arrows choose, Tab or Enter
// inserts "@Name " (the name as presence shows it), Escape closes, a click inserts. A name already typed in
// full is sent as it is by Enter (as long as the arrows were not used): "hi @bob" + Enter sends. The textarea stays a
// multi-line text box (a textarea may not take role=combobox, and aria-expanded is not allowed on a text box):
// it owns the list through aria-controls and aria-autocomplete="list", and points at the chosen option with
// aria-activedescendant; the number of matches is announced politely.
/* global Element, Event */
import { mentionKey } from "./mention-highlight.js";

/** At most this many names are offered. */
const MAX_SHOWN = 8;
/** Longer than any name the server accepts: past this the text after `@` is not a name being typed. */
const MAX_QUERY = 64;
// As the server: an `@` after a letter, digit, mark or "_" is inside a word (an email address).
const WORD = /[\p{L}\p{N}\p{M}_]/u;

/**
 * The `@` being completed at the caret: its offset and what follows it up to the caret, or null.
 * @param {string} text @param {number} caret
 * @returns {{ at: number, query: string } | null}
 */
export function mentionQueryAt(text, caret) {
  const head = text.slice(0, caret);
  const at = head.lastIndexOf("@");
  if (at === -1 || caret - at - 1 > MAX_QUERY) return null;
  const before = head.slice(0, at);
  const prev = [...before.slice(-2)].at(-1);
  if (prev !== undefined && (prev === "@" || WORD.test(prev))) return null;
  const query = head.slice(at + 1);
  if (/^\s|\n/u.test(query)) return null;
  return { at, query };
}

/** The key a query is compared under: the name key, keeping a trailing space ("ana " is not "anabel"). @param {string} text */
function queryKey(text) {
  const trailing = /\s$/u.test(text) ? " " : "";
  const key = mentionKey(text);
  return key === "" ? "" : key + trailing;
}

/**
 * The names to offer for `query`: names starting with it first, then names with a later word starting
 * with it, each in the given order, at most `max`.
 * @param {readonly string[]} names @param {string} query @param {number} [max]
 */
export function matchNames(names, query, max = MAX_SHOWN) {
  const q = queryKey(query);
  const starts = [];
  const words = [];
  for (const name of names) {
    const key = mentionKey(name);
    if (key.startsWith(q)) starts.push(name);
    else if (q !== "" && laterWordStarts(key, q)) words.push(name);
  }
  return [...starts, ...words].slice(0, max);
}

/** Whether a word after the first, with what follows it, starts with `q` ("lopez" and "maria lopez" in "ana maria lopez"). @param {string} key @param {string} q */
function laterWordStarts(key, q) {
  const words = key.split(" ");
  for (let i = 1; i < words.length; i++) if (words.slice(i).join(" ").startsWith(q)) return true;
  return false;
}

/** Whether `query` is one of `names` in full (under the key). @param {string} query @param {readonly string[]} names */
function isWholeName(query, names) {
  const key = mentionKey(query);
  return key !== "" && names.some((n) => mentionKey(n) === key);
}

/**
 * @param {{
 *   input: HTMLTextAreaElement,
 *   listbox: HTMLElement,
 *   members: () => string[],
 *   self?: () => string,
 *   announce: (text: string) => void,
 * }} deps self: the reader's name in the room, left out of the list
 */
export function createMentionCompleter({ input, listbox, members, self = () => "", announce }) {
  const doc = input.ownerDocument;
  /**
   * What is open: where its `@` is, what follows it, the names offered, the chosen one, and whether the
   * reader moved in the list (then Enter always inserts).
   */
  let open = /** @type {{ at: number, query: string, names: string[], active: number, hasMoved: boolean } | null} */ (null);
  /** The `@` the reader closed the list for with Escape: it stays closed while they keep typing that name. */
  let dismissedAt = -1;
  let lastAnnounced = "";
  /** An inserted name sends an input event of its own, which must not reopen the list. */
  let isAccepting = false;

  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", listbox.id);
  listbox.setAttribute("role", "listbox");
  listbox.hidden = true;

  function update() {
    const q = input.selectionStart === input.selectionEnd ? mentionQueryAt(input.value, input.selectionStart) : null;
    if (q === null || q.at === dismissedAt) {
      if (q === null) dismissedAt = -1;
      close();
      return;
    }
    const me = mentionKey(self());
    const names = matchNames(
      members().filter((n) => mentionKey(n) !== me),
      q.query,
    );
    if (names.length === 0) {
      close();
      return;
    }
    const kept = open && open.at === q.at ? names.indexOf(open.names[open.active] ?? "") : -1;
    open = { at: q.at, query: q.query, names, active: Math.max(kept, 0), hasMoved: kept > 0 };
    render();
    const said = `${names.length} ${names.length === 1 ? "person" : "people"} to mention. Up and down arrows choose, Enter or Tab inserts.`;
    if (said !== lastAnnounced) announce(said);
    lastAnnounced = said;
  }

  function render() {
    if (!open) return;
    const { names, active } = open;
    listbox.replaceChildren(
      ...names.map((name, i) => {
        const li = doc.createElement("li");
        li.id = `${listbox.id}-${i}`;
        li.className = "mention-option";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", String(i === active));
        li.textContent = name;
        return li;
      }),
    );
    listbox.hidden = false;
    input.setAttribute("aria-activedescendant", `${listbox.id}-${active}`);
    listbox.children[active]?.scrollIntoView({ block: "nearest" });
  }

  function close() {
    if (!open && listbox.hidden) return;
    open = null;
    lastAnnounced = "";
    listbox.hidden = true;
    listbox.replaceChildren();
    input.removeAttribute("aria-activedescendant");
  }

  /** Replaces `@query` before the caret with `@Name ` and puts the caret after it. @param {string} name */
  function accept(name) {
    if (!open) return;
    const caret = input.selectionStart;
    const rest = input.value.slice(caret);
    const inserted = `@${name}${/^\s/u.test(rest) ? "" : " "}`;
    input.setRangeText(inserted, open.at, caret, "end");
    if (/^\s/u.test(rest)) input.setSelectionRange(input.selectionStart + 1, input.selectionStart + 1);
    close();
    dismissedAt = -1;
    // The composer's counter and typing signal follow input events.
    isAccepting = true;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    isAccepting = false;
  }

  /** @param {number} step */
  function move(step) {
    if (!open) return;
    open.active = (open.active + step + open.names.length) % open.names.length;
    open.hasMoved = true;
    render();
  }

  input.addEventListener("input", () => {
    if (!isAccepting) update();
  });
  // The caret moved without typing (arrows while closed, a click): the `@` it is in may have changed.
  input.addEventListener("click", update);
  input.addEventListener("keyup", (event) => {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") update();
  });
  input.addEventListener("blur", close);
  // Choosing with the mouse must not take the focus from the message box first (that would close the list).
  listbox.addEventListener("mousedown", (event) => event.preventDefault());
  listbox.addEventListener("click", (event) => {
    const option = event.target instanceof Element ? event.target.closest("[role=option]") : null;
    const i = option ? [...listbox.children].indexOf(option) : -1;
    const name = open?.names[i];
    if (name !== undefined) accept(name);
  });

  return {
    /**
     * The composer's keydown asks first: true when the key was the list's (it is then not the composer's:
     * Enter inserts a name instead of sending).
     * @param {KeyboardEvent} event
     */
    handleKey(event) {
      if (!open || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return false;
      const name = open.names[open.active];
      if (event.key === "Enter" && !open.hasMoved && isWholeName(open.query, open.names)) {
        close(); // the name is written out already: Enter is the composer's (it sends)
        return false;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") move(event.key === "ArrowDown" ? 1 : -1);
      else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && name !== undefined) accept(name);
      else if (event.key === "Escape") {
        dismissedAt = open.at;
        close();
        event.stopPropagation(); // the list's Escape: nothing else on the page closes or leaves
      } else return false;
      event.preventDefault();
      return true;
    },
    close,
    isOpen: () => open !== null,
  };
}

/** @typedef {ReturnType<typeof createMentionCompleter>} MentionCompleter */
