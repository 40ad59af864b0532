/** What substantiation shows in other features' views: a statement's section, a list's tag. */
import { LANGUAGE_AUTONYMS } from "../platform/i18n/format.js";
import { LANGUAGES, type Lang, type T } from "../platform/i18n/index.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import { packMessages } from "../platform/telegram/split.js";
import { snippet } from "../shared/text.js";
import {
  addSourceButton,
  recordOffline,
  changePart,
  confirmDecline,
  confirmProposal,
  declineButton,
  overview,
  propose,
  results,
  resumeAssignment,
  sendAnswers,
  skipComment,
  skipSuggestionStep,
  sourceConsent,
  sourceLanguage,
  sourceLevel,
  sourceNaming,
  suggestSources,
  toggleInProposal,
} from "./callbacks.js";
import { headlineParams, LEVELS, PARTS, type Part, perOutcome, perSource } from "./results.js";
import { reasonLabel } from "./sample.js";
import type { OfflineProblem } from "./offline.js";
import type { SubstantiatorSuggestion } from "../generated/prisma/client.js";

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

export type SubstantiationState = "requested" | "in_progress" | "done";

export interface Progress {
  state: SubstantiationState;
  sources: number;
  answered: number;
  declined: number;
}

/** What a statement's card or /my shows of its substantiation: progress (if chosen) and the author's suggestions. */
export interface SubstantiationOf {
  progress: Progress | undefined;
  suggestions: SubstantiatorSuggestion[];
}

export interface View {
  text: string;
  keyboard?: ReturnType<typeof keyboard>;
}

// ---------------------------------------------------------------------------------------------
// The source's side

/** The request: who asks, for which organisation; agree, decline, or another language. */
export function requestView(t: T, lang: Lang, assignmentId: number, coordinator: string | undefined, org: string): View {
  const languages: Button[] = LANGUAGES.filter((l) => l !== lang).map((l) => ({
    text: LANGUAGE_AUTONYMS[l],
    data: sourceLanguage.data({ assignment: assignmentId, lang: l }),
  }));
  return {
    text: t("source.request", { coordinator: coordinator ?? t("source.a_coordinator"), org }),
    keyboard: keyboard(
      [
        { text: t("source.agree"), data: sourceConsent.data({ assignment: assignmentId }) },
        { text: t("source.decline"), data: declineButton.data({ assignment: assignmentId }) },
        ...languages,
      ],
      1,
    ),
  };
}

export function namingView(t: T, assignmentId: number): View {
  return {
    text: t("source.naming"),
    keyboard: keyboard([
      { text: t("source.named"), data: sourceNaming.data({ assignment: assignmentId, named: true }) },
      { text: t("source.anonymous"), data: sourceNaming.data({ assignment: assignmentId, named: false }) },
    ]),
  };
}

/** One part of the statement, in the words it was written in, with a button per level. */
export function partView(t: T, assignmentId: number, part: Part, text: string | null): View {
  return {
    text: t("source.part", { n: PARTS.indexOf(part) + 1, total: PARTS.length, part: t(`source.parts.${part}`), text: text ?? t("source.no_text") }),
    keyboard: keyboard(
      LEVELS.map((l) => ({ text: t(`source.levels.${l}`), data: sourceLevel.data({ assignment: assignmentId, part, level: l }) })),
      2,
    ),
  };
}

export function commentPrompt(t: T, assignmentId: number, part: Part, level: string): View {
  return {
    text: t("source.comment_prompt", { part: t(`source.parts.${part}`), level: t(`source.levels.${level}`) }),
    keyboard: keyboard([{ text: t("source.no_comment"), data: skipComment.data({ assignment: assignmentId, part }) }]),
  };
}

export function declinePrompt(t: T, assignmentId: number): View {
  return {
    text: t("source.decline_reason"),
    keyboard: keyboard([{ text: t("source.decline_no_reason"), data: confirmDecline.data({ assignment: assignmentId }) }]),
  };
}

/** Every answer, before sending: send, change a part, or decline. */
export function summaryView(
  t: T,
  a: { id: number; outcomeId: number; anonymous: boolean | null },
  answers: Array<{ level: string; comment: string | null; commentFileId: string | null }>,
): View {
  const lines = PARTS.map((p, i) => {
    const x = answers[i]!;
    const comment = x.comment ? `\n<i>${escapeHtml(x.comment)}</i>` : x.commentFileId ? `\n🎤 <i>${t("source.voice_comment")}</i>` : "";
    return `<b>${t(`source.parts.${p}`)}</b>: ${t(`source.levels.${x.level}`)}${comment}`;
  });
  return {
    text: t("source.summary", { id: a.outcomeId, answers: lines.join("\n\n"), naming: t(a.anonymous ? "source.you_are_anonymous" : "source.you_are_named") }),
    keyboard: keyboard([
      { text: t("source.send"), data: sendAnswers.data({ assignment: a.id }) },
      ...PARTS.map((p) => ({ text: t("source.change", { part: t(`source.parts.${p}`) }), data: changePart.data({ assignment: a.id, part: p }) })),
      { text: t("source.decline"), data: declineButton.data({ assignment: a.id }) },
    ]),
  };
}

