/**
 * Parses the date or period of a change, as leaders type it in English or Khmer.
 * Month precision is enough (see the brief), so days are accepted and dropped.
 */
import type { Lang } from "../i18n/index.js";

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

import { asciiToKhmerDigits, khmerToAsciiDigits } from "../i18n/digits.js";

export { asciiToKhmerDigits, khmerToAsciiDigits };

export const KHMER_MONTHS = ["មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ"];
export const ENGLISH_MONTHS = [
  "january", "february", "march", "april", "may", "june",
  "july", "august", "september", "october", "november", "december",
];

// Longest names first, so "កុម្ភៈ" wins over a shorter spelling and "june" over "jun".
const MONTH_WORDS: Array<[RegExp, number]> = [
  ...KHMER_MONTHS.map((m, i): [RegExp, number] => [new RegExp(m.replace("ៈ", "ៈ?"), "g"), i + 1]),
  ["កុម្ភះ", 2], ["វិច្ឆកា", 11],
  ...ENGLISH_MONTHS.map((m, i): [RegExp, number] => [new RegExp(`\\b${m}\\b`, "g"), i + 1]),
  ...ENGLISH_MONTHS.map((m, i): [RegExp, number] => [new RegExp(`\\b${m.slice(0, 3)}\\.?(?![a-z])`, "g"), i + 1]),
  [/\bsept\b\.?/g, 9],
].map(([re, n]) => [typeof re === "string" ? new RegExp(re, "g") : re, n] as [RegExp, number]);

const NOW_WORDS = [
  /\buntil now\b/, /\btill now\b/, /\bup to now\b/, /\bto date\b/, /\buntil today\b/, /\bpresent\b/, /\bongoing\b/, /\bnow\b/,
  /បច្ចុប្បន្ន/, /ពេលនេះ/, /សព្វថ្ងៃ/, /ឥឡូវ/,
];
const SINCE_WORDS = [/\bsince\b/, /\bstarting\b/, /ចាប់តាំងពី/, /តាំងពី/, /ចាប់ពី/];
const RANGE_SEPARATORS = /\b(?:to|until|till|through|and)\b|–|—|ដល់|ទៅ|រហូតដល់|\s-\s/;

interface Token {
  index: number;
  year?: number;
  month?: number;
}

function normaliseYear(y: number): number {
  // The Buddhist era (used in Cambodia) runs 543 years ahead of the common era.
  return y >= 2400 ? y - 543 : y;
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
  add(/(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)/g, (m) => ({ month: Number(m[2]), year: Number(m[3]) }));
  add(/(?<!\d)(\d{4})[/.-](\d{1,2})(?:[/.-]\d{1,2})?(?!\d)/g, (m) => ({ year: Number(m[1]), month: Number(m[2]) }));
  add(/(?<!\d)(\d{1,2})[/.-](\d{4})(?!\d)/g, (m) => ({ month: Number(m[1]), year: Number(m[2]) }));
  add(/@m(\d{2})@/g, (m) => ({ month: Number(m[1]) }));
  add(/(?<!\d)(\d{4})(?!\d)/g, (m) => ({ year: Number(m[1]) }));
  return tokens.sort((a, b) => a.index - b.index);
}

/** Combines "month" tokens with the year that follows (or, failing that, precedes) them. */
function points(tokens: Token[]): YearMonth[] | undefined {
  const out: YearMonth[] = [];
  let pendingMonths: number[] = [];
  for (const t of tokens) {
    if (t.year === undefined) {
      pendingMonths.push(t.month!);
      continue;
    }
    const year = normaliseYear(t.year);
    if (t.month !== undefined) {
      for (const m of pendingMonths) out.push({ year, month: m });
      pendingMonths = [];
      out.push({ year, month: t.month });
    } else if (pendingMonths.length) {
      // "May to July 2023": every pending month takes this year.
      for (const m of pendingMonths) out.push({ year, month: m });
      pendingMonths = [];
    } else {
      out.push({ year });
    }
  }
  if (pendingMonths.length) {
    const last = out[out.length - 1];
    if (!last) return undefined; // a month without any year
    for (const m of pendingMonths) out.push({ year: last.year, month: m });
  }
  return out;
}

const valid = (p: YearMonth, maxYear: number) =>
  p.year >= 1950 && p.year <= maxYear && (p.month === undefined || (p.month >= 1 && p.month <= 12));

const key = (p: YearMonth) => p.year * 100 + (p.month ?? 0);

export function parseDate(input: string, now: Date = new Date()): ParsedDate | undefined {
  let text = ` ${khmerToAsciiDigits(input).toLowerCase().normalize("NFC")} `;
  for (const [re, n] of MONTH_WORDS) text = text.replace(re, ` @m${String(n).padStart(2, "0")}@ `);
  text = text.replace(/ខែ|ឆ្នាំ|\bof\b|\bin\b/g, " ");
  const mentionsNow = NOW_WORDS.some((re) => re.test(text));
  const mentionsSince = SINCE_WORDS.some((re) => re.test(text));
  const pts = points(tokenize(text));
  const maxYear = now.getUTCFullYear() + 1;
  if (!pts || pts.length === 0 || !pts.every((p) => valid(p, maxYear))) return undefined;
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
  const m = khmerToAsciiDigits(text).replace(/(\d)[,.\s](?=\d{3}\b)/g, "$1").match(/\d+/g);
  if (!m || m.length !== 1) return undefined;
  const n = Number(m[0]);
  return Number.isSafeInteger(n) && n <= 100_000_000 ? n : undefined;
}
