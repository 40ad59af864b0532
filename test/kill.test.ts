/**
 * Exactly once under SIGKILL: a few leaders type evidence lines as fast as they like while the
 * bot process is killed at random moments and restarted, in polling mode and in webhook mode
 * (the fake delivers like Telegram: it keeps polled updates until the offset confirms them, and
 * retries each webhook update of a queue until it gets a 2xx). Every line a leader sent must be
 * in their draft exactly once, in the order sent, with one event each; re-delivering handled
 * updates long after (no lease to run out) changes nothing.
 */
import { describe, expect, it } from "vitest";
import { createInvite } from "../src/onboarding/service.js";
import { storeUpdates } from "../src/platform/telegram/inbox.js";
import { useBotProcess } from "./support/process.js";
import { answerUntil } from "./support/statements.js";
import { TEST_WEBHOOK_SECRET } from "./support/secrets.js";
import { FakeUser, waitFor } from "./support/user.js";

const ORG = "Takeo Garment Workers Union";
const LEADERS = 4;
/** At most this many lines each; they type until the last restart. */
const MAX_LINES = 150;
const KILLS = 4;

describe.each(["polling", "webhook"] as const)("SIGKILL at random moments (%s)", (mode) => {
  // Replies a killed process left unsent go out through the send queue after REPLY_GRACE_SECONDS:
  // short here, so the test does not wait half a minute for them.
  const fixture = useBotProcess(
    ({ port }): Record<string, string> => ({
      REPLY_GRACE_SECONDS: "2",
      ...(mode === "webhook" ? { BOT_MODE: "webhook", WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET } : {}),
    }),
  );

  it("every line typed is in the draft exactly once, in order, after several kills", async () => {
    const { tg, db, bot } = fixture;
    const org = await db.prisma.organisation.create({ data: { name: ORG } });
    const leaders: FakeUser[] = [];
    for (let i = 0; i < LEADERS; i++) {
      const { code } = await createInvite(db.prisma, { organisationId: org.id, role: "leader", maxUses: 1, days: 1 });
      const u = new FakeUser(tg, 9600 + i);
      await u.join(code);
      await u.expect("/help");
      await answerUntil(u, "evidence");
      leaders.push(u);
    }
    const firstUpdate = tg.lastUpdateId + 1;

    // Each leader types lines a few milliseconds apart while the bot is killed (soon after each
    // start, while it works through what waited) and restarted.
    let typing = true;
    const sent = new Map<number, number>();
    const typers = leaders.map(async (u) => {
      for (let n = 1; typing && n <= MAX_LINES; n++) {
        u.text(`source ${u.id}-${n}`);
        sent.set(u.id, n);
        await new Promise((r) => setTimeout(r, 30 + Math.random() * 50));
      }
    });
    for (let k = 0; k < KILLS; k++) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
      await bot.kill();
      await bot.start();
    }
    typing = false;
    await Promise.all(typers);
    await tg.settled(60_000);
    await waitFor(async () => (await db.prisma.inboxUpdate.count({ where: { handledAt: null } })) === 0, 60_000, "the inbox to be empty");

    const check = async () => {
      for (const u of leaders) {
        const draft = await db.prisma.outcome.findFirstOrThrow({ where: { author: { telegramId: BigInt(u.id) }, status: "draft" } });
        const lines = sent.get(u.id)!;
        const expected = [...Array(lines)].map((_, i) => `source ${u.id}-${i + 1}`);
        expect(draft.sources?.split("\n"), `the lines of ${u.id}`).toEqual(expected);
        const events = await db.prisma.outcomeEvent.count({ where: { outcomeId: draft.id, field: "sources" } });
        expect(events, `events of ${u.id}`).toBe(lines);
      }
      const handled = await db.prisma.inboxUpdate.count({ where: { updateId: { gte: firstUpdate }, handledAt: { not: null }, error: null } });
      expect(handled).toBe(tg.lastUpdateId - firstUpdate + 1);
    };
    await check();
    expect(bot.logs().filter((l) => Number(l.level) >= 50)).toEqual([]);

    // A re-delivery of handled updates, however late, is a no-op: no lease runs out. (Replies a
    // killed process left unsent go out first, from the send queue, once their wait is over.)
    await waitFor(async () => (await db.prisma.outboxMessage.count({ where: { status: "pending" } })) === 0, 60_000, "the send queue to be empty");
    await tg.settled(30_000);
    const sentBefore = tg.calls.length;
    const again = tg.pushed.filter((u) => u.update_id >= firstUpdate).slice(0, 10);
    if (mode === "webhook") for (const u of again) expect(await tg.deliver(u)).toBe(200);
    else await storeUpdates(db.sql, again); // what the poller does with a batch it is given again
    await tg.settled(30_000);
    await new Promise((r) => setTimeout(r, 500));
    await check();
    expect(tg.calls.slice(sentBefore).filter((c) => c.method === "sendMessage")).toEqual([]);
  }, 180_000);
});
