/**
 * Substantiation in the chat.
 *
 * The source: open a single-use link, consent, choose named or anonymous, answer each part
 * (level, then an optional comment in text or voice), review and send, or decline. Every answer
 * is stored when it arrives; the next step always follows from the stored rows, so stopping, a
 * restart or a new version of the code loses nothing. This runs before the members' access gate:
 * a substantiator needs no membership, only their own assignment, which every button checks.
 *
 * The coordinator: /substantiate shows what was chosen and how far each source is; proposes a
 * sample with reasons, edited with buttons and confirmed; adds sources (single-use links); shows
 * the results in the report's two views. Every button re-checks scope.
 *
 * The author: names people who could confirm their statement, one question at a time.
 */
import { Composer } from "grammy";
import type { SubstantiationAssignment } from "../generated/prisma/client.js";
import { LIMITS } from "../harvest/steps.js";
import { inviteLink, setLanguage } from "../onboarding/service.js";
import { isLang, type Lang, translator } from "../platform/i18n/index.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { packMessages } from "../platform/telegram/split.js";
import { loadForReview } from "../review/feature.js";
import { ownStatement } from "../review/service.js";
import { inScope, menuRole, type Scope, scopeFilter } from "../shared/access.js";
import { actorOf, now, refuse, scopeOf } from "../shared/chat.js";
import type { BotContext } from "../shared/context.js";
import { registerChatCommands } from "../shared/menus.js";
import { type Pending, readPending, setPending } from "../shared/pending.js";
import { type InputRoutes, type TypedInput, typedInput } from "../shared/typed-input.js";
import { upsertUser } from "../shared/users.js";
import {
  addSourceButton,
  recordOffline,
  changePart,
  confirmDecline,
  confirmProposal as confirmProposalButton,
  declineButton,
  inDoubt as inDoubtButton,
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
import { readOfflineAnswers } from "./offline.js";
import { isLevel, isPart, PARTS, type Part } from "./results.js";
import { proposeSample } from "./sample.js";
import {
  answersOf,
  assignmentsOf,
  chooseNaming,
  collectResults,
  confirmProposal,
  consent,
  createAssignment,
  createProposal,
  decline,
  frameworkItems,
  inviterName,
  isChosen,
  isOpen,
  loadCandidates,
  openAssignment,
  overviewOf,
  ownAssignment,
  ownProposal,
  saveComment,
  saveLevel,
  saveSuggestion,
  setInDoubt,
  setInProposal,
  SOURCE_CODE_PREFIX,
  SOURCE_LINK_DAYS,
  statementOf,
  submitAnswers,
  suggestionsOf,
  tellConflict,
  tellCoordinator,
  voicesOfPart,
  recordOfflineAnswers,
} from "./service.js";
import {
  assignmentList,
  commentPrompt,
  confirmedView,
  declinePrompt,
  namingView,
  overviewView,
  partView,
  proposalView,
  requestView,
  resultsSections,
  sourceLinkView,
  sourcePrompt,
  suggestionQuestion,
  suggestionSaved,
  summaryView,
  type View,
  offlinePrompt,
  offlineProblems,
} from "./views.js";

const show = (ctx: BotContext, v: View) => ctx.reply(v.text, { reply_markup: v.keyboard });

// ---------------------------------------------------------------------------------------------
// The source

/** Shows whatever comes next for this source, from the stored rows. */
async function continueAssignment(ctx: BotContext, a: SubstantiationAssignment) {
  const t = ctx.t;
  if (a.status === "submitted") return ctx.reply(t("source.already_sent", { id: a.outcomeId }));
  if (a.status === "declined") return ctx.reply(t("source.already_declined", { id: a.outcomeId }));
  if (!isOpen(a.status)) return ctx.reply(t("source.link_used"));
  const o = await statementOf(ctx.deps.prisma, a);
  if (!a.consentAt) return show(ctx, requestView(t, ctx.lang, a.id, await inviterName(ctx.deps.prisma, a), o.organisation.name));
  if (a.anonymous === null) return show(ctx, namingView(t, a.id));
  const answers = await answersOf(ctx.deps.prisma, a.id);
  const i = answers.findIndex((x) => !x);
  if (i >= 0) return askPart(ctx, a, PARTS[i]!, o);
  return show(
    ctx,
    summaryView(
      t,
      a,
      answers.map((x) => x!),
    ),
  );
}

async function askPart(ctx: BotContext, a: SubstantiationAssignment, part: Part, o?: Awaited<ReturnType<typeof statementOf>>) {
  const statement = o ?? (await statementOf(ctx.deps.prisma, a));
  const text = statement[part];
  if (!text) {
    // The leader answered this part by voice: the source hears it.
    for (const v of await voicesOfPart(ctx.deps.prisma, statement.id, part)) {
      await ctx.api.sendVoice(ctx.chat!.id, v.fileId).catch((e) => ctx.log.warn({ err: String(e) }, "voice part not re-sent"));
    }
  }
  await show(ctx, partView(ctx.t, a.id, part, text));
}

/** The person's assignment from callback data, or a refusal (logged). */
async function mine(ctx: BotContext, id: number) {
  const a = ctx.user ? await ownAssignment(ctx.deps.prisma, id, ctx.user.id) : undefined;
  if (!a) {
    ctx.log.warn({ assignment_id: id, user_id: ctx.user?.id }, "refused: not this person's substantiation");
    await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
  }
  return a;
}

/** A change on a closed assignment: answers are read-only once sent. */
async function closed(ctx: BotContext, a: SubstantiationAssignment) {
  if (isOpen(a.status)) return false;
  await ctx.answerCallbackQuery({ text: ctx.t("source.read_only"), show_alert: true });
  return true;
}

async function nextAfterComment(ctx: BotContext, a: SubstantiationAssignment) {
  await setPending(ctx, null);
  const fresh = (await ownAssignment(ctx.deps.prisma, a.id, a.userId!))!;
  await continueAssignment(ctx, fresh);
}

async function finishDecline(ctx: BotContext, a: SubstantiationAssignment, reason: string | undefined) {
  const done = await decline(ctx.deps.prisma, a, reason, now(ctx));
  if (!done) return ctx.reply(ctx.t("source.read_only"));
  ctx.log.info({ assignment_id: a.id, outcome_id: a.outcomeId }, "substantiation declined");
  await ctx.reply(ctx.t("source.declined"));
  await tellCoordinator(ctx.deps.prisma, a, "substantiation.declined_notice", { reason: reason ?? "—" });
}

async function openAssignmentOf(ctx: BotContext, assignmentId: number) {
  const a = await ownAssignment(ctx.deps.prisma, assignmentId, ctx.user!.id);
  if (a && isOpen(a.status)) return a;
  await setPending(ctx, null);
  await ctx.reply(ctx.t("source.read_only"));
  return undefined;
}

/** A source's comment on a part (typed or spoken), and their reason for declining. */
const sourceAnswerRoutes: InputRoutes = {
  sub_comment: {
    limit: LIMITS.long,
    voice: true,
    async handle(ctx, p, input: TypedInput) {
      const a = await openAssignmentOf(ctx, p.assignmentId);
      if (!a) return;
      if (!isPart(p.part)) return setPending(ctx, null);
      if (!(await saveComment(ctx.deps.prisma, a, p.part, input))) {
        // Sent or closed in the meantime: nothing changed.
        await setPending(ctx, null);
        return ctx.reply(ctx.t("source.read_only"));
      }
      await ctx.reply(ctx.t("source.comment_saved"));
      await nextAfterComment(ctx, a);
    },
  },
  sub_decline: {
    limit: LIMITS.long,
    async handle(ctx, p, input) {
      const a = await openAssignmentOf(ctx, p.assignmentId);
      if (!a) return;
      await setPending(ctx, null);
      return finishDecline(ctx, a, input.text);
    },
  },
};

export function sourceFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  // Opening a source link: /start s_<code>.
  c.command("start", async (ctx, next) => {
    const code = ctx.match.trim();
    if (!code.startsWith(SOURCE_CODE_PREFIX)) return next();
    ctx.user = await upsertUser(ctx.deps.prisma, ctx.from!);
    if (!ctx.user.language) {
      const lang: Lang = ctx.from?.language_code?.toLowerCase().startsWith("km") ? "km" : (ctx.config.defaultLocale ?? "en");
      ctx.user = await setLanguage(ctx.deps.prisma, ctx.user.id, lang);
      ctx.lang = lang;
      ctx.t = translator(lang);
    }
    const res = await openAssignment(ctx.deps.prisma, code, ctx.user.id, now(ctx), ctx.isAdmin);
    if (res.status === "conflict") {
      ctx.log.info({ assignment_id: res.assignment.id, reason: res.reason }, "substantiation refused: conflict of interest");
      await ctx.reply(ctx.t(`source.conflict_${res.reason}`));
      await tellConflict(ctx.deps.prisma, res.assignment, res.reason);
      return;
    }
    if (res.status !== "ok") {
      ctx.log.info({ status: res.status }, "source link refused");
      return ctx.reply(ctx.t(`source.link_${res.status}`));
    }
    ctx.log.info({ assignment_id: res.assignment.id }, "source link opened");
    const role = await menuRole(ctx.deps.prisma, ctx.user, ctx.isAdmin);
    await registerChatCommands(ctx.api, ctx.chat!.id, role, ctx.lang, ctx.config.publicUrl).catch((e) =>
      ctx.log.warn({ err: String(e) }, "setMyCommands failed"),
    );
    await continueAssignment(ctx, res.assignment);
  });

  c.use(typedInput(sourceAnswerRoutes));

  c.use(sourceButtons());

  // /checks: the statements this person was asked to check, with a button to continue each open one.
  c.command("checks", async (ctx) => {
    const assignments = ctx.user ? await assignmentsOf(ctx.deps.prisma, ctx.user.id) : [];
    if (assignments.length === 0) return ctx.reply(ctx.t("source.none"));
    await show(ctx, assignmentList(ctx.t, assignments, isOpen));
  });

  // A substantiator who is not a member: /start or any message continues, or lists their requests.
  c.on("message", async (ctx, next) => {
    if (!ctx.user) return next();
    if (ctx.memberCount > 0 || ctx.isAdmin) return next();
    const text = ctx.message.text ?? "";
    if (text.startsWith("/") && !/^\/start(@\w+)?\s*$/.test(text)) return next(); // /help, /language, /start <code>, ...
    const assignments = await assignmentsOf(ctx.deps.prisma, ctx.user.id);
    if (assignments.length === 0) return next();
    const open = assignments.filter((a) => isOpen(a.status));
    if (open.length === 1) return continueAssignment(ctx, open[0]!);
    await show(ctx, assignmentList(ctx.t, assignments, isOpen));
  });

  return c;
}

