/**
 * Importing earlier harvests: the export's own columns read back (XLSX and CSV, English and
 * Khmer headers), a dry run that names every problem by line and column in the reader's
 * language, one all-or-nothing write, and references that make a second import update.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../src/cli/commands.js";
import { applyImport, planImport, type ImportPlan } from "../src/import/service.js";
import { readTable, UnreadableFile } from "../src/import/read.js";
import { importReport, problemLine } from "../src/import/views.js";
import { translator } from "../src/platform/i18n/index.js";
import { htmlToText } from "../src/platform/telegram/html.js";
import { statementsCsv, workbookBuffer } from "../src/reporting/workbook.js";
import { testDatabase, type TestDatabase } from "./support/db.js";
import { CONTRIBUTION, seedStatement } from "./support/statements.js";
import { acceptedStatement } from "./support/substantiation.js";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ORG_A = "Kampot Salt Workers Union";
const ORG_B = "Siem Reap Street Vendors";
const TZ = "Asia/Phnom_Penh";
const KHMER = "មន្ទីរការងារខេត្តកំពតបានចាប់ផ្តើមចុះឈ្មោះកម្មករអំបិល";
const LONG = `${"The provincial labour department now registers salt workers every season. ".repeat(22)}`.trim(); // over 1,500 characters

let source: TestDatabase;
let target: TestDatabase;
const all = { all: true as const };
const en = translator("en");
const km = translator("km");

async function organisations(db: TestDatabase) {
  for (const name of [ORG_A, ORG_B]) await db.prisma.organisation.upsert({ where: { name }, create: { name }, update: {} });
}

async function workbook(rows: Array<Array<string | number | Date | null>>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Sheet1");
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const plan = async (db: TestDatabase, bytes: Buffer, name: string, scope: Parameters<typeof planImport>[1]["scope"] = all) =>
  planImport(db.prisma, { table: await readTable(bytes, name), scope, timeZone: TZ });

/** The statements sheet of an export, keyed by header, one object per statement. */
async function exported(db: TestDatabase) {
  const { buffer } = await workbookBuffer(db.prisma, { scope: all, period: {}, lang: "en", timeZone: TZ });
  const table = await readTable(buffer, "export.xlsx");
  return table.rows.map((r) => Object.fromEntries(table.headers.map((h, i) => [h, r.cells[i]])));
}

beforeAll(async () => {
  [source, target] = await Promise.all([testDatabase(), testDatabase()]);
  await organisations(source);
  await source.prisma.user.create({ data: { telegramId: 6001n, displayName: "Sokha Chan" } });
  await acceptedStatement(source.prisma, {
    authorTelegramId: 6001,
    org: ORG_A,
    classes: { framework: ["SO", "R2"], social_actor: ["government", "workers"], significance: ["high"] },
  });
  await acceptedStatement(source.prisma, { authorTelegramId: 6001, org: ORG_B, description: KHMER, classes: { gender: ["leadership"] } });
  const long = await seedStatement(source.prisma, { authorTelegramId: 6001, org: ORG_A, description: "Waiting for review" });
  await source.prisma.outcome.update({ where: { id: long.id }, data: { contribution: LONG, description: '=HYPERLINK("http://evil.example","click")' } });
}, 120_000);
afterAll(async () => {
  await source?.close();
  await target?.close();
});

