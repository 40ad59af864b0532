/** What substantiation shows in other features' views: a statement's section, a list's tag. */
import type { T } from "../platform/i18n/index.js";
import type { Progress, SubstantiationOf } from "./service.js";

/** "Substantiation: in progress, 1 of 2 sources answered" and the suggestions, or undefined when there is neither. */
export function substantiationSection(t: T, s: SubstantiationOf): string | undefined {
  const parts: string[] = [];
  const p = s.progress;
  if (p) {
    parts.push(
      `<b>${t("substantiation.title")}</b>: ${t("substantiation.progress", { state: t(`substantiation.states.${p.state}`), answered: p.answered, sources: p.sources })}`,
    );
  }
  if (s.suggestions.length) {
    const lines = s.suggestions.map((x) =>
      t("substantiation.suggestion", { name: x.name, role: x.role ?? "—", relation: x.relation ?? "—", contact: x.contact ?? "—" }),
    );
    parts.push(`<b>${t("substantiation.suggestions_title")}</b>\n${lines.join("\n")}`);
  }
  return parts.length ? parts.join("\n\n") : undefined;
}

/** A short line for lists: "🔎 substantiation in progress, 1/2", per chosen statement. */
export function substantiationTags(t: T, progress: Map<number, Progress>): Map<number, string> {
  return new Map(
    [...progress].map(([id, p]) => [id, t("substantiation.tag", { state: t(`substantiation.states.${p.state}`), answered: p.answered, sources: p.sources })]),
  );
}
