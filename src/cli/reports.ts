/** npm run cli -- migrate | export */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isLang } from "../platform/i18n/index.js";
import { parsePeriod } from "../reporting/stats.js";
import { statementsCsv, workbookBuffer } from "../reporting/workbook.js";
import { type Command, findOrg, UsageError } from "./command.js";

export const migrateCommand: Command = {
  words: ["migrate"],
  usage: "",
  beforeMigrations: true,
  async run(db, _args, io) {
    const applied = await db.migrate();
    io.print(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date; nothing applied");
  },
};

export const exportCommand: Command = {
  words: ["export"],
  usage: "--out <file.xlsx|file.csv> [--org <id|name>] [--period 2024|2024-01..2024-06] [--lang en|km]",
  async run({ prisma }, args, io) {
    const { values } = parseArgs({
      args,
      options: { out: { type: "string" }, org: { type: "string" }, period: { type: "string", default: "all" }, lang: { type: "string", default: "en" } },
    });
    if (!values.out || !/\.(xlsx|csv)$/i.test(values.out)) throw new UsageError("export needs --out <file.xlsx> or --out <file.csv>");
    const period = parsePeriod(values.period!);
    if (!period) throw new UsageError("--period must be all, a year (2024), a month (2024-03) or a range (2024-01..2024-06)");
    if (!isLang(values.lang)) throw new UsageError("--lang must be en or km");
    const org = values.org ? await findOrg(prisma, values.org) : undefined;
    const q = { scope: { all: true as const }, organisationId: org?.id, period, lang: values.lang, timeZone: io.env.TZ || "Asia/Phnom_Penh" };
    const { buffer, statements } = values.out.toLowerCase().endsWith(".csv") ? await statementsCsv(prisma, q) : await workbookBuffer(prisma, q);
    writeFileSync(values.out, buffer);
    io.print(`wrote ${statements} statement(s) to ${values.out}`);
  },
};