/** The source's buttons: language, consent, naming, a level per part, comments, changes, sending, declining. */
function sourceButtons(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, sourceLanguage, async (ctx, { assignment, lang }) => {
    const a = await mine(ctx, assignment);
    if (!a || !isLang(lang)) return;
    ctx.user = await setLanguage(ctx.deps.prisma, ctx.user!.id, lang);
    ctx.lang = lang;
    ctx.t = translator(lang);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await continueAssignment(ctx, a);
  });

  onButton(c, sourceConsent, async (ctx, { assignment }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    await consent(ctx.deps.prisma, a, now(ctx));
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (a.consentAt) return; // a second press: the next step is already on screen
    await continueAssignment(ctx, (await ownAssignment(ctx.deps.prisma, a.id, ctx.user!.id))!);
  });

  onButton(c, sourceNaming, async (ctx, { assignment, named }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    if (!a.consentAt) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    const first = a.anonymous === null;
    await chooseNaming(ctx.deps.prisma, a, !named);
    await ctx.answerCallbackQuery({ text: ctx.t(named ? "source.you_are_named" : "source.you_are_anonymous") });
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (first) {
      const o = await statementOf(ctx.deps.prisma, a);
      await ctx.reply(ctx.t("source.intro", { id: o.id, org: o.organisation.name }));
      await continueAssignment(ctx, (await ownAssignment(ctx.deps.prisma, a.id, ctx.user!.id))!);
    }
  });

  onButton(c, sourceLevel, async (ctx, { assignment, part, level }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    if (!isPart(part) || !isLevel(level) || a.anonymous === null) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    if (!(await saveLevel(ctx.deps.prisma, a, part, level))) return ctx.answerCallbackQuery({ text: ctx.t("source.read_only"), show_alert: true });
    await ctx.answerCallbackQuery({ text: ctx.t(`source.levels.${level}`) });
    await ctx.editMessageReplyMarkup().catch(() => {});
    const waiting = readPending(ctx.user?.pendingInput);
    if (waiting?.kind === "sub_comment" && waiting.assignmentId === a.id && waiting.part === part) return; // pressed twice
    await setPending(ctx, { kind: "sub_comment", assignmentId: a.id, part });
    await show(ctx, commentPrompt(ctx.t, a.id, part, level));
  });

  onButton(c, skipComment, async (ctx, { assignment, part }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    const p = readPending(ctx.user?.pendingInput);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (p?.kind !== "sub_comment" || p.assignmentId !== a.id || p.part !== part) return; // stale or pressed twice
    await nextAfterComment(ctx, a);
  });

  onButton(c, changePart, async (ctx, { assignment, part }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    if (!isPart(part)) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await askPart(ctx, a, part);
  });

  onButton(c, sendAnswers, async (ctx, { assignment }) => {
    const a = await mine(ctx, assignment);
    if (!a) return;
    if (a.status === "submitted") return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    if (await closed(ctx, a)) return;
    const res = await submitAnswers(ctx.deps.prisma, a, now(ctx));
    if (res === "incomplete") {
      await ctx.answerCallbackQuery({ text: ctx.t("source.incomplete"), show_alert: true });
      return continueAssignment(ctx, a);
    }
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (res !== "ok") return;
    await setPending(ctx, null);
    ctx.log.info({ assignment_id: a.id, outcome_id: a.outcomeId }, "substantiation answered");
    await ctx.reply(ctx.t("source.sent", { id: a.outcomeId }));
    await tellCoordinator(ctx.deps.prisma, a, "substantiation.answered_notice", {}, true);
  });

  onButton(c, declineButton, async (ctx, { assignment }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    await ctx.answerCallbackQuery();
    await setPending(ctx, { kind: "sub_decline", assignmentId: a.id });
    await show(ctx, declinePrompt(ctx.t, a.id));
  });

  onButton(c, confirmDecline, async (ctx, { assignment }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await setPending(ctx, null);
    await finishDecline(ctx, a, undefined);
  });

  // "Continue" from a reminder or the list of one's requests.
  onButton(c, resumeAssignment, async (ctx, { assignment }) => {
    const a = await mine(ctx, assignment);
    if (!a) return;
    await ctx.answerCallbackQuery();
    await continueAssignment(ctx, a);
  });
  return c;
}

