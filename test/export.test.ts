import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { addDimension } from "../src/classification/service.js";
import { LANGUAGES } from "../src/platform/i18n/index.js";
import { statementsCsv, workbookBuffer } from "../src/reporting/workbook.js";
import { parsePeriod } from "../src/reporting/stats.js";
import { useHarness } from "./support/harness.js";
import { SIGNIFICANCE, seedStatement } from "./support/statements.js";
import { acceptedStatement, answerPart, choose, openAndAgree, sourceLink } from "./support/substantiation.js";

const h = useHarness();
const ORG = "Preah Vihear Indigenous Youth Network";
const KHMER = "មន្ទីរការងារខេត្តព្រះវិហារបានចាប់ផ្តើមចុះឈ្មោះកម្មករក្រៅប្រព័ន្ធ «ថ្មី» & <ល្អ>";

async function readBack(buffer: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as never);
  const sheet = (name: string) => {
    const ws = wb.getWorksheet(name)!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return rows;
  };
  return { names: wb.worksheets.map((w) => w.name), sheet };
}

describe("exports", () => {
  it("the workbook holds every statement with its classification, the answers (anonymity kept), the results and the log", async () => {
    await h.member(8001, ORG);
    const coord = await h.member(8101, ORG, "en", "coordinator");
    const a = await acceptedStatement(h.db.prisma, { authorTelegramId: 8001, org: ORG, classes: { framework: ["SO", "R2"], significance: ["high"] } });
    const b = await acceptedStatement(h.db.prisma, { authorTelegramId: 8001, org: ORG, description: KHMER });
    const submitted = await seedStatement(h.db.prisma, { authorTelegramId: 8001, org: ORG, description: "Waiting for review" });
    await seedStatement(h.db.prisma, { authorTelegramId: 8001, org: ORG, status: "draft", description: "A draft, not exported" });
    await choose(h.db.prisma, [a.id]);
    // One named and one anonymous source answer.
    for (const [id, label, anonymous] of [
      [8501, "Mr Named Source", false],
      [8502, "Ms Hidden Name", true],
    ] as const) {
      const code = await sourceLink(coord, a.id, label);
      const u = h.user(id);
      let part = await openAndAgree(u, code, anonymous);
      part = await answerPart(u, part, "Fully agree", anonymous ? "ខ្ញុំដឹងរឿងនេះ" : undefined);
      part = await answerPart(u, part, "Fully agree");
      const summary = await answerPart(u, part, anonymous ? "Partially agree" : "Fully agree");
      u.press("✅ Send my answers", summary);
      await u.expect("are sent");
    }

    // Through the bot: /export, then the XLSX button; the document comes back.
    coord.text("/export");
    const offer = await coord.expect("<b>Export</b>");
    coord.press("📗 XLSX workbook, all organisations", offer);
    const doc = await coord.expect("3 statement(s).");
    expect(doc.method).toBe("sendDocument");
    const file = doc.payload.document as { name: string; bytes: Buffer };
    expect(file.name).toMatch(/^outcomes-all-\d{4}-\d{2}-\d{2}\.xlsx$/);

    const { names, sheet } = await readBack(file.bytes);
    expect(names).toEqual([
      "Outcome statements",
      "Classification (long)",
      "Classification (0-1)",
      "Substantiation answers",
      "Substantiation results",
      "Chart data",
      "By harvesting question",
      "Event log",
    ]);
    const statements = sheet("Outcome statements");
    const header = statements[0] as string[];
    expect(header.slice(0, 4)).toEqual(["No.", "Organisation", "Status", "Description"]);
    expect(header).toContain("Contribution to the results framework");
    expect(statements.slice(1).map((r) => r[0])).toEqual([a.id, b.id, submitted.id]);
    const rowA = statements[1]!;
    expect(rowA[header.indexOf("Contribution to the results framework")]).toBe("Specific objective (SO); Result 2 (R2)");
    // The statement's "why it matters" and the classification's significance are told apart by header.
    expect(rowA[header.indexOf("Significance (classification)")]).toBe("High");
    expect(rowA[header.indexOf("Significance")]).toBe(SIGNIFICANCE);
    expect(rowA[header.indexOf("Date")]).toBe("March 2024");
    expect(rowA[header.indexOf("People affected")]).toBe(300);
    expect(statements[2]![3]).toBe(KHMER); // Khmer text survives the round trip
    // Each part's language in a column of its own, told by its script.
    expect(statements[2]![header.indexOf("Description: language")]).toBe("ខ្មែរ");
    expect(rowA[header.indexOf("Description: language")]).toBe("English");
    expect(rowA[header.indexOf("Contribution: language")]).toBe("English");
    expect(statements[3]![2]).toBe("Submitted");

    const answers = sheet("Substantiation answers");
    expect(answers.length).toBe(1 + 6);
    expect(answers.slice(1).map((r) => r[1])).toEqual([...Array(3).fill("Mr Named Source"), ...Array(3).fill("Anonymous source")]);
    expect(answers.some((r) => r[4] === "ខ្ញុំដឹងរឿងនេះ")).toBe(true);
    const results = sheet("Substantiation results");
    expect(results[1]).toEqual([a.id, 2, 5, 1, 0, 0]);
    expect(String(results[2]![0])).toContain("Of 2 sources, 50% fully agreed, 50% partially agreed");
    // The classification for analysis: a row per statement and option, and a 0/1 column per option.
    const long = sheet("Classification (long)");
    expect(long[0]).toEqual(["No.", "Dimension", "Option"]);
    expect(long.slice(1).filter((r) => r[0] === a.id)).toEqual([
      [a.id, "Contribution to the results framework", "Specific objective (SO)"],
      [a.id, "Contribution to the results framework", "Result 2 (R2)"],
      [a.id, "Significance", "High"],
    ]);
    expect(long.slice(1).some((r) => r[0] === b.id)).toBe(false);
    const flags = sheet("Classification (0-1)");
    const flagHeader = flags[0] as string[];
    const flagRow = (id: number) => flags.find((r) => r[0] === id)!;
    expect(flagRow(a.id)[flagHeader.indexOf("Contribution to the results framework: Result 2 (R2)")]).toBe(1);
    expect(flagRow(a.id)[flagHeader.indexOf("Contribution to the results framework: Result 1 (R1)")]).toBe(0);
    expect(
      flagRow(b.id)
        .slice(1)
        .every((x) => x === 0),
    ).toBe(true);
    expect(flags.length).toBe(1 + 3);
    // Each chart's bars as drawn: count, what it is a share of, percentage (accepted statements).
    const chartRows = sheet("Chart data");
    expect(chartRows[0]).toEqual(["Chart", "Option", "Statements", "Of (classified in the dimension)", "Percent"]);
    expect(chartRows).toContainEqual(["Contribution to the results framework", "Result 2 (R2)", 1, 1, 100]);
    expect(chartRows).toContainEqual(["Significance", "High", 1, 1, 100]);
    expect(chartRows).toContainEqual(["Contribution to the results framework", "Result 1 (R1)", 0, 1, 0]);
    // The event log in the words of /history, with the code in a column of its own; times local.
    const events = sheet("Event log");
    expect(events[0]).toEqual(["Outcome", "Time (Asia/Phnom_Penh)", "Who", "What happened", "Field", "Old value", "New value", "Event code"]);
    const answered = events.find((r) => r[7] === "source_answered")!;
    expect(answered[3]).toMatch(/^a source sent their answers \(source \d+\)$/);
    for (const row of events.slice(1)) expect(row.slice(0, 7).join(" ")).not.toMatch(/\b(source_|field_set|status_changed|needs_clarification|created)\b/);
    expect(header).toContain("Submitted (Asia/Phnom_Penh)");
    const submittedAt = (await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: a.id } })).submittedAt!;
    const local = new Date(submittedAt.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
    expect(rowA[header.indexOf("Submitted (Asia/Phnom_Penh)")]).toBe(local);
    expect(JSON.stringify([statements, answers, results, events])).not.toContain("Hidden");
  });

  it("headers follow the language; a period filters; CSV keeps Khmer with a byte-order mark", async () => {
    const q = { scope: { all: true as const }, period: {}, lang: "km" as const, timeZone: "Asia/Phnom_Penh" };
    const { buffer } = await workbookBuffer(h.db.prisma, q);
    const { names, sheet } = await readBack(buffer);
    expect(names[0]).toBe("របាយការណ៍លទ្ធផល");
    expect((sheet("របាយការណ៍លទ្ធផល")[0] as string[]).slice(0, 3)).toEqual(["លេខ", "អង្គការ", "ស្ថានភាព"]);
    // The Khmer event log: Khmer words, no codes but in the code column.
    const kmEvents = sheet(names.at(-1)!);
    const opened = kmEvents.find((r) => r[7] === "source_opened")!;
    expect(opened[3]).toContain("ប្រភពមួយបានបើកតំណរបស់ខ្លួន");
    expect(opened.slice(0, 7).join(" ")).not.toMatch(/[a-z]{3,}/);

    const none = await workbookBuffer(h.db.prisma, { ...q, period: parsePeriod("2019")! });
    expect(none.statements).toBe(0);

    const csv = await statementsCsv(h.db.prisma, { ...q, lang: "en" });
    const text = csv.buffer.toString("utf8");
    expect(text.startsWith("\uFEFFNo.,Organisation,Status,Description")).toBe(true);
    expect(text).toContain(`,${KHMER},`);
    expect(text.split("\r\n").filter(Boolean)).toHaveLength(1 + csv.statements);
  });

  it("a coordinator of another organisation cannot export these statements", async () => {
    const other = await h.member(8201, "Another Organisation", "en", "coordinator");
    const org = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    const id = other.pressData(`ex:${org.id}:all:x`);
    expect((await other.callbackAnswer(id)).text).toBe("You are not allowed to do that.");
    other.text("/export");
    const offer = await other.expect("<b>Export</b>");
    other.press("📄 CSV of the statements, all organisations", offer);
    const doc = await other.expect("0 statement(s).");
    expect((doc.payload.document as { bytes: Buffer }).bytes.toString("utf8")).not.toContain("Preah Vihear");
    const leader = h.user(8001);
    leader.text("/export");
    await leader.expect("You are not allowed to do that.");
  });

  it("every sheet's headers are unique in every language, also with dimensions named like a column or like each other", async () => {
    await addDimension(h.db.prisma, { key: "place_kind", labels: { en: "Place", km: "ទីកន្លែង" }, multiple: false });
    await addDimension(h.db.prisma, { key: "region", labels: { en: "Region", km: "តំបន់" }, multiple: false });
    await addDimension(h.db.prisma, { key: "region_2", labels: { en: "Region", km: "តំបន់" }, multiple: false });
    for (const lang of LANGUAGES) {
      const q = { scope: { all: true as const }, period: {}, lang, timeZone: "Asia/Phnom_Penh" };
      const { buffer } = await workbookBuffer(h.db.prisma, q);
      const { names, sheet } = await readBack(buffer);
      for (const name of names) {
        const header = (sheet(name)[0] as string[]).map(String);
        expect(new Set(header).size, `${lang}: ${name}: ${header.join(" | ")}`).toBe(header.length);
      }
      const header = sheet(names[0]!)[0] as string[];
      const place = lang === "en" ? "Place" : "ទីកន្លែង";
      const region = lang === "en" ? "Region" : "តំបន់";
      expect(header).toContain(lang === "en" ? "Place (classification)" : "ទីកន្លែង (ការចាត់ថ្នាក់)");
      expect(header.filter((x) => x === place)).toHaveLength(1);
      expect(header).toEqual(expect.arrayContaining([region, `${region} (2)`]));
      const csv = (await statementsCsv(h.db.prisma, q)).buffer
        .toString("utf8")
        .replace(/^\uFEFF/, "")
        .split("\r\n")[0]!;
      expect(csv.split(",")).toEqual(header.map((x) => (x.includes(",") ? `"${x}"` : x)));
    }
  });
});
