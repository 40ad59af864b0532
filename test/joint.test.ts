/** Joint outcomes: a lead organisation and contributing ones; each one's coordinators see it, each one's counts include it, totals count it once. */
import { describe, expect, it } from "vitest";
import { planImport } from "../src/import/service.js";
import { readTable } from "../src/import/read.js";
import { classificationStats } from "../src/reporting/stats.js";
import { ADMIN_ID, useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { exportedSheet } from "./support/workbook.js";

const h = useHarness();
const A = "Kampong Cham Rubber Tappers Union";
const B = "Kampong Cham Women Vendors Group";
const C = "Pailin Miners Association";

describe("joint outcomes", () => {
  it("a programme coordinator names a contributing organisation; its coordinators see the statement and count it, totals count it once", async () => {
    const cB = await h.member(9901, B, "en", "coordinator");
    const cC = await h.member(9902, C, "en", "coordinator");
    const admin = await h.member(ADMIN_ID, A, "en", "coordinator");
    await h.member(9903, A);
    await h.member(9904, B);
    const s = await seedStatement(h.db.prisma, {
      authorTelegramId: 9903,
      org: A,
      status: "accepted",
      description: "The rubber company pays tappers weekly (joint)",
    });
    await seedStatement(h.db.prisma, { authorTelegramId: 9904, org: B, status: "accepted", description: "The market committee lowered the fee" });
    const refusedBefore = cB.pressData(`rv:o:${s.id}`);
    expect((await cB.callbackAnswer(refusedBefore)).text).toBe("You are not allowed to do that.");

    admin.pressData(`rv:o:${s.id}`);
    const actions = await admin.expect("What do you want to do?");
    admin.press("🤝 Contributing organisations", actions);
    const which = await admin.expect(`Which organisations contributed to #${s.id} besides its own?`);
    expect(which.reply_markup!.inline_keyboard.flat().map((b) => b.text)).not.toContain(`▫️ ${A}`); // not the lead itself
    admin.press(`▫️ ${B}`, which);
    await h.tg.settled();
    expect(
      h.tg.messages
        .get(which.message_id)!
        .reply_markup!.inline_keyboard.flat()
        .map((b) => b.text),
    ).toContain(`✅ ${B}`);
    const org = (name: string) => h.db.prisma.organisation.findUniqueOrThrow({ where: { name } });
    const [a, b, c] = [await org(A), await org(B), await org(C)];
    expect(await h.db.prisma.outcomeOrganisation.findMany()).toEqual([{ outcomeId: s.id, organisationId: b.id }]);

    // B's coordinator now sees it; C's still does not, and cannot name C as contributing.
    cB.pressData(`rv:o:${s.id}`);
    await cB.expect(`🤝 A joint outcome, also of: ${B}`);
    const refused = cC.pressData(`rv:o:${s.id}`);
    expect((await cC.callbackAnswer(refused)).text).toBe("You are not allowed to do that.");
    const forged = cC.pressData(`rv:t:${s.id}:${c.id}:1`);
    expect((await cC.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
    expect(await h.db.prisma.outcomeOrganisation.count()).toBe(1);

    // Each organisation's counts include it; the programme's count it once.
    const total = async (organisationId?: number) => (await classificationStats(h.db.prisma, { all: true }, {}, organisationId)).total;
    expect([await total(a.id), await total(b.id), await total(c.id), await total()]).toEqual([1, 2, 0, 2]);
    cB.text("/stats");
    expect((await cB.expect("Statistics")).text).toContain("2 accepted statements");
    cB.text(`/history ${s.id}`);
    await cB.expect(`named ${B} as contributing to it`);

    const rows = await exportedSheet(h.db.prisma);
    const col = (rows[0] as string[]).indexOf("Contributing organisations");
    expect(rows.slice(1).find((r) => r[0] === s.id)![col]).toBe(B);

    // An import names them too, and refuses one that does not exist.
    const csv = Buffer.from(`Organisation,Description,Contributing organisations\n${A},Together we did it,${B}; Nowhere Union\n`);
    const plan = await planImport(h.db.prisma, { table: await readTable(csv, "joint.csv"), scope: { all: true }, timeZone: "Asia/Phnom_Penh" });
    expect(plan.problems.map((p) => [p.column, p.code, p.params?.value])).toEqual([["Contributing organisations", "unknown_organisation", "Nowhere Union"]]);
    expect(plan.rows[0]!.contributorIds).toEqual([b.id]);
  });
});
