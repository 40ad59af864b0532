import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./support/harness.js";
import type { FakeUser } from "./support/user.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, 120_000);
afterAll(async () => {
  await h?.stop();
});

const ORG = "Siem Reap Massage Workers Union";
const DESCRIPTION =
  "In March 2024 the provincial labour department in Siem Reap began registering informal massage workers for the national health fund, accepting lists submitted through the union.";
const SIGNIFICANCE =
  "Before, these workers had no route into the scheme. Now about 300 women can get free treatment at state hospitals when they are sick.";
const CONTRIBUTION =
  "From January to March 2024 the union collected member data, met the department twice, and submitted a petition with 412 thumbprints.";

/** Answers every step with a specific statement, up to the summary. */
async function answerAllSteps(u: FakeUser) {
  u.text("/new");
  await u.expect("What changed?");
  u.text(DESCRIPTION);
  await u.expect("Who changed?");
  u.text("Provincial Department of Labour, Siem Reap");
  await u.expect("What kind of social actor");
  u.press("Government (national or local)");
  await u.expect("When did it change?");
  u.text("March 2024");
  await u.expect("I understood: <b>March 2024</b>");
  u.press("Yes");
  await u.expect("Where did it happen?");
  u.text("Siem Reap province");
  await u.expect("Why does it matter");
  u.text(SIGNIFICANCE);
  await u.expect(`What did ${ORG} do`);
  u.text(CONTRIBUTION);
  await u.expect("How many people");
  u.text("300");
  await u.expect("How many of them are women?");
  u.text("about 280");
  await u.expect("expect</b> this change?");
  u.press("Expected");
  await u.expect("positive or negative");
  u.press("Positive");
  await u.expect("Evidence");
  u.photo("p1");
  await u.expect("Evidence items: 1");
  u.press("Done");
}

describe("harvest in English", () => {
  it("records a complete statement step by step and submits it", async () => {
    const u = await h.member(1001, ORG);
    await answerAllSteps(u);
    const summary = await u.expect("Is everything right?");
    expect(summary.text).toContain("Provincial Department of Labour, Siem Reap (Government (national or local))");
    expect(summary.text).toContain("300 people, of whom 280 women");
    expect(summary.text).toContain("1 file");
    u.press("✅ Submit");
    const done = await u.expect("submitted");
    expect(done.text).toMatch(/Statement #\d+ submitted/);
    await u.expect("did not expect");

    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1001n } });
    const rows = await h.db.prisma.outcome.findMany({ where: { authorId: user.id }, include: { evidence: true } });
    expect(rows).toHaveLength(1);
    const o = rows[0]!;
    expect(o).toMatchObject({
      status: "submitted",
      description: DESCRIPTION,
      actorType: "government",
      dateKind: "month",
      dateStart: "2024-03",
      place: "Siem Reap province",
      peopleAffected: 300,
      womenAffected: 280,
      expected: true,
      positive: true,
      language: "en",
    });
    expect(o.evidence.map((e) => [e.kind, e.fileUniqueId])).toEqual([["photo", "p1"]]);
    const events = await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: o.id }, orderBy: { id: "asc" } });
    expect(events[0]!.type).toBe("created");
    expect(events.filter((e) => e.type === "field_set").map((e) => e.field)).toContain("description");
    expect(events.at(-1)).toMatchObject({ type: "status_changed", oldValue: "draft", newValue: "submitted" });

    u.press("No");
    await u.expect("Thank you");
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "asked_unexpected" } })).toBe(1);
  });

  it("saves each answer before the statement is finished", async () => {
    const u = await h.member(1002, ORG);
    u.text("/new");
    await u.expect("What changed?");
    u.text(DESCRIPTION);
    await u.expect("Who changed?");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1002n } });
    const draft = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(draft).toMatchObject({ status: "draft", description: DESCRIPTION, step: "actor_name" });
    u.text("/cancel");
    const m = await u.expect("Stopped");
    expect(m.text).toContain(`Draft #${draft.id} is kept with: What changed`);
  });
});
