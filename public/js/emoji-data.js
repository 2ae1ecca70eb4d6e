// The full emoji list for the reaction picker (issue 22): the unicode-emoji-json package's data-by-group.json,
// served by the server at EMOJI_DATA_URL, fetched once when the full list is first opened (never on page load),
// flattened to { emoji, name, group }; and the search over names. Pure apart from the one fetch.

/** Where the server serves the package's file (src/http/emoji-data.ts). */
export const EMOJI_DATA_URL = "/emoji/data-by-group.json";

/**
 * @typedef {{ emoji: string, name: string, group: string }} EmojiEntry
 * @typedef {{ name: string, emojis: { emoji: string, name: string }[] }[]} EmojiGroups the package's file, as far as it is read
 */

/**
 * The package's groups as one list in its order; anything malformed is skipped.
 * @param {unknown} groups
 * @returns {EmojiEntry[]}
 */
export function entriesFrom(groups) {
  /** @type {EmojiEntry[]} */
  const out = [];
  if (!Array.isArray(groups)) return out;
  for (const g of groups) {
    if (!g || typeof g.name !== "string" || !Array.isArray(g.emojis)) continue;
    for (const e of g.emojis) {
      if (e && typeof e.emoji === "string" && typeof e.name === "string" && e.emoji !== "") out.push({ emoji: e.emoji, name: e.name, group: g.name });
    }
  }
  return out;
}

/**
 * The entries whose name has a word starting with each word of `query` (case and accents ignored), in the list's
 * order, those whose name starts with the query first; at most `limit`. An empty query finds nothing.
 * @param {readonly EmojiEntry[]} entries @param {string} query @param {number} [limit]
 * @returns {EmojiEntry[]}
 */
export function searchEmoji(entries, query, limit = 120) {
  const words = fold(query).split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
  if (words.length === 0) return [];
  /** @type {EmojiEntry[]} */
  const first = [];
  /** @type {EmojiEntry[]} */
  const rest = [];
  const head = words.join(" ");
  for (const e of entries) {
    const name = fold(e.name);
    const nameWords = name.split(/[^\p{L}\p{N}]+/u);
    if (!words.every((w) => nameWords.some((n) => n.startsWith(w)))) continue;
    (name.startsWith(head) ? first : rest).push(e);
  }
  return [...first, ...rest].slice(0, limit);
}

/** Lower case without accents, for matching. @param {string} text */
function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** @type {Promise<EmojiEntry[]> | null} */
let loading = null;

/**
 * The full list, fetched on the first call only (a failed fetch is tried again next time).
 * @param {(url: string) => Promise<Response>} [get]
 * @returns {Promise<EmojiEntry[]>}
 */
export function loadEmoji(get = (url) => fetch(url)) {
  loading ??= get(EMOJI_DATA_URL)
    .then((res) => {
      if (!res.ok) throw new Error(`emoji list: HTTP ${res.status}`);
      return res.json();
    })
    .then(entriesFrom)
    .catch((err) => {
      loading = null;
      throw err;
    });
  return loading;
}
