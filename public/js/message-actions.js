// What can be done to a message on screen: Reply and Add reaction (any stored message not deleted, issue 22: the
// reply bar is reply-draft.js's, the picker reactions.js's), Copy link (any stored message), Edit (one's own: an inline
// editor, Enter saves, Escape cancels, Shift+Enter adds a line; issue 18: Remove on each of its files, which
// go when the edit is saved) and Delete (one's own, or any for a moderator, after a confirm dialog). The buttons sit in each message, shown on hover and on focus, so
// the keyboard reaches them; every outcome is announced.
/* global Element */
import { codePointLength, normaliseContent, roomPath } from "./format.js";
import { messageSummary } from "./file-info.js";
import { shownText } from "./link-text.js";
/** @import { MessageMeta } from "./message-list.js" */

/** @type {Record<string, string>} */
const LABELS = { reply: "Reply", react: "Add reaction", copy: "Copy link", edit: "Edit", delete: "Delete" };

/**
 * @param {{
 *   doc: Document,
 *   list: Pick<import("./message-list.js").MessageList, "element" | "info" | "applyUpdate" | "lastMine" | "showMessage">,
 *   messages: HTMLElement,
 *   rooms: import("./rooms.js").Rooms,
 *   dialog: import("./dialog.js").ConfirmDialog,
 *   announce: (text: string) => void,
 *   focusComposer: () => void,
 *   maxContent: number,
 *   onReply: (id: number) => void,
 *   onReact: (id: number, opener: HTMLElement) => void,
 * }} deps
 */
