/**
 * Parses the date or period of a change, as leaders type it in English or Khmer.
 * Month precision is enough (see the brief), so days are accepted and dropped, except where a
 * Buddhist-era date needs the day to tell which common-era year it is (see fromBuddhistEra).
 */
import type { Lang } from "../platform/i18n/index.js";
import { KHMER_MONTHS } from "../platform/i18n/format.js";
import { VISAK_BOCHEA } from "./visak-bochea.js";

export interface YearMonth {
  year: number;
  month?: number;
}

export type DateKind = "month" | "year" | "period" | "since";

export interface ParsedDate {
  kind: DateKind;
  start: YearMonth;
  end?: YearMonth;
}

/**
 * A Buddhist-era date that falls in two common-era years: the person is asked which one.
 * `options` is empty when there are too many readings to offer (a period): they write it again.
 */
export interface EraQuestion {
  beYear: number;
  /** The months in which that Buddhist year began and ended (Visak Bochea to Visak Bochea). */
  from: YearMonth;
  to: YearMonth;
  options: ParsedDate[];
}

/** What a typed date says: a reading, a question about the Buddhist era, or nothing readable. */
export type DateReading = { date: ParsedDate } | { era: EraQuestion } | undefined;

import { asciiToKhmerDigits, khmerToAsciiDigits } from "../platform/i18n/digits.js";

export { asciiToKhmerDigits, khmerToAsciiDigits, KHMER_MONTHS };

export const ENGLISH_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

// Longest names first, so "កុម្ភៈ" wins over a shorter spelling and "june" over "jun".
const MONTH_WORDS: Array<[RegExp, number]> = [
  ...KHMER_MONTHS.map((m, i): [RegExp, number] => [new RegExp(m.replace("ៈ", "ៈ?"), "g"), i + 1]),
  ["កុម្ភះ", 2],
  ["វិច្ឆកា", 11],
  ...ENGLISH_MONTHS.map((m, i): [RegExp, number] => [new RegExp(`\\b${m}\\b`, "g"), i + 1]),
  ...ENGLISH_MONTHS.map((m, i): [RegExp, number] => [new RegExp(`\\b${m.slice(0, 3)}\\.?(?![a-z])`, "g"), i + 1]),
  [/\bsept\b\.?/g, 9],
].map(([re, n]) => [typeof re === "string" ? new RegExp(re, "g") : re, n] as [RegExp, number]);

const NOW_WORDS = [
  /\buntil now\b/,
  /\btill now\b/,
  /\bup to now\b/,
  /\bto date\b/,
  /\buntil today\b/,
  /\bpresent\b/,
  /\bongoing\b/,
  /\bnow\b/,
  /បច្ចុប្បន្ន/,
  /ពេលនេះ/,
  /សព្វថ្ងៃ/,
  /ឥឡូវ/,
];
const SINCE_WORDS = [/\bsince\b/, /\bstarting\b/, /ចាប់តាំងពី/, /តាំងពី/, /ចាប់ពី/];
const RANGE_SEPARATORS = /\b(?:to|until|till|through|and)\b|–|—|ដល់|ទៅ|រហូតដល់|\s-\s/;

/** Years from here on are Buddhist-era years (common-era years this large are not typed). */
const BE_FROM = 2400;

interface Token {
  index: number;
  year?: number;
  month?: number;
  day?: number;
}

