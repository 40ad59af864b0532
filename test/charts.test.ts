import { describe, expect, it } from "vitest";
import { addDimension, addOption, findOption, setOption } from "../src/classification/service.js";
import { chartData, pngSize, renderChart } from "../src/reporting/charts.js";
import { useHarness } from "./support/harness.js";
import { acceptedStatement } from "./support/substantiation.js";

const h = useHarness();
const ORG = "Kratie Fishing Communities";

describe("charts", () => {
  it("the data behind each chart, for a known set of statements", async () => {
    await h.member(9001, ORG);
    const seed = (classes: Record<string, string[]>) => acceptedStatement(h.db.prisma, { authorTelegramId: 9001, org: ORG, classes });
    await seed({ framework: ["SO", "R2"], expected: ["expected"], positive: ["positive"], gender: ["leadership", "financial"] });
    await seed({ framework: ["SO", "R1", "R2"], expected: ["expected"], positive: ["positive"], significance: ["high"] });
    await seed({ framework: ["SO"], expected: ["unexpected"], positive: ["negative"], sustainability: ["social"] });
    const charts = await chartData(h.db.prisma, { all: true }, {}, "en");
    // The evaluation report's charts, in its order: every dimension, expected and positive drawn together.
    expect(charts.map((c) => c.key)).toEqual([
      "framework",
      "social_actor",
      "change_type",
      "nature",
      "contribution_importance",
      "significance",
      "gender",
      "sustainability",
    ]);
    const bars = (key: string) => Object.fromEntries(charts.find((c) => c.key === key)!.bars.map((b) => [b.label, b.count]));
    const shares = (key: string) => Object.fromEntries(charts.find((c) => c.key === key)!.bars.map((b) => [b.label, `${b.count} of ${b.base}, ${b.percent}%`]));
    expect(charts[0]!.total).toBe(3);
    expect(bars("framework")).toEqual({
      "Specific objective (SO)": 3,
      "Result 1 (R1)": 1,
      "Result 2 (R2)": 2,
      "Result 3 (R3)": 0,
      "Organisational capacity development (OCD)": 0,
    });
    expect(bars("nature")).toEqual({ Expected: 2, Unexpected: 1, Negative: 1 });
    expect(bars("gender")["New roles or stronger leadership"]).toBe(1);
    expect(bars("significance")).toEqual({ Low: 0, Medium: 0, High: 1 });
    expect(bars("sustainability").Social).toBe(1);
    // Percentages are of the statements classified in the dimension, and the chart says so.
    expect(shares("framework")["Result 2 (R2)"]).toBe("2 of 3, 67%");
    expect(shares("nature")).toEqual({ Expected: "2 of 3, 67%", Unexpected: "1 of 3, 33%", Negative: "1 of 3, 33%" });
    expect(shares("gender")["New roles or stronger leadership"]).toBe("1 of 1, 100%");
    expect(shares("significance").High).toBe("1 of 1, 100%");
    expect(charts.find((c) => c.key === "gender")!.subtitle).toBe("1 of 3 accepted statements classified; percentages are of these 1");
    expect(charts.find((c) => c.key === "framework")!.subtitle).toBe("3 of 3 accepted statements classified; percentages are of these 3");
    const km = await chartData(h.db.prisma, { all: true }, {}, "km");
    expect(km[0]!.title).toBe("ការរួមចំណែកដល់ក្របខ័ណ្ឌលទ្ធផល");
    expect(km[3]!.bars.map((b) => b.label)).toEqual(["បានរំពឹងទុក", "មិនបានរំពឹងទុក", "អវិជ្ជមាន"]);
    // A period without statements: every bar zero.
    const empty = await chartData(h.db.prisma, { all: true }, { from: "2010-01", to: "2010-12" }, "en");
    expect(empty.every((c) => c.total === 0 && c.bars.every((b) => b.count === 0))).toBe(true);
  });

  it("renders a non-empty PNG of the right size, in English and Khmer", async () => {
    const charts = await chartData(h.db.prisma, { all: true }, {}, "km");
    const png = await renderChart(charts[0]!, "km");
    expect(png.length).toBeGreaterThan(5000);
    const size = pngSize(png);
    expect(size.width).toBe(800);
    expect(size.height).toBeGreaterThan(120);
    expect(size.height).toBeLessThan(600);
  });

  it("/charts sends the eight charts as images, in the coordinator's language; others are refused", async () => {
    const coord = await h.member(9101, ORG, "km", "coordinator");
    coord.text("/charts");
    const offer = await coord.expect("គំនូសតាង");
    coord.press("អង្គការទាំងអស់", offer);
    await coord.expect("គំនូសតាង ៨");
    const photos = h.tg.calls.filter((c) => c.method === "sendPhoto" && c.payload.chat_id === 9101);
    expect(photos).toHaveLength(8);
    expect(photos[0]!.payload.caption).toBe("ការរួមចំណែកដល់ក្របខ័ណ្ឌលទ្ធផល");
    for (const p of photos) expect(pngSize((p.payload.photo as { bytes: Buffer }).bytes).width).toBe(800);

    const leader = h.user(9001);
    leader.text("/charts");
    await leader.expect("You are not allowed to do that.");
    const other = await h.member(9201, "Elsewhere", "en", "coordinator");
    const org = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    const id = other.pressData(`ch:${org.id}:all`);
    expect((await other.callbackAnswer(id)).text).toBe("You are not allowed to do that.");
  });

  it("a dimension the programme adds is drawn too; one switched off is not", async () => {
    const region = await addDimension(h.db.prisma, { key: "region", labels: { en: "Region", km: "តំបន់" }, multiple: false });
    await addOption(h.db.prisma, { dimension: "region", key: "north", labels: { en: "North", km: "ខាងជើង" } });
    await addOption(h.db.prisma, { dimension: "region", key: "south", labels: { en: "South", km: "ខាងត្បូង" } });
    const author = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 9001n } });
    const [first] = await h.db.prisma.outcome.findMany({ where: { status: "accepted" }, orderBy: { id: "asc" }, take: 1 });
    await setOption(h.db.prisma, { outcomeId: first!.id, optionId: (await findOption(h.db.prisma, "region", "north")).id, selected: true, actorId: author.id });
    const charts = await chartData(h.db.prisma, { all: true }, {}, "en");
    const drawn = charts.find((c) => c.key === "region")!;
    expect(charts.at(-1)).toBe(drawn);
    expect(drawn.title).toBe("Region");
    expect(drawn.bars.map((b) => [b.label, b.count, b.base, b.percent])).toEqual([
      ["North", 1, 1, 100],
      ["South", 0, 1, 0],
    ]);
    await h.db.prisma.dimension.update({ where: { id: region.id }, data: { active: false } });
    expect((await chartData(h.db.prisma, { all: true }, {}, "en")).map((c) => c.key)).not.toContain("region");
  });
});
