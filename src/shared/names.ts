// Name rules that keep look-alikes out: which characters a name or room may not hold, and the key that
// decides who owns a name in a room. Pure, no I/O.
import unhomoglyph from "unhomoglyph";
import { caseFold } from "unicode-case-folding";

// Characters that draw nothing or reorder what is drawn: default-ignorables (zero-width space and joiners,
// soft hyphen, variation selectors, Hangul fillers, tags), every format character (Cf), and the bidi
// controls (right-to-left override and isolates). "Ana\u200B" and "\u202EanA\u202C" both display as "Ana".
// U+2800 (Braille pattern blank) is none of these, nor white space, yet draws as an empty cell: "ana\u2800"
// showed as "ana" beside the real one (found by review, 2026-12-07).
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Bidi_Control}\u2800]/u;

/** True when the text holds a character that is invisible or changes the direction of what follows it. */
export function hasInvisibleCharacters(text: string): boolean {
  return INVISIBLE.test(text);
}

/**
 * The TR39 skeleton (UTS #39 section 4): NFD, each character to its confusable prototype, NFD again.
 * The prototypes come from Unicode's confusables.txt as the unhomoglyph package ships it.
 */
function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD")).normalize("NFD");
}

/**
 * Who owns a name in a room: two names with the same key are the same name. Compatibility forms are folded
 * (NFKC: "𝖠𝗇𝖺" is "Ana"), case is folded the same in every locale (full Unicode case folding, never the
 * server's locale), confusables are folded (TR39 skeleton: Cyrillic "А" is Latin "A"), and runs of spaces
 * count as one. The skeleton's prototypes keep some capitals ("0" becomes "O"), so the result is folded once
 * more.
 */
export function nameKey(name: string): string {
  const folded = caseFold(name.normalize("NFKC"));
  return caseFold(skeleton(folded)).replace(/\s+/gu, " ").trim();
}