export function createMessageActions({ doc, list, messages, rooms, dialog, announce, focusComposer, maxContent, onReply, onReact }) {
  /** The message being edited, whether the editor was opened from the composer (Up arrow), the files kept. */
  let editing = /** @type {{ id: number, fromComposer: boolean, kept: Set<string> } | null} */ (null);

  /**
   * Fills a stored message's action buttons for its current state.
   * @param {HTMLLIElement} li @param {MessageMeta} m
   * @param {boolean} [canModerate] the reader moderates the message's room (which need not be the one on screen)
   */
  function decorate(li, m, canModerate = rooms.current()?.isModerator === true) {
    const box = li.querySelector(".msg__actions");
    if (!box || m.id === null) return;
    const isGone = m.deletedAt !== undefined;
    const wanted = isGone ? ["copy"] : ["reply", "react", "copy"];
    if (!isGone && m.isMine) wanted.push("edit");
    if (!isGone && (m.isMine || canModerate)) wanted.push("delete");
    // Unchanged buttons stay, so an update arriving while one has the focus does not take it away.
    const shown = [...box.children].map((b) => (b instanceof HTMLElement ? b.dataset.action : ""));
    if (shown.join() === wanted.join()) return;
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", `Actions for the message from ${m.sender}`);
    box.replaceChildren(...wanted.map((action) => button(action, LABELS[action] ?? action)));
  }

  /** @param {string} action @param {string} label */
  function button(action, label) {
    const b = doc.createElement("button");
    b.type = "button";
    b.className = "msg__action";
    b.dataset.action = action;
    b.textContent = label;
    if (action === "react") b.setAttribute("aria-haspopup", "dialog");
    return b;
  }

  /** @param {number} id @param {string} action */
  function actionButton(id, action) {
    const b = list.element(id)?.querySelector(`.msg__action[data-action="${action}"]`);
    return b instanceof HTMLElement ? b : null;
  }

  // ---------- copy link ----------

  /** @param {number} id @param {HTMLElement} source */
  async function copyLink(id, source) {
    const s = rooms.current();
    if (!s) return;
    const url = `${location.origin}${roomPath(s.room)}?m=${id}`;
    try {
      await navigator.clipboard.writeText(url);
      source.textContent = "Copied";
      setTimeout(() => (source.textContent = "Copy link"), 1500);
      announce("Link to the message copied.");
    } catch {
      announce(`Could not copy the link; it is ${url}`);
    }
  }

  // ---------- edit ----------

  /**
   * Opens the inline editor on message `id` (one's own, not deleted).
   * @param {number} id @param {{ fromComposer: boolean }} opts
   * @returns {boolean} whether an editor opened
   */
  function startEdit(id, opts) {
    const li = list.element(id);
    const m = list.info(id);
    if (!li || !m || !m.isMine || m.deletedAt !== undefined) return false;
    if (editing) cancelEdit();
    const files = m.attachments ?? [];
    editing = { id, fromComposer: opts.fromComposer, kept: new Set(files.map((f) => f.id)) };
    const text = li.querySelector(".msg__text");
    if (text instanceof HTMLElement) text.hidden = true;
    const form = doc.createElement("form");
    form.className = "msg__editor";
    const label = doc.createElement("label");
    label.className = "sr-only";
    label.htmlFor = `edit-${id}`;
    label.textContent = files.length > 0 ? "Edit caption" : "Edit message";
    const box = doc.createElement("textarea");
    box.id = `edit-${id}`;
    box.className = "msg__editbox";
    box.dir = "auto";
    box.value = m.content;
    box.rows = Math.max(1, Math.min(6, m.content.split("\n").length));
    const hint = doc.createElement("p");
    hint.id = `edit-hint-${id}`;
    hint.className = "hint";
    hint.textContent = "Enter saves · Shift+Enter adds a line · Escape cancels";
    const error = doc.createElement("p");
    error.className = "field__error";
    error.setAttribute("role", "alert");
    error.hidden = true;
    box.setAttribute("aria-describedby", hint.id);
    form.append(label, box);
    if (files.length > 0) form.append(fileList(id, files, box));
    form.append(hint, error, editButtons());
    text?.after(form);
    li.classList.add("msg--editing");
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        cancelEdit();
      }
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.isComposing) {
        event.preventDefault();
        void saveEdit(id, box, error);
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void saveEdit(id, box, error);
    });
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    announce("Editing your message. Enter saves, Escape cancels.");
    return true;
  }

  /**
   * Cancel and Save, shown: a touch keyboard has no Escape, and on a phone the hint naming the keys is hidden, so
   * without them an edit there could only be saved, never cancelled.
   */
  function editButtons() {
    const row = doc.createElement("div");
    row.className = "msg__editor-buttons";
    const cancel = doc.createElement("button");
    cancel.type = "button";
    cancel.className = "btn btn--small";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", () => cancelEdit());
    const save = doc.createElement("button");
    save.type = "submit";
    save.className = "btn btn--small";
    save.textContent = "Save";
    row.append(cancel, save);
    return row;
  }

  /**
   * The message's files in the editor, each with Remove: it leaves the list at once and the message when the
   * edit is saved (a file can be removed while the message is editable, never added).
   * @param {number} id @param {import("../../src/protocol.js").WireAttachment[]} files @param {HTMLTextAreaElement} box
   */
  function fileList(id, files, box) {
    const ul = doc.createElement("ul");
    ul.className = "msg__editor-files";
    ul.setAttribute("aria-label", "Files of this message");
    for (const file of files) {
      const item = doc.createElement("li");
      item.className = "msg__editor-file";
      const name = doc.createElement("span");
      name.className = "msg__editor-file-name";
      name.textContent = file.name;
      name.title = file.name;
      const remove = doc.createElement("button");
      remove.type = "button";
      remove.className = "msg__file-remove";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove ${file.name} from the message`);
      remove.addEventListener("click", () => {
        if (editing?.id !== id) return;
        editing.kept.delete(file.id);
        const next = item.nextElementSibling ?? item.previousElementSibling;
        item.remove();
        announce(`${file.name} goes when you save.`);
        const focusable = next?.querySelector("button");
        (focusable instanceof HTMLElement ? focusable : box).focus();
      });
      item.append(name, remove);
      ul.append(item);
    }
    return ul;
  }

  /** @param {number} id @param {HTMLTextAreaElement} box @param {HTMLElement} error */
  async function saveEdit(id, box, error) {
    const s = rooms.current();
    const m = list.info(id);
    if (!s || !m || editing?.id !== id) return;
    const content = normaliseContent(box.value);
    const kept = (m.attachments ?? []).filter((f) => editing?.kept.has(f.id));
    const isRemoving = kept.length < (m.attachments ?? []).length;
    const problem =
      content === "" && kept.length === 0 ? "A message cannot be empty; delete it instead." : codePointLength(content) > maxContent ? `Use at most ${maxContent} characters.` : null;
    if (problem) {
      showError(error, problem);
      return;
    }
    if (content === m.content && !isRemoving) {
      cancelEdit();
      return;
    }
    box.readOnly = true;
    const files = isRemoving ? { attachments: kept.map((f) => f.id) } : {};
    const res = await rooms.request("edit_message", { room: s.room, id, content, ...files });
    box.readOnly = false;
    if (editing?.id !== id) return;
    if (!res.ok) {
      showError(error, res.error.message);
      box.focus();
      return;
    }
    const fromComposer = editing.fromComposer;
    closeEditor();
    list.applyUpdate({ ...res.message, mine: true });
    announce("Message edited.");
    if (fromComposer) focusComposer();
    else actionButton(id, "edit")?.focus();
  }

  /** @param {HTMLElement} el @param {string} text */
  function showError(el, text) {
    el.textContent = text;
    el.hidden = false;
    announce(text);
  }

  function cancelEdit() {
    const was = editing;
    if (!was) return;
    closeEditor();
    announce("Edit cancelled.");
    if (was.fromComposer) focusComposer();
    else actionButton(was.id, "edit")?.focus();
  }

  function closeEditor() {
    const was = editing;
    editing = null;
    if (!was) return;
    const li = list.element(was.id);
    li?.querySelector(".msg__editor")?.remove();
    li?.classList.remove("msg--editing");
    const text = li?.querySelector(".msg__text");
    if (text instanceof HTMLElement) text.hidden = false;
  }

  /** Up arrow in the empty composer: edit one's last message. @returns {boolean} whether an editor opened */
  function editLast() {
    const m = list.lastMine();
    if (!m || m.id === null) return false;
    list.showMessage(m.id);
    return startEdit(m.id, { fromComposer: true });
  }

  // ---------- delete ----------

  /** @param {number} id */
  function confirmDelete(id) {
    const m = list.info(id);
    const s = rooms.current();
    if (!m || !s || m.deletedAt !== undefined) return;
    // The preview is plain text: a URL in it reads with its link's host (link-text.js), before the cut, so a host cut
    // at 80 characters is already punycode. Files' names are names, not URLs: as typed.
    const summary = messageSummary({ content: shownText(m.content), attachments: m.attachments });
    const preview = summary.length > 80 ? `${summary.slice(0, 80)}…` : summary;
    const whose = m.isMine ? "your message" : `${m.sender}'s message`;
    dialog.ask({
      title: "Delete this message?",
      text: `This deletes ${whose} for everyone: “${preview}”`,
      confirmLabel: "Delete",
      action: async () => {
        const res = await rooms.request("delete_message", { room: s.room, id });
        if (!res.ok) return res.error.message;
        if (editing?.id === id) closeEditor();
        list.applyUpdate(res.message);
        announce("Message deleted.");
        return null;
      },
      // Back to Delete after a Cancel; after a deletion (Delete is gone) to the message's Copy link.
      returnFocus: () => actionButton(id, "delete") ?? actionButton(id, "copy"),
    });
  }

  messages.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest(".msg__action") : null;
    if (!(target instanceof HTMLElement)) return;
    const id = Number(target.closest("li.msg")?.getAttribute("data-id"));
    if (!Number.isSafeInteger(id)) return;
    if (target.dataset.action === "reply") onReply(id);
    else if (target.dataset.action === "react") onReact(id, target);
    else if (target.dataset.action === "copy") void copyLink(id, target);
    else if (target.dataset.action === "edit") startEdit(id, { fromComposer: false });
    else if (target.dataset.action === "delete") confirmDelete(id);
  });

  return {
    decorate,
    editLast,
    /** The message being edited went away (a deletion elsewhere): its editor closes. @param {number} id */
    closeEditorOf(id) {
      if (editing?.id === id) closeEditor();
    },
    reset: closeEditor,
  };
}
