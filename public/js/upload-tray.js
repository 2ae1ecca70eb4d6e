// The files about to be sent (issue 18): one chip per file above the message box, each room its own. A file
// starts uploading as soon as it is picked (uploads.js) and its chip shows its name, size and a labelled
// progress bar with Cancel; once uploaded, a small preview and Remove; refused (too big here, or by the
// server), the reason and Remove. The limits (MAX_FILE_BYTES, MAX_FILES_PER_MESSAGE) are checked before any
// byte is sent. What the composer sends is the uploaded files, in the order they were picked.
/* global HTMLImageElement */
import { fileKind, humanSize } from "./file-info.js";
import { uploadFile } from "./uploads.js";

/** @import { WireAttachment } from "../../src/protocol.js" */
/**
 * @typedef {{ key: number, room: string, name: string, size: number, state: "uploading" | "done" | "failed",
 *   upload?: WireAttachment, error?: string, abort?: () => void, li: HTMLLIElement, picked: Entry[] }} Entry
 * `picked`: the files picked together with this one (one button press, drop or paste), in order, itself included.
 */

/**
 * @param {{
 *   els: import("./elements.js").Elements,
 *   limits: import("./elements.js").Limits,
 *   announce: (text: string) => void,
 *   focusComposer: () => void,
 * }} deps
 */
