/** /privacy in the chat: the person's stored data, and deleting it (leaders). */
import { now } from "../shared/chat.js";
import { Composer } from "grammy";
import { onButton } from "../platform/telegram/callbacks.js";
import type { BotContext } from "../shared/context.js";
import { askDelete, confirmDelete, keepData } from "./callbacks.js";
import { deletePersonalData, mayDeletePersonalData, personalData } from "./service.js";
import { confirmDeletion, nothingStored, personalDataView } from "./views.js";

const mayDelete = (ctx: BotContext) => mayDeletePersonalData(ctx.deps.prisma, ctx.user, ctx.isAdmin);

export function privacyFeature() {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  pm.command("privacy", async (ctx) => {
    if (!ctx.user) return ctx.reply(nothingStored(ctx.t, ctx.from.id).text);
    const view = personalDataView(ctx.t, ctx.lang, ctx.config.timeZone, await personalData(ctx.deps.prisma, ctx.user), await mayDelete(ctx));
    await ctx.reply(view.text, { reply_markup: view.keyboard });
  });

  onButton(pm, askDelete, async (ctx) => {
    if (!(await mayDelete(ctx))) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    const view = confirmDeletion(ctx.t);
    await ctx.reply(view.text, { reply_markup: view.keyboard });
  });

  onButton(pm, keepData, async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await ctx.reply(ctx.t("privacy.kept"));
  });

  onButton(pm, confirmDelete, async (ctx) => {
    // Checked again at the press (and once more inside the deletion): the button may be old, or pressed twice.
    if (!(await mayDelete(ctx))) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    const done = await deletePersonalData(ctx.deps.prisma, ctx.user!, now(ctx), ctx.isAdmin);
    if (!done) return;
    ctx.log.info({ user_id: ctx.user!.id, statements_kept: done.kept, coordinators_told: done.told }, "personal data deleted on request");
    await ctx.api.setMyCommands([], { scope: { type: "chat", chat_id: ctx.chat!.id } }).catch(() => {});
    await ctx.reply(ctx.t("privacy.deleted", { count: done.kept }));
  });

  return composer;
}