// ---------------------------------------------------------------------------------------------
// The coordinator

/** The scope for an organisation filter (0: all in scope); refuses one outside it. */
async function scopeFor(ctx: BotContext, org: number): Promise<Scope | undefined> {
  const scope = await scopeOf(ctx);
  if (!scope || (org && !inScope(scope, org))) {
    await refuse(ctx, { organisation_id: org, what: "substantiate" });
    return undefined;
  }
  return org ? { all: false, orgIds: [org] } : scope;
}

/** The scope a proposal draws from, as long as the coordinator still has it. */
async function proposalScope(ctx: BotContext, p: { organisationId: number | null }): Promise<Scope | undefined> {
  const scope = await scopeOf(ctx);
  if (!scope || (p.organisationId && !inScope(scope, p.organisationId))) return undefined;
  return p.organisationId ? { all: false, orgIds: [p.organisationId] } : scope;
}

async function showOverview(ctx: BotContext, org: number) {
  const scope = await scopeOf(ctx);
  if (!scope || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org, what: "substantiate" });
  const view = overviewView(ctx.t, await overviewOf(ctx.deps.prisma, scope, org));
  const messages = packMessages(view.sections);
  for (const [i, m] of messages.entries()) await ctx.reply(m, { reply_markup: i === messages.length - 1 ? view.keyboard : undefined });
}

