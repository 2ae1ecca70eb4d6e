// Who can read this room (list_members): under the people list of a private room or a direct conversation, the
// members who are not here, each marked as away with the date it was let in, and a count ("5 members, 2 here").
// A moderator sees Remove beside an away member (kick_user, after a confirm as Kick asks). It asks the server
// again whenever the people list is redrawn (someone came or went, another room came on screen) and when the server
// says the members changed (members_changed: let in, left for good, kicked, banned). Names are text nodes only.
/* global Element */
/** @import { MemberInfo } from "../../src/protocol.js" */

/**
 * @param {{
 *   doc: Document,
 *   presenceList: HTMLElement,
 *   rooms: import("./rooms.js").Rooms,
 *   info: import("./room-info.js").RoomInfos,
 *   dialog: import("./dialog.js").ConfirmDialog,
 *   announce: (text: string) => void,
 * }} deps
 */
export function createMembersList({ doc, presenceList, rooms, info, dialog, announce }) {
  const section = doc.createElement("section");
  section.id = "members";
  section.className = "members";
  section.setAttribute("aria-label", "Members of this room");
  section.hidden = true;
  const count = doc.createElement("p");
  count.id = "members-count";
  count.className = "members__count";
  const list = doc.createElement("ul");
  list.id = "members-away";
  list.className = "members__list";
  list.setAttribute("aria-label", "Members not here");
  section.append(count, list);
  presenceList.after(section);

  /** One request at a time: changes while one is on its way ask once more after it, not once each. */
  let isLoading = false;
  let isAskedAgain = false;

  function refresh() {
    const room = rooms.currentRoom();
    if (room === null || info.kindOf(room) === "public") return hide();
    if (isLoading) {
      isAskedAgain = true;
      return;
    }
    isLoading = true;
    void load(room).finally(() => {
      isLoading = false;
      if (isAskedAgain) {
        isAskedAgain = false;
        refresh();
      }
    });
  }

  function hide() {
    section.hidden = true;
    list.replaceChildren();
    count.textContent = "";
  }

  /** @param {string} room */
  async function load(room) {
    const res = await rooms.request("list_members", { room });
    if (rooms.currentRoom() !== room) return; // another room came on screen: its own refresh follows
    // Refused (the room was lost: its page says so) or not connected: what was shown stays until the next answer.
    if (!res.ok) return;
    render(res.members);
  }

  /** @param {MemberInfo[]} members */
  function render(members) {
    const here = members.filter((m) => m.present).length;
    count.textContent = `${members.length} ${members.length === 1 ? "member" : "members"}, ${here} here`;
    list.replaceChildren(...members.filter((m) => !m.present).map(entry));
    section.hidden = false;
  }

  /** @param {MemberInfo} m */
  function entry(m) {
    const li = doc.createElement("li");
    li.className = "members__item";
    const name = doc.createElement("span");
    name.className = "members__name";
    name.dir = "auto";
    name.textContent = m.name ?? "(no name yet)";
    const when = doc.createElement("span");
    when.className = "members__since";
    when.textContent = `away · let in ${new Date(m.since).toLocaleDateString(undefined, { dateStyle: "medium" })}${m.you ? " · you" : ""}`;
    li.append(name, when);
    if (m.name !== null && !m.you && rooms.current()?.isModerator === true) li.append(removeButton(m.name));
    return li;
  }

  /** @param {string} name */
  function removeButton(name) {
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "btn btn--small members__remove";
    b.dataset.name = name;
    b.textContent = "Remove";
    b.setAttribute("aria-label", `Remove ${name}`);
    return b;
  }

  /** @param {string} name */
  function remove(name) {
    const room = rooms.currentRoom();
    if (room === null) return;
    dialog.ask({
      title: `Remove ${name} from this room?`,
      text: `${name} is not here now. Removing ends their access: they cannot open this room again without a new invite link.`,
      confirmLabel: "Remove",
      action: async () => {
        const res = await rooms.request("kick_user", { room, username: name });
        if (!res.ok) return res.error.message;
        announce(`${name} was removed from the room.`);
        refresh();
        return null;
      },
      returnFocus: () => list.querySelector("button") ?? presenceList.querySelector("button") ?? null,
    });
  }

  list.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button.members__remove") : null;
    if (b instanceof HTMLElement && b.dataset.name) remove(b.dataset.name);
  });
  // The people list is redrawn exactly when who is here changes or another room comes on screen (views.js).
  new MutationObserver(refresh).observe(presenceList, { childList: true });
  rooms.onMembersChanged((room) => {
    if (room === rooms.currentRoom()) refresh();
  });

  return { refresh };
}
