/** What an import shows: the dry run's report (what would be created or updated, every problem), and the result. */
import type { T } from "../platform/i18n/index.js";
import type { ImportPlan, Problem } from "./service.js";

/** At most this many problems are listed; the count says how many there are. */
export const PROBLEMS_SHOWN = 200;

export function problemLine(t: T, p: Problem): string {
  const problem = t(`import.problems.${p.code}`, p.params);
  return p.column ? t("import.line_column", { line: p.line, column: p.column, problem }) : t("import.line", { line: p.line, problem });
}

/** The dry run, as sections of HTML (the bot packs them into messages; the CLI prints them as text). */
export function importReport(t: T, fileName: string, plan: ImportPlan): string[] {
  const rows = plan.rows.length;
  const sections = [t("import.summary", { file: fileName, count: rows, creates: plan.creates, updates: plan.updates })];
  if (plan.ignored.length) sections.push(t("import.ignored", { columns: plan.ignored.join(", ") }));
  if (plan.problems.length) {
    const shown = plan.problems.slice(0, PROBLEMS_SHOWN).map((p) => problemLine(t, p));
    if (plan.problems.length > PROBLEMS_SHOWN) shown.push(t("import.more", { n: plan.problems.length - PROBLEMS_SHOWN }));
    sections.push(`${t("import.problems", { count: plan.problems.length })}\n${shown.join("\n")}`);
  } else sections.push(t("import.dry_run"));
  return sections;
}