export function createUploadTray({ els, limits, announce, focusComposer }) {
  const doc = els.uploadList.ownerDocument;
  /** Each room's chips, in the order picked. @type {Map<string, Entry[]>} */
  const trays = new Map();
  /** The room whose chips are on screen. */
  let shownRoom = /** @type {string | null} */ (null);
  let nextKey = 1;
  /** Told when a room's uploads change state (one finished, failed, was cancelled or removed). @type {((room: string) => void)[]} */
  const listeners = [];

  /** @param {string} room */
  const entriesOf = (room) => trays.get(room) ?? [];

  /**
   * Files picked for `room` (the button, a drop, a paste): each is checked and starts uploading at once.
   * @param {string} room @param {File[]} files
   */
  function add(room, files) {
    const entries = entriesOf(room);
    trays.set(room, entries);
    const left = () => limits.maxFiles - entries.filter((e) => e.state !== "failed").length;
    /** @type {Entry[]} */
    const picked = [];
    for (const file of files) {
      const name = file.name || "file";
      const entry = /** @type {Entry} */ ({ key: nextKey++, room, name, size: file.size, state: "uploading", li: doc.createElement("li"), picked });
      entries.push(entry);
      picked.push(entry);
      if (left() < 0) fail(entry, `Not added: a message can carry at most ${limits.maxFiles} files.`);
      else if (file.size > limits.maxFileBytes) fail(entry, `This file is larger than ${humanSize(limits.maxFileBytes)}, the most one file may be.`);
      else start(entry, file);
    }
    if (room === shownRoom) draw();
    if (picked.some((e) => e.state === "failed")) noticeRefused(picked);
  }

  /** @param {Entry} entry @param {File} file */
  function start(entry, file) {
    const upload = uploadFile(file, { onProgress: (fraction) => progress(entry, fraction) });
    entry.abort = upload.abort;
    render(entry, 0);
    void upload.done.then((res) => {
      entry.abort = undefined;
      if (!entriesOf(entry.room).includes(entry)) return; // cancelled: its chip has gone already
      if (res.ok) {
        entry.state = "done";
        entry.upload = res.upload;
        render(entry, 1);
        announce(`${entry.name} uploaded.`);
      } else {
        fail(entry, res.error.message);
        if (entry.room === shownRoom) draw();
        noticeRefused(entry.picked);
      }
      changed(entry.room);
    });
  }

  /** @param {Entry} entry @param {string} error */
  function fail(entry, error) {
    entry.state = "failed";
    entry.error = error;
    render(entry, 0);
    announce(`${entry.name}: ${error}`);
  }

  /** @param {Entry} entry @param {number} fraction */
  function progress(entry, fraction) {
    const bar = entry.li.querySelector("progress");
    const status = entry.li.querySelector(".upload__status");
    if (bar) bar.value = Math.round(fraction * 100);
    if (status) status.textContent = statusText(entry, fraction);
  }

  /** @param {Entry} entry @param {number} fraction */
  function statusText(entry, fraction) {
    const size = humanSize(entry.size);
    if (entry.state === "failed") return entry.error ?? "Not uploaded.";
    if (entry.state === "done") return `${size} · ${entry.upload ? fileKind(entry.upload.type, entry.name) : "Uploaded"}`;
    // Every byte sent: the server is reading the file (an image gets its thumbnail) before it answers.
    return fraction >= 1 ? `${size} · Processing…` : `${size} · Uploading ${Math.round(fraction * 100)}%`;
  }

  /** The chip of one file, for its state. @param {Entry} entry @param {number} fraction */
  function render(entry, fraction) {
    const li = entry.li;
    li.className = `upload upload--${entry.state}`;
    li.dataset.key = String(entry.key);
    const thumbUrl = entry.upload?.thumbUrl;
    const icon = thumbUrl ? doc.createElement("img") : doc.createElement("span");
    icon.className = "upload__icon";
    if (icon instanceof HTMLImageElement && thumbUrl) {
      icon.alt = "";
      icon.width = 36;
      icon.height = 36;
      icon.src = thumbUrl;
    } else {
      icon.setAttribute("aria-hidden", "true");
    }
    const text = doc.createElement("span");
    text.className = "upload__text";
    const name = doc.createElement("span");
    name.className = "upload__name";
    name.textContent = entry.name;
    name.title = entry.name;
    const status = doc.createElement("span");
    status.className = "upload__status";
    status.textContent = statusText(entry, fraction);
    text.append(name, status);
    if (entry.state === "uploading") {
      const bar = doc.createElement("progress");
      bar.className = "upload__bar";
      bar.max = 100;
      bar.value = Math.round(fraction * 100);
      bar.setAttribute("aria-label", `Uploading ${entry.name}`);
      text.append(bar);
    }
    const button = doc.createElement("button");
    button.type = "button";
    button.className = "upload__button";
    button.dataset.key = String(entry.key);
    button.textContent = entry.state === "uploading" ? "Cancel" : "Remove";
    button.setAttribute("aria-label", entry.state === "uploading" ? `Cancel upload of ${entry.name}` : `Remove ${entry.name}`);
    li.replaceChildren(icon, text, button);
  }

  /** Puts the chips of the room on screen into the tray (hidden when there are none). */
  function draw() {
    const entries = shownRoom === null ? [] : entriesOf(shownRoom);
    els.uploadList.replaceChildren(...entries.map((e) => e.li));
    els.uploadTray.hidden = entries.length === 0;
    const failed = entries.filter((e) => e.state === "failed").length;
    els.uploadFailed.textContent = failed === 1 ? "1 file not added" : `${failed} files not added`;
    els.uploadFailed.hidden = failed === 0;
  }

  /**
   * A file just refused: the first refused of the files picked with it is scrolled into the tray's view, and with
   * more than one refused the count is announced. On a phone the tray shows a chip and a half: a refused chip below
   * them went unseen, and scrolling to each refusal as its answer came hid the ones before it (the count line,
   * always in sight, says there are more). "nearest": nothing scrolls when the chip is in view already.
   * @param {Entry[]} picked
   */
  function noticeRefused(picked) {
    const first = picked.find((e) => e.state === "failed" && e.li.isConnected);
    if (first && first.room === shownRoom) first.li.scrollIntoView({ block: "nearest" });
    const room = picked[0]?.room;
    const failed = room === undefined ? 0 : entriesOf(room).filter((e) => e.state === "failed").length;
    if (failed > 1) announce(`${failed} files not added.`);
  }

  /** Cancel (an upload on its way: aborted) or Remove (an uploaded or refused file). @param {Entry} entry */
  function remove(entry) {
    const entries = entriesOf(entry.room);
    const at = entries.indexOf(entry);
    if (at < 0) return;
    entries.splice(at, 1);
    const wasUploading = entry.state === "uploading";
    entry.abort?.();
    entry.li.remove();
    if (entry.room === shownRoom) draw();
    announce(wasUploading ? `Upload of ${entry.name} cancelled.` : `${entry.name} removed.`);
    // The keyboard stays in the tray: on the next chip's button, else the one before, else the message box.
    const next = entries[at] ?? entries[at - 1];
    const button = next?.li.querySelector("button");
    if (entry.room === shownRoom && button) button.focus();
    else focusComposer();
    changed(entry.room);
  }

  /** @param {string} room */
  function changed(room) {
    for (const listener of listeners) listener(room);
  }

  els.uploadList.addEventListener("click", (event) => {
    const button = event.target instanceof HTMLElement ? event.target.closest(".upload__button") : null;
    if (!(button instanceof HTMLElement) || shownRoom === null) return;
    const entry = entriesOf(shownRoom).find((e) => String(e.key) === button.dataset.key);
    if (entry) remove(entry);
  });

  return {
    add,
    /** The room on screen changed: its own chips show. @param {string | null} room */
    showRoom(room) {
      shownRoom = room;
      draw();
    },
    /** Some of the room's files are still on their way. @param {string} room */
    isUploading(room) {
      return entriesOf(room).some((e) => e.state === "uploading");
    },
    /** The room's uploaded files, in the order picked. @param {string} room @returns {WireAttachment[]} */
    ready(room) {
      return entriesOf(room).flatMap((e) => (e.state === "done" && e.upload ? [e.upload] : []));
    },
    /** The uploaded files went with a message: their chips go; refused ones stay with their reason until removed. @param {string} room */
    sent(room) {
      const kept = entriesOf(room).filter((e) => e.state !== "done");
      if (kept.length === 0) trays.delete(room);
      else trays.set(room, kept);
      if (room === shownRoom) draw();
    },
    /** @param {(room: string) => void} listener */
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

/** @typedef {ReturnType<typeof createUploadTray>} UploadTray */