describe("an export imported into an empty database", () => {
  let first: ImportPlan;

  it("the dry run says what it would create, names the columns it does not take, and writes nothing", async () => {
    await organisations(target);
    const { buffer } = await workbookBuffer(source.prisma, { scope: all, period: {}, lang: "en", timeZone: TZ });
    first = await plan(target, buffer, "outcomes.xlsx");
    expect(first.problems).toEqual([]);
    expect([first.creates, first.updates]).toEqual([3, 0]);
    expect(first.ignored).toEqual([
      "No.",
      "Description: language",
      "Significance: language",
      "Contribution: language",
      "Submitted (Asia/Phnom_Penh)",
      "Outcome lead: still lacks",
      "Links",
      "Harvesting questions",
    ]);
    const report = importReport(en, "outcomes.xlsx", first).map(htmlToText);
    expect(report[0]).toBe("outcomes.xlsx: 3 statements: 3 new, 0 to update.");
    expect(report.at(-1)).toBe("Nothing is written yet.");
    expect(await target.prisma.outcome.count()).toBe(0);
  });

  it("reproduces the statements, their classification and their references; each has an 'imported' event", async () => {
    const done = await applyImport(target.prisma, first, { actorId: null, fileName: "outcomes.xlsx" });
    expect(done).toMatchObject({ created: 3, updated: 0 });
    const compared = [
      "Organisation",
      "Status",
      "Description",
      "Significance",
      "Contribution",
      "Date",
      "Place",
      "Social actor",
      "Type of actor",
      "People affected",
      "Women affected",
      "Expected",
      "Positive",
      "Reference",
      "Reported by",
    ];
    const dims = ["Contribution to the results framework", "Social actor type", "Significance (classification)", "Gender justice criteria"];
    const pick = (rows: Array<Record<string, unknown>>) => rows.map((r) => Object.fromEntries([...compared, ...dims].map((k) => [k, r[k]])));
    const before = await exported(source);
    const after = await exported(target);
    expect(pick(after)).toEqual(pick(before));
    expect(after[0]!["Social actor type"]).toBe("Workers' groups; Government (national or sub-national)");
    expect(after[2]!.Contribution).toBe(LONG); // over 1,500 characters, whole
    expect(after[2]!.Description).toBe('=HYPERLINK("http://evil.example","click")'); // a formula's text, kept as text
    expect(after.map((r) => r["Reported by"])).toEqual(["Sokha Chan", "Sokha Chan", "Sokha Chan"]);
    // Harvested when they were harvested, not on the day of loading.
    expect(after.map((r) => r["Harvested (Asia/Phnom_Penh)"])).toEqual(before.map((r) => r["Harvested (Asia/Phnom_Penh)"]));
    const imported = await target.prisma.outcome.findMany({ orderBy: { id: "asc" } });
    expect(imported.map((o) => [o.authorId, o.reportedBy, o.externalRef])).toEqual(before.map((r) => [null, "Sokha Chan", r.Reference]));
    expect(imported[1]!.language).toBe("km");
    const events = await target.prisma.outcomeEvent.findMany({ orderBy: { id: "asc" } });
    expect(events.map((e) => [e.type, e.newValue])).toEqual(imported.map(() => ["imported", "outcomes.xlsx"]));
  });

  it("importing the same file again updates instead of duplicating; so does the CSV of the new database", async () => {
    const { buffer } = await workbookBuffer(source.prisma, { scope: all, period: {}, lang: "en", timeZone: TZ });
    const again = await plan(target, buffer, "outcomes.xlsx");
    expect([again.creates, again.updates, again.problems.length]).toEqual([0, 3, 0]);
    await applyImport(target.prisma, again, { actorId: null, fileName: "outcomes.xlsx" });
    expect(await target.prisma.outcome.count()).toBe(3);

    const csv = await statementsCsv(target.prisma, { scope: all, period: {}, lang: "km", timeZone: TZ });
    const text = csv.buffer.toString("utf8");
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`); // opened in a spreadsheet, it is not run
    const fromCsv = await plan(target, csv.buffer, "outcomes.csv");
    expect([fromCsv.creates, fromCsv.updates, fromCsv.problems]).toEqual([0, 3, []]); // Khmer headers and words read back
    await applyImport(target.prisma, fromCsv, { actorId: null, fileName: "outcomes.csv" });
    const rows = await exported(target);
    expect(rows[2]!.Description).toBe('=HYPERLINK("http://evil.example","click")');
    expect(rows[0]!["Contribution to the results framework"]).toBe("Specific objective (SO); Result 2 (R2)");
    const events = await target.prisma.outcomeEvent.groupBy({ by: ["type"], _count: true, orderBy: { type: "asc" } });
    expect(events.map((e) => [e.type, e._count])).toEqual([
      ["import_updated", 6],
      ["imported", 3],
    ]);
  });
});

describe("a file with problems", () => {
  const header = [
    "Reference",
    "Organisation",
    "Status",
    "Descripton",
    "Date",
    "Social actor type",
    "Significance (classification)",
    "People affected",
    "Expected",
    "Harvested",
  ];
  const lines = [
    ["P-1", ORG_A, "Accepted", "A fine statement", "March 2024", "Government (national or sub-national)", "High", 300, "yes", "2024-04-02"],
    ["P-2", "Kampot Salt Worker Union", "Finished", "x".repeat(10_001), "Marhc 2024", "Aliens", "High; Low", "many", "perhaps", "2024-02-30"],
    ["P-1", ORG_A, "", "", "", "", "", "", "", ""],
  ];
  let problems: ImportPlan["problems"];

  it("names every problem by line and column, with the nearest known name, and imports nothing", async () => {
    const bytes = await workbook([header, ...lines]);
    const result = await plan(target, bytes, "past-harvest.xlsx");
    problems = result.problems;
    // The header first: a misspelt column stops the reading (nothing else can be trusted).
    expect(problems.map((p) => [p.line, p.column, p.code, p.params?.nearest ?? p.params?.column])).toEqual([
      [1, "Descripton", "unknown_column", "Description"],
      [1, undefined, "missing_column", "Description"],
    ]);
    expect(htmlToText(problemLine(en, problems[0]!))).toBe("Line 1, column «Descripton»: I do not know this column. The nearest known one is «Description».");
    expect(htmlToText(problemLine(km, problems[0]!))).toBe("ជួរទី ១ ជួរឈរ «Descripton»៖ ខ្ញុំមិនស្គាល់ជួរឈរនេះទេ។ ជួរឈរដែលស្គាល់ ហើយជិតបំផុតគឺ «Description»។");

    header[3] = "Description";
    const fixed = await workbook([header, ...lines]);
    const again = await plan(target, fixed, "past-harvest.xlsx");
    // In the order of the file: by line, then by column.
    expect(again.problems.map((p) => [p.line, p.column ?? "", p.code])).toEqual([
      [3, "Organisation", "unknown_organisation"],
      [3, "Status", "unknown_status"],
      [3, "Description", "too_long"],
      [3, "Date", "unreadable_date"],
      [3, "Social actor type", "unknown_option"],
      [3, "Significance (classification)", "one_option_only"],
      [3, "People affected", "unreadable_number"],
      [3, "Expected", "unreadable_yes_no"],
      [3, "Harvested", "unreadable_date"],
      [4, "Reference", "duplicate_reference"],
      [4, "Description", "required"],
    ]);
    const text = importReport(en, "past-harvest.xlsx", again).map(htmlToText).join("\n");
    expect(text).toContain("11 problems; nothing was imported.");
    expect(text).toContain(
      "Line 3, column «Organisation»: there is no organisation «Kampot Salt Worker Union» in the programme. Did you mean «Kampot Salt Workers Union»?",
    );
    expect(text).toContain("Line 3, column «Description»: this cell has 10001 characters; at most 10000 fit.");
    expect(text).toContain("Line 3, column «Date»: I cannot read the date «Marhc 2024».");
    expect(text).toContain("Line 3, column «Social actor type»: «Aliens» is not an option of Social actor type.");
    expect(text).toContain("Line 3, column «Significance (classification)»: Significance takes only one option per statement");
    expect(text).toContain("Line 4, column «Reference»: the reference «P-1» is already on line 2");
    await expect(applyImport(target.prisma, again, { actorId: null, fileName: "past-harvest.xlsx" })).rejects.toThrow();
    expect(await target.prisma.outcome.count({ where: { externalRef: { startsWith: "P-" } } })).toBe(0);
  });

  it("a missing column, and organisations outside a coordinator's scope", async () => {
    const noOrg = await plan(target, await workbook([["Description"], ["Something changed"]]), "x.xlsx");
    expect(noOrg.problems.map((p) => [p.code, p.params?.column])).toEqual([["missing_column", "Organisation"]]);
    const a = await target.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } });
    const rows = await workbook([
      ["Organisation", "Description"],
      [ORG_A, "In scope"],
      [ORG_B, "Outside"],
    ]);
    const scoped = await plan(target, rows, "x.xlsx", { all: false, orgIds: [a.id] });
    expect(scoped.problems.map((p) => [p.line, p.code, p.params?.value])).toEqual([[3, "outside_scope", ORG_B]]);
  });

  it("files that cannot be read get a clear reason in the reader's language", async () => {
    const reason = async (bytes: Buffer, name: string) => {
      try {
        await readTable(bytes, name);
        return "read";
      } catch (e) {
        return e instanceof UnreadableFile ? e.reason : String(e);
      }
    };
    expect(await reason(Buffer.from("%PDF-1.4"), "harvest.pdf")).toBe("type");
    expect(await reason(Buffer.from("not a workbook"), "harvest.xlsx")).toBe("corrupt");
    expect(await reason(Buffer.from("PK\u0003\u0004broken"), "harvest.xlsx")).toBe("corrupt");
    expect(await reason(Buffer.from(""), "harvest.csv")).toBe("empty");
    expect(await reason(Buffer.from('Organisation,Description\n"unclosed'), "harvest.csv")).toBe("corrupt");
    expect(htmlToText(km("import.unreadable.type"))).toContain("XLSX");
    expect(htmlToText(en("import.unreadable.corrupt"))).toBe("I cannot open this file: it may be damaged, or not really what its name says.");
  });
});

describe("the sample file in docs/", () => {
  it("imports as it is once its organisations exist", async () => {
    const sample = await plan(target, readFileSync(new URL("../docs/import-sample.csv", import.meta.url)), "import-sample.csv");
    expect(sample.problems).toEqual([]);
    expect([sample.creates, sample.updates]).toEqual([2, 0]);
    expect(sample.rows[1]!.optionIds).toHaveLength(4); // several results and several kinds of actor
  });
});

describe("the command line", () => {
  it("a dry run first; --yes writes; a file with problems exits 1 and writes nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oh-import-"));
    const good = join(dir, "earlier.csv");
    writeFileSync(
      good,
      `Reference,Organisation,Description,Contribution,Reported by,Harvested\nE-1,${ORG_B},"From 2023 the market committee publishes its fees",${JSON.stringify(CONTRIBUTION)},Ms Dara (interview),2023-11-20\n`,
    );
    const out: string[] = [];
    const err: string[] = [];
    const io = { print: (l: string) => void out.push(l), error: (l: string) => void err.push(l), env: { TZ } };
    expect(await runCommandLine(target, ["import", good], io)).toBe(0);
    expect(out).toEqual(["earlier.csv: 1 statement: 1 new, 0 to update.", "Nothing is written yet.", "Run it again with --yes to import."]);
    expect(await target.prisma.outcome.count({ where: { externalRef: "E-1" } })).toBe(0);
    out.length = 0;
    expect(await runCommandLine(target, ["import", good, "--yes"], io)).toBe(0);
    expect(out.at(-1)).toBe("Imported from earlier.csv: 1 new, 0 updated.");
    const row = await target.prisma.outcome.findUniqueOrThrow({ where: { externalRef: "E-1" } });
    expect(row).toMatchObject({ reportedBy: "Ms Dara (interview)", status: "accepted", authorId: null });
    expect(row.harvestedAt!.toISOString().slice(0, 10)).toBe("2023-11-20");

    const bad = join(dir, "bad.csv");
    writeFileSync(bad, `Organisation,Description,Place name\n${ORG_B},Something\n`);
    out.length = 0;
    expect(await runCommandLine(target, ["import", bad, "--yes"], io)).toBe(1);
    expect(out.join("\n")).toContain("Line 1, column «Place name»: I do not know this column. The nearest known one is «Place».");
    expect(err.at(-1)).toBe("1 problem; nothing was imported. Correct the file and import it again.");
    expect(await runCommandLine(target, ["import", join(dir, "notes.txt")], io)).toBe(1);
  });
});
