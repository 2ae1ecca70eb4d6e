// Whether a message mentions the reader. The server resolves `@name` against the names present in the room
// and sends the names it found as presence shows them (`mentions`), so the page compares names, never text.
import { nameKey } from "./format.js";
/** @import { WireMessage } from "../../src/protocol.js" */

/**
 * @param {Pick<WireMessage, "mentions">} msg
 * @param {string} me the name the reader joined that room with
 */
export function mentionsMe(msg, me) {
  if (!Array.isArray(msg.mentions) || me === "") return false;
  const key = nameKey(me);
  return msg.mentions.some((name) => typeof name === "string" && nameKey(name) === key);
}
