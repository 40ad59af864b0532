/** Harvesting questions: a round carries them, coordinators tag statements to them, digests and exports group by them. */
import { describe, expect, it } from "vitest";
import { runCommandLine } from "../src/cli/commands.js";
import { buildDigest } from "../src/reporting/service.js";
import { useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { exportedSheet } from "./support/workbook.js";

const h = useHarness();
const ORG = "Stung Treng Forest Community";
const QUESTION = "How did authorities change how they treat informal workers?";

describe("harvesting questions", () => {
  it("a round gets questions from the command line; a coordinator tags a statement; the digest and the export group by them", async () => {
    const out: string[] = [];
    const io = { print: (l: string) => void out.push(l), error: (l: string) => void out.push(l), env: { TZ: "Asia/Phnom_Penh" } };
    expect(await runCommandLine(h.db, ["round", "create", "Harvest", "2026", "--start", "2026-01-01", "--end", "2026-12-31"], io)).toBe(0);
    const round = await h.db.prisma.harvestRound.findFirstOrThrow({ where: { name: "Harvest 2026" } });
    expect(await runCommandLine(h.db, ["round", "question", String(round.id), QUESTION], io)).toBe(0);
    const other = await h.db.prisma.harvestRound.create({ data: { name: "Elsewhere", startsAt: new Date(), endsAt: new Date(), organisationIds: [999_999] } });
    expect(await runCommandLine(h.db, ["round", "question", String(other.id), "Not for this organisation"], io)).toBe(0);
    out.length = 0;
    expect(await runCommandLine(h.db, ["round", "list"], io)).toBe(0);
    expect(out.join("\n")).toContain(`  question 1: ${QUESTION}`);

    const coord = await h.member(9951, ORG, "en", "coordinator");
    await h.member(9952, ORG);
    const s = await seedStatement(h.db.prisma, { authorTelegramId: 9952, org: ORG, status: "accepted" });
    coord.pressData(`rv:o:${s.id}`);
    const actions = await coord.expect("What do you want to do?");
    coord.press("❔ Harvesting questions", actions);
    const which = await coord.expect(`Which harvesting questions does #${s.id} answer?`);
    expect(which.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual([`▫️ ${QUESTION.slice(0, 49)}…`]);
    coord.press(/^▫️ How did/, which);
    await h.tg.settled();
    const q = await h.db.prisma.harvestQuestion.findFirstOrThrow({ where: { text: QUESTION } });
    expect(await h.db.prisma.outcomeQuestion.findMany()).toEqual([{ outcomeId: s.id, questionId: q.id }]);
    const twice = coord.pressData(`rv:u:${s.id}:${q.id}:1`);
    expect((await coord.callbackAnswer(twice)).text).toBe("Already done.");
    const notOffered = await h.db.prisma.harvestQuestion.findFirstOrThrow({ where: { roundId: other.id } });
    const forged = coord.pressData(`rv:u:${s.id}:${notOffered.id}:1`);
    expect((await coord.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
    coord.text(`/history ${s.id}`);
    await coord.expect(`tagged it to the question: ${QUESTION}`);

    const digest = await buildDigest(h.db.prisma, {
      scope: { all: true },
      from: new Date(Date.now() - 86_400_000),
      to: new Date(Date.now() + 60_000),
      now: new Date(),
      lang: "en",
      timeZone: "Asia/Phnom_Penh",
      reminderDays: 7,
      late: false,
    });
    expect(digest.text).toContain(`<b>By harvesting question</b>\n${QUESTION}: 1`);

    const rows = await exportedSheet(h.db.prisma);
    expect(rows.slice(1).find((r) => r[0] === s.id)![(rows[0] as string[]).indexOf("Harvesting questions")]).toBe(QUESTION);
    expect(await exportedSheet(h.db.prisma, "By harvesting question")).toEqual([
      ["Harvesting question", "Statements", "Statement numbers"],
      [QUESTION, 1, String(s.id)],
    ]);
  });
});
