/** What counts as text a person wrote. */

/**
 * Characters that show nothing: white space, zero-width and other format characters
 * (Default_Ignorable_Code_Point: U+200B…U+200D, U+2060, U+FEFF, Khmer's invisible vowels
 * U+17B4/U+17B5 …), controls, and the blank fillers some keyboards offer.
 */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\u2800\u3164\uFFA0]/gu;

/** False for an answer with nothing visible in it (spaces, zero-width characters only). */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, "") !== "";
}

/** A text shortened to one line of at most `n` characters (a list's line, a button's label). */
export function snippet(s: string | null, n = 60): string {
  if (s === null) return "";
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
