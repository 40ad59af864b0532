/**
 * A real programme's evaluation, re-created through the importer: 32 statements from 5
 * organisations (one joint, one over 1,500 characters, several kinds of actor each), 7 of them
 * substantiated by 12 sources (2 interviewed by phone and recorded by a coordinator). /stats'
 * numbers, the charts' data, the results table and headline are checked against numbers worked
 * out by hand below; the export, imported into an empty database, gives the same numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyImport, planImport } from "../src/import/service.js";
import { readTable } from "../src/import/read.js";
import { translator } from "../src/platform/i18n/index.js";
import { chartData } from "../src/reporting/charts.js";
import { classificationStats } from "../src/reporting/stats.js";
import { csvCell, workbookBuffer } from "../src/reporting/workbook.js";
import { headlineParams, perOutcome, perSource } from "../src/substantiation/results.js";
import { collectResults, recordOfflineAnswers } from "../src/substantiation/service.js";
import { testDatabase, type TestDatabase } from "./support/db.js";
import { choose } from "./support/substantiation.js";
import { exportedSheet } from "./support/workbook.js";

const TZ = "Asia/Phnom_Penh";
const ORGS = ["Takeo Garment Workers", "Kampot Salt Workers", "Siem Reap Vendors", "Battambang Drivers", "Kratie Fishers"];
const N = 32;
const LONG = "The provincial department now registers seasonal salt workers each season and sends inspectors to the pans. ".repeat(15).trim();

/** Statement i (1..32): organisation i mod 5; #1 is joint with the second organisation and long. */
function row(i: number): string[] {
  const framework = [i % 3 === 0 ? "Result 1 (R1)" : "Result 2 (R2)", ...(i % 4 === 0 ? ["Specific objective (SO)"] : [])];
  const actors = ["Government (national or sub-national)", ...(i % 2 === 0 ? ["Workers' groups"] : [])];
  return [
    `EV-${i}`,
    ORGS[(i - 1) % 5]!,
    i === 1 ? ORGS[1]! : "",
    "Accepted",
    i === 1 ? LONG : `Change number ${i}: the district office began doing something specific and new in 2023`,
    "March 2023",
    "Kampot province",
    "District office",
    framework.join("; "),
    actors.join("; "),
    i <= 24 ? "Expected" : "Unexpected",
    i % 5 === 0 ? "New roles or stronger leadership" : "",
    "2023-11-20",
  ];
}
const HEADER = [
  "Reference",
  "Organisation",
  "Contributing organisations",
  "Status",
  "Description",
  "Date",
  "Place",
  "Social actor",
  "Contribution to the results framework",
  "Social actor type",
  "Expected or unexpected",
  "Gender justice criteria",
  "Harvested",
];
const file = () => Buffer.from(`${[HEADER, ...Array.from({ length: N }, (_, k) => row(k + 1))].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`);

let db: TestDatabase;
let empty: TestDatabase;
let coordinatorId: number;

async function organisations(d: TestDatabase) {
  for (const name of ORGS) await d.prisma.organisation.create({ data: { name } });
}

beforeAll(async () => {
  [db, empty] = await Promise.all([testDatabase(), testDatabase()]);
  await organisations(db);
  await organisations(empty);
  coordinatorId = (await db.prisma.user.create({ data: { telegramId: 7001n, displayName: "Programme coordinator" } })).id;
}, 120_000);
afterAll(async () => {
  await db?.close();
  await empty?.close();
});

/** /stats' numbers: per dimension, "label: count of base (percent)", and the totals. */
async function numbers(d: TestDatabase, organisation?: string) {
  const orgId = organisation ? (await d.prisma.organisation.findUniqueOrThrow({ where: { name: organisation } })).id : undefined;
  const charts = await chartData(d.prisma, { all: true }, {}, "en", orgId);
  const stats = await classificationStats(d.prisma, { all: true }, {}, orgId);
  const bars = Object.fromEntries(
    charts.map((c) => [c.key, Object.fromEntries(c.bars.filter((b) => b.count).map((b) => [b.label, `${b.count}/${b.base} ${b.percent}%`]))]),
  );
  return { total: stats.total, leads: stats.leads, bars };
}

