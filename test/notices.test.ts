/** Coordinators hear of a newly submitted statement (issue 11): each, hourly, or not at all. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/platform/logger.js";
import { runNoticeBatches } from "../src/review/submitted.js";
import { useHarness } from "./support/harness.js";
import { answerSteps } from "./support/statements.js";

const h = useHarness();
const A = "Kampot Fishers Association";
const B = "Kep Salt Workers Union";
const config = { adminTelegramIds: new Set([5000]) };

async function submit(leaderId: number, org: string) {
  const u = h.user(leaderId);
  await u.drain(50);
  await answerSteps(u, org);
  await u.expect("Is everything right?");
  u.press("✅ Submit");
  const done = await u.expect("submitted");
  return Number(/#(\d+)/.exec(done.text)![1]);
}

describe("a notice to the coordinators when a statement is submitted", () => {
  it("the coordinators of its organisation and of the whole programme are told, with a button to the card; others are not", async () => {
    await h.member(9001, A);
    const coordA = await h.member(9101, A, "en", "coordinator");
    const coordB = await h.member(9102, B, "en", "coordinator");
    const programme = await h.member(9103, B, "km", "coordinator");
    await h.db.prisma.membership.updateMany({ where: { user: { telegramId: 9103n } }, data: { programmeWide: true } });
    const id = await submit(9001, A);
    const notice = await coordA.expect("New statement");
    expect(notice.text).toContain(`📥 New statement #${id} from User9001 (${A})`);
    expect(notice.reply_markup!.inline_keyboard.flat()).toMatchObject([{ text: `Open #${id}`, callback_data: `rv:o:${id}` }]);
    const km = await programme.expect("របាយការណ៍ថ្មី");
    expect(km.text).toContain(A);
    coordA.press(`Open #${id}`, notice);
    await coordA.expect("What do you want to do?");
    expect((await coordB.drain(300)).some((m) => m.text.includes("New statement"))).toBe(false);
  });

  it("a coordinator turns them off, or has them listed once an hour, in /digest", async () => {
    const coordA = h.user(9101);
    await coordA.drain(50);
    coordA.text("/digest");
    const settings = await coordA.expect("Your digest");
    expect(settings.text).toContain("<b>New statements</b>: a message for each, as it comes");
    coordA.press("📥 Off", settings);
    await waitUntilChoice(9101, "off");
    await submit(9001, A);
    expect((await coordA.drain(500)).some((m) => m.text.includes("New statement"))).toBe(false);

    coordA.text("/digest");
    coordA.press("📥 Hourly", await coordA.expect("Your digest"));
    await waitUntilChoice(9101, "hourly");
    const first = await submit(9001, A);
    const second = await submit(9001, A);
    expect((await coordA.drain(500)).some((m) => m.text.includes("New statement"))).toBe(false);

    const deps = { prisma: h.db.prisma, logger: createLogger("silent") };
    const later = new Date(Date.now() + 3_600_000);
    expect(await runNoticeBatches(deps, config, later)).toBe(1);
    expect(await runNoticeBatches(deps, config, later)).toBe(0); // once per hour
    const list = await coordA.expect("new statements</b> in the last hour");
    expect(list.text).toContain(`#${first} · ${A}`);
    expect(list.text).toContain(`#${second} · ${A}`);
    // The list covers the whole hour (here also the statements sent before the change).
    expect(list.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(expect.arrayContaining([`Open #${first}`, `Open #${second}`]));
  });
});

async function waitUntilChoice(telegramId: number, choice: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const u = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
    const sub = await h.db.prisma.digestSubscription.findUnique({ where: { userId: u.id } });
    if (sub?.submitNotices === choice) return;
    if (Date.now() > deadline) throw new Error(`notices never became ${choice}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
