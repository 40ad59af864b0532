/** /export: the workbook (or the statements as CSV) for a scope and period, sent as a document. */
import { onButton } from "../platform/telegram/callbacks.js";
import { exportFile } from "./callbacks.js";
import { Composer, InputFile } from "grammy";
import { now, refuse, scopeOf } from "../shared/chat.js";
import { inScope, organisationsIn } from "../shared/access.js";
import { parsePeriod, periodLabel, periodToken, type Period } from "./stats.js";
import type { BotContext } from "../shared/context.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { statementsCsv, workbookBuffer } from "./workbook.js";
import { formatDay } from "../platform/i18n/format.js";

async function offer(ctx: BotContext, period: Period) {
  const scope = await scopeOf(ctx);
  if (!scope) return refuse(ctx, { command: "export" });
  const token = periodToken(period);
  const orgs = await organisationsIn(ctx.deps.prisma, scope);
  const buttons: Button[] = [
    { text: ctx.t("export.xlsx_all"), data: exportFile.data({ org: 0, period: token, format: "x" }) },
    { text: ctx.t("export.csv_all"), data: exportFile.data({ org: 0, period: token, format: "c" }) },
  ];
  if (orgs.length > 1) buttons.push(...orgs.map((o) => ({ text: `📗 ${o.name}`, data: exportFile.data({ org: o.id, period: token, format: "x" }) })));
  await ctx.reply(ctx.t("export.title", { period: periodLabel(ctx.t, period) }), { reply_markup: keyboard(buttons) });
}

export function exportFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("export", async (ctx) => {
    const period = parsePeriod(ctx.match);
    if (!period) return ctx.reply(ctx.t("export.usage"));
    await offer(ctx, period);
  });

  onButton(c, exportFile, async (ctx, { org, period: token, format }) => {
    const period = parsePeriod(token);
    const scope = await scopeOf(ctx);
    if (!scope || !period || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org, command: "export" });
    await ctx.answerCallbackQuery({ text: ctx.t("export.preparing") });
    const q = { scope, organisationId: org || undefined, period, lang: ctx.lang, timeZone: ctx.config.timeZone };
    const csv = format === "c";
    const started = Date.now();
    const { buffer, statements } = csv ? await statementsCsv(ctx.deps.prisma, q) : await workbookBuffer(ctx.deps.prisma, q);
    const stamp = formatDay(now(ctx), "en", ctx.config.timeZone);
    const name = `outcomes-${periodToken(period).replace("..", "_")}-${stamp}.${csv ? "csv" : "xlsx"}`;
    ctx.log.info({ statements, bytes: buffer.length, ms: Date.now() - started, format: csv ? "csv" : "xlsx" }, "export");
    await ctx.replyWithDocument(new InputFile(buffer, name), { caption: ctx.t("export.caption", { n: statements }) });
  });

  return c;
}
