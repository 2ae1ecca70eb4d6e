// The connection's placement key (issue 21). Every request of the page's Socket.IO connection carries it as
// `?affinity=`, and docs/nginx-cluster.conf hashes on it, so every page that opens with one room lands on one
// node, and that room's messages travel to one node instead of to every node (docs/cluster.md, "Placement by
// room"). A hash of the room rather than its name: load balancers log URLs.

/**
 * @param {string | undefined} room the first room the page joins; none (a request before any join): a random
 *   key, so such pages are placed by chance, as round robin would
 * @returns {string} eight hex digits
 */
export function affinityOf(room) {
  if (room === undefined) return (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0).toString(16).padStart(8, "0");
  // FNV-1a over the UTF-16 code units of the room's NFC form: the same room gives the same key on every page.
  const key = room.normalize("NFC").trim();
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}
