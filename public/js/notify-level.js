// The room bar's "Notify" select (issue 13 §3): shows the open room's notification level and saves a change.
// A native <select> with a visible label: keyboard and screen readers know it without extra ARIA.
import { toLevel } from "./notifications.js";

/**
 * @param {{ select: HTMLSelectElement, notifier: import("./notifications.js").Notifier }} deps
 */
export function bindLevelControl({ select, notifier }) {
  let room = "";

  /** @param {import("./notifications.js").Level} level */
  function showLevel(level) {
    select.value = level;
  }

  select.addEventListener("change", () => {
    if (room !== "") notifier.setLevel(room, toLevel(select.value));
  });
  // Saved here, in another tab, or by setLevel from elsewhere: follow it when it is about the room shown.
  notifier.onLevelChange((changed, level) => {
    if (changed === room) showLevel(level);
  });

  return {
    /** A room opened: its level, as saved in this browser. @param {string} name */
    show(name) {
      room = name;
      showLevel(notifier.level(name));
    },
  };
}
