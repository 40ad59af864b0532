/**
 * The substantiator's side: open a single-use link, consent, choose named or anonymous, answer
 * each part (level, then an optional comment in text or voice), review and send, or decline.
 * Every answer is stored when it arrives; the next step always follows from the stored rows, so
 * stopping, a restart or a new version of the code loses nothing.
 *
 * This runs before the members' access gate: a substantiator needs no membership, only their
 * own assignment, which every button checks.
 */
import { Composer } from "grammy";
import type { SubstantiationAssignment } from "../generated/prisma/client.js";
import { isLang, LANGUAGES, translator, type Lang } from "../platform/i18n/index.js";
import { LANGUAGE_AUTONYMS } from "../platform/i18n/format.js";
import { upsertUser } from "../shared/users.js";
import { menuRole } from "../shared/access.js";
import { registerChatCommands } from "../shared/menus.js";
import { now } from "../shared/chat.js";
import { type InputRoutes, type TypedInput, typedInput } from "../shared/typed-input.js";
import { onButton } from "../platform/telegram/callbacks.js";
import {
  changePart,
  confirmDecline,
  declineButton,
  results,
  resumeAssignment,
  sendAnswers,
  skipComment,
  sourceConsent,
  sourceLanguage,
  sourceLevel,
  sourceNaming,
} from "./callbacks.js";
import { readPending, setPending } from "../shared/pending.js";
import { LIMITS } from "../harvest/steps.js";
import type { BotContext } from "../shared/context.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { notify } from "../platform/telegram/notify.js";
import { isLevel, isPart, LEVELS, PARTS, type Part } from "./results.js";
import {
  answersOf,
  chooseNaming,
  consent,
  decline,
  openAssignment,
  ownAssignment,
  saveComment,
  saveLevel,
  submitAnswers,
  SOURCE_CODE_PREFIX,
} from "./service.js";

const OPEN = ["opened", "answering"];

/** The part texts of the statement, in the language it was written in. */
async function statementOf(ctx: BotContext, a: SubstantiationAssignment) {
  return ctx.deps.prisma.outcome.findUniqueOrThrow({ where: { id: a.outcomeId }, include: { organisation: true } });
}

const partText = (o: { description: string | null; significance: string | null; contribution: string | null }, part: Part) => o[part];

/** Shows whatever comes next for this source, from the stored rows. */
export async function continueAssignment(ctx: BotContext, a: SubstantiationAssignment) {
  const t = ctx.t;
  if (a.status === "submitted") return ctx.reply(t("source.already_sent", { id: a.outcomeId }));
  if (a.status === "declined") return ctx.reply(t("source.already_declined", { id: a.outcomeId }));
  if (!OPEN.includes(a.status)) return ctx.reply(t("source.link_used"));
  const o = await statementOf(ctx, a);
  if (!a.consentAt) {
    const inviter = a.createdById ? await ctx.deps.prisma.user.findUnique({ where: { id: a.createdById } }) : null;
    const languages: Button[] = LANGUAGES.filter((l) => l !== ctx.lang).map((l) => ({
      text: LANGUAGE_AUTONYMS[l],
      data: sourceLanguage.data({ assignment: a.id, lang: l }),
    }));
    return ctx.reply(t("source.request", { coordinator: inviter?.displayName ?? t("source.a_coordinator"), org: o.organisation.name }), {
      reply_markup: keyboard(
        [
          { text: t("source.agree"), data: sourceConsent.data({ assignment: a.id }) },
          { text: t("source.decline"), data: declineButton.data({ assignment: a.id }) },
          ...languages,
        ],
        1,
      ),
    });
  }
  if (a.anonymous === null) {
    return ctx.reply(t("source.naming"), {
      reply_markup: keyboard([
        { text: t("source.named"), data: sourceNaming.data({ assignment: a.id, named: true }) },
        { text: t("source.anonymous"), data: sourceNaming.data({ assignment: a.id, named: false }) },
      ]),
    });
  }
  const answers = await answersOf(ctx.deps.prisma, a.id);
  const i = answers.findIndex((x) => !x);
  if (i >= 0) return askPart(ctx, a, PARTS[i]!, o);
  return showSummary(ctx, a);
}

async function askPart(ctx: BotContext, a: SubstantiationAssignment, part: Part, o?: Awaited<ReturnType<typeof statementOf>>) {
  const statement = o ?? (await statementOf(ctx, a));
  const t = ctx.t;
  const n = PARTS.indexOf(part) + 1;
  const text = partText(statement, part);
  if (!text) {
    // The leader answered this part by voice: the source hears it.
    const voices = await ctx.deps.prisma.outcomeEvidence.findMany({ where: { outcomeId: statement.id, part, kind: "voice" } });
    for (const v of voices) await ctx.api.sendVoice(ctx.chat!.id, v.fileId).catch((e) => ctx.log.warn({ err: String(e) }, "voice part not re-sent"));
  }
  await ctx.reply(
    t("source.part", {
      n,
      total: PARTS.length,
      part: t(`source.parts.${part}`),
      text: text ?? t("source.no_text"),
    }),
    {
      reply_markup: keyboard(
        LEVELS.map((l) => ({ text: t(`source.levels.${l}`), data: sourceLevel.data({ assignment: a.id, part, level: l }) })),
        2,
      ),
    },
  );
}

