// The home page's list of active rooms, refreshed from /api/rooms while it is on screen; none at all when the
// server lists no rooms (LIST_PUBLIC_ROOMS=false: the page has no such list, and /api/rooms answers 404).
/* global Element, HTMLAnchorElement */
import { peopleCount, roomFromPath, roomPath } from "./format.js";
/** @import { RoomsResponse, RoomSummary } from "../../src/http-api.js" */

const REFRESH_MS = 10_000;

export class RoomDirectory {
  /**
   * @param {{ list: HTMLUListElement, empty: HTMLElement, total: HTMLElement, onPick: (room: string) => void }} opts
   */
  constructor(opts) {
    this.list = opts.list;
    this.empty = opts.empty;
    this.total = opts.total;
    this.onPick = opts.onPick;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
    this.isFetching = false;

    this.list.addEventListener("click", (event) => {
      const link = event.target instanceof Element ? event.target.closest("a.room-link") : null;
      if (!(link instanceof HTMLAnchorElement)) return;
      // Let the browser handle "open in new tab" and friends.
      if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const room = roomFromPath(new URL(link.href).pathname);
      if (room === null) return;
      event.preventDefault();
      this.onPick(room);
    });
  }

  /** Refresh now and every few seconds, while the page is visible. */
  start() {
    this.stop();
    void this.refresh();
    this.timer = setInterval(() => {
      if (!document.hidden) void this.refresh();
    }, REFRESH_MS);
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  async refresh() {
    if (this.isFetching) return;
    this.isFetching = true;
    try {
      const res = await fetch("/api/rooms", { headers: { accept: "application/json" }, cache: "no-store" });
      if (!res.ok) return;
      const body = /** @type {Partial<RoomsResponse> | null} */ (await res.json());
      if (body && Array.isArray(body.rooms)) this.render(body.rooms, typeof body.total === "number" ? body.total : body.rooms.length);
    } catch {
      // Offline or restarting: keep showing the last list; the next tick tries again.
    } finally {
      this.isFetching = false;
    }
  }

  /**
   * @param {RoomSummary[]} rooms the busiest rooms (the server lists at most 50)
   * @param {number} total every active room
   */
  render(rooms, total) {
    this.showTotal(rooms.length, total);
    const items = rooms
      .filter((r) => typeof r.room === "string" && typeof r.users === "number")
      .map((r) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.className = "room-link";
        a.href = roomPath(r.room);
        const name = document.createElement("span");
        name.className = "room-link__name";
        name.textContent = r.room;
        const count = document.createElement("span");
        count.className = "room-link__count";
        count.textContent = peopleCount(r.users);
        a.append(name, " ", count);
        li.append(a);
        return li;
      });
    // Rebuilding would drop keyboard focus from a link; skip when nothing changed.
    const signature = JSON.stringify(rooms.map((r) => [r.room, r.users]));
    if (signature === this.list.dataset.signature) return;
    const hadFocus = this.list.contains(document.activeElement);
    this.list.dataset.signature = signature;
    this.list.replaceChildren(...items);
    this.list.hidden = items.length === 0;
    this.empty.hidden = items.length > 0;
    if (hadFocus) (this.list.querySelector("a") ?? this.list.closest("section"))?.focus();
  }

  /**
   * Under a list the server cut short, how many rooms there are in all (worded as the server renders it);
   * nothing when the list shows them all.
   * @param {number} shown @param {number} total
   */
  showTotal(shown, total) {
    const isCut = total > shown;
    this.total.hidden = !isCut;
    this.total.textContent = isCut ? `The ${shown} busiest of ${total.toLocaleString("en-US")} active rooms.` : "";
  }
}

/** The page without a list of rooms: nothing to show, nothing to ask. */
export const noDirectory = { start() {}, stop() {}, refresh: () => Promise.resolve() };

/** @typedef {Pick<RoomDirectory, "start" | "stop" | "refresh">} Directory */
