// The sidebar of joined rooms (issue 13): one link per room with its unread count, a mention badge (or only
// a dot for a muted room), the room on screen marked aria-current; rooms first (a private one with a lock),
// then "Direct messages" by the other person's name (issue 17); "+ Join" for another room; Alt+ArrowUp
// and Alt+ArrowDown move between rooms, both groups. Under 768 px, on the chat view, it is a drawer opened by the
// Rooms button in the room bar: Escape closes it and gives the focus back to that button, and moving the
// focus out of it closes it too, so it neither traps nor loses the focus.
/* global Element, HTMLAnchorElement */
import { roomFromPath, roomPath } from "./format.js";
import { lockIcon } from "./lock-icon.js";
/** @import { SidebarEntry } from "./room-counts.js" */

const DRAWER_QUERY = "(max-width: 47.99rem)";
/**
 * The Rooms button shows "99+" past this: on a phone it sits in the room bar beside the room's name, which a wider
 * count would cut; the exact total is in its label ("Rooms, 123 unread") and each room's own count in the list.
 */
const MAX_TOGGLE_COUNT = 99;

/**
 * @param {{
 *   doc: Document,
 *   nav: HTMLElement,
 *   list: HTMLUListElement,
 *   directGroup: HTMLElement,
 *   directList: HTMLUListElement,
 *   join: HTMLButtonElement,
 *   toggle: HTMLButtonElement,
 *   toggleCount: HTMLElement,
 *   chat: HTMLElement,
 *   onPick: (room: string) => void,
 *   onJoinNew: () => void,
 *   onMove: (step: number) => void,
 * }} deps
 */