/** A point of a date as typed: the year may still be a Buddhist-era year. */
interface Point {
  year: number;
  month?: number;
  day?: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const taken: Array<[number, number]> = [];
  const free = (a: number, b: number) => taken.every(([x, y]) => b <= x || a >= y);
  const add = (re: RegExp, build: (m: RegExpExecArray) => Omit<Token, "index"> | undefined) => {
    for (const m of text.matchAll(re)) {
      const a = m.index!;
      const b = a + m[0].length;
      if (!free(a, b)) continue;
      const t = build(m as RegExpExecArray);
      if (!t) continue;
      taken.push([a, b]);
      tokens.push({ index: a, ...t });
    }
  };
  add(/(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)/g, (m) => ({ day: Number(m[1]), month: Number(m[2]), year: Number(m[3]) }));
  add(/(?<!\d)(\d{4})[/.-](\d{1,2})(?:[/.-](\d{1,2}))?(?!\d)/g, (m) => ({ year: Number(m[1]), month: Number(m[2]), day: m[3] ? Number(m[3]) : undefined }));
  add(/(?<!\d)(\d{1,2})[/.-](\d{4})(?!\d)/g, (m) => ({ month: Number(m[1]), year: Number(m[2]) }));
  // A day with a month name: "15 May", "May 15", "ថ្ងៃទី១៥ ខែឧសភា".
  add(/(?:ថ្ងៃទី|ទី)\s*(\d{1,2})(?!\d)\s*@m(\d{2})@/g, (m) => ({ day: Number(m[1]), month: Number(m[2]) }));
  add(/(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s*@m(\d{2})@/g, (m) => ({ day: Number(m[1]), month: Number(m[2]) }));
  add(/@m(\d{2})@\s*(\d{1,2})(?:st|nd|rd|th)?(?!\d)(?=\s*,?\s*\d{4})/g, (m) => ({ month: Number(m[1]), day: Number(m[2]) }));
  add(/@m(\d{2})@/g, (m) => ({ month: Number(m[1]) }));
  add(/(?<!\d)(\d{4})(?!\d)/g, (m) => ({ year: Number(m[1]) }));
  return tokens.sort((a, b) => a.index - b.index);
}

/** Combines "month" tokens with the year that follows (or, failing that, precedes) them. */
function points(tokens: Token[]): Point[] | undefined {
  const out: Point[] = [];
  let pending: Array<{ month: number; day?: number }> = [];
  for (const t of tokens) {
    if (t.year === undefined) {
      pending.push({ month: t.month!, day: t.day });
      continue;
    }
    if (t.month !== undefined) {
      for (const m of pending) out.push({ year: t.year, ...m });
      pending = [];
      out.push({ year: t.year, month: t.month, day: t.day });
    } else if (pending.length) {
      // "May to July 2023": every pending month takes this year.
      for (const m of pending) out.push({ year: t.year, ...m });
      pending = [];
    } else {
      out.push({ year: t.year });
    }
  }
  if (pending.length) {
    const last = out[out.length - 1];
    if (!last) return undefined; // a month without any year
    for (const m of pending) out.push({ year: last.year, ...m });
  }
  return out;
}

/** The day of Visak Bochea in a common-era year, as month * 100 + day; undefined outside the table. */
function visakBochea(year: number): number | undefined {
  const md = VISAK_BOCHEA[year];
  if (!md) return undefined;
  const [m, d] = md.split("-").map(Number);
  return m! * 100 + d!;
}

/** The Cambodian Buddhist-era year of a common-era day (month 1–12). */
export function buddhistYear(year: number, month: number, day: number): number {
  return month * 100 + day >= (visakBochea(year) ?? 500) ? year + 544 : year + 543;
}

/**
 * The common-era readings of a Buddhist-era point, as Cambodia counts: the Buddhist year is the
 * common year + 544 from Visak Bochea (the full moon of Visakh, in April or May) and + 543 before
 * it. (Thailand adds 543 all year: a different rule.) So BE 2567 ran from Visak Bochea 2023 to
 * the day before Visak Bochea 2024: September 2567 is September 2023, March 2567 is March 2024.
 * A month without a day, or a year alone, can fall in either common year: then both come back.
 */
export function fromBuddhistEra(p: Point): YearMonth[] {
  const early = p.year - 544; // the common year in which this Buddhist year began
  const late = p.year - 543; // the common year in which it ended
  if (p.month === undefined) return [{ year: early }, { year: late }];
  const vbEarly = visakBochea(early);
  const vbLate = visakBochea(late);
  // Outside the table (before 1940 or after 2100): the month alone decides, April/May stay open.
  const startOf = (vb: number | undefined) => vb ?? 500;
  const day = p.day;
  const at = p.month * 100 + (day ?? 0);
  const inEarly = day !== undefined ? at >= startOf(vbEarly) : p.month >= Math.floor(startOf(vbEarly) / 100);
  const inLate =
    day !== undefined
      ? at < startOf(vbLate)
      : p.month < Math.floor(startOf(vbLate) / 100) || (p.month === Math.floor(startOf(vbLate) / 100) && startOf(vbLate) % 100 > 1);
  const out: YearMonth[] = [];
  if (inEarly) out.push({ year: early, month: p.month });
  if (inLate) out.push({ year: late, month: p.month });
  return out;
}

const valid = (p: YearMonth, maxYear: number) => p.year >= 1950 && p.year <= maxYear && (p.month === undefined || (p.month >= 1 && p.month <= 12));

const key = (p: YearMonth) => p.year * 100 + (p.month ?? 0);

/** Reads a typed date; a Buddhist-era date that is not exact becomes a question. */
export function readDate(input: string, now: Date = new Date()): DateReading {
  let text = ` ${khmerToAsciiDigits(input).toLowerCase().normalize("NFC")} `;
  for (const [re, n] of MONTH_WORDS) text = text.replace(re, ` @m${String(n).padStart(2, "0")}@ `);
  text = text.replace(/ខែ|ឆ្នាំ|\bof\b|\bin\b|ព\.ស\.?|\bb\.?e\.?(?![a-z])/g, " ");
  const mentionsNow = NOW_WORDS.some((re) => re.test(text));
  const mentionsSince = SINCE_WORDS.some((re) => re.test(text));
  const raw = points(tokenize(text));
  const maxYear = now.getUTCFullYear() + 1;
  if (!raw || raw.length === 0) return undefined;
  if (raw.some((p) => p.day !== undefined && (p.day < 1 || p.day > 31))) return undefined;
  // Each point's common-era readings; a Buddhist-era point may have two.
  const readings = raw.map((p) => (p.year >= BE_FROM ? fromBuddhistEra(p) : [{ year: p.year, month: p.month }]).filter((r) => valid(r, maxYear)));
  if (readings.some((r) => r.length === 0)) return undefined;
  const shape = (pts: YearMonth[]): ParsedDate | undefined => {
    if (pts.length === 1) {
      const start = pts[0]!;
      if (mentionsSince || mentionsNow) return { kind: "since", start };
      return { kind: start.month ? "month" : "year", start };
    }
    if (pts.length === 2 && (RANGE_SEPARATORS.test(text) || /\bfrom\b|\bbetween\b|ពី|-/.test(text))) {
      const [a, b] = pts as [YearMonth, YearMonth];
      if (key(a) > key(b)) return undefined;
      return { kind: "period", start: a, end: b };
    }
    return undefined;
  };
  const open = readings.findIndex((r) => r.length > 1);
  if (open === -1) {
    const date = shape(readings.map((r) => r[0]!));
    return date ? { date } : undefined;
  }
  const be = raw[open]!.year;
  const era = { beYear: be, from: eraBound(be - 544), to: eraBound(be - 543) };
  if (readings.length > 1) {
    // A period with an open Buddhist year: too many readings to offer, they write it again.
    return shape(readings.map((r) => r[0]!)) ? { era: { ...era, options: [] } } : undefined;
  }
  const options = readings[0]!.map((r) => shape([r])).filter((d): d is ParsedDate => Boolean(d));
  return options.length ? { era: { ...era, options } } : undefined;
}

/** The month in which a Buddhist year began in that common year (its Visak Bochea). */
function eraBound(year: number): YearMonth {
  return { year, month: Math.floor((visakBochea(year) ?? 500) / 100) };
}

/**
 * Words of a typed date that no rule reads ("Marhc" in "Marhc 2024"): a reading that skipped
 * them may be wrong. The chat echoes its reading back for a yes; a file's date has nobody to ask.
 */
export function unreadWords(input: string): string[] {
  let text = ` ${khmerToAsciiDigits(input).toLowerCase().normalize("NFC")} `;
  for (const [re] of MONTH_WORDS) text = text.replace(re, " ");
  for (const re of [...NOW_WORDS, ...SINCE_WORDS, RANGE_SEPARATORS]) text = text.replace(new RegExp(re.source, "g"), " ");
  text = text.replace(/ខែ|ឆ្នាំ|ថ្ងៃទី|ទី|ពី|\bof\b|\bin\b|\bfrom\b|\bbetween\b|ព\.ស\.?|\bb\.?e\.?(?![a-z])/g, " ").replace(/(?<=\d)(?:st|nd|rd|th)\b/g, " ");
  return text.match(/[a-z\u1780-\u17d3\u17dc-\u17ff]+/g) ?? [];
}

/** A date read without asking: undefined for anything unreadable or open (see readDate). */
export function parseDate(input: string, now: Date = new Date()): ParsedDate | undefined {
  const r = readDate(input, now);
  return r && "date" in r ? r.date : undefined;
}

/** "2024-03" / "2024" for storage. */
export function ymToString(p: YearMonth): string {
  return p.month ? `${p.year}-${String(p.month).padStart(2, "0")}` : String(p.year);
}

export function ymFromString(s: string): YearMonth {
  const [y, m] = s.split("-");
  return m ? { year: Number(y), month: Number(m) } : { year: Number(y) };
}

function formatYm(p: YearMonth, lang: Lang): string {
  if (lang === "km") {
    const year = `ឆ្នាំ${asciiToKhmerDigits(String(p.year))}`;
    return p.month ? `ខែ${KHMER_MONTHS[p.month - 1]} ${year}` : year;
  }
  const name = p.month ? ENGLISH_MONTHS[p.month - 1]! : "";
  return p.month ? `${name[0]!.toUpperCase()}${name.slice(1)} ${p.year}` : String(p.year);
}

/** A human reading of a parsed date, used to echo it back for confirmation. */
export function formatDate(d: ParsedDate, lang: Lang): string {
  const s = formatYm(d.start, lang);
  switch (d.kind) {
    case "since":
      return lang === "km" ? `ចាប់ពី${s} ដល់បច្ចុប្បន្ន` : `since ${s}`;
    case "period":
      return `${s} – ${formatYm(d.end!, lang)}`;
    default:
      return s;
  }
}

/** Reads a whole number, accepting Khmer digits and separators ("1,200", "១២០"). */
export function parseCount(text: string): number | undefined {
  const m = khmerToAsciiDigits(text)
    .replace(/(\d)[,.\s](?=\d{3}\b)/g, "$1")
    .match(/\d+/g);
  if (m?.length !== 1) return undefined;
  const n = Number(m[0]);
  return Number.isSafeInteger(n) && n <= 100_000_000 ? n : undefined;
}

/**
 * Units that make a number something other than a head count: a percentage, money, time, area,
 * weight or distance ("the commission fell 5%", "500 riel", "20 days", "3 ha").
 */
const NOT_PEOPLE =
  /%|٪|\bper\s?cent|\bpercent|ភាគរយ|\$|៛|€|\busd\b|\bdollars?\b|ដុល្លារ|\briels?\b|រៀល|\bkhr\b|\bdays?\b|ថ្ងៃ|\bhours?\b|ម៉ោង|\bweeks?\b|សប្តាហ៍|សប្ដាហ៍|\bmonths?\b|ខែ|\byears?\b|ឆ្នាំ|\bhectares?\b|\bha\b|ហិកតា|ហិចតា|\bacres?\b|\bkm\b|គីឡូ|\bkg\b|\btons?\b|\btonnes?\b|តោន|ម៉ែត្រ|\bmet(?:re|er)s?\b/i;

/**
 * A number of people, from an answer to a question about people: "300", "about 280", "៣០០ នាក់".
 * "unit" when the number is a percentage, an amount or a duration: not a number of people.
 */
export function readPeopleCount(text: string): number | "unit" | undefined {
  if (NOT_PEOPLE.test(khmerToAsciiDigits(text))) return /\d/.test(khmerToAsciiDigits(text)) ? "unit" : undefined;
  return parseCount(text);
}
