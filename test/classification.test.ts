import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addOption,
  DimensionError,
  findDimension,
  findOption,
  loadDimensions,
  setDimensionMultiple,
  setOption,
  setOptionActive,
} from "../src/classification/service.js";
import { classificationStats, parsePeriod } from "../src/reporting/stats.js";
import { testDatabase, type TestDatabase } from "./support/db.js";

let db: TestDatabase;
let authorId: number;
let orgA: number;
let orgB: number;

beforeAll(async () => {
  db = await testDatabase();
  const u = await db.prisma.user.create({ data: { telegramId: 1n, displayName: "Author" } });
  authorId = u.id;
  orgA = (await db.prisma.organisation.create({ data: { name: "A" } })).id;
  orgB = (await db.prisma.organisation.create({ data: { name: "B" } })).id;
}, 60_000);
afterAll(() => db.close());

const statement = (organisationId: number, status: "accepted" | "submitted" = "accepted", dateStart: string | null = "2024-03") =>
  db.prisma.outcome.create({ data: { organisationId, authorId, status, language: "en", dateStart, submittedAt: new Date("2025-02-01") } });
const option = (dim: string, key: string) => findOption(db.prisma, dim, key);
const chosen = async (outcomeId: number) =>
  (await db.prisma.classification.findMany({ where: { outcomeId }, include: { option: true } })).map((c) => c.option.key).sort();

describe("default dimensions", () => {
  it("are the evaluation's, with English and Khmer labels", async () => {
    const dims = await loadDimensions(db.prisma);
    expect(dims.map((d) => d.key)).toEqual([
      "framework",
      "social_actor",
      "change_type",
      "expected",
      "positive",
      "contribution_importance",
      "significance",
      "gender",
      "sustainability",
    ]);
    // An outcome often changes several kinds of social actor: that dimension takes several too.
    expect(dims.filter((d) => d.multiple).map((d) => d.key)).toEqual(["framework", "social_actor", "gender", "sustainability"]);
    expect(dims[0]!.options.map((o) => o.key)).toEqual(["SO", "R1", "R2", "R3", "OCD"]);
    for (const d of dims) {
      for (const x of [d, ...d.options]) {
        const labels = x.labels as Record<string, string>;
        expect(labels.en, x.key).toBeTruthy();
        expect(labels.km, x.key).toMatch(/[\u1780-\u17FF]/);
      }
    }
  });
});

describe("setOption", () => {
  it("several options in a multiple dimension; one replaces the other in a single one; the same press twice changes nothing", async () => {
    const o = await statement(orgA);
    const so = await option("framework", "SO");
    const r1 = await option("framework", "R1");
    expect(await setOption(db.prisma, { outcomeId: o.id, optionId: so.id, selected: true, actorId: authorId })).toEqual({ status: "ok", changed: true });
    expect(await setOption(db.prisma, { outcomeId: o.id, optionId: r1.id, selected: true, actorId: authorId })).toEqual({ status: "ok", changed: true });
    expect(await setOption(db.prisma, { outcomeId: o.id, optionId: r1.id, selected: true, actorId: authorId })).toEqual({ status: "ok", changed: false });
    expect(await chosen(o.id)).toEqual(["R1", "SO"]);

    const low = await option("significance", "low");
    const high = await option("significance", "high");
    await setOption(db.prisma, { outcomeId: o.id, optionId: low.id, selected: true, actorId: authorId });
    await setOption(db.prisma, { outcomeId: o.id, optionId: high.id, selected: true, actorId: authorId });
    expect(await chosen(o.id)).toEqual(["R1", "SO", "high"]);
    await setOption(db.prisma, { outcomeId: o.id, optionId: so.id, selected: false, actorId: authorId });
    expect(await chosen(o.id)).toEqual(["R1", "high"]);

    const events = await db.prisma.outcomeEvent.findMany({ where: { outcomeId: o.id }, orderBy: { id: "asc" } });
    expect(events.map((e) => [e.field, e.oldValue, e.newValue])).toEqual([
      ["framework", null, "SO"],
      ["framework", "SO", "R1,SO"],
      ["significance", null, "low"],
      ["significance", "low", "high"],
      ["framework", "R1,SO", "R1"],
    ]);
  });

  it("refuses statements that are not accepted, and switched-off options", async () => {
    const o = await statement(orgA, "submitted");
    const so = await option("framework", "SO");
    expect(await setOption(db.prisma, { outcomeId: o.id, optionId: so.id, selected: true, actorId: authorId })).toEqual({ status: "not_accepted" });
    const accepted = await statement(orgA);
    const r3 = await option("framework", "R3");
    await setOptionActive(db.prisma, r3.id, false);
    expect(await setOption(db.prisma, { outcomeId: accepted.id, optionId: r3.id, selected: true, actorId: authorId })).toEqual({ status: "unknown_option" });
    await setOptionActive(db.prisma, r3.id, true);
  });
});