/** /checks: the statements this person was asked to check; a button to continue each open one. */
export function assignmentList(t: T, assignments: Array<{ id: number; outcomeId: number; status: string }>, open: (status: string) => boolean): View {
  const lines = assignments.map((a) => t("source.list_line", { id: a.outcomeId, status: t(`source.states.${a.status}`) }));
  return {
    text: `${t("source.list_title")}\n${lines.join("\n")}`,
    keyboard: keyboard(
      assignments
        .filter((a) => open(a.status))
        .map((a) => ({ text: t("source.continue", { id: a.outcomeId }), data: resumeAssignment.data({ assignment: a.id }) })),
    ),
  };
}

export const continueKeyboard = (t: T, a: { id: number; outcomeId: number }) =>
  keyboard([{ text: t("source.continue", { id: a.outcomeId }), data: resumeAssignment.data({ assignment: a.id }) }]);

export const resultsKeyboard = (t: T, org: number) => keyboard([{ text: t("substantiation.results_button"), data: results.data({ org }) }]);

// ---------------------------------------------------------------------------------------------
// The coordinator's side

/** At most this many statements get a button in a proposal (the text lists them all). */
export const MAX_CANDIDATE_BUTTONS = 40;

function sourceLine(t: T, a: { label: string; anonymous: boolean | null; status: string; remindersSent: number; refusedReason: string | null }) {
  const who = a.anonymous ? t("source.anonymous_source") : a.label;
  const state = a.status === "refused" ? t(`substantiation.refused_${a.refusedReason ?? "member"}`) : t(`source.states.${a.status}`);
  const reminded = a.remindersSent ? ` · ${t("substantiation.reminded", { n: a.remindersSent })}` : "";
  return `  • ${escapeHtml(who)}: ${state}${reminded}`;
}

export interface OverviewData {
  org: number;
  orgName: string | undefined;
  accepted: number;
  chosen: Array<{ outcomeId: number; description: string | null; progress: Progress; assignments: Array<Parameters<typeof sourceLine>[1] & { id: number }> }>;
  /** The organisations to narrow to (only when showing all of several). */
  organisations: Array<{ id: number; name: string }>;
}

/** The chosen statements in scope, with each source's progress; buttons to propose, add sources, see results. */
export function overviewView(t: T, d: OverviewData): { sections: string[]; keyboard: ReturnType<typeof keyboard> } {
  const sections = [t("substantiation.overview", { org: d.orgName ?? t("review.all_orgs"), n: d.chosen.length, accepted: d.accepted })];
  for (const s of d.chosen) {
    const p = s.progress;
    const head = t("substantiation.line", {
      id: s.outcomeId,
      state: t(`substantiation.states.${p.state}`),
      answered: p.answered,
      sources: p.sources,
      snippet: snippet(s.description, 50),
    });
    const lines = s.assignments.map((a) => sourceLine(t, a));
    sections.push([head, ...(lines.length ? lines : [`  ${t("substantiation.no_sources")}`])].join("\n"));
  }
  const buttons: Button[] = [
    { text: t("substantiation.propose"), data: propose.data({ org: d.org }) },
    { text: t("substantiation.results_button"), data: results.data({ org: d.org }) },
    ...d.chosen.flatMap((s) => [
      { text: t("substantiation.add_source", { id: s.outcomeId }), data: addSourceButton.data({ id: s.outcomeId }) },
      { text: t("substantiation.offline_button", { id: s.outcomeId }), data: recordOffline.data({ id: s.outcomeId }) },
    ]),
    ...d.organisations.map((o) => ({ text: `🏢 ${o.name}`, data: overview.data({ org: o.id }) })),
  ];
  return { sections, keyboard: keyboard(buttons, 2) };
}

/** The proposal's text and toggle buttons, over the candidate statements. */
export function proposalView(
  t: T,
  p: { id: number; outcomeIds: number[]; reasons: unknown },
  outcomes: Array<{ id: number; description: string | null }>,
): { text: string; keyboard: ReturnType<typeof keyboard> } {
  const chosen = new Set(p.outcomeIds);
  const reasons = p.reasons as Record<string, string[]>;
  const lines = outcomes
    .filter((o) => chosen.has(o.id))
    .map((o) => {
      const why = (reasons[String(o.id)] ?? ["added_by_coordinator"]).map((r) => reasonLabel(t, r)).join("; ");
      return t("substantiation.proposal_line", { id: o.id, snippet: snippet(o.description, 60), why });
    });
  const pct = outcomes.length ? Math.round((chosen.size / outcomes.length) * 100) : 0;
  const text = `${t("substantiation.proposal_title", { k: chosen.size, n: outcomes.length, pct })}\n\n${lines.join("\n") || t("substantiation.proposal_empty")}`;
  const toggles: Button[] = outcomes.slice(0, MAX_CANDIDATE_BUTTONS).map((o) => ({
    text: `${chosen.has(o.id) ? "✅" : "▫️"} #${o.id} ${snippet(o.description, 24)}`,
    data: toggleInProposal.data({ proposal: p.id, id: o.id, chosen: !chosen.has(o.id) }),
  }));
  const kb = keyboard(toggles, 2)
    .row()
    .text(t("substantiation.confirm", { k: chosen.size }), confirmProposal.data({ proposal: p.id }));
  return { text: packMessages([text])[0]!, keyboard: kb };
}

