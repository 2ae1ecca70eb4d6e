// Full-text search on PostgreSQL: the statement for one page of a room's matches, and the tsquery text built
// from quoted lexemes so that user text is never tsquery syntax.
import { nameKey } from "../shared/names.js";
import type { SearchOptions, SearchQuery, SearchTerm } from "./repository.js";

// Search: the newest matches of the room below the cursor (the GIN index finds them, the room index orders
// them); the caller ranks the page, as on SQLite. The query text is built from quoted lexemes (tsQueryText) and goes
// through the same chat_unaccent as the column; from: compares case- and compatibility-folded names.
export function searchStatement(columns: string, room: string, query: SearchQuery, opts: SearchOptions): { text: string; values: unknown[] } {
  const values: unknown[] = [room, opts.before ?? Number.MAX_SAFE_INTEGER];
  const where = ["chat_room = $1", "id < $2"];
  let source = "chat_message";
  if (query.terms.length > 0) {
    values.push(tsQueryText(query.terms));
    source += `, to_tsquery('simple'::regconfig, chat_unaccent($${values.length}::text)) AS q`;
    where.push("search_vector @@ q");
  }
  if (query.from !== undefined) {
    // By the stored name key; a row without one (written by a node older than schema 5 during an upgrade)
    // falls back to case and compatibility folding.
    values.push(nameKey(query.from), query.from);
    const [key, raw] = [values.length - 1, values.length];
    where.push(
      `(sender_key = $${key} OR (sender_key IS NULL AND lower(normalize(coalesce(sender, ''), NFKC)) = lower(normalize($${raw}::text, NFKC))))`,
    );
  }
  values.push(opts.limit + 1);
  const text = `SELECT ${columns} FROM ${source} WHERE ${where.join(" AND ")} ORDER BY id DESC LIMIT $${values.length}`;
  return { text, values };
}

/**
 * The letters chat_unaccent turns into an apostrophe (unaccent.rules: the modifier letters of "Hawaiʻi" and the
 * Ukrainian "пʼять", and "ŉ"). The query text goes through chat_unaccent after it is quoted here, so each is made
 * that apostrophe first and escaped with the rest; left as it was, it became a quote that closed its lexeme early
 * and PostgreSQL refused the query (found by review, 2026-12-07). Quoted, "п'ять" is parsed as the stored text
 * is, into the phrase 'п' <-> 'ять'.
 */
const BECOMES_APOSTROPHE = /[\u02B9\u02BB\u02BC\u02BD\u02C8]/gu;
const asUnaccented = (token: string): string => token.replace(BECOMES_APOSTROPHE, "'").replaceAll("\u0149", "'n");

/** `'one' & ('two' <-> 'words') & 'pref':*`: every lexeme quoted, so user text is never tsquery syntax. */
export function tsQueryText(terms: readonly SearchTerm[]): string {
  return terms
    .map((t) => {
      const lexemes = t.tokens.map((tok, i) => `'${asUnaccented(tok).replaceAll("'", "''").replaceAll("\\", "\\\\")}'${t.prefix && i === t.tokens.length - 1 ? ":*" : ""}`);
      return `(${lexemes.join(" <-> ")})`;
    })
    .join(" & ");
}
