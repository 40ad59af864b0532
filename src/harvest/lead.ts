/**
 * How an outcome lead is shown (harvest/coaching.ts leadGaps says what it lacks): pure, with no
 * other import, so the review's views, the export and the statistics can all use it.
 */
import type { T } from "../platform/i18n/index.js";
import type { LeadGap } from "./coaching.js";

/** What an outcome lead still lacks, in the reader's words ("a date, a place"). */
export const gapList = (t: T, gaps: readonly LeadGap[]) => gaps.map((g) => t(`lead.gaps.${g}`)).join(", ");

/** The line that marks an outcome lead on a card or in a list; none for a complete statement. */
export function leadLine(t: T, gaps: readonly LeadGap[]): string | undefined {
  return gaps.length ? t("lead.line", { gaps: gapList(t, gaps) }) : undefined;
}
