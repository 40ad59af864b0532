/** The framework's own limit: a bare grammY bot that echoes text, run the same way as ours (runner). */
import { run } from "@grammyjs/runner";
import { Bot } from "grammy";

const bot = new Bot(process.env.BOT_TOKEN!, { client: { apiRoot: process.env.TELEGRAM_API_ROOT! } });
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
await bot.init();
const runner = run(bot, { runner: { fetch: { timeout: 25 }, silent: true } });
console.log(JSON.stringify({ msg: "bot started (echo)" }));
process.once("SIGTERM", () => void runner.stop().then(() => process.exit(0)));
