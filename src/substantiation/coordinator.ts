/**
 * The coordinator's side of substantiation: /substantiate shows what was chosen and how far each
 * source is; proposes a sample with reasons, edited with buttons and confirmed; adds sources
 * (single-use links); shows the results in the report's two views. Every button re-checks scope.
 */
import type { InputRoutes } from "../shared/typed-input.js";
import { LIMITS } from "../harvest/steps.js";
import { onButton } from "../platform/telegram/callbacks.js";
import {
  addSourceButton,
  confirmProposal as confirmProposalButton,
  inDoubt as inDoubtButton,
  overview,
  propose,
  results,
  toggleInProposal,
} from "./callbacks.js";
import { Composer } from "grammy";
import type { SampleProposal } from "../generated/prisma/client.js";
import type { Pending } from "../shared/pending.js";
import { setPending } from "../shared/pending.js";
import { loadForReview } from "../review/feature.js";
import { now, refuse, scopeOf } from "../shared/chat.js";
import { snippet } from "../shared/text.js";
import { inScope, organisationsIn, scopeFilter, type Scope } from "../shared/access.js";
import { inviteLink } from "../onboarding/service.js";
import type { BotContext } from "../shared/context.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { packMessages } from "../platform/telegram/split.js";
import { perOutcome, perSource, LEVELS } from "./results.js";
import { proposeSample, reasonLabel } from "./sample.js";
import {
  collectResults,
  confirmProposal,
  createAssignment,
  createProposal,
  frameworkItems,
  loadCandidates,
  progressOf,
  setInProposal,
  SOURCE_LINK_DAYS,
} from "./service.js";

export const MAX_CANDIDATE_BUTTONS = 40;

/** The scope for an organisation filter (0: all in scope); refuses one outside it. */
async function scopeFor(ctx: BotContext, org: number): Promise<Scope | undefined> {
  const scope = await scopeOf(ctx);
  if (!scope || (org && !inScope(scope, org))) {
    await refuse(ctx, { organisation_id: org, what: "substantiate" });
    return undefined;
  }
  return org ? { all: false, orgIds: [org] } : scope;
}

function sourceLine(ctx: BotContext, a: { label: string; anonymous: boolean | null; status: string; remindersSent: number; refusedReason: string | null }) {
  const who = a.anonymous ? ctx.t("source.anonymous_source") : a.label;
  const state = a.status === "refused" ? ctx.t(`substantiation.refused_${a.refusedReason ?? "member"}`) : ctx.t(`source.states.${a.status}`);
  const reminded = a.remindersSent ? ` · ${ctx.t("substantiation.reminded", { n: a.remindersSent })}` : "";
  return `  • ${escapeHtml(who)}: ${state}${reminded}`;
}

/** The chosen statements in scope, with each source's progress; buttons to propose, add sources, see results. */
async function showOverview(ctx: BotContext, org: number) {
  const scope = await scopeFor(ctx, org);
  if (!scope) return;
  const { prisma } = ctx.deps;
  const chosen = await prisma.substantiation.findMany({
    where: { outcome: { discardedAt: null, ...scopeFilter(scope) } },
    include: { outcome: true, assignments: { orderBy: { id: "asc" } } },
    orderBy: { outcomeId: "asc" },
  });
  const accepted = await prisma.outcome.count({ where: { status: "accepted", discardedAt: null, ...scopeFilter(scope) } });
  const orgName = org ? ((await prisma.organisation.findUnique({ where: { id: org } }))?.name ?? "") : ctx.t("review.all_orgs");
  const sections = [ctx.t("substantiation.overview", { org: orgName, n: chosen.length, accepted })];
  for (const s of chosen) {
    const p = progressOf(s.assignments);
    const head = ctx.t("substantiation.line", {
      id: s.outcomeId,
      state: ctx.t(`substantiation.states.${p.state}`),
      answered: p.answered,
      sources: p.sources,
      snippet: snippet(s.outcome.description, 50),
    });
    const lines = s.assignments.map((a) => sourceLine(ctx, a));
    sections.push([head, ...(lines.length ? lines : [`  ${ctx.t("substantiation.no_sources")}`])].join("\n"));
  }
  const buttons: Button[] = [
    { text: ctx.t("substantiation.propose"), data: propose.data({ org }) },
    { text: ctx.t("substantiation.results_button"), data: results.data({ org }) },
    ...chosen.map((s) => ({ text: ctx.t("substantiation.add_source", { id: s.outcomeId }), data: addSourceButton.data({ id: s.outcomeId }) })),
  ];
  const orgs = await organisationsIn(prisma, (await scopeOf(ctx))!);
  if (!org && orgs.length > 1) buttons.push(...orgs.map((o) => ({ text: `🏢 ${o.name}`, data: overview.data({ org: o.id }) })));
  const messages = packMessages(sections);
  for (const [i, m] of messages.entries()) {
    await ctx.reply(m, { reply_markup: i === messages.length - 1 ? keyboard(buttons, 2) : undefined });
  }
}