async function showSummary(ctx: BotContext, a: SubstantiationAssignment) {
  const t = ctx.t;
  const answers = await answersOf(ctx.deps.prisma, a.id);
  const lines = PARTS.map((p, i) => {
    const x = answers[i]!;
    const comment = x.comment ? `\n<i>${escapeHtml(x.comment)}</i>` : x.commentFileId ? `\n🎤 <i>${t("source.voice_comment")}</i>` : "";
    return `<b>${t(`source.parts.${p}`)}</b>: ${t(`source.levels.${x.level}`)}${comment}`;
  });
  const naming = t(a.anonymous ? "source.you_are_anonymous" : "source.you_are_named");
  await ctx.reply(t("source.summary", { id: a.outcomeId, answers: lines.join("\n\n"), naming }), {
    reply_markup: keyboard([
      { text: t("source.send"), data: sendAnswers.data({ assignment: a.id }) },
      ...PARTS.map((p) => ({ text: t("source.change", { part: t(`source.parts.${p}`) }), data: changePart.data({ assignment: a.id, part: p }) })),
      { text: t("source.decline"), data: declineButton.data({ assignment: a.id }) },
    ]),
  });
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
  if (OPEN.includes(a.status)) return false;
  await ctx.answerCallbackQuery({ text: ctx.t("source.read_only"), show_alert: true });
  return true;
}

async function tellCoordinator(ctx: BotContext, a: SubstantiationAssignment, key: string, params: Record<string, unknown> = {}, withResults = false) {
  if (!a.createdById) return;
  const coordinator = await ctx.deps.prisma.user.findUnique({ where: { id: a.createdById } });
  if (!coordinator) return;
  // An anonymous source is never named, not even to the coordinator who invited them.
  const source = a.anonymous ? translator(isLang(coordinator.language) ? coordinator.language : "en")("source.anonymous_source") : a.label;
  // Answers sent: a button to the results of the statement's organisation (the press re-checks scope).
  const org = withResults
    ? (await ctx.deps.prisma.outcome.findUnique({ where: { id: a.outcomeId }, select: { organisationId: true } }))?.organisationId
    : undefined;
  await notify(
    ctx.deps.prisma,
    coordinator,
    key,
    { id: a.outcomeId, source, ...params },
    org ? (t) => keyboard([{ text: t("substantiation.results_button"), data: results.data({ org }) }]) : undefined,
  );
}

async function nextAfterComment(ctx: BotContext, a: SubstantiationAssignment) {
  await setPending(ctx, null);
  const fresh = (await ownAssignment(ctx.deps.prisma, a.id, a.userId!))!;
  await continueAssignment(ctx, fresh);
}

async function openAssignmentOf(ctx: BotContext, assignmentId: number) {
  const a = await ownAssignment(ctx.deps.prisma, assignmentId, ctx.user!.id);
  if (a && OPEN.includes(a.status)) return a;
  await setPending(ctx, null);
  await ctx.reply(ctx.t("source.read_only"));
  return undefined;
}