async function showResults(ctx: BotContext, scope: Scope) {
  const { sources, comments } = await collectResults(ctx.deps.prisma, { discardedAt: null, ...scopeFilter(scope) });
  if (sources.length === 0) return ctx.reply(ctx.t("substantiation.no_results"));
  const t = ctx.t;
  for (const m of packMessages(resultsSections(t, { sources, comments }))) await ctx.reply(m);
  // Spoken comments, playable, labelled like the written ones.
  for (const c of comments.filter((x) => x.fileId)) {
    const caption = `#${c.outcomeId} · ${c.source ?? t("source.anonymous_source")} · ${t(`source.parts.${c.part}`)}`;
    await ctx.api
      .sendVoice(ctx.chat!.id, c.fileId!, { caption: caption.slice(0, 1000) })
      .catch((e) => ctx.log.warn({ err: String(e) }, "voice comment not re-sent"));
  }
}

/** The coordinator typed who the new source is: a single-use link for them. */
async function addSource(ctx: BotContext, p: Extract<Pending, { kind: "source" }>, label: string) {
  const o = await loadForReview(ctx, p.outcomeId);
  await setPending(ctx, null);
  if (!o) return;
  const created = await createAssignment(ctx.deps.prisma, { outcomeId: o.id, label, createdById: ctx.user!.id, now: now(ctx) });
  if (!created) return ctx.reply(ctx.t("substantiation.not_chosen", { id: o.id }));
  ctx.log.info({ outcome_id: o.id, assignment_id: created.assignment.id }, "source invited");
  const view = sourceLinkView(ctx.t, o.id, label, SOURCE_LINK_DAYS, inviteLink(ctx.me.username, created.code));
  await ctx.reply(view.text, { link_preview_options: { is_disabled: true }, reply_markup: view.keyboard });
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
    await show(ctx, proposalView(ctx.t, proposal, outcomes));
  });

  onButton(c, toggleInProposal, async (ctx, { proposal, id: outcomeId, chosen }) => {
    const p = await ownProposal(ctx.deps.prisma, ctx.user?.id, proposal);
    if (!p) return refuse(ctx, { proposal_id: proposal });
    const scope = await proposalScope(ctx, p);
    const { outcomes } = scope ? await loadCandidates(ctx.deps.prisma, scope) : { outcomes: [] };
    if (!outcomes.some((x) => x.id === outcomeId)) return refuse(ctx, { outcome_id: outcomeId, what: "sample" });
    if (p.confirmedAt) return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    const updated = await setInProposal(ctx.deps.prisma, p.id, outcomeId, chosen);
    await ctx.answerCallbackQuery();
    const view = proposalView(ctx.t, updated, outcomes);
    await ctx.editMessageText(view.text, { reply_markup: view.keyboard }).catch(() => {});
  });

  onButton(c, confirmProposalButton, async (ctx, { proposal }) => {
    const p = await ownProposal(ctx.deps.prisma, ctx.user?.id, proposal);
    if (!p) return refuse(ctx, { proposal_id: proposal });
    if (!(await proposalScope(ctx, p))) return refuse(ctx, { proposal_id: p.id });
    const created = await confirmProposal(ctx.deps.prisma, p.id, ctx.user!.id, now(ctx));
    if (!created) return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    ctx.log.info({ proposal_id: p.id, outcomes: created }, "substantiation sample confirmed");
    await show(ctx, confirmedView(ctx.t, created));
  });

  // A source for a chosen statement: by a link they open, or their answers given offline, typed.
  const forSources =
    (kind: "source" | "offline_answers", prompt: (ctx: BotContext, id: number) => Promise<string>) =>
    async (ctx: BotContext, { id }: { id: number }) => {
      const o = await loadForReview(ctx, id);
      if (!o) return;
      await ctx.answerCallbackQuery();
      if (!(await isChosen(ctx.deps.prisma, o.id))) return ctx.reply(ctx.t("substantiation.not_chosen", { id: o.id }));
      await setPending(ctx, { kind, outcomeId: o.id });
      await ctx.reply(await prompt(ctx, o.id));
    };
  onButton(
    c,
    addSourceButton,
    forSources("source", async (ctx, id) => sourcePrompt(ctx.t, id, await suggestionsOf(ctx.deps.prisma, id))),
  );
  onButton(
    c,
    recordOffline,
    forSources("offline_answers", async (ctx, id) => offlinePrompt(ctx.t, id)),
  );

  onButton(c, results, async (ctx, { org }) => {
    const scope = await scopeFor(ctx, org);
    if (!scope) return;
    await ctx.answerCallbackQuery();
    await showResults(ctx, scope);
  });

  // "In doubt" on an accepted statement: a reason to substantiate it.
  onButton(c, inDoubtButton, async (ctx, { id, doubt }) => {
    const o = await loadForReview(ctx, id);
    if (!o) return;
    await setInDoubt(ctx.deps.prisma, o, ctx.user!.id, doubt);
    await ctx.answerCallbackQuery({ text: ctx.t(doubt ? "substantiation.flagged" : "substantiation.unflagged") });
  });

  return c;
}

