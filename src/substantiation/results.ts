/**
 * Substantiation results in the two views of the evaluation report.
 *
 * Per answer: counts of each level over all answered parts.
 * Per source (the rule of the brief): a source "fully agrees" when all its answers are "fully
 * agree"; it "disagrees" when any answer is "disagree"; otherwise it "partially agrees".
 * Our stated rule for "don't know": those answers are left out of the source's classification,
 * and a source whose every answer is "don't know" has "no opinion".
 */

export const LEVELS = ["fully", "partially", "disagree", "dont_know"] as const;
export type Level = (typeof LEVELS)[number];
export const isLevel = (s: string): s is Level => (LEVELS as readonly string[]).includes(s);

export const PARTS = ["description", "significance", "contribution"] as const;
export type Part = (typeof PARTS)[number];
export const isPart = (s: string): s is Part => (PARTS as readonly string[]).includes(s);

export type SourceView = "fully" | "partially" | "disagrees" | "no_opinion";

export function classifySource(levels: Level[]): SourceView {
  const known = levels.filter((l) => l !== "dont_know");
  if (known.length === 0) return "no_opinion";
  if (known.includes("disagree")) return "disagrees";
  if (known.every((l) => l === "fully")) return "fully";
  return "partially";
}

export interface SourceAnswers {
  outcomeId: number;
  levels: Level[];
}

export interface OutcomeRow {
  outcomeId: number;
  sources: number;
  counts: Record<Level, number>;
}

/** The report's table: one row per outcome, sources then counts of each level. */
export function perOutcome(sources: SourceAnswers[]): OutcomeRow[] {
  const rows = new Map<number, OutcomeRow>();
  for (const s of sources) {
    const row = rows.get(s.outcomeId) ?? { outcomeId: s.outcomeId, sources: 0, counts: { fully: 0, partially: 0, disagree: 0, dont_know: 0 } };
    row.sources++;
    for (const l of s.levels) row.counts[l]++;
    rows.set(s.outcomeId, row);
  }
  return [...rows.values()].sort((a, b) => a.outcomeId - b.outcomeId);
}

export interface Headline {
  sources: number;
  counts: Record<SourceView, number>;
  /** Whole percentages of all sources, as the report prints them. */
  percent: Record<SourceView, number>;
}

export function perSource(sources: SourceAnswers[]): Headline {
  const counts: Record<SourceView, number> = { fully: 0, partially: 0, disagrees: 0, no_opinion: 0 };
  for (const s of sources) counts[classifySource(s.levels)]++;
  const n = sources.length;
  const pct = (k: SourceView) => (n ? Math.round((counts[k] / n) * 100) : 0);
  return { sources: n, counts, percent: { fully: pct("fully"), partially: pct("partially"), disagrees: pct("disagrees"), no_opinion: pct("no_opinion") } };
}

/** The headline's numbers as the messages and the workbook word them ("results.headline"). */
export function headlineParams(h: Headline) {
  return { n: h.sources, fully: h.percent.fully, partially: h.percent.partially, disagrees: h.percent.disagrees, no_opinion: h.percent.no_opinion };
}
