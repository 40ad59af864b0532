/** Substantiation answers collected offline (by phone, in an interview), recorded by a coordinator. */
import { describe, expect, it } from "vitest";
import { readOfflineAnswers } from "../src/substantiation/offline.js";
import { useHarness } from "./support/harness.js";
import { exportedSheet } from "./support/workbook.js";
import { acceptedStatement, choose } from "./support/substantiation.js";

const h = useHarness();
const ORG = "Kep Crab Fishers Association";

describe("offline answers", () => {
  it("are read in either language, with comments; what cannot be read is named", () => {
    const read = readOfflineAnswers("Ms Srey, salt cooperative\nWhat changed: Fully agree\nហេតុអ្វីវាសំខាន់៖ យល់ស្របមួយផ្នែក - កម្មករតិចជាងនេះ\ncontribution: don't know");
    expect(read).toEqual({
      ok: true,
      value: {
        label: "Ms Srey, salt cooperative",
        answers: [
          { part: "description", level: "fully" },
          { part: "significance", level: "partially", comment: "កម្មករតិចជាងនេះ" },
          { part: "contribution", level: "dont_know" },
        ],
      },
    });
    expect(readOfflineAnswers("Ms Srey\nWhat changed: maybe\nWhat changed: Disagree")).toEqual({
      ok: false,
      problems: [
        { code: "unreadable_line", line: "What changed: maybe" },
        { code: "missing_part", part: "significance" },
        { code: "missing_part", part: "contribution" },
      ],
    });
    expect(readOfflineAnswers("Ms Srey")).toEqual({ ok: false, problems: [{ code: "no_source" }] });
  });

  it("a coordinator records them from /substantiate; they count in the results and the export says how they were collected", async () => {
    const coord = await h.member(9701, ORG, "en", "coordinator");
    await h.member(9702, ORG);
    const o = await acceptedStatement(h.db.prisma, { authorTelegramId: 9702, org: ORG });
    await choose(h.db.prisma, [o.id]);

    coord.text("/substantiate");
    const overview = await coord.expect("<b>Substantiation</b>");
    coord.press(`📞 Offline answers #${o.id}`, overview);
    await coord.expect(`Type the answers a source gave you offline about statement #${o.id}`);
    coord.text("Mr Vuthy, fisheries officer\nWhat changed: absolutely");
    const problems = await coord.expect("I could not save these answers");
    expect(problems.text).toContain("I cannot read «What changed: absolutely»");
    expect(problems.text).toContain("the part «Why it matters» has no answer.");
    expect(await h.db.prisma.substantiationAssignment.count({ where: { outcomeId: o.id } })).toBe(0);

    coord.text(
      "Mr Vuthy, fisheries officer\nWhat changed: Fully agree - he signed the register\nWhy it matters: Partially agree\nWhat the partner contributed: Fully agree",
    );
    await coord.expect(`The answers of Mr Vuthy, fisheries officer about statement #${o.id} are saved, marked as recorded by you.`);
    const coordRow = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 9701n } });
    const a = await h.db.prisma.substantiationAssignment.findFirstOrThrow({ where: { outcomeId: o.id }, include: { answers: true } });
    expect([a.status, a.recordedById, a.label]).toEqual(["submitted", coordRow.id, "Mr Vuthy, fisheries officer"]);
    expect(a.answers.map((x) => [x.part, x.level, x.comment]).sort()).toEqual([
      ["contribution", "fully", null],
      ["description", "fully", "he signed the register"],
      ["significance", "partially", null],
    ]);
    const event = await h.db.prisma.outcomeEvent.findFirstOrThrow({ where: { outcomeId: o.id, type: "source_recorded" } });
    expect([event.actorId, event.newValue]).toEqual([coordRow.id, `source #${a.id}`]);

    coord.text("/substantiate");
    const again = await coord.expect("<b>Substantiation</b>");
    expect(again.text).toContain("• Mr Vuthy, fisheries officer: answered");
    coord.press("📊 Results", again);
    const results = await coord.expect("Substantiation results");
    const all = [results, ...(await coord.drain(300))].map((m) => m.text).join("\n");
    expect(all).toContain("Of 1 sources, 0% fully agreed, 100% partially agreed");

    const rows = await exportedSheet(h.db.prisma, "Substantiation answers");
    expect(rows[0]!.at(-1)).toBe("How it was collected");
    expect(rows.slice(1).map((r) => r.at(-1))).toEqual(Array(3).fill(`given offline, recorded by ${coordRow.displayName}`));
  });

  it("only a coordinator of the statement's organisation may record them", async () => {
    const other = await h.member(9703, "Somewhere Else", "en", "coordinator");
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { organisation: { name: ORG } } });
    const press = other.pressData(`sb:f:${o.id}`);
    expect((await other.callbackAnswer(press)).text).toBe("You are not allowed to do that.");
  });
});
