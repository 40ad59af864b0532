/** What counts as text a person wrote, and how a typed word is matched. */
import { LANGUAGES, type Lang } from "../platform/i18n/index.js";

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

/** A typed word as it is compared: case, spacing, Unicode form and curly apostrophes do not matter. */
export const looseWord = (s: string) => s.normalize("NFC").toLowerCase().replace(/’/g, "'").replace(/\s+/g, " ").trim();

/**
 * The words a person may type for each of some choices (a status, a level, a part): its labels in
 * every language the bot speaks, and the key itself (with spaces for underscores), matched loosely.
 */
export function choiceWords<K extends string>(keys: readonly K[], labels: (key: K, lang: Lang) => string[]): Map<string, K> {
  const words = new Map<string, K>();
  for (const key of keys) {
    for (const w of [key, key.replace(/_/g, " "), ...LANGUAGES.flatMap((lang) => labels(key, lang))]) words.set(looseWord(w), key);
  }
  return words;
}
