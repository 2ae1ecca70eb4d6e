// The `mentions` column of chat_message, in both stores: a JSON array of names as text, NULL when none.
// Nullable text, so the Flask app's INSERTs (which do not name it) still work and its reads never see it.

/** The column value for a message's mentions: NULL for none. */
export function toMentionsColumn(mentions: readonly string[] | undefined): string | null {
  return mentions === undefined || mentions.length === 0 ? null : JSON.stringify(mentions);
}

/**
 * A stored value back to names: anything that is not a JSON array of strings (a row written by hand or by
 * a future build) reads as no mentions rather than failing the whole page of history.
 */
export function fromMentionsColumn(value: string | null | undefined): string[] | undefined {
  if (value === null || value === undefined || value === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const names = parsed.filter((n): n is string => typeof n === "string");
  return names.length > 0 ? names : undefined;
}

/** The field for a ChatMessage: present only when there are names, so a message without any has no key. */
export function withMentions(mentions: string[] | undefined): { mentions?: string[] } {
  return mentions === undefined ? {} : { mentions };
}