describe("a programme's evaluation, imported", () => {
  it("is imported in one go: 32 statements, 5 organisations, one joint", async () => {
    const plan = await planImport(db.prisma, { table: await readTable(file(), "evaluation.csv"), scope: { all: true }, timeZone: TZ });
    expect(plan.problems).toEqual([]);
    expect([plan.creates, plan.updates]).toEqual([32, 0]);
    await applyImport(db.prisma, plan, { actorId: coordinatorId, fileName: "evaluation.csv" });
    expect(await db.prisma.outcome.count()).toBe(32);
    expect((await db.prisma.outcome.findUniqueOrThrow({ where: { externalRef: "EV-1" } })).description).toHaveLength(LONG.length);
    expect(LONG.length).toBeGreaterThan(1500);
  });

  it("gives the numbers worked out by hand", async () => {
    const all = await numbers(db);
    expect(all.total).toBe(32);
    // Results framework: R1 for multiples of 3 (10), R2 otherwise (22), SO also for multiples of 4 (8); all 32 classified.
    expect(all.bars.framework).toEqual({ "Specific objective (SO)": "8/32 25%", "Result 1 (R1)": "10/32 31%", "Result 2 (R2)": "22/32 69%" });
    // Several kinds of actor: government in every statement, workers' groups in the 16 even ones.
    expect(all.bars.social_actor).toEqual({ "Workers' groups": "16/32 50%", "Government (national or sub-national)": "32/32 100%" });
    // Expected for 1..24, unexpected for 25..32.
    expect(all.bars.nature).toEqual({ Expected: "24/32 75%", Unexpected: "8/32 25%" });
    // Gender: only the 6 multiples of 5 meet a criterion; the base is those 6, not 32.
    expect(all.bars.gender).toEqual({ "New roles or stronger leadership": "6/6 100%" });
    // Per organisation the joint statement counts for both; the programme counts it once.
    const perOrg = await Promise.all(ORGS.map(async (o) => (await numbers(db, o)).total));
    expect(perOrg).toEqual([7, 8, 6, 6, 6]);
    expect(perOrg.reduce((a, b) => a + b, 0)).toBe(33);
    // The export's chart data says the same.
    const sheet = await exportedSheet(db.prisma, "Chart data");
    expect(sheet).toContainEqual(["Contribution to the results framework", "Result 2 (R2)", 22, 32, 69]);
    expect(sheet).toContainEqual(["Social actor type", "Workers' groups", 16, 32, 50]);
    expect(sheet).toContainEqual(["Gender justice criteria", "New roles or stronger leadership", 6, 6, 100]);
  });

  it("7 statements substantiated by 12 sources, 2 of them recorded offline: the results table and headline", async () => {
    const ids = (await db.prisma.outcome.findMany({ where: { externalRef: { in: [1, 2, 3, 4, 5, 6, 7].map((i) => `EV-${i}`) } }, orderBy: { id: "asc" } })).map(
      (o) => o.id,
    );
    await choose(db.prisma, ids);
    const levels = {
      fully: ["fully", "fully", "fully"],
      partial: ["fully", "partially", "fully"],
    } as const;
    // Sources 1-8: two each on statements 1-4, all "fully"; 9-10 on statement 5, partially.
    const answered: Array<[number, readonly string[]]> = [
      ...[0, 0, 1, 1, 2, 2, 3, 3].map((k): [number, readonly string[]] => [ids[k]!, levels.fully]),
      [ids[4]!, levels.partial],
      [ids[4]!, levels.partial],
    ];
    for (const [n, [outcomeId, parts]] of answered.entries()) {
      const s = await db.prisma.substantiation.findUniqueOrThrow({ where: { outcomeId } });
      const a = await db.prisma.substantiationAssignment.create({
        data: {
          substantiationId: s.id,
          outcomeId,
          codeHash: `test-${n}`,
          label: `Source ${n + 1}`,
          expiresAt: new Date(),
          status: "submitted",
          anonymous: false,
          submittedAt: new Date(),
        },
      });
      await db.prisma.substantiationAnswer.createMany({
        data: (["description", "significance", "contribution"] as const).map((part, i) => ({ assignmentId: a.id, part, level: parts[i]! })),
      });
    }
    // Sources 11 and 12 were interviewed by phone.
    const offline = async (outcomeId: number, label: string, l: [string, string, string]) =>
      recordOfflineAnswers(db.prisma, {
        outcomeId,
        // The programme's coordinator, as an admin of the bot: every organisation is theirs.
        actor: { userId: coordinatorId, isAdmin: true },
        now: new Date(),
        value: { label, answers: (["description", "significance", "contribution"] as const).map((part, i) => ({ part, level: l[i] as "fully" })) },
      });
    await offline(ids[5]!, "Source 11 (phone)", ["fully", "fully", "disagree"]);
    await offline(ids[6]!, "Source 12 (phone)", ["partially", "partially", "fully"]);

    const { sources } = await collectResults(db.prisma, {});
    expect(sources).toHaveLength(12);
    expect(perOutcome(sources).map((r) => [r.sources, r.counts.fully, r.counts.partially, r.counts.disagree, r.counts.dont_know])).toEqual([
      [2, 6, 0, 0, 0],
      [2, 6, 0, 0, 0],
      [2, 6, 0, 0, 0],
      [2, 6, 0, 0, 0],
      [2, 4, 2, 0, 0],
      [1, 2, 0, 1, 0],
      [1, 1, 2, 0, 0],
    ]);
    // 8 of 12 fully agree (67%), 3 partially (25%), 1 disagrees (8%).
    expect(translator("en")("results.headline", headlineParams(perSource(sources)))).toBe(
      "Of 12 sources, 67% fully agreed, 25% partially agreed, 8% disagreed and 0% had no opinion.",
    );
    const recorded = await db.prisma.substantiationAssignment.count({ where: { recordedById: coordinatorId } });
    expect(recorded).toBe(2);
  });

  it("its export, imported into an empty database, gives the same numbers", async () => {
    const { buffer } = await workbookBuffer(db.prisma, { scope: { all: true }, period: {}, lang: "en", timeZone: TZ });
    const plan = await planImport(empty.prisma, { table: await readTable(buffer, "export.xlsx"), scope: { all: true }, timeZone: TZ });
    expect(plan.problems).toEqual([]);
    await applyImport(empty.prisma, plan, { actorId: null, fileName: "export.xlsx" });
    expect(await numbers(empty)).toEqual(await numbers(db));
    for (const o of ORGS) expect(await numbers(empty, o)).toEqual(await numbers(db, o));
  });
});
