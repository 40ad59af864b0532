/**
 * The language a text is written in, told by its script: enough for the languages the bot
 * speaks (Khmer has a script of its own; English is written in Latin letters). A text with no
 * letters at all (numbers, a link) takes the language it was written under.
 */
import type { Lang } from "./index.js";

const KHMER = /[\u1780-\u17FF\u19E0-\u19FF]/gu;
const LATIN = /[A-Za-z\u00C0-\u024F]/gu;

export function writtenIn(text: string, otherwise: Lang): Lang {
  const khmer = text.match(KHMER)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  if (khmer === 0 && latin === 0) return otherwise;
  return khmer >= latin ? "km" : "en";
}