export function createSidebar({ doc, nav, list, directGroup, directList, join, toggle, toggleCount, chat, onPick, onJoinNew, onMove }) {
  const win = doc.defaultView;
  const drawerMedia = win ? win.matchMedia(DRAWER_QUERY) : null;

  /** A drawer only on a narrow screen, and only over the chat view (on the home view it sits above the form). */
  const isDrawer = () => Boolean(drawerMedia?.matches) && !chat.hidden;
  const isOpen = () => nav.classList.contains("is-open");

  /** @param {SidebarEntry[]} entries */
  function render(entries) {
    nav.hidden = entries.length === 0;
    const focused = doc.activeElement;
    const focusedRoom = focused instanceof HTMLAnchorElement && (list.contains(focused) || directList.contains(focused)) ? focused.dataset.room : undefined;
    const directs = entries.filter((e) => e.kind === "direct");
    list.replaceChildren(...entries.filter((e) => e.kind !== "direct").map(item));
    directList.replaceChildren(...directs.map(item));
    directGroup.hidden = directs.length === 0;
    // Redrawing must not take the focus from a reader moving through the list.
    if (focusedRoom !== undefined) linkFor(focusedRoom)?.focus();
    const total = entries.reduce((n, e) => n + (e.badge.kind === "count" ? e.badge.count : 0), 0);
    toggleCount.textContent = total > MAX_TOGGLE_COUNT ? `${MAX_TOGGLE_COUNT}+` : total > 0 ? String(total) : "";
    toggleCount.hidden = total === 0;
    toggle.setAttribute("aria-label", total > 0 ? `Rooms, ${total} unread` : "Rooms");
  }

  /** @param {SidebarEntry} e */
  function item(e) {
    const li = doc.createElement("li");
    const a = doc.createElement("a");
    a.className = `sidebar__room sidebar__room--${e.kind}`;
    a.href = roomPath(e.room);
    a.dataset.room = e.room;
    if (e.isCurrent) a.setAttribute("aria-current", "page");
    const name = doc.createElement("span");
    name.className = "sidebar__name";
    name.textContent = e.title;
    const as = doc.createElement("span");
    as.className = "sidebar__as";
    as.textContent = ` as ${e.name}`;
    const text = doc.createElement("span");
    text.className = "sidebar__text";
    // Both lines end in "…" when long (rooms sharing a long prefix then look alike): the whole of them on hover.
    text.title = `${e.title}, as ${e.name}`;
    if (e.kind === "private") {
      // The lock shows it; the words say it.
      const line = doc.createElement("span");
      line.className = "sidebar__line";
      const said = doc.createElement("span");
      said.className = "sr-only";
      said.textContent = " (private)";
      line.append(lockIcon(doc), name, said);
      text.append(line, as);
    } else {
      text.append(name, as);
    }
    a.append(text);
    if (e.badge.kind === "count") {
      if (e.badge.hasMention) a.append(badge("sidebar__mention", "@", ", mentions you"));
      a.append(badge("sidebar__count", String(e.badge.count), `, ${e.badge.count} unread`));
    } else if (e.badge.kind === "dot") {
      a.append(badge("sidebar__dot", "", ", new messages"));
    }
    li.append(a);
    return li;
  }

  /** A visible mark with words for screen readers. @param {string} className @param {string} shown @param {string} said */
  function badge(className, shown, said) {
    const span = doc.createElement("span");
    span.className = className;
    if (shown) {
      const mark = doc.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = shown;
      span.append(mark);
    }
    const sr = doc.createElement("span");
    sr.className = "sr-only";
    sr.textContent = said;
    span.append(sr);
    return span;
  }

  /** @param {string} room */
  function linkFor(room) {
    for (const a of nav.querySelectorAll("a.sidebar__room")) {
      if (a instanceof HTMLAnchorElement && a.dataset.room === room) return a;
    }
    return null;
  }

  function open() {
    nav.classList.add("is-open");
    toggle.setAttribute("aria-expanded", "true");
    const target = nav.querySelector('a.sidebar__room[aria-current="page"]') ?? nav.querySelector("a.sidebar__room") ?? join;
    if (target instanceof HTMLElement) target.focus();
  }

  /** @param {{ returnFocus: boolean }} opts */
  function close(opts) {
    if (!isOpen()) return;
    nav.classList.remove("is-open");
    toggle.setAttribute("aria-expanded", "false");
    if (opts.returnFocus) toggle.focus();
  }

  /** @param {MouseEvent} event */
  function onClick(event) {
    const link = event.target instanceof Element ? event.target.closest("a.sidebar__room") : null;
    if (!(link instanceof HTMLAnchorElement)) return;
    // Let the browser handle "open in new tab" and friends.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const room = roomFromPath(new URL(link.href).pathname);
    if (room === null) return;
    event.preventDefault();
    close({ returnFocus: false });
    onPick(room);
  }
  list.addEventListener("click", onClick);
  directList.addEventListener("click", onClick);
  join.addEventListener("click", () => {
    close({ returnFocus: false });
    onJoinNew();
  });
  toggle.addEventListener("click", () => (isOpen() ? close({ returnFocus: true }) : open()));
  nav.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      event.preventDefault();
      close({ returnFocus: true });
    }
  });
  // Tabbing (or clicking) out of the open drawer closes it: the focus goes where the reader sent it.
  nav.addEventListener("focusout", (event) => {
    if (!isOpen() || !isDrawer()) return;
    const to = event.relatedTarget;
    if (to instanceof Node && nav.contains(to)) return;
    close({ returnFocus: false });
  });
  // A click on the Rooms button while the drawer is open closes it (its click handler): it must not take
  // the focus first, or the focusout above would close it and the click open it again.
  toggle.addEventListener("mousedown", (event) => {
    if (isOpen()) event.preventDefault();
  });
  doc.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    // A modal dialog (the reaction picker, the image viewer, a confirm) is about the room behind it: switching
    // rooms under it left it acting on a room no longer shown, and its focus had nowhere to return to.
    if (doc.querySelector("dialog:modal")) return;
    event.preventDefault();
    onMove(event.key === "ArrowUp" ? -1 : 1);
  });
  drawerMedia?.addEventListener("change", () => close({ returnFocus: false }));

  return { render, close: () => close({ returnFocus: false }) };
}