// ---------------------------------------------------------------------------------------------
// The author's suggestions

type Suggest = Extract<Pending, { kind: "suggest" }>;
const NEXT: Record<Suggest["step"], Suggest["step"] | undefined> = { name: "role", role: "relation", relation: "contact", contact: undefined };

async function suggestionFor(ctx: BotContext, outcomeId: number) {
  const o = await ownStatement(ctx.deps.prisma, ctx.user!.id, outcomeId);
  if (!o) await refuse(ctx, { outcome_id: outcomeId, what: "suggest" });
  return o;
}

/** Applies one answer (undefined: skipped) and asks the next question, or stores the suggestion. */
async function advance(ctx: BotContext, p: Suggest, value: string | undefined) {
  const draft = { ...p.draft, [p.step]: value } as Suggest["draft"] & { contact?: string };
  const next = NEXT[p.step];
  if (next) {
    await setPending(ctx, { kind: "suggest", outcomeId: p.outcomeId, step: next, draft });
    return show(ctx, suggestionQuestion(ctx.t, p.outcomeId, next));
  }
  const s = await saveSuggestion(ctx.deps.prisma, { outcomeId: p.outcomeId, suggestedById: ctx.user!.id, ...draft, name: draft.name! });
  await setPending(ctx, null);
  ctx.log.info({ outcome_id: p.outcomeId, suggestion_id: s.id }, "substantiator suggested");
  await show(ctx, suggestionSaved(ctx.t, p.outcomeId, s.name));
}

