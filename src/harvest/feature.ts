import { createConversation } from "@grammyjs/conversations";
import { now } from "../shared/chat.js";
import { openDraftFor } from "./service.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { packMessages } from "../platform/telegram/split.js";
import { renderThread } from "../review/views.js";
import { progressMap, substantiationOf } from "../substantiation/service.js";
import { substantiationSection, substantiationTags } from "../substantiation/views.js";
import { myPage, myStatement, reminders } from "./callbacks.js";
import { myStatement as loadMyStatement, myStatements, setRemindersPaused } from "./service.js";
import { myPageView, myStatementButtons, remindersView, renderStatement } from "./views.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { afterSubmit, freshStatement, newForOrganisation, resumeDraft } from "./callbacks.js";
import { Composer } from "grammy";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { harvestOrganisations } from "../shared/access.js";
import { harvest } from "./conversation.js";
import { closeDraft, createDraft, latestDraft, loadOwn, loadOwnDraft, recordAfterSubmit } from "./service.js";
import { answeredParts } from "./views.js";
import { inHarvest } from "./active.js";

/**
 * Bump when the harvest conversation's code changes in a way that old replay logs no longer
 * fit. Old state is then dropped, and the person is taken back to their draft, which holds
 * every answer.
 */
export const HARVEST_STATE_VERSION = 4;

/** Opens the harvest conversation on one of the person's drafts. */
export async function enterHarvest(ctx: BotContext, outcomeId: number, opts: { alreadyOpen?: boolean } = {}) {
  if (!opts.alreadyOpen) ctx.user = await openDraftFor(ctx.deps.prisma, ctx.user!.id, outcomeId);
  await ctx.conversation.enter("harvest", { outcomeId });
}

async function startNew(ctx: BotContext, organisationId: number) {
  const draft = await createDraft(ctx.deps.sql!, { authorId: ctx.user!.id, organisationId, language: ctx.lang });
  ctx.log.info({ outcome_id: draft.id }, "harvest started");
  await ctx.reply(ctx.t("harvest.intro", { id: draft.id, org: draft.organisationName }));
  await enterHarvest(ctx, draft.id, { alreadyOpen: true }); // createDraft made it the open draft
}

/** A fresh statement: asks for the organisation when the person reports for several. */
async function chooseOrganisationAndStart(ctx: BotContext) {
  const orgs = await harvestOrganisations(ctx.deps.sql!, ctx.user!.id);
  if (orgs.length === 0) return ctx.reply(ctx.t("harvest.no_organisation"));
  if (orgs.length === 1) return startNew(ctx, orgs[0]!.id);
  await ctx.reply(ctx.t("harvest.pick_org"), { reply_markup: keyboard(orgs.map((o) => ({ text: o.name, data: newForOrganisation.data({ org: o.id }) }))) });
}

export function harvestFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  // /cancel works in every state, before the conversation can see it.
  c.command("cancel", async (ctx) => {
    const active = await inHarvest(ctx);
    await ctx.conversation.exitAll();
    const { prisma } = ctx.deps;
    const draftId = ctx.user?.activeOutcomeId;
    const draft = draftId ? await loadOwnDraft(ctx.deps.sql!, draftId, ctx.user!.id) : null;
    if (draftId) await closeDraft(prisma, draftId, ctx.user!.id, "save", now(ctx));
    if (draft) {
      const parts = answeredParts(draft).map((p) => ctx.t(`parts.${p}`));
      const key = draft.status === "returned" ? "harvest.cancelled_revision" : parts.length ? "harvest.cancelled_kept" : "harvest.cancelled_empty";
      return ctx.reply(ctx.t(key, { id: draft.id, parts: parts.join(", ") }));
    }
    await ctx.reply(ctx.t(active ? "harvest.cancelled" : "harvest.nothing_to_cancel"));
  });

  c.use(createConversation(harvest, { id: "harvest", parallel: false }));

  // Between answers no run is open (one run per answer, see conversation.ts): the person's next
  // message or harvest button enters one, as the answer to the question the draft's step records.
  // Commands get the conversation's answer too (it says what the command would do, and waits).
  const resume = async (ctx: BotContext, next: () => Promise<void>) => {
    const id = ctx.user?.activeOutcomeId;
    if (!id) return next();
    await ctx.conversation.enter("harvest", { outcomeId: id, answered: true });
  };
  c.on(["message", "edited_message"], resume);
  c.callbackQuery(/^h:/, resume);

  c.command("new", async (ctx) => {
    const draft = await latestDraft(ctx.deps.sql!, ctx.user!.id);
    if (!draft) return chooseOrganisationAndStart(ctx);
    const snippet = (draft.description ?? draft.actorName ?? "").slice(0, 40);
    await ctx.reply(ctx.t("harvest.resume_offer", { id: draft.id, snippet }), {
      reply_markup: keyboard([
        { text: ctx.t("harvest.resume_button", { id: draft.id }), data: resumeDraft.data({ id: draft.id }) },
        { text: ctx.t("harvest.fresh_button"), data: freshStatement.data({}) },
      ]),
    });
  });

  /** A /new choice: the button goes, and nothing starts while a statement is open. */
  const choosing = async (ctx: BotContext) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (!(await inHarvest(ctx))) return true;
    await ctx.reply(ctx.t("harvest.already_active"));
    return false;
  };
  onButton(c, freshStatement, async (ctx) => {
    if (await choosing(ctx)) await chooseOrganisationAndStart(ctx);
  });
  onButton(c, newForOrganisation, async (ctx, { org: id }) => {
    if (!(await choosing(ctx))) return;
    const orgs = await harvestOrganisations(ctx.deps.sql!, ctx.user!.id);
    if (!orgs.some((o) => o.id === id)) {
      ctx.log.warn({ organisation_id: id }, "refused: not a member of this organisation");
      return ctx.reply(ctx.t("errors.not_allowed"));
    }
    await startNew(ctx, id);
  });
  onButton(c, resumeDraft, async (ctx, { id }) => {
    if (!(await choosing(ctx))) return;
    const draft = await loadOwnDraft(ctx.deps.sql!, id, ctx.user!.id);
    if (!draft) return ctx.reply(ctx.t("harvest.draft_gone"));
    await ctx.reply(ctx.t("harvest.resuming", { id }));
    await enterHarvest(ctx, id);
  });

  // The question asked once after each submission: anything unexpected, or for the worse?
  onButton(c, afterSubmit, async (ctx, { id, answer }) => {
    const { prisma } = ctx.deps;
    const own = await loadOwn(prisma, id, ctx.user!.id);
    if (!own) {
      ctx.log.warn({ outcome_id: id }, "refused: not the author");
      return ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    }
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (!(await recordAfterSubmit(prisma, id, ctx.user!.id, answer))) return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    await ctx.answerCallbackQuery();
    if (answer === "yes") {
      await ctx.reply(ctx.t("harvest.after_yes_reply"));
      if (await inHarvest(ctx)) return;
      return chooseOrganisationAndStart(ctx);
    }
    await ctx.reply(ctx.t("harvest.after_no_reply"), {
      reply_markup: keyboard([{ text: ctx.t("harvest.another_button"), data: freshStatement.data({}) }]),
    });
  });

  c.use(myStatementsFeature());
  c.use(remindersFeature());

  // A harvest button of a draft that is no longer open (submitted, saved for later, discarded).
  c.callbackQuery(/^h:/, (ctx) => ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") }));

  return c;
}

