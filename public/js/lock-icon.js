// The lock that marks a private room, drawn by the page where the server's markup has none: the sidebar's rooms
// and the join form's title. The same shape as the room bar's and the invite card's (views/).
const SVG = "http://www.w3.org/2000/svg";
const LOCK_PATH = "M4.5 7V5a3.5 3.5 0 0 1 7 0v2h.5a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1h.5zm1.75 0h3.5V5a1.75 1.75 0 0 0-3.5 0v2z";

/** A decorative lock (hidden from screen readers: the words beside it say "private"). @param {Document} doc */
export function lockIcon(doc) {
  const svg = doc.createElementNS(SVG, "svg");
  svg.setAttribute("class", "lock");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = doc.createElementNS(SVG, "path");
  path.setAttribute("d", LOCK_PATH);
  svg.append(path);
  return svg;
}
