// Reacting to a message (issue 22): a click on a reaction under a message toggles the reader's own; "Add
// reaction" in a message's actions opens the picker (reaction-picker.js) and its pick toggles that emoji. Each
// goes to the server as `react`; the ack's reactions are drawn at once, and a refusal (too many different emoji,
// the message deleted meanwhile, going too fast) is shown under the message and read out. How reactions are drawn
// is reactions-view.js's; live updates from others reach the list through room-session.js.

/* global Element */
/** How long a refusal stays under the message. */
const NOTE_MS = 6000;

/**
 * @param {{
 *   doc: Document,
 *   messages: HTMLElement,
 *   rooms: import("./rooms.js").Rooms,
 *   list: {
 *     element: (id: number) => HTMLLIElement | null,
 *     info: (id: number) => import("./message-list.js").MessageMeta | null,
 *     applyReactions: (ev: { id: number, reactions: import("../../src/protocol.js").WireReaction[], mine: string[] }) => boolean,
 *   },
 *   picker: import("./reaction-picker.js").ReactionPicker,
 *   announce: (text: string) => void,
 * }} deps
 */
export function createReactions({ doc, messages, rooms, list, picker, announce }) {
  /** Toggles in flight, one per message and emoji, so a double click sends one request. @type {Set<string>} */
  const busy = new Set();

  /**
   * Adds (`on`) or removes the reader's reaction `emoji` on message `id` of the room on screen.
   * @param {number} id @param {string} emoji @param {boolean} on
   */
  async function toggle(id, emoji, on) {
    const s = rooms.current();
    if (!s) return;
    const key = `${id} ${emoji}`;
    if (busy.has(key)) return;
    busy.add(key);
    const res = await rooms.request("react", { room: s.room, id, emoji, on });
    busy.delete(key);
    if (rooms.currentRoom() !== s.room) return; // the room's own reactions_updated brings it up to date
    if (res.ok) {
      list.applyReactions({ id, reactions: res.reactions, mine: res.reactions.filter((r) => r.isMine).map((r) => r.emoji) });
      announce(on ? `You reacted with ${emoji}.` : `Your ${emoji} reaction is removed.`);
    } else {
      showRefusal(id, res.error.message);
    }
  }

  /** The server's reason, under the message for a moment, and read out. @param {number} id @param {string} text */
  function showRefusal(id, text) {
    const message = `Reaction not saved: ${text}`;
    announce(message);
    const li = list.element(id);
    if (!li) return;
    li.querySelector(".msg__reaction-note")?.remove();
    const note = doc.createElement("p");
    note.className = "msg__reaction-note";
    note.textContent = message;
    li.querySelector(".msg__foot")?.before(note);
    setTimeout(() => note.remove(), NOTE_MS);
  }

  /**
   * "Add reaction": the picker, whose pick toggles that emoji (picking one of your own reactions removes it).
   * @param {number} id @param {HTMLElement} opener
   */
  function openPicker(id, opener) {
    picker.open(opener, (emoji) => {
      const mine = list.info(id)?.reactions?.some((r) => r.emoji === emoji && r.isMine) === true;
      void toggle(id, emoji, !mine);
    });
  }

  messages.addEventListener("click", (event) => {
    const b = event.target instanceof Element ? event.target.closest("button.reaction") : null;
    if (!(b instanceof HTMLElement) || !b.dataset.emoji) return;
    const id = Number(b.closest("li.msg")?.getAttribute("data-id"));
    if (!Number.isSafeInteger(id)) return;
    void toggle(id, b.dataset.emoji, b.getAttribute("aria-pressed") !== "true");
  });

  return { openPicker, toggle };
}