export function suggestionsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, suggestSources, async (ctx, { id }) => {
    const o = await suggestionFor(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    await setPending(ctx, { kind: "suggest", outcomeId: o.id, step: "name", draft: {} });
    await show(ctx, suggestionQuestion(ctx.t, o.id, "name"));
  });
  onButton(c, skipSuggestionStep, async (ctx, { id }) => {
    const p = readPending(ctx.user?.pendingInput);
    if (p?.kind !== "suggest" || p.outcomeId !== id || p.step === "name") return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await advance(ctx, p, undefined);
  });
  return c;
}

/** The name of a source the coordinator types after "Add a source"; the author's answers about who could confirm a change. */
export const substantiationInputRoutes: InputRoutes = {
  source: { limit: LIMITS.short, handle: (ctx, p, { text }) => addSource(ctx, p, text!) },
  offline_answers: {
    limit: 4000,
    async handle(ctx, p, { text }) {
      // Checked again: the coordinator's scope, and that the statement is still chosen.
      const o = await loadForReview(ctx, p.outcomeId);
      if (!o || !(await isChosen(ctx.deps.prisma, o.id))) return setPending(ctx, null);
      const read = readOfflineAnswers(text!);
      if (!read.ok) return ctx.reply(offlineProblems(ctx.t, read.problems));
      const a = await recordOfflineAnswers(ctx.deps.prisma, { outcomeId: o.id, actor: actorOf(ctx), value: read.value, now: now(ctx) });
      await setPending(ctx, null);
      if (a === "not_allowed") return refuse(ctx, { outcome_id: o.id });
      if (!a) return ctx.reply(ctx.t("substantiation.not_chosen", { id: o.id }));
      ctx.log.info({ outcome_id: o.id, assignment_id: a.id }, "offline answers recorded");
      await ctx.reply(ctx.t("substantiation.offline_saved", { id: o.id, source: read.value.label }));
    },
  },
  suggest: {
    limit: LIMITS.short,
    async handle(ctx, p, { text }) {
      if (!(await suggestionFor(ctx, p.outcomeId))) return setPending(ctx, null);
      await advance(ctx, p, text);
    },
  },
};
