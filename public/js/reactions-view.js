// A message's reactions as drawn (issue 22), under its text and files: one toggle button per emoji (its count,
// `aria-pressed` for the reader's own, a label such as "👍 3 reactions, including you", the names as a tooltip).
// Buttons already drawn are updated in place, so a reaction arriving while one has the focus keeps it there;
// one that goes hands the focus to its neighbour.
// What a click does is reactions.js's. Also the pure rules: the labels, and how a live update (whose `isMine`
// comes only to the reacting session) merges with what the reader had. Builds nodes only: emoji and names are text.

/* global HTMLButtonElement */
/** @import { ReactionCount, ReactionsUpdatedEvent, WireReaction } from "../../src/protocol.js" */

/** "👍 3 reactions, including you", "🎉 1 reaction". @param {WireReaction} r */
export function reactionLabel(r) {
  const count = `${r.count} ${r.count === 1 ? "reaction" : "reactions"}`;
  return `${r.emoji} ${count}${r.isMine ? ", including you" : ""}`;
}

/** The tooltip: who reacted ("Ana, Ben and 3 others"); the server lists the first 20 names. @param {ReactionCount} r */
export function reactionNames(r) {
  const names = r.names.slice(0, 20);
  const others = r.count - names.length;
  if (names.length === 0) return `${r.count} ${r.count === 1 ? "person" : "people"}`;
  if (others > 0) return `${names.join(", ")} and ${others} ${others === 1 ? "other" : "others"}`;
  if (names.length === 1) return names[0] ?? "";
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/**
 * A message's reactions after `reactions_updated`: its list replaces the old one; with `mine` (this session
 * reacted) `isMine` is `mine.includes(emoji)`, without it each emoji keeps the `isMine` it had (an emoji new here
 * is not the reader's).
 * @param {readonly WireReaction[] | undefined} before @param {Pick<ReactionsUpdatedEvent, "reactions" | "mine">} ev
 * @returns {WireReaction[]}
 */
export function mergeReactions(before, ev) {
  const had = new Set((before ?? []).filter((r) => r.isMine).map((r) => r.emoji));
  const mine = Array.isArray(ev.mine) ? new Set(ev.mine) : had;
  return ev.reactions.map((r) => ({ emoji: r.emoji, count: r.count, names: [...r.names], isMine: mine.has(r.emoji) }));
}

/**
 * Draws `reactions` under the message (after its files, before its time), or removes the row when there are none.
 * @param {HTMLLIElement} li @param {readonly WireReaction[] | undefined} reactions
 */
export function fillReactions(li, reactions) {
  let row = li.querySelector(".msg__reactions");
  if (!reactions || reactions.length === 0) {
    const heir = row ? focusHeir(li, row, []) : null;
    row?.remove();
    heir?.focus();
    return;
  }
  const d = li.ownerDocument;
  if (!(row instanceof HTMLElement)) {
    row = d.createElement("div");
    row.className = "msg__reactions";
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", "Reactions");
    li.querySelector(".msg__foot")?.before(row);
  }
  /** @type {Map<string, HTMLButtonElement>} */
  const drawn = new Map();
  for (const el of row.querySelectorAll("button.reaction")) if (el instanceof HTMLButtonElement) drawn.set(el.dataset.emoji ?? "", el);
  const wanted = reactions.map((r) => {
    const b = drawn.get(r.emoji) ?? drawButton(d, r.emoji);
    updateButton(b, r);
    return b;
  });
  const isSame = wanted.length === row.children.length && wanted.every((el, i) => row.children[i] === el);
  if (isSame) return;
  const heir = focusHeir(li, row, wanted);
  row.replaceChildren(...wanted);
  heir?.focus();
}

/**
 * Where the focus goes when the reaction button it is on is about to go (one's own taken back by Enter, or the
 * last person's taken back elsewhere): the reaction now in its place, else the message's Add reaction (or its
 * first action). Without this the focus fell to the page's body and a keyboard user started again from the top.
 * @param {HTMLLIElement} li @param {Element} row @param {readonly HTMLButtonElement[]} wanted the buttons that stay
 * @returns {HTMLElement | null} null when the focus is not on a reaction of this row that goes
 */
function focusHeir(li, row, wanted) {
  const active = li.ownerDocument.activeElement;
  if (!(active instanceof HTMLButtonElement) || active.parentElement !== row || wanted.includes(active)) return null;
  const index = [...row.children].indexOf(active);
  // A deleted message keeps no Add reaction, only Copy link.
  const action = li.querySelector('.msg__action[data-action="react"]') ?? li.querySelector(".msg__action");
  return wanted[Math.min(index, wanted.length - 1)] ?? (action instanceof HTMLElement ? action : null);
}

/** @param {Document} d @param {string} emoji */
function drawButton(d, emoji) {
  const b = d.createElement("button");
  b.type = "button";
  b.className = "reaction";
  b.dataset.emoji = emoji;
  const face = d.createElement("span");
  face.className = "reaction__emoji";
  face.setAttribute("aria-hidden", "true");
  face.textContent = emoji;
  const count = d.createElement("span");
  count.className = "reaction__count";
  count.setAttribute("aria-hidden", "true");
  b.append(face, count);
  return b;
}

/** @param {HTMLButtonElement} b @param {WireReaction} r */
function updateButton(b, r) {
  const count = b.querySelector(".reaction__count");
  if (count) count.textContent = String(r.count);
  b.setAttribute("aria-pressed", String(r.isMine));
  b.setAttribute("aria-label", reactionLabel(r));
  b.title = `${reactionNames(r)} reacted with ${r.emoji}`;
  b.classList.toggle("reaction--mine", r.isMine);
}