export function confirmedView(t: T, created: number[]): View {
  return {
    text: t("substantiation.confirmed", { n: created.length, ids: created.map((id) => `#${id}`).join(", ") }),
    keyboard: keyboard(
      created.map((id) => ({ text: t("substantiation.add_source", { id }), data: addSourceButton.data({ id }) })),
      2,
    ),
  };
}

export function sourcePrompt(
  t: T,
  outcomeId: number,
  suggestions: Array<{ name: string; role: string | null; relation: string | null; contact: string | null }>,
): string {
  const hints = suggestions.map((s) =>
    t("substantiation.suggestion", { name: s.name, role: s.role ?? "—", relation: s.relation ?? "—", contact: s.contact ?? "—" }),
  );
  return `${t("substantiation.source_prompt", { id: outcomeId })}${hints.length ? `\n\n<b>${t("substantiation.suggestions_title")}</b>\n${hints.join("\n")}` : ""}`;
}

export function sourceLinkView(t: T, outcomeId: number, label: string, days: number, link: string): View {
  return {
    text: t("substantiation.link", { id: outcomeId, source: label, days, link }),
    keyboard: keyboard([{ text: t("substantiation.add_another", { id: outcomeId }), data: addSourceButton.data({ id: outcomeId }) }]),
  };
}

type Results = {
  sources: Parameters<typeof perOutcome>[0];
  comments: Array<{ outcomeId: number; source: string | null; part: string; level: string; text: string | null }>;
};

/** The results in the report's two views: per statement (a table), per source (the headline), and the comments. */
export function resultsSections(t: T, r: Results): string[] {
  const rows = perOutcome(r.sources);
  const head = [t("results.outcome"), t("results.sources"), ...LEVELS.map((l) => t(`results.${l}`))];
  const table = [head, ...rows.map((row) => [`#${row.outcomeId}`, String(row.sources), ...LEVELS.map((l) => String(row.counts[l]))])];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const pre = table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
  const h = perSource(r.sources);
  const sections = [`<b>${t("results.title")}</b>\n<pre>${escapeHtml(pre)}</pre>`, t("results.headline", headlineParams(h)), `<i>${t("results.rule")}</i>`];
  for (const outcomeId of [...new Set(r.comments.map((c) => c.outcomeId))]) {
    const lines = r.comments
      .filter((c) => c.outcomeId === outcomeId)
      .map((c) =>
        t("results.comment", {
          source: c.source ?? t("source.anonymous_source"),
          part: t(`source.parts.${c.part}`),
          level: t(`source.levels.${c.level}`),
          text: c.text ?? "🎤",
        }),
      );
    sections.push(`<b>${t("results.comments", { id: outcomeId })}</b>\n${lines.join("\n")}`);
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// The author's suggestions

export function suggestionQuestion(t: T, outcomeId: number, step: string): View {
  return {
    text: t(`suggest.ask_${step}`, { id: outcomeId }),
    keyboard: step === "name" ? undefined : keyboard([{ text: t("suggest.skip"), data: skipSuggestionStep.data({ id: outcomeId }) }]),
  };
}

export function suggestionSaved(t: T, outcomeId: number, name: string): View {
  return {
    text: t("suggest.saved", { id: outcomeId, name }),
    keyboard: keyboard([{ text: t("suggest.another"), data: suggestSources.data({ id: outcomeId }) }]),
  };
}

/** How to type a source's answers given offline, with the words the bot reads (any language it speaks). */
export function offlinePrompt(t: T, outcomeId: number): string {
  return t("substantiation.offline_prompt", {
    id: outcomeId,
    parts: PARTS.map((p) => t(`source.parts.${p}`)).join(" · "),
    levels: LEVELS.map((l) => t(`source.levels.${l}`)).join(" · "),
  });
}

/** What is wrong with typed offline answers, one line each. */
export function offlineProblems(t: T, problems: OfflineProblem[]): string {
  const lines = problems.map((p) =>
    p.code === "unreadable_line"
      ? t("substantiation.offline_problems.unreadable_line", { line: p.line })
      : p.code === "no_source"
        ? t("substantiation.offline_problems.no_source")
        : t(`substantiation.offline_problems.${p.code}`, { part: t(`source.parts.${p.part}`) }),
  );
  return `${t("substantiation.offline_problems.title")}\n${lines.join("\n")}`;
}
