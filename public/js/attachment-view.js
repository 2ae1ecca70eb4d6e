// A message's files as the list draws them (issue 18), below its caption: images as thumbnails whose size is
// reserved before they load (the attachment's size fitted in 320 px, at least 48 px each way, so nothing jumps),
// an animated one as its first frame with a Play button that swaps in the animation, and every other file as a
// card (name, kind, size, Download). Clicking a thumbnail is image-viewer.js's. Builds nodes only: a file's
// name is always text.
import { fileKind, fitWithin, humanSize, isImage } from "./file-info.js";

/** @import { WireAttachment } from "../../src/protocol.js" */

/** The thumbnails are at most this many pixels each way (the server's THUMB_PX). */
export const THUMB_BOX_PX = 320;
/**
 * And at least this many: a panorama of 4000 × 40 fitted in 320 px was a line 3 px high, hard to see and nearly
 * impossible to tap. Such a thumbnail shows the middle of the image, cropped to this height (or width).
 */
export const THUMB_MIN_PX = 48;

/** Each thumbnail button's file, for the viewer. @type {WeakMap<Element, WireAttachment>} */
const fileOf = new WeakMap();

/** The file a thumbnail shows, or undefined. @param {Element} el */
export function attachmentOf(el) {
  return fileOf.get(el);
}

/**
 * Draws `files` in the message `li` (after its text), or removes the files' box when there are none. Files
 * drawn already are kept as they are (their images loaded, an animation playing), so an edit that removes one
 * file reloads nothing.
 * @param {HTMLLIElement} li @param {WireAttachment[] | undefined} files
 */
export function fillFiles(li, files) {
  let box = li.querySelector(".msg__files");
  if (!files || files.length === 0) {
    box?.remove();
    li.classList.remove("msg--files");
    return;
  }
  const d = li.ownerDocument;
  if (!(box instanceof HTMLElement)) {
    box = d.createElement("div");
    box.className = "msg__files";
    const text = li.querySelector(".msg__text");
    if (text) text.after(box);
    else li.querySelector(".msg__bubble")?.append(box);
  }
  li.classList.add("msg--files");
  /** @type {Map<string, Element>} */
  const drawn = new Map();
  for (const el of box.children) if (el instanceof HTMLElement && el.dataset.fileId) drawn.set(el.dataset.fileId, el);
  const wanted = files.map((f) => drawn.get(f.id) ?? drawFile(d, f));
  const isSame = wanted.length === box.children.length && wanted.every((el, i) => box.children[i] === el);
  if (!isSame) box.replaceChildren(...wanted);
}

/** @param {Document} d @param {WireAttachment} file */
function drawFile(d, file) {
  const el = isImage(file) ? drawImage(d, file) : drawDocument(d, file);
  el.dataset.fileId = file.id;
  return el;
}

/** @param {Document} d @param {WireAttachment} file */
function drawImage(d, file) {
  const wrap = d.createElement("div");
  wrap.className = "file-thumb";
  const open = d.createElement("button");
  open.type = "button";
  open.className = "file-thumb__open";
  open.setAttribute("aria-haspopup", "dialog");
  open.title = file.name;
  const img = d.createElement("img");
  const fitted = fitWithin(file.width ?? THUMB_BOX_PX, file.height ?? THUMB_BOX_PX, THUMB_BOX_PX);
  const size = { width: Math.max(THUMB_MIN_PX, fitted.width), height: Math.max(THUMB_MIN_PX, fitted.height) };
  // The size first, the source last: the box is laid out at its size before a byte of the image arrives. The
  // box's own proportions, not the image's, hold once it has loaded (the CSS covers the box with the image).
  img.width = size.width;
  img.height = size.height;
  img.style.aspectRatio = `${size.width} / ${size.height}`;
  img.alt = file.name;
  img.decoding = "async";
  img.loading = "lazy";
  img.className = "file-thumb__img";
  img.src = file.thumbUrl ?? file.url;
  open.append(img);
  fileOf.set(open, file);
  wrap.append(open);
  if (file.animated === true) wrap.append(playButton(d, file, img));
  return wrap;
}

/**
 * Play / Stop for an animated image: the thumbnail (its first frame) and the original (the animation) share the
 * one reserved box. The first frame shows until asked, for readers bothered by motion and to spare the bytes.
 * @param {Document} d @param {WireAttachment} file @param {HTMLImageElement} img
 */
function playButton(d, file, img) {
  const play = d.createElement("button");
  play.type = "button";
  play.className = "file-thumb__play";
  play.setAttribute("aria-pressed", "false");
  play.setAttribute("aria-label", `Play ${file.name}`);
  const icon = d.createElement("span");
  icon.className = "file-thumb__play-icon";
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = "▶";
  // A toggle: its name stays, aria-pressed says whether it plays.
  play.append(icon, " Play");
  play.addEventListener("click", () => {
    const isPlaying = play.getAttribute("aria-pressed") !== "true";
    play.setAttribute("aria-pressed", String(isPlaying));
    img.src = isPlaying ? file.url : (file.thumbUrl ?? file.url);
    icon.textContent = isPlaying ? "❚❚" : "▶";
    play.closest(".file-thumb")?.classList.toggle("file-thumb--playing", isPlaying);
  });
  return play;
}

/** A document: a card with its name, what it is, its size, and Download (the server sends it as an attachment). @param {Document} d @param {WireAttachment} file */
function drawDocument(d, file) {
  const card = d.createElement("div");
  card.className = "file-card";
  const icon = d.createElement("span");
  icon.className = "file-card__icon";
  icon.setAttribute("aria-hidden", "true");
  const text = d.createElement("span");
  text.className = "file-card__text";
  const name = d.createElement("span");
  name.className = "file-card__name";
  name.textContent = file.name;
  name.title = file.name;
  const kind = fileKind(file.type, file.name);
  const meta = d.createElement("span");
  meta.className = "file-card__meta";
  // "180 KB" never breaks between the number and its unit.
  meta.textContent = `${kind} · ${humanSize(file.size).replace(" ", "\u00a0")}`;
  text.append(name, meta);
  const link = d.createElement("a");
  link.className = "file-card__download";
  link.href = file.url;
  link.download = file.name;
  link.textContent = "Download";
  link.setAttribute("aria-label", `Download ${file.name} (${kind}, ${humanSize(file.size)})`);
  card.append(icon, text, link);
  return card;
}
