// Whether a string is exactly one emoji (issue 22: a reaction). Pure, no I/O; the payload schema uses it.
// One grapheme (Intl.Segmenter) first, so "👍👍", "ab" and "a👍" are refused whatever they contain; then
// Unicode's own answer: the RGI emoji set (every emoji the standard recommends, flags, keycaps, ZWJ sequences,
// skin tones, subdivision flags), as a property of strings (`\p{RGI_Emoji}`, the regex `v` flag). A lone
// pictograph the runtime's Unicode tables do not list yet (a newer emoji) still passes by its code point
// properties, but only alone (with its variation selector or a skin tone): an unknown ZWJ chain such as
// "👍\u200d👍" draws as two emoji and is refused.

/** Longer than any RGI emoji (the longest, a kiss with two skin tones, is 15 UTF-16 units): refused before segmenting. */
export const EMOJI_MAX_UTF16 = 32;

// Built at run time: the `v` flag is ES2024, newer than the compile target, and Node 20 has it.
const RGI = new RegExp("^\\p{RGI_Emoji}$", "v");
// A single pictograph: never a lone skin tone, regional indicator or joiner; with its variation selector or
// a modifier when it takes one. \p{Emoji} leaves out the reserved code points \p{Extended_Pictographic} holds.
const SINGLE = /^(?!\p{Emoji_Modifier}|\p{Regional_Indicator})(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|(?=\p{Emoji})\p{Extended_Pictographic}\uFE0F?)$/u;
// Two regional indicators are one flag, even a pair the runtime does not list as a country yet.
const FLAG = /^\p{Regional_Indicator}{2}$/u;

// Unicode lists the five skin tones as emoji of their own, but alone they are swatches, not a reaction.
const LONE_MODIFIER = /^\p{Emoji_Modifier}/u;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** Exactly one grapheme, and that grapheme an emoji. */
export function isOneEmoji(text: string): boolean {
  if (text.length === 0 || text.length > EMOJI_MAX_UTF16) return false;
  const it = graphemes.segment(text)[Symbol.iterator]();
  const first = it.next();
  if (first.done === true || first.value.segment !== text) return false; // two or more graphemes
  if (LONE_MODIFIER.test(text)) return false;
  return RGI.test(text) || SINGLE.test(text) || FLAG.test(text);
}