/** /my: the person's own statements, paged; a draft can be opened again for editing. */
function myStatementsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  const showPage = async (ctx: BotContext, page: number, edit: boolean) => {
    const my = await myStatements(ctx.deps.prisma, ctx.user!.id, page);
    if (!my) return ctx.reply(ctx.t("my.empty"));
    const tags = substantiationTags(
      ctx.t,
      await progressMap(
        ctx.deps.prisma,
        my.rows.map((o) => o.id),
      ),
    );
    const view = myPageView(ctx.t, ctx.lang, ctx.config.timeZone, my, tags);
    const opts = { reply_markup: view.keyboard };
    if (edit) await ctx.editMessageText(view.text, opts).catch(() => ctx.reply(view.text, opts));
    else await ctx.reply(view.text, opts);
  };
  c.command("my", (ctx) => showPage(ctx, 0, false));
  onButton(c, myPage, async (ctx, { page }) => {
    await ctx.answerCallbackQuery();
    await showPage(ctx, page, true);
  });
  onButton(c, myStatement, async (ctx, { id }) => {
    // Callback data is not trusted: the statement must be the person's own.
    const mine = await loadMyStatement(ctx.deps.prisma, ctx.user!.id, id);
    if (!mine) {
      ctx.log.warn({ outcome_id: id, user_id: ctx.user!.id }, "refused: statement of someone else");
      return ctx.answerCallbackQuery({ text: ctx.t("my.not_yours"), show_alert: true });
    }
    await ctx.answerCallbackQuery();
    const { statement: d, thread } = mine;
    const sections = renderStatement(d, ctx.t, ctx.lang);
    const rendered = renderThread(thread, ctx.t, ctx.config.timeZone, ctx.lang);
    if (rendered) sections.push(rendered);
    const substantiation = substantiationSection(ctx.t, await substantiationOf(ctx.deps.prisma, d.id, true));
    if (substantiation) sections.push(substantiation);
    const open = thread.filter((m) => m.kind === "question" && !m.answeredAt).map((m) => m.id);
    const messages = packMessages(sections);
    for (const [i, m] of messages.entries()) {
      await ctx.reply(m, { reply_markup: i === messages.length - 1 ? myStatementButtons(ctx.t, d, open) : undefined });
    }
    if (d.status !== "draft" && d.status !== "returned" && open.length === 0) {
      await ctx.reply(ctx.t("my.read_only", { status: escapeHtml(ctx.t(`status.${d.status}`)) }));
    }
  });
  return c;
}

/** /reminders: a leader pauses or resumes harvest round reminders. */
function remindersFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("reminders", async (ctx) => {
    const view = remindersView(ctx.t, ctx.user!.remindersPaused);
    await ctx.reply(view.text, { reply_markup: view.keyboard });
  });
  onButton(c, reminders, async (ctx, { on }) => {
    ctx.user = await setRemindersPaused(ctx.deps.prisma, ctx.user!.id, !on);
    await ctx.answerCallbackQuery({ text: ctx.t(on ? "rounds.resumed" : "rounds.paused") });
    await ctx.editMessageReplyMarkup().catch(() => {});
  });
  return c;
}