/** The scope a proposal draws from, as long as the coordinator still has it. */
async function proposalScope(ctx: BotContext, p: SampleProposal): Promise<Scope | undefined> {
  const scope = await scopeOf(ctx);
  if (!scope || (p.organisationId && !inScope(scope, p.organisationId))) return undefined;
  return p.organisationId ? { all: false, orgIds: [p.organisationId] } : scope;
}

/** The proposal's text and toggle buttons, over the candidate statements. */
function renderProposal(ctx: BotContext, p: SampleProposal, outcomes: Array<{ id: number; description: string | null }>) {
  const chosen = new Set(p.outcomeIds);
  const reasons = p.reasons as Record<string, string[]>;
  const lines = outcomes
    .filter((o) => chosen.has(o.id))
    .map((o) => {
      const why = (reasons[String(o.id)] ?? ["added_by_coordinator"]).map((r) => reasonLabel(ctx.t, r)).join("; ");
      return ctx.t("substantiation.proposal_line", { id: o.id, snippet: snippet(o.description, 60), why });
    });
  const pct = outcomes.length ? Math.round((chosen.size / outcomes.length) * 100) : 0;
  const text = `${ctx.t("substantiation.proposal_title", { k: chosen.size, n: outcomes.length, pct })}\n\n${lines.join("\n") || ctx.t("substantiation.proposal_empty")}`;
  const toggles: Button[] = outcomes.slice(0, MAX_CANDIDATE_BUTTONS).map((o) => ({
    text: `${chosen.has(o.id) ? "✅" : "▫️"} #${o.id} ${snippet(o.description, 24)}`,
    data: toggleInProposal.data({ proposal: p.id, id: o.id, chosen: !chosen.has(o.id) }),
  }));
  const kb = keyboard(toggles, 2)
    .row()
    .text(ctx.t("substantiation.confirm", { k: chosen.size }), `sb:c:${p.id}`);
  return { text: packMessages([text])[0]!, kb };
}

/** A proposal of this coordinator, not yet confirmed. */
async function ownProposal(ctx: BotContext, id: number) {
  const p = await ctx.deps.prisma.sampleProposal.findFirst({ where: { id, coordinatorId: ctx.user?.id ?? -1 } });
  if (!p) await refuse(ctx, { proposal_id: id });
  return p ?? undefined;
}

/** The coordinator typed who the new source is: a single-use link for them. */
async function addSource(ctx: BotContext, p: Extract<Pending, { kind: "source" }>, label: string) {
  const o = await loadForReview(ctx, p.outcomeId);
  await setPending(ctx, null);
  if (!o) return;
  const created = await createAssignment(ctx.deps.prisma, { outcomeId: o.id, label, createdById: ctx.user!.id, now: now(ctx) });
  if (!created) return ctx.reply(ctx.t("substantiation.not_chosen", { id: o.id }));
  ctx.log.info({ outcome_id: o.id, assignment_id: created.assignment.id }, "source invited");
  await ctx.reply(ctx.t("substantiation.link", { id: o.id, source: label, days: SOURCE_LINK_DAYS, link: inviteLink(ctx.me.username, created.code) }), {
    link_preview_options: { is_disabled: true },
    reply_markup: keyboard([{ text: ctx.t("substantiation.add_another", { id: o.id }), data: addSourceButton.data({ id: o.id }) }]),
  });
}

