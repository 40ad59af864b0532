/** npm run cli -- import <file.xlsx|file.csv> [--yes]: a dry run first; --yes writes it. */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { applyImport, planImport } from "../import/service.js";
import { readTable, UnreadableFile } from "../import/read.js";
import { importReport } from "../import/views.js";
import { isLang, translator } from "../platform/i18n/index.js";
import { htmlToText } from "../platform/telegram/html.js";
import { type Command, UsageError } from "./command.js";

export const importCommand: Command = {
  words: ["import"],
  usage: "<file.xlsx|file.csv> [--yes] [--lang en|km]",
  async run({ prisma }, args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { yes: { type: "boolean", default: false }, lang: { type: "string", default: "en" } },
    });
    const file = positionals[0];
    if (!file) throw new UsageError("import needs a file: an XLSX workbook or a CSV file in the columns the export writes");
    if (!isLang(values.lang)) throw new UsageError("--lang must be en or km");
    const t = translator(values.lang);
    const name = basename(file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    let table: Awaited<ReturnType<typeof readTable>>;
    try {
      table = await readTable(bytes, name);
    } catch (e) {
      if (e instanceof UnreadableFile) throw new Error(htmlToText(t(`import.unreadable.${e.reason}`)));
      throw e;
    }
    // The command line is the programme's administrator: every organisation is in scope.
    const plan = await planImport(prisma, { table, scope: { all: true }, timeZone: io.env.TZ || "Asia/Phnom_Penh" });
    for (const section of importReport(t, name, plan)) io.print(htmlToText(section));
    if (plan.problems.length) throw new Error(htmlToText(t("import.problems", { count: plan.problems.length }).replace(/:$/, ".")));
    if (!values.yes) {
      io.print("Run it again with --yes to import.");
      return;
    }
    const done = await applyImport(prisma, plan, { actorId: null, fileName: name });
    io.print(htmlToText(t("import.done", { file: name, created: done.created, updated: done.updated })));
  },
};
