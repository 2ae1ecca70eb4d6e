// Idempotency keys for sends: crypto.randomUUID where the browser offers it (secure contexts only),
// else an RFC 4122 version 4 UUID from crypto.getRandomValues (plain-HTTP LAN installs).

/** @returns {string} */
export function newClientId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return uuidFromRandom(crypto.getRandomValues(new Uint8Array(16)));
}

/** @param {Uint8Array} bytes 16 random bytes */
export function uuidFromRandom(bytes) {
  const b = Uint8Array.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40; // version 4
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80; // variant 10xx
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
