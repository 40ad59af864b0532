/**
 * /console in the chat: a coordinator gets a button that opens the console (a Mini App) when
 * PUBLIC_URL is set, and is told how to turn it on when it is not. The menu button of a
 * coordinator's chat opens it too (shared/menus.ts sets it with their commands).
 */
import { Composer, InlineKeyboard } from "grammy";
import { refuse, scopeOf } from "../shared/chat.js";
import type { BotContext } from "../shared/context.js";
import { consoleMenuButton, consoleUrl } from "../shared/menus.js";

export function consoleFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("console", async (ctx) => {
    if (!(await scopeOf(ctx))) return refuse(ctx, { command: "console" });
    const publicUrl = ctx.config.publicUrl;
    if (!publicUrl) return ctx.reply(ctx.t("console.not_enabled"));
    await ctx.reply(ctx.t("console.open"), { reply_markup: new InlineKeyboard().webApp(ctx.t("console.button"), consoleUrl(publicUrl)) });
    // A coordinator from before the console was turned on gets its menu button now.
    await ctx.api.setChatMenuButton({ chat_id: ctx.chat!.id, menu_button: consoleMenuButton(publicUrl, ctx.lang) });
  });
  return c;
}
