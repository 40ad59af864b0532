import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { remindersDue, runRoundReminders } from "../src/harvest/round-reminders.js";
import { useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Kep Crab Fishers Association";
const config = { timeZone: "Asia/Phnom_Penh" };
const deps = () => ({ prisma: h.db.prisma, logger: pino({ level: "silent" }) });
const reminders = (chat: number) =>
  h.tg.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === chat && String(c.payload.text).includes("The harvest round"));
const settle = () => new Promise((r) => setTimeout(r, 300));

describe("harvest round reminders", () => {
  it("when they are due", () => {
    const round = { startsAt: new Date("2027-01-01T00:00:00Z"), endsAt: new Date("2027-04-01T00:00:00Z") };
    expect(remindersDue(round, new Date("2026-12-31T00:00:00Z"))).toBe(0);
    expect(remindersDue(round, new Date("2027-01-20T00:00:00Z"))).toBe(0);
    expect(remindersDue(round, new Date("2027-02-01T00:00:00Z"))).toBe(1);
    expect(remindersDue(round, new Date("2027-03-05T00:00:00Z"))).toBe(2);
    expect(remindersDue(round, new Date("2027-04-01T00:00:00Z"))).toBe(0);
  });

  it("reach only leaders who have not reported, at most twice, at a reasonable local hour; not the paused or deactivated", async () => {
    const quiet = await h.member(9501, ORG);
    await h.member(9502, ORG); // reports during the round
    const paused = await h.member(9503, ORG);
    await h.member(9504, ORG); // deactivated
    await h.member(9505, ORG, "km");
    await h.member(9601, ORG, "en", "coordinator");
    const startsAt = new Date(Date.now() - 10 * 86_400_000);
    const endsAt = new Date(Date.now() + 20 * 86_400_000);
    await h.db.prisma.harvestRound.create({ data: { name: "Q1 2027", startsAt, endsAt } });
    await seedStatement(h.db.prisma, { authorTelegramId: 9502, org: ORG });
    paused.text("/reminders");
    const state = await paused.expect("up to two reminders");
    paused.press("🔕 Pause reminders", state);
    await waitFor(async () => (await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 9503n } })).remindersPaused);
    const deactivated = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 9504n } });
    await h.db.prisma.membership.updateMany({ where: { userId: deactivated.id }, data: { active: false } });

    // A third of the way in, at 02:00 local: too early in the day.
    const third = startsAt.getTime() + (endsAt.getTime() - startsAt.getTime()) / 3 + 3_600_000;
    const atLocal = (base: number, hour: number) => {
      const d = new Date(base);
      d.setUTCHours(hour - 7, 0, 0, 0); // Phnom Penh is UTC+7
      return d.getTime() < base ? new Date(d.getTime() + 86_400_000) : d;
    };
    expect(await runRoundReminders(deps(), config, atLocal(third, 2))).toBe(0);
    expect(await runRoundReminders(deps(), config, atLocal(third, 10))).toBe(2);
    expect(await runRoundReminders(deps(), config, atLocal(third, 11))).toBe(0); // the first is sent once
    await waitFor(() => reminders(9501).length === 1);
    const first = reminders(9501)[0]!;
    expect(first.payload.text).toContain("<b>Q1 2027</b>");
    expect(first.payload.reply_markup.inline_keyboard.flat().map((b: { text: string }) => b.text)).toEqual(["📝 Report a change", "🔕 Pause reminders"]);
    await waitFor(() => h.tg.calls.some((c) => c.method === "sendMessage" && c.payload.chat_id === 9505 && String(c.payload.text).includes("ជុំប្រមូលលទ្ធផល")));

    // Two thirds in: the second; after that, none.
    const twoThirds = startsAt.getTime() + ((endsAt.getTime() - startsAt.getTime()) * 2) / 3 + 3_600_000;
    expect(await runRoundReminders(deps(), config, atLocal(twoThirds, 10))).toBe(2);
    expect(await runRoundReminders(deps(), config, atLocal(endsAt.getTime() - 2 * 86_400_000, 10))).toBe(0);
    await waitFor(() => reminders(9501).length === 2);
    await settle();
    expect(reminders(9501)).toHaveLength(2);
    for (const id of [9502, 9503, 9504, 9601]) expect(reminders(id), String(id)).toHaveLength(0);

    // The button starts a new statement.
    quiet.press("📝 Report a change");
    await quiet.expect("What changed?");
  });
});
