// Where a private room or a direct conversation lives: an address of its own, 128 random bits, never derived
// from its display name (so it cannot be guessed from it, and a public room of the same name can exist beside
// it). Public rooms are addressed by their name, as in the original; that name never has this shape. Pure, with
// no Node.js import: the page's type check reads it through protocol.ts. New addresses: policy.ts.
/** `~` and 22 base64url characters: 16 bytes from the OS's secure random source. */
const PRIVATE_ADDRESS = /^~[A-Za-z0-9_-]{22}$/;

/** True for the address of a private room or a direct conversation; such an address is never a public room. */
export function isPrivateAddress(room: string): boolean {
  return room.length === 23 && PRIVATE_ADDRESS.test(room);
}

/** Any private address inside a text (a log line's path, say): what a log may show instead of it. */
const ANY_PRIVATE_ADDRESS = /~[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])/g;

/**
 * The address cut to its first four characters: enough to tell a room's log lines apart, 24 of its 128 bits,
 * so a log reader (or a leaked log) cannot join it.
 */
export function redactPrivateAddresses(text: string): string {
  return text.includes("~") ? text.replace(ANY_PRIVATE_ADDRESS, (a) => `${a.slice(0, 5)}…`) : text;
}