/** A source's comment on a part (typed or spoken), and their reason for declining. */
const sourceInputRoutes: InputRoutes = {
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

async function finishDecline(ctx: BotContext, a: SubstantiationAssignment, reason: string | undefined) {
  const done = await decline(ctx.deps.prisma, a, reason, now(ctx));
  if (!done) return ctx.reply(ctx.t("source.read_only"));
  ctx.log.info({ assignment_id: a.id, outcome_id: a.outcomeId }, "substantiation declined");
  await ctx.reply(ctx.t("source.declined"));
  await tellCoordinator(ctx, a, "substantiation.declined_notice", { reason: reason ?? "—" });
}

async function listAssignments(ctx: BotContext, assignments: SubstantiationAssignment[]) {
  const open = assignments.filter((a) => OPEN.includes(a.status));
  const lines = assignments.map((a) => ctx.t("source.list_line", { id: a.outcomeId, status: ctx.t(`source.states.${a.status}`) }));
  await ctx.reply(`${ctx.t("source.list_title")}\n${lines.join("\n")}`, {
    reply_markup: keyboard(open.map((a) => ({ text: ctx.t("source.continue", { id: a.outcomeId }), data: resumeAssignment.data({ assignment: a.id }) }))),
  });
}

export function sourceFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  // Opening a source link: /start s_<code>.
  c.command("start", async (ctx, next) => {
    const code = ctx.match.trim();
    if (!code.startsWith(SOURCE_CODE_PREFIX)) return next();
    ctx.user = await upsertUser(ctx.deps.prisma, ctx.from!);
    const user = ctx.user;
    if (!user.language) {
      const lang: Lang = ctx.from?.language_code?.toLowerCase().startsWith("km") ? "km" : (ctx.config.defaultLocale ?? "en");
      ctx.user = await ctx.deps.prisma.user.update({ where: { id: user.id }, data: { language: lang } });
      ctx.lang = lang;
      ctx.t = translator(lang);
    }
    const res = await openAssignment(ctx.deps.prisma, code, ctx.user!.id, now(ctx), ctx.isAdmin);
    if (res.status === "conflict") {
      ctx.log.info({ assignment_id: res.assignment.id, reason: res.reason }, "substantiation refused: conflict of interest");
      await ctx.reply(ctx.t(`source.conflict_${res.reason}`));
      if (res.assignment.createdById && res.reason !== "coordinator") {
        const coordinator = await ctx.deps.prisma.user.findUnique({ where: { id: res.assignment.createdById } });
        const o = await ctx.deps.prisma.outcome.findUniqueOrThrow({ where: { id: res.assignment.outcomeId }, include: { organisation: true } });
        if (coordinator) {
          await notify(ctx.deps.prisma, coordinator, `substantiation.conflict_${res.reason}`, {
            id: o.id,
            source: res.assignment.label,
            org: o.organisation.name,
          });
        }
      }
      return;
    }
    if (res.status !== "ok") {
      ctx.log.info({ status: res.status }, "source link refused");
      return ctx.reply(ctx.t(`source.link_${res.status}`));
    }
    ctx.log.info({ assignment_id: res.assignment.id }, "source link opened");
    const role = await menuRole(ctx.deps.prisma, ctx.user, ctx.isAdmin);
    await registerChatCommands(ctx.api, ctx.chat!.id, role, ctx.lang).catch((e) => ctx.log.warn({ err: String(e) }, "setMyCommands failed"));
    await continueAssignment(ctx, res.assignment);
  });

  c.use(typedInput(sourceInputRoutes));

  onButton(c, sourceLanguage, async (ctx, { assignment, lang }) => {
    const a = await mine(ctx, assignment);
    if (!a || !isLang(lang)) return;
    ctx.user = await ctx.deps.prisma.user.update({ where: { id: ctx.user!.id }, data: { language: lang } });
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
      const o = await statementOf(ctx, a);
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
    await ctx.reply(ctx.t("source.comment_prompt", { part: ctx.t(`source.parts.${part}`), level: ctx.t(`source.levels.${level}`) }), {
      reply_markup: keyboard([{ text: ctx.t("source.no_comment"), data: skipComment.data({ assignment: a.id, part }) }]),
    });
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
    await tellCoordinator(ctx, a, "substantiation.answered_notice", {}, true);
  });

  onButton(c, declineButton, async (ctx, { assignment }) => {
    const a = await mine(ctx, assignment);
    if (!a || (await closed(ctx, a))) return;
    await ctx.answerCallbackQuery();
    await setPending(ctx, { kind: "sub_decline", assignmentId: a.id });
    await ctx.reply(ctx.t("source.decline_reason"), {
      reply_markup: keyboard([{ text: ctx.t("source.decline_no_reason"), data: confirmDecline.data({ assignment: a.id }) }]),
    });
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

  // /checks: the statements this person was asked to check, with a button to continue each open one.
  c.command("checks", async (ctx) => {
    const assignments = ctx.user ? await ctx.deps.prisma.substantiationAssignment.findMany({ where: { userId: ctx.user.id }, orderBy: { id: "asc" } }) : [];
    if (assignments.length === 0) return ctx.reply(ctx.t("source.none"));
    await listAssignments(ctx, assignments);
  });

  // A substantiator who is not a member: /start or any message continues, or lists their requests.
  c.on("message", async (ctx, next) => {
    if (!ctx.user) return next();
    if (ctx.memberCount > 0 || ctx.isAdmin) return next();
    const text = ctx.message.text ?? "";
    if (text.startsWith("/") && !/^\/start(@\w+)?\s*$/.test(text)) return next(); // /help, /language, /start <code>, ...
    const assignments = await ctx.deps.prisma.substantiationAssignment.findMany({ where: { userId: ctx.user.id }, orderBy: { id: "asc" } });
    if (assignments.length === 0) return next();
    const open = assignments.filter((a) => OPEN.includes(a.status));
    if (open.length === 1) return continueAssignment(ctx, open[0]!);
    await listAssignments(ctx, assignments);
  });

  return c;
}
