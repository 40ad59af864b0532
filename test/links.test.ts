/** Links between statements: the same change reported twice (counted once, both kept), and one change leading to another. */
import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { exportedSheet } from "./support/workbook.js";
import { seedStatement } from "./support/statements.js";

const h = useHarness();
const ORG = "Svay Rieng Garment Workers Union";

describe("links between statements", () => {
  it("a coordinator marks a duplicate and a chain; cards, history, /stats and the export show them; the duplicate is counted once", async () => {
    const coord = await h.member(9801, ORG, "en", "coordinator");
    await h.member(9802, ORG);
    const [a, b, c] = [
      await seedStatement(h.db.prisma, {
        authorTelegramId: 9802,
        org: ORG,
        status: "accepted",
        description: "The factory pays overtime at the legal rate (from the union)",
      }),
      await seedStatement(h.db.prisma, {
        authorTelegramId: 9802,
        org: ORG,
        status: "accepted",
        description: "Overtime is now paid at the legal rate (from a women's group)",
      }),
      await seedStatement(h.db.prisma, { authorTelegramId: 9802, org: ORG, status: "accepted", description: "Workers no longer refuse overtime" }),
    ];
    coord.text("/stats");
    expect((await coord.expect("Statistics")).text).toContain("3 accepted statements");

    // b is the same change as a.
    coord.pressData(`rv:o:${b.id}`);
    const actions = await coord.expect("What do you want to do?");
    coord.press("🔗 Link to another statement", actions);
    await coord.expect(`Type the number of the statement that #${b.id} is linked to.`);
    coord.text("soon");
    await coord.expect("Please type a statement number");
    coord.text(`#${a.id}`);
    const which = await coord.expect(`How are #${b.id} and #${a.id} linked?`);
    coord.press("The same change: count it once", which);
    await coord.expect(`Linked: #${b.id} and #${a.id}.`);
    // a led to c, told from c's card: "#a led to #c".
    coord.pressData(`rv:k:${c.id}`);
    await coord.expect(`Type the number of the statement that #${c.id} is linked to.`);
    coord.text(String(a.id));
    const which2 = await coord.expect(`How are #${c.id} and #${a.id} linked?`);
    coord.press(`#${a.id} led to #${c.id}`, which2);
    await coord.expect(`Linked: #${c.id} and #${a.id}.`);
    // The same again is refused, and so is a second "same" for b.
    const twice = coord.pressData(`rv:m:${b.id}:${c.id}:same`);
    expect((await coord.callbackAnswer(twice)).text).toBe(`#${b.id} is already counted once with another statement.`);
    const itself = coord.pressData(`rv:m:${a.id}:${a.id}:led_to`);
    expect((await coord.callbackAnswer(itself)).text).toBe("A statement cannot be linked to itself.");

    coord.pressData(`rv:o:${a.id}`);
    const cardA = await coord.expect(`🔗 The same change is also reported in #${b.id}: counted once, with this one`);
    expect(cardA.text).toContain(`➡️ Led to #${c.id}`);
    coord.pressData(`rv:o:${b.id}`);
    await coord.expect(`🔗 The same change as #${a.id}: counted once, with it`);
    coord.text(`/history ${b.id}`);
    await coord.expect(`marked it as the same change as #${a.id} (counted once)`);

    coord.text("/stats");
    expect((await coord.expect("Statistics")).text).toContain("2 accepted statements");
    const links = await h.db.prisma.outcomeLink.findMany({ orderBy: { id: "asc" } });
    expect(links.map((l) => [l.fromId, l.toId, l.kind])).toEqual([
      [b.id, a.id, "same"],
      [a.id, c.id, "led_to"],
    ]);

    const rows = await exportedSheet(h.db.prisma);
    const col = (rows[0] as string[]).indexOf("Links");
    expect(rows.slice(1).map((r) => [r[0], r[col]])).toEqual([
      [a.id, `🔗 The same change is also reported in #${b.id}: counted once, with this one; ➡️ Led to #${c.id}`],
      [b.id, `🔗 The same change as #${a.id}: counted once, with it`],
      [c.id, `⬅️ Follows from #${a.id}`],
    ]);
  });

  it("both statements must be in the coordinator's scope", async () => {
    const other = await h.member(9803, "Another Union", "en", "coordinator");
    await h.member(9804, "Another Union");
    const mine = await seedStatement(h.db.prisma, { authorTelegramId: 9804, org: "Another Union", status: "accepted" });
    const theirs = await h.db.prisma.outcome.findFirstOrThrow({ where: { organisation: { name: ORG } } });
    const press = other.pressData(`rv:m:${mine.id}:${theirs.id}:led_to`);
    expect((await other.callbackAnswer(press)).text).toBe("You are not allowed to do that.");
    expect(await h.db.prisma.outcomeLink.count({ where: { OR: [{ fromId: mine.id }, { toId: mine.id }] } })).toBe(0);
  });
});
