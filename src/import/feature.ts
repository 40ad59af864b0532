/**
 * /import in the chat: a coordinator sends an XLSX or CSV file in the export's columns; the
 * background reader (import/reader.ts) sends the dry run's report; "Import" writes it, checked
 * again with the coordinator's scope, in one transaction.
 */
import { Composer } from "grammy";
import { onButton } from "../platform/telegram/callbacks.js";
import { packMessages } from "../platform/telegram/split.js";
import { refuse, scopeOf } from "../shared/chat.js";
import type { BotContext } from "../shared/context.js";
import { setPending } from "../shared/pending.js";
import type { InputRoutes } from "../shared/typed-input.js";
import { cancelImport, confirmImport } from "./callbacks.js";
import { MAX_FILE_BYTES } from "./read.js";
import { cancelJob, confirmJob, requestImport } from "./service.js";
import { importReport } from "./views.js";

export function importFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("import", async (ctx) => {
    if (!(await scopeOf(ctx))) return refuse(ctx, { command: "import" });
    await setPending(ctx, { kind: "import" });
    await ctx.reply(ctx.t("import.prompt"));
  });

  onButton(c, confirmImport, async (ctx, { job }) => {
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { import_job: job });
    const res = await confirmJob(ctx.deps.prisma, { jobId: job, userId: ctx.user!.id, scope, timeZone: ctx.config.timeZone });
    if (res.status === "not_found") return refuse(ctx, { import_job: job });
    if (res.status === "not_waiting") return ctx.answerCallbackQuery({ text: ctx.t("import.not_waiting") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (res.status === "changed") {
      for (const m of packMessages([ctx.t("import.changed"), ...importReport(ctx.t, res.fileName, res.plan)])) await ctx.reply(m);
      return;
    }
    ctx.log.info({ import_job: job, created: res.created, updated: res.updated }, "import written");
    await ctx.reply(ctx.t("import.done", { file: res.fileName, created: res.created, updated: res.updated }));
  });

  onButton(c, cancelImport, async (ctx, { job }) => {
    const res = await cancelJob(ctx.deps.prisma, { jobId: job, userId: ctx.user!.id });
    if (res === "not_found") return refuse(ctx, { import_job: job });
    if (res === "not_waiting") return ctx.answerCallbackQuery({ text: ctx.t("import.not_waiting") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await ctx.reply(ctx.t("import.cancelled"));
  });

  return c;
}

/** The file after /import: a document is recorded for the background reader; anything else is explained. */
export const importInputRoutes: InputRoutes = {
  import: {
    limit: 200,
    files: true,
    async handle(ctx) {
      const document = ctx.message?.document;
      if (!document) return ctx.reply(ctx.t("import.send_file"));
      const fileName = document.file_name ?? "file";
      if ((document.file_size ?? 0) > MAX_FILE_BYTES) return ctx.reply(ctx.t("import.unreadable.too_large"));
      if (!/\.(xlsx|csv)$/i.test(fileName)) return ctx.reply(ctx.t("import.unreadable.type"));
      await setPending(ctx, null);
      const job = await requestImport(ctx.deps.prisma, {
        userId: ctx.user!.id,
        chatId: ctx.chat!.id,
        lang: ctx.lang,
        admin: ctx.isAdmin,
        fileId: document.file_id,
        fileName,
      });
      if (!job) return refuse(ctx, { command: "import" });
      await ctx.reply(ctx.t("import.reading", { file: fileName }));
    },
  },
};
