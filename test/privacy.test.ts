import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";

const h = useHarness();
const ORG = "Battambang Garment Workers Union";
const OTHER = "Takeo Fishers Group";

describe("/privacy", () => {
  it("a guest is told nothing is stored", async () => {
    const g = h.user(6001);
    g.text("/privacy");
    await g.expect("stores nothing about you (Telegram id 6001)");
  });

  it("shows a leader what is stored; deleting keeps their statements as 'author removed' and tells the coordinator once", async () => {
    const leader = await h.member(6101, ORG);
    const coord = await h.member(6201, ORG, "km", "coordinator");
    const otherCoord = await h.member(6202, OTHER, "en", "coordinator");
    const kept = await seedStatement(h.db.prisma, { authorTelegramId: 6101, org: ORG, status: "accepted" });
    const draft = await seedStatement(h.db.prisma, { authorTelegramId: 6101, org: ORG, status: "draft" });

    leader.text("/privacy");
    const shown = await leader.expect("What this bot stores about you");
    expect(shown.text).toContain("Telegram id: 6101 · name: User6101");
    expect(shown.text).toContain(`Organisations: ${ORG} (leader)`);
    expect(shown.text).toMatch(/Statements you reported: 2 \(.*Accepted: 1/);
    leader.press("🗑 Delete my personal data", shown);
    const confirm = await leader.expect("Delete your personal data?");
    leader.press("No, keep it", confirm);
    await leader.expect("Nothing was deleted.");
    expect((await h.db.prisma.user.findUnique({ where: { telegramId: 6101n } }))?.deletedAt).toBeNull();

    leader.text("/privacy");
    leader.press("🗑 Delete my personal data", await leader.expect("What this bot stores about you"));
    const again = await leader.expect("Delete your personal data?");
    leader.press("Yes, delete", again);
    leader.press("Yes, delete", again); // pressed twice
    await leader.expect("Your personal data is deleted. 1 statement(s) stay");
    await h.tg.settled();

    const row = await h.db.prisma.user.findUniqueOrThrow({ where: { id: kept.authorId! } });
    expect(row).toMatchObject({ displayName: "", username: null, language: null, consentAt: null });
    expect(row.telegramId < 0n).toBe(true);
    expect(row.deletedAt).toBeInstanceOf(Date);
    expect(await h.db.prisma.membership.count({ where: { userId: row.id, active: true } })).toBe(0);
    expect(await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: kept.id } })).toMatchObject({ authorId: row.id, status: "accepted", discardedAt: null });
    expect((await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: draft.id } })).discardedAt).toBeInstanceOf(Date);

    const told = await coord.expect("ស្នើឱ្យលុបទិន្នន័យផ្ទាល់ខ្លួន");
    expect(told.text).toContain(ORG);
    expect(told.text).toContain("១");
    expect((await coord.drain(300)).filter((m) => m.text.includes("ស្នើឱ្យលុប"))).toHaveLength(0); // once, despite the double press
    expect((await otherCoord.drain(100)).length).toBe(0); // not their organisation

    coord.pressData(`rv:o:${kept.id}`);
    await h.tg.settled();
    await coord.drain(300);
    const cards = h.tg
      .sentTo(6201)
      .map((m) => m.text)
      .join("\n");
    expect(cards).toContain("(អ្នករាយការណ៍បានលុបឈ្មោះរបស់ខ្លួន)");
    expect(cards).not.toContain("User6101");

    // The same Telegram account is now a stranger.
    leader.text("/privacy");
    await leader.expect("stores nothing about you");
    leader.text("/my");
    await leader.expect("invite link");
  });

  it("a coordinator sees their data but has no delete button (their record belongs to the programme)", async () => {
    const coord = await h.member(6301, ORG, "en", "coordinator");
    coord.text("/privacy");
    const shown = await coord.expect("What this bot stores about you");
    expect(shown.reply_markup).toBeUndefined();
    coord.pressData("pv:yes", shown.message_id); // forged
    await h.tg.settled();
    expect((await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 6301n } })).deletedAt).toBeNull();
  });
});
