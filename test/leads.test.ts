/** Outcome leads: drafts that still lack a date, an actor, a place or a specific contribution, told apart from complete statements. */
import { describe, expect, it } from "vitest";
import { leadGaps } from "../src/harvest/coaching.js";
import { useHarness } from "./support/harness.js";
import { exportedSheet } from "./support/workbook.js";
import { seedStatement } from "./support/statements.js";

const h = useHarness();
const ORG = "Battambang Tuk-tuk Drivers Association";

describe("outcome leads", () => {
  it("leadGaps names what a draft lacks, and nothing once it is complete", () => {
    const complete = {
      description: "From March 2024 the district office issues parking permits to tuk-tuk drivers at the station",
      actorName: "Battambang district office",
      dateStart: "2024-03",
      place: "Battambang town",
      contribution: "The association collected 120 drivers' documents and met the district office three times",
    };
    expect(leadGaps(complete, { organisationName: ORG })).toEqual([]);
    expect(leadGaps({ ...complete, dateStart: null, place: "", actorName: "we" }, { organisationName: ORG })).toEqual(["date", "actor", "place"]);
    expect(leadGaps({ ...complete, contribution: "helped" }, { organisationName: ORG })).toEqual(["detail.contribution"]);
    // A contribution answered by a voice note is not missing.
    expect(leadGaps({ ...complete, contribution: null }, { organisationName: ORG, voiceParts: new Set(["contribution"]) })).toEqual([]);
  });

  it("the card, the queue, /stats and the export tell leads from complete statements; the mark goes once it is completed", async () => {
    const coord = await h.member(8901, ORG, "en", "coordinator");
    await h.member(8902, ORG);
    const lead = await seedStatement(h.db.prisma, { authorTelegramId: 8902, org: ORG, description: "The district office started to talk to drivers" });
    await h.db.prisma.outcome.update({ where: { id: lead.id }, data: { dateStart: null, dateKind: null, dateText: null, place: null } });
    const complete = await seedStatement(h.db.prisma, { authorTelegramId: 8902, org: ORG });

    coord.text("/review");
    const queue = await coord.expect("<b>Review: Submitted</b>");
    expect(queue.text).toContain("🌱 <b>Outcome lead</b>: it still lacks a date, a place.");
    expect(queue.text.match(/Outcome lead/g)).toHaveLength(1);
    coord.pressData(`rv:o:${lead.id}`);
    await coord.expect("🌱 <b>Outcome lead</b>: it still lacks a date, a place.");

    for (const o of [lead, complete]) await h.db.prisma.outcome.update({ where: { id: o.id }, data: { status: "accepted" } });
    coord.text("/stats");
    const stats = await coord.expect("Statistics");
    expect(stats.text).toContain("Complete statements 1 · outcome leads 1");

    const rows = await exportedSheet(h.db.prisma);
    const col = (rows[0] as string[]).indexOf("Outcome lead: still lacks");
    expect(rows.slice(1).map((r) => [r[0], r[col] ?? ""])).toEqual([
      [lead.id, "a date, a place"],
      [complete.id, ""],
    ]);

    // Completed: the mark is gone everywhere, as the list is worked out from the statement itself.
    await h.db.prisma.outcome.update({ where: { id: lead.id }, data: { dateStart: "2024-05", dateKind: "month", place: "Battambang town" } });
    await coord.drain(100);
    coord.pressData(`rv:o:${lead.id}`);
    const card = await coord.expect("Battambang town");
    await coord.expect("What do you want to do?");
    expect(
      h.tg
        .sentTo(8901)
        .slice(-4)
        .some((m) => m.text.includes("Outcome lead")),
    ).toBe(false);
    expect(card.text).not.toContain("Outcome lead");
    coord.text("/stats");
    expect((await coord.expect("Statistics")).text).toContain("Complete statements 2 · outcome leads 0");
  });
});
