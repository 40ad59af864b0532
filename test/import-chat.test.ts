/** /import in the chat: the file sent as a document, the dry run's report, and the write on "Import". */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const KAMPOT = "Kampot Salt Workers Union";
const SIEM_REAP = "Siem Reap Street Vendors";
const sample = () => readFileSync(new URL("../docs/import-sample.csv", import.meta.url));

describe("/import", () => {
  it("a coordinator sends a file, reads what it would do, imports it; a second press writes nothing", async () => {
    await h.organisation(KAMPOT);
    const coord = await h.member(8801, SIEM_REAP, "en", "coordinator");
    await h.db.prisma.membership.create({
      data: {
        userId: (await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 8801n } })).id,
        organisationId: (await h.organisation(KAMPOT)).id,
        role: "coordinator",
      },
    });
    coord.text("/import");
    await coord.expect("Send me the file to import");
    coord.text("here it comes");
    await coord.expect("Please send the file itself, as a document");
    coord.document("import-sample.csv", sample());
    await coord.expect("Reading import-sample.csv");
    const report = await coord.expect("import-sample.csv</b>: 2 statements: 2 new, 0 to update.");
    expect(report.text).toContain("Nothing is written yet.");
    expect(await h.db.prisma.outcome.count({ where: { externalRef: { startsWith: "H2023-" } } })).toBe(0);

    const press = coord.press("✅ Import 2 statements", report);
    await coord.expect("Imported from import-sample.csv: 2 new, 0 updated.");
    const imported = await h.db.prisma.outcome.findMany({ where: { externalRef: { startsWith: "H2023-" } }, orderBy: { id: "asc" } });
    expect(imported.map((o) => [o.status, o.authorId, o.reportedBy])).toEqual([
      ["accepted", null, "Ms Sreymom (union leader)"],
      ["accepted", null, "Mr Dara (vendor committee)"],
    ]);
    const coordRow = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 8801n } });
    expect((await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: imported[0]!.id } })).map((e) => [e.type, e.actorId])).toEqual([
      ["imported", coordRow.id],
    ]);
    expect((await coord.callbackAnswer(press)).text).toBeUndefined();
    const again = coord.pressData(`im:y:${(await h.db.prisma.importJob.findFirstOrThrow()).id}`);
    expect((await coord.callbackAnswer(again)).text).toBe("This import is already done or was left.");
    expect(await h.db.prisma.outcome.count({ where: { externalRef: { startsWith: "H2023-" } } })).toBe(2);

    // The card names who reported it. A submitted one can be accepted, but nobody can be asked.
    coord.pressData(`rv:o:${imported[0]!.id}`);
    await coord.expect("Ms Sreymom (union leader)");
    const waiting = await h.db.prisma.outcome.update({ where: { id: imported[1]!.id }, data: { status: "submitted", waitingSince: new Date() } });
    const ask = coord.pressData(`rv:a:${waiting.id}:${waiting.version}:ask`);
    expect((await coord.callbackAnswer(ask)).text).toBe(
      "Mr Dara (vendor committee) reported this statement in an earlier harvest and is not in the bot: nobody can be asked or sent it back. You can still accept, reject or edit it.",
    );
    coord.pressData(`rv:a:${waiting.id}:${waiting.version}:accept`);
    await coord.expect(`Statement #${waiting.id} is accepted`);
  });

  it("a file with problems gets its report in the reader's language, without the import button; other files are refused at once", async () => {
    const coord = await h.member(8802, SIEM_REAP, "km", "coordinator");
    coord.text("/import");
    await coord.expect("សូមផ្ញើឯកសារ");
    const rows = ["Organisation,Description,Date", ...Array.from({ length: 300 }, (_, i) => `${KAMPOT},Change ${i},Marhc 2024`)].join("\n");
    coord.document("bad.csv", Buffer.from(rows));
    await coord.expect("កំពុងអាន bad.csv");
    await coord.expect("មានបញ្ហា ៦០០");
    await h.tg.settled();
    await coord.drain(200);
    const sent = h.tg.sentTo(8802);
    const report = sent.slice(sent.findIndex((m) => m.text.includes("bad.csv</b>")));
    // Long reports are split into messages Telegram takes; 200 problems listed, the rest counted.
    expect(report.length).toBeGreaterThan(1);
    for (const m of report) expect(m.text.length).toBeLessThanOrEqual(4096);
    const text = report.map((m) => m.text).join("\n");
    expect(text).toContain("ជួរទី ២ ជួរឈរ «Organisation»៖ «Kampot Salt Workers Union» មិនមែនជាអង្គការមួយរបស់អ្នកទេ។");
    expect(text).toContain("… និង ៤០០ ទៀត។");
    expect(report.every((m) => !m.reply_markup)).toBe(true);

    coord.text("/import");
    await coord.expect("សូមផ្ញើឯកសារ");
    coord.document("notes.pdf", Buffer.from("%PDF-1.4"));
    await coord.expect("ខ្ញុំអាចនាំចូលបានតែសៀវភៅការងារ XLSX ឬឯកសារ CSV");
  });

  it("a leader may not import; nobody confirms another person's import", async () => {
    const leader = await h.member(8803, SIEM_REAP);
    leader.text("/import");
    await leader.expect("You are not allowed to do that.");
    const other = await h.member(8804, SIEM_REAP, "en", "coordinator");
    const coord = h.user(8801);
    coord.text("/import");
    await coord.expect("Send me the file to import");
    coord.document("import-sample.csv", sample());
    const report = await coord.expect("2 statements: 0 new, 2 to update.");
    const job = await h.db.prisma.importJob.findFirstOrThrow({ where: { status: "planned" } });
    const forged = other.pressData(`im:y:${job.id}`);
    expect((await other.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
    expect((await h.db.prisma.importJob.findUniqueOrThrow({ where: { id: job.id } })).status).toBe("planned");
    coord.press("✖️ Leave it", report);
    await coord.expect("Nothing was imported.");
    await waitFor(async () => (await h.db.prisma.importJob.findUniqueOrThrow({ where: { id: job.id } })).status === "cancelled");
  });
});