async function showResults(ctx: BotContext, org: number) {
  const scope = await scopeFor(ctx, org);
  if (!scope) return;
  const { sources, comments } = await collectResults(ctx.deps.prisma, { discardedAt: null, ...scopeFilter(scope) });
  if (sources.length === 0) return ctx.reply(ctx.t("substantiation.no_results"));
  const t = ctx.t;
  const rows = perOutcome(sources);
  const head = [t("results.outcome"), t("results.sources"), ...LEVELS.map((l) => t(`results.${l}`))];
  const table = [head, ...rows.map((r) => [`#${r.outcomeId}`, String(r.sources), ...LEVELS.map((l) => String(r.counts[l]))])];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  const pre = table
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
  const h = perSource(sources);
  const sections = [
    `<b>${t("results.title")}</b>\n<pre>${escapeHtml(pre)}</pre>`,
    t("results.headline", {
      n: h.sources,
      fully: h.percent.fully,
      partially: h.percent.partially,
      disagrees: h.percent.disagrees,
      no_opinion: h.percent.no_opinion,
    }),
    `<i>${t("results.rule")}</i>`,
  ];
  for (const outcomeId of [...new Set(comments.map((c) => c.outcomeId))]) {
    const lines = comments
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
  for (const m of packMessages(sections)) await ctx.reply(m);
  // Spoken comments, playable, labelled like the written ones.
  for (const c of comments.filter((x) => x.fileId)) {
    const caption = `#${c.outcomeId} · ${c.source ?? t("source.anonymous_source")} · ${t(`source.parts.${c.part}`)}`;
    await ctx.api
      .sendVoice(ctx.chat!.id, c.fileId!, { caption: caption.slice(0, 1000) })
      .catch((e) => ctx.log.warn({ err: String(e) }, "voice comment not re-sent"));
  }
}

export function substantiationFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("substantiate", (ctx) => showOverview(ctx, 0));
  onButton(c, overview, async (ctx, { org }) => {
    await ctx.answerCallbackQuery();
    await showOverview(ctx, org);
  });

  onButton(c, propose, async (ctx, { org }) => {
    const scope = await scopeFor(ctx, org);
    if (!scope) return;
    await ctx.answerCallbackQuery();
    const { candidates, outcomes } = await loadCandidates(ctx.deps.prisma, scope);
    if (candidates.length === 0) return ctx.reply(ctx.t("substantiation.no_candidates"));
    const picks = proposeSample(candidates, await frameworkItems(ctx.deps.prisma));
    const proposal = await createProposal(ctx.deps.prisma, ctx.user!.id, org || undefined, picks);
    const { text, kb } = renderProposal(ctx, proposal, outcomes);
    await ctx.reply(text, { reply_markup: kb });
  });

  onButton(c, toggleInProposal, async (ctx, { proposal, id: outcomeId, chosen }) => {
    const p = await ownProposal(ctx, proposal);
    if (!p) return;
    const scope = await proposalScope(ctx, p);
    const { outcomes } = scope ? await loadCandidates(ctx.deps.prisma, scope) : { outcomes: [] };
    if (!outcomes.some((x) => x.id === outcomeId)) return refuse(ctx, { outcome_id: outcomeId, what: "sample" });
    if (p.confirmedAt) return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    const updated = await setInProposal(ctx.deps.prisma, p.id, outcomeId, chosen);
    await ctx.answerCallbackQuery();
    const { text, kb } = renderProposal(ctx, updated, outcomes);
    await ctx.editMessageText(text, { reply_markup: kb }).catch(() => {});
  });

  onButton(c, confirmProposalButton, async (ctx, { proposal }) => {
    const p = await ownProposal(ctx, proposal);
    if (!p) return;
    if (!(await proposalScope(ctx, p))) return refuse(ctx, { proposal_id: p.id });
    const created = await confirmProposal(ctx.deps.prisma, p.id, ctx.user!.id, now(ctx));
    if (!created) return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    ctx.log.info({ proposal_id: p.id, outcomes: created }, "substantiation sample confirmed");
    await ctx.reply(ctx.t("substantiation.confirmed", { n: created.length, ids: created.map((id) => `#${id}`).join(", ") }), {
      reply_markup: keyboard(
        created.map((id) => ({ text: ctx.t("substantiation.add_source", { id }), data: addSourceButton.data({ id }) })),
        2,
      ),
    });
  });

  onButton(c, addSourceButton, async (ctx, { id }) => {
    const o = await loadForReview(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    const chosen = await ctx.deps.prisma.substantiation.findUnique({ where: { outcomeId: o.id } });
    if (!chosen) return ctx.reply(ctx.t("substantiation.not_chosen", { id: o.id }));
    const suggestions = await ctx.deps.prisma.substantiatorSuggestion.findMany({ where: { outcomeId: o.id }, orderBy: { id: "asc" } });
    const hints = suggestions.map((s) =>
      ctx.t("substantiation.suggestion", { name: s.name, role: s.role ?? "—", relation: s.relation ?? "—", contact: s.contact ?? "—" }),
    );
    await setPending(ctx, { kind: "source", outcomeId: o.id });
    await ctx.reply(
      `${ctx.t("substantiation.source_prompt", { id: o.id })}${hints.length ? `\n\n<b>${ctx.t("substantiation.suggestions_title")}</b>\n${hints.join("\n")}` : ""}`,
    );
  });

  onButton(c, results, async (ctx, { org }) => {
    const scope = await scopeFor(ctx, org);
    if (!scope) return;
    await ctx.answerCallbackQuery();
    await showResults(ctx, org);
  });

  // "In doubt" on an accepted statement: a reason to substantiate it.
  onButton(c, inDoubtButton, async (ctx, { id, doubt: inDoubt }) => {
    const o = await loadForReview(ctx, id);
    if (!o) return;
    if (o.inDoubt !== inDoubt) {
      await ctx.deps.prisma.$transaction([
        ctx.deps.prisma.outcome.update({ where: { id: o.id }, data: { inDoubt } }),
        ctx.deps.prisma.outcomeEvent.create({
          data: { outcomeId: o.id, actorId: ctx.user!.id, type: "in_doubt", oldValue: String(o.inDoubt), newValue: String(inDoubt) },
        }),
      ]);
    }
    await ctx.answerCallbackQuery({ text: ctx.t(inDoubt ? "substantiation.flagged" : "substantiation.unflagged") });
  });

  return c;
}

/** The name (or description) of a source the coordinator types after "Add a source". */
export const sourceInputRoutes: InputRoutes = {
  source: { limit: LIMITS.short, handle: (ctx, p, { text }) => addSource(ctx, p, text!) },
};