describe("changing the dimensions", () => {
  it("adds an option with labels, refuses a duplicate, and hides switched-off options", async () => {
    const added = await addOption(db.prisma, { dimension: "change_type", labels: { en: "Housing rights", km: "សិទ្ធិលំនៅដ្ឋាន" } });
    expect(added.key).toBe("housing_rights");
    await expect(addOption(db.prisma, { dimension: "change_type", labels: { en: "Housing rights" } })).rejects.toThrow(DimensionError);
    await expect(addOption(db.prisma, { dimension: "nope", labels: { en: "X" } })).rejects.toThrow('no dimension "nope"');
    await setOptionActive(db.prisma, added.id, false);
    const dims = await loadDimensions(db.prisma);
    expect(dims.find((d) => d.key === "change_type")!.options.map((o) => o.key)).not.toContain("housing_rights");
  });
});

describe("one or several options per statement", () => {
  it("a dimension becomes multiple keeping its values, and single again only once no statement has two of its options", async () => {
    const o = await statement(orgA);
    const low = await option("significance", "low");
    const high = await option("significance", "high");
    await setOption(db.prisma, { outcomeId: o.id, optionId: low.id, selected: true, actorId: authorId });
    expect(await setDimensionMultiple(db.prisma, "significance", true)).toEqual({ status: "changed" });
    expect(await setDimensionMultiple(db.prisma, "significance", true)).toEqual({ status: "unchanged" });
    expect(await chosen(o.id)).toEqual(["low"]);
    await setOption(db.prisma, { outcomeId: o.id, optionId: high.id, selected: true, actorId: authorId });
    expect(await chosen(o.id)).toEqual(["high", "low"]); // both kept now

    expect(await setDimensionMultiple(db.prisma, "significance", false)).toEqual({ status: "several_chosen", statements: 1 });
    expect((await findDimension(db.prisma, "significance")).multiple).toBe(true);
    await setOption(db.prisma, { outcomeId: o.id, optionId: low.id, selected: false, actorId: authorId });
    expect(await setDimensionMultiple(db.prisma, "significance", false)).toEqual({ status: "changed" });
    expect((await findDimension(db.prisma, "significance")).multiple).toBe(false);
    expect(await chosen(o.id)).toEqual(["high"]);
    await expect(setDimensionMultiple(db.prisma, "nope", true)).rejects.toThrow('no dimension "nope"');
  });
});

describe("stats", () => {
  it("counts per option over a scope and a period, with the unclassified", async () => {
    const before = await classificationStats(db.prisma, { all: true }, {});
    const r2 = await option("framework", "R2");
    const inA = await statement(orgA, "accepted", "2023-06");
    const inB = await statement(orgB, "accepted", "2023-07");
    const undated = await statement(orgB, "accepted", null); // counts in its submission month, 2025-02
    for (const o of [inA, inB, undated]) await setOption(db.prisma, { outcomeId: o.id, optionId: r2.id, selected: true, actorId: authorId });

    const all = await classificationStats(db.prisma, { all: true }, {});
    expect(all.total).toBe(before.total + 3);
    const count = (s: typeof all, dim: string, id: number) => s.dimensions.find((d) => d.dimension.key === dim)!.counts.get(id);
    expect(count(all, "framework", r2.id)).toBe((count(before, "framework", r2.id) ?? 0) + 3);

    const y2023 = await classificationStats(db.prisma, { all: true }, parsePeriod("2023")!);
    expect(y2023.total).toBe(2);
    expect(count(y2023, "framework", r2.id)).toBe(2);
    expect(y2023.dimensions.find((d) => d.dimension.key === "significance")!.unclassified).toBe(2);

    const onlyB = await classificationStats(db.prisma, { all: false, orgIds: [orgB] }, parsePeriod("2023-07..2025-02")!);
    expect(onlyB.total).toBe(2);
    const bIn2023 = await classificationStats(db.prisma, { all: false, orgIds: [orgB] }, parsePeriod("២០២៣")!);
    expect(bIn2023.total).toBe(1);
  });

  it("reads periods", () => {
    expect(parsePeriod("")).toEqual({});
    expect(parsePeriod("all")).toEqual({});
    expect(parsePeriod("2024")).toEqual({ from: "2024-01", to: "2024-12" });
    expect(parsePeriod("2024-3")).toEqual({ from: "2024-03", to: "2024-03" });
    expect(parsePeriod("2024-01..2024-06")).toEqual({ from: "2024-01", to: "2024-06" });
    expect(parsePeriod("2024-06..2024-01")).toBeUndefined();
    expect(parsePeriod("2024-13")).toBeUndefined();
    expect(parsePeriod("last week")).toBeUndefined();
  });
});
