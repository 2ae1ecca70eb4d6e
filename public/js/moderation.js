// A moderator's controls in the people list: Kick and Ban beside each other name, each after a confirm
// dialog (a ban asks for how long). Shown only when the join answer says this session is a moderator;
// the server checks again on every request.

/* global Element */
const BAN_DURATIONS = [
  { label: "10 minutes", value: String(10 * 60_000) },
  { label: "1 hour", value: String(60 * 60_000) },
  { label: "1 day", value: String(24 * 60 * 60_000) },
  { label: "1 week", value: String(7 * 24 * 60 * 60_000) },
];

/**
 * @param {{
 *   doc: Document,
 *   presenceList: HTMLElement,
 *   rooms: import("./rooms.js").Rooms,
 *   dialog: import("./dialog.js").ConfirmDialog,
 *   announce: (text: string) => void,
 *   onBanned: () => void,
 * }} deps
 */
export function createModeration({ doc, presenceList, rooms, dialog, announce, onBanned }) {
  /** Adds Kick and Ban to a name in the people list (not to one's own). @param {HTMLLIElement} li @param {string} name @param {boolean} isMe */
  function decoratePerson(li, name, isMe) {
    if (isMe || rooms.current()?.isModerator !== true) return;
    const box = doc.createElement("span");
    box.className = "presence__actions";
    box.append(button("kick", "Kick", name), button("ban", "Ban", name));
    li.append(box);
  }

  /** @param {string} action @param {string} label @param {string} name */
  function button(action, label, name) {
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "btn btn--small";
    b.dataset.action = action;
    b.dataset.name = name;
    b.textContent = label;
    b.setAttribute("aria-label", `${label} ${name}`);
    return b;
  }

  /** @param {string} name */
  function kick(name) {
    const s = rooms.current();
    if (!s) return;
    dialog.ask({
      title: `Remove ${name} from this room?`,
      text: `${name} leaves the room now and can join again.`,
      confirmLabel: "Kick",
      action: async () => {
        const res = await rooms.request("kick_user", { room: s.room, username: name });
        if (!res.ok) return res.error.message;
        announce(`${name} was removed from the room.`);
        return null;
      },
      returnFocus: () => presenceList.querySelector("button") ?? null,
    });
  }

  /** @param {string} name */
  function ban(name) {
    const s = rooms.current();
    if (!s) return;
    dialog.ask({
      title: `Ban ${name} from this room?`,
      text: `${name} leaves the room now and cannot join it again, under this name or from this browser, until the ban ends.`,
      confirmLabel: "Ban",
      choices: BAN_DURATIONS,
      action: async (choice) => {
        const durationMs = Number(choice);
        const res = await rooms.request("ban_user", { room: s.room, username: name, durationMs });
        if (!res.ok) return res.error.message;
        const label = BAN_DURATIONS.find((d) => d.value === choice)?.label ?? "a while";
        announce(`${name} was banned from the room for ${label}.`);
        onBanned();
        return null;
      },
      returnFocus: () => presenceList.querySelector("button") ?? null,
    });
  }

  presenceList.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
    if (!(b instanceof HTMLElement) || !b.dataset.name) return;
    if (b.dataset.action === "kick") kick(b.dataset.name);
    else if (b.dataset.action === "ban") ban(b.dataset.name);
  });

  return { decoratePerson };
}
