/**
 * Dates, times, numbers and language names as each language writes them. In Khmer: Khmer
 * digits and Khmer month names, as in the rest of the Khmer interface. English keeps ISO dates
 * (2026-11-28), which read the same in every country the programme works in.
 */
import { asciiToKhmerDigits } from "./digits.js";
import type { Lang } from "./index.js";

/** Each language named in its own script, as a language picker shows it. */
export const LANGUAGE_AUTONYMS: Record<Lang, string> = { en: "English", km: "ខ្មែរ" };

export const KHMER_MONTHS = ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"];

/** Digits in the reader's script (numbers only: what people typed is never rewritten). */
export function digits(lang: Lang, value: number | string): string {
  return lang === "km" ? asciiToKhmerDigits(String(value)) : String(value);
}

/** One formatter per time zone: making one costs far more than using it (exports format many times). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(d: Date, timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  const p = f.formatToParts(d);
  const get = (type: string) => p.find((x) => x.type === type)?.value ?? "";
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") };
}

/** A calendar day in the programme's time zone: "2026-11-28" / "២៨ វិច្ឆិកា ២០២៦". */
export function formatDay(d: Date, lang: Lang, timeZone: string): string {
  const p = parts(d, timeZone);
  if (lang === "km") return `${digits(lang, Number(p.day))} ${KHMER_MONTHS[Number(p.month) - 1]} ${digits(lang, p.year)}`;
  return `${p.year}-${p.month}-${p.day}`;
}

/** A month ("2024-03") as a heading: "2024-03" / "មីនា ២០២៤". */
export function formatMonth(ym: string, lang: Lang): string {
  const [year, month] = ym.split("-");
  return lang === "km" ? `${KHMER_MONTHS[Number(month) - 1]} ${digits(lang, year!)}` : ym;
}

/** A moment in the programme's time zone: "2026-11-25 14:05" / "២៥ វិច្ឆិកា ២០២៦ ម៉ោង ១៤:០៥". */
export function formatTime(d: Date, timeZone: string, lang: Lang = "en"): string {
  const p = parts(d, timeZone);
  if (lang === "km") return `${formatDay(d, lang, timeZone)} ម៉ោង ${digits(lang, `${p.hour}:${p.minute}`)}`;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
