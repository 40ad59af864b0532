import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { sendDueReminders } from "../src/substantiation/source-reminders.js";
import { useHarness } from "./support/harness.js";
import { waitFor } from "./support/user.js";
import { acceptedStatement, answerPart, choose, openAndAgree, sourceLink } from "./support/substantiation.js";

const h = useHarness();
const ORG = "Kampot Salt Workers Union";
const DAY = 86_400_000;

describe("stopping and continuing", () => {
  it("every answer is kept across a restart; /start continues at the next part", async () => {
    await h.member(7001, ORG);
    const coord = await h.member(7101, ORG, "en", "coordinator");
    const o = await acceptedStatement(h.db.prisma, { authorTelegramId: 7001, org: ORG, description: "The salt cooperative started paying weekly" });
    await choose(h.db.prisma, [o.id]);
    const code = await sourceLink(coord, o.id, "Ms Chenda, cooperative treasurer");
    const chenda = h.user(7501, "Chenda");
    const part = await openAndAgree(chenda, code);
    chenda.press("Partially agree", part);
    await chenda.expect("Would you like to add a comment?");

    await h.restartBot();
    chenda.text("Weekly since May, not since March.");
    await chenda.expect("Comment saved.");
    const second = await chenda.expect("2/3 · Why it matters");
    const a = await h.db.prisma.substantiationAssignment.findFirstOrThrow({ where: { outcomeId: o.id } });
    expect(await h.db.prisma.substantiationAnswer.findMany({ where: { assignmentId: a.id }, select: { part: true, level: true, comment: true } })).toEqual([
      { part: "description", level: "partially", comment: "Weekly since May, not since March." },
    ]);

    // Walks away; later /start (no code) picks up at the same part.
    await h.restartBot();
    chenda.text("/start");
    const again = await chenda.expect("2/3 · Why it matters");
    expect(again.message_id).not.toBe(second.message_id);
    const third = await answerPart(chenda, again, "Fully agree");
    expect(third.text).toContain("3/3");

    // The author sees the status on /my, with the counts.
    const leader = h.user(7001);
    await leader.drain(50);
    leader.pressData(`my:o:${o.id}`);
    const card = await leader.expect("Substantiation</b>:");
    expect(card.text).toContain("Substantiation</b>: in progress, 0 of 1 source(s) answered");
    leader.text("/my");
    const list = await leader.expect("My statements");
    expect(list.text).toContain(`#${o.id} · Accepted`);
    expect(list.text).toContain("🔎 substantiation in progress, 0/1 answered");
    const coordList = h.user(7101);
    await coordList.drain(50);
    coordList.text("/review");
    const queue = await coordList.expect("Review: Submitted");
    coordList.press("🔖 Status", queue);
    await waitFor(() => h.tg.messages.get(queue.message_id)!.text.includes("with which status"));
    coordList.press("Accepted", queue);
    await waitFor(() => h.tg.messages.get(queue.message_id)!.text.includes("🔎 substantiation in progress, 0/1 answered"));
  });
});

describe("reminders", () => {
  it("reminds after the configured days without an answer, at most twice; the coordinator sees it", async () => {
    const coord = h.user(7101);
    const o = await acceptedStatement(h.db.prisma, { authorTelegramId: 7001, org: ORG, description: "Second statement" });
    await choose(h.db.prisma, [o.id]);
    const code = await sourceLink(coord, o.id, "Mr Vuthy");
    const vuthy = h.user(7502, "Vuthy");
    vuthy.text(`/start ${code}`);
    await vuthy.expect("asks you to check a statement");
    const a = await h.db.prisma.substantiationAssignment.findFirstOrThrow({ where: { outcomeId: o.id } });
    const opened = a.openedAt!.getTime();
    const deps = { api: h.sendApi, prisma: h.db.prisma, logger: pino({ level: "silent" }) };
    const config = { substantiationReminderDays: 7 };
    const sent = async (days: number) => {
      await sendDueReminders(deps, config, new Date(opened + days * DAY));
      return (await h.db.prisma.substantiationAssignment.findUniqueOrThrow({ where: { id: a.id } })).remindersSent;
    };
    expect(await sent(3)).toBe(0);
    expect(await sent(7.5)).toBe(1);
    await vuthy.expect("A reminder: you were asked to check statement");
    expect(await sent(8)).toBe(1); // only one day after the first reminder
    expect(await sent(15)).toBe(2);
    expect(await sent(30)).toBe(2); // the cap: twice
    expect(await sent(60)).toBe(2);
    const reminders = (await vuthy.drain(200)).filter((m) => m.text.startsWith("A reminder"));
    expect(reminders).toHaveLength(1); // the second; the first was read above

    // The reminder's button continues where they stopped.
    vuthy.press(/Continue with/);
    await vuthy.expect("asks you to check a statement");

    await coord.drain(50);
    coord.text("/substantiate");
    const overview = await coord.expect("<b>Substantiation</b>");
    expect(overview.text).toContain("• Mr Vuthy: link opened · reminded 2×");
    expect(overview.text).toContain("• Ms Chenda, cooperative treasurer: answering");
  });

  it("does not remind someone who never opened the link (there is nobody to write to)", async () => {
    const coord = h.user(7101);
    const o = await acceptedStatement(h.db.prisma, { authorTelegramId: 7001, org: ORG, description: "Third statement" });
    await choose(h.db.prisma, [o.id]);
    await sourceLink(coord, o.id, "Never opened");
    const before = await h.db.prisma.substantiationAssignment.findMany({ where: { outcomeId: o.id } });
    const deps = { api: h.sendApi, prisma: h.db.prisma, logger: pino({ level: "silent" }) };
    await sendDueReminders(deps, { substantiationReminderDays: 1 }, new Date(Date.now() + 90 * DAY));
    const after = await h.db.prisma.substantiationAssignment.findMany({ where: { outcomeId: o.id } });
    expect(after.map((a) => a.remindersSent)).toEqual(before.map(() => 0));
  });
});

describe("a part given as a voice note", () => {
  it("is played to the source", async () => {
    const coord = h.user(7101);
    const o = await acceptedStatement(h.db.prisma, { authorTelegramId: 7001, org: ORG });
    await h.db.prisma.outcome.update({ where: { id: o.id }, data: { description: null } });
    await h.db.prisma.outcomeEvidence.create({
      data: { outcomeId: o.id, part: "description", kind: "voice", fileId: "file-spoken-description", fileUniqueId: "spoken" },
    });
    await choose(h.db.prisma, [o.id]);
    const code = await sourceLink(coord, o.id, "Ms Listener");
    const listener = h.user(7503, "Listener");
    const part = await openAndAgree(listener, code);
    expect(part.text).toContain("(this part was given as a voice note)");
    expect(h.tg.calls.some((c) => c.method === "sendVoice" && c.payload.chat_id === 7503 && c.payload.voice === "file-spoken-description")).toBe(true);
  });
});
