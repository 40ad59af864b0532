/**
 * Faults, with the bot as a real process, a real PostgreSQL server that the test stops and starts,
 * and the fake Bot API: the database going away mid-conversation, SIGKILL in the middle of a
 * harvest, a substantiation and a digest run, and Telegram answering 429, 500 or not at all.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/platform/db/client.js";
import { translator } from "../src/platform/i18n/index.js";
import { createInvite } from "../src/onboarding/service.js";
import type { Role } from "../src/generated/prisma/client.js";
import type { FakeTelegram } from "./support/fake-telegram.js";
import type { PgCluster } from "./support/pg-cluster.js";
import { type BotProcess, useBotProcess } from "./support/process.js";
import { DESCRIPTION, SIGNIFICANCE } from "./support/statements.js";
import { choose, acceptedStatement, answerPart, openAndAgree, sourceLink } from "./support/substantiation.js";
import { FakeUser, waitFor } from "./support/user.js";

const ADMIN = 9000;
const ORG = "Svay Rieng Domestic Workers Network";
const km = translator("km");
const firstLine = (s: string) => s.split("\n")[0]!;

describe("faults", () => {
  const fixture = useBotProcess(() => ({ ADMIN_TELEGRAM_IDS: String(ADMIN), RATE_LIMIT_PER_MINUTE: "1000", PORT: "0" }));
  let pg: PgCluster;
  let tg: FakeTelegram;
  let db: Database;
  let bot: BotProcess;
  beforeAll(async () => {
    ({ pg, tg, db, bot } = fixture);
    await db.prisma.organisation.create({ data: { name: ORG } });
  });

  async function member(id: number, lang: "en" | "km" = "en", role: Role = "leader") {
    const org = await db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    const { code } = await createInvite(db.prisma, { organisationId: org.id, role, maxUses: 1, days: 1 });
    const u = new FakeUser(tg, id);
    await u.join(code, lang);
    await u.expect("/help");
    await u.drain(50);
    return u;
  }

  const draftOf = (telegramId: number) =>
    db.prisma.outcome.findFirstOrThrow({ where: { author: { telegramId: BigInt(telegramId) }, status: "draft" }, orderBy: { id: "desc" } });
  /** Until the bot has finished the last update (its id is marked handled, after everything it stored). */
  const idle = async () => {
    const id = BigInt(tg.lastUpdateId);
    await waitFor(async () => Boolean((await db.prisma.inboxUpdate.findUnique({ where: { updateId: id } }))?.handledAt), 10_000, "the last update handled");
  };
  const texts = (chat: number) => tg.sentTo(chat).map((m) => m.text);
  const noRepeats = (chat: number) => {
    const all = texts(chat);
    expect(
      all.filter((t, i) => all.indexOf(t) !== i),
      all.join("\n---\n"),
    ).toEqual([]);
  };

  it("the database goes away during a step: the person is told in their language that the message is kept, and it is answered once the database is back", async () => {
    const leader = await member(9101, "km");
    leader.text("/new");
    await leader.expect(firstLine(km("harvest.ask.description")));
    leader.text(DESCRIPTION);
    await leader.expect(firstLine(km("harvest.ask.actor_name", { org: ORG })));

    pg.stop();
    try {
      leader.text("Provincial Department of Labour, Svay Rieng");
      await leader.expect(km("errors.unavailable"), 30_000);
    } finally {
      pg.start();
    }
    // Nothing was lost: the answer is taken once the database is back, without typing it again.
    await leader.expect(firstLine(km("harvest.ask.actor_type", { actor: "Provincial Department of Labour, Svay Rieng" })), 30_000);
    const draft = await draftOf(9101);
    expect(draft).toMatchObject({ description: DESCRIPTION, actorName: "Provincial Department of Labour, Svay Rieng" });
    expect(bot.logs().some((l) => /database unavailable/.test(String(l.msg)))).toBe(true);
    noRepeats(9101);
  });

  it("SIGKILL in the middle of a harvest: after the restart every answer is there and nothing is sent twice", async () => {
    const leader = await member(9102);
    leader.text("/new");
    await leader.expect("What changed?");
    leader.text(DESCRIPTION);
    await leader.expect("Who changed?");
    leader.text("Commune council of Chantrea");
    await leader.expect("What kind of social actor");
    leader.press("Government (national or local)");
    await leader.expect("When did it change?");
    await idle();

    await bot.kill();
    await bot.start();

    leader.text("March 2024");
    await leader.expect("I understood: <b>March 2024</b>");
    leader.press("Yes");
    await leader.expect("Where did it happen?");
    leader.text("Chantrea district");
    await leader.expect("Why does it matter");
    leader.text(SIGNIFICANCE);
    await leader.expect(`What did ${ORG} do`);
    const draft = await draftOf(9102);
    expect(draft).toMatchObject({
      description: DESCRIPTION,
      actorName: "Commune council of Chantrea",
      actorType: "government",
      dateText: "March 2024",
      place: "Chantrea district",
      significance: SIGNIFICANCE,
    });
    await leader.drain(300);
    noRepeats(9102);
  });

  it("SIGKILL in the middle of a substantiation: the parts answered are kept and the rest can be answered", async () => {
    const author = await member(9103);
    const coord = await member(9104, "en", "coordinator");
    const o = await acceptedStatement(db.prisma, { authorTelegramId: 9103, org: ORG });
    await choose(db.prisma, [o.id]);
    const code = await sourceLink(coord, o.id, "Ms Sokha, commune chief");
    const source = new FakeUser(tg, 9105);
    const first = await openAndAgree(source, code);
    const second = await answerPart(source, first, "Fully agree", "I was at the meeting.");
    expect(second.text).toMatch(/2\/3 · /);
    await tg.settled();

    await bot.kill();
    await bot.start();

    const third = await answerPart(source, second, "Partially agree");
    expect(third.text).toMatch(/3\/3 · /);
    const summary = await answerPart(source, third, "Fully agree");
    expect(summary.text).toContain("Your answers about statement");
    const answers = await db.prisma.substantiationAnswer.findMany({ where: { assignment: { outcomeId: o.id } }, orderBy: { part: "asc" } });
    expect(answers.map((a) => [a.part, a.level, a.comment])).toEqual([
      ["contribution", "fully", null],
      ["description", "fully", "I was at the meeting."],
      ["significance", "partially", null],
    ]);
    await source.drain(300);
    noRepeats(9105);
    void author;
  });

  it("SIGKILL in the middle of a digest run: no coordinator gets their digest twice, and the rest still go out", async () => {
    await bot.kill();
    const org = await db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    const ids = [...Array(12)].map((_, i) => 9200 + i);
    const longAgo = new Date(Date.now() - 10 * 86_400_000);
    for (const id of ids) {
      const u = await db.prisma.user.create({
        data: { telegramId: BigInt(id), displayName: `Coord ${id}`, language: "en", consentAt: longAgo, createdAt: longAgo },
      });
      await db.prisma.membership.create({ data: { userId: u.id, organisationId: org.id, role: "coordinator" } });
      await db.prisma.digestSubscription.create({ data: { userId: u.id, frequency: "daily", hour: 8 } });
    }
    const digestsTo = (id: number) =>
      tg.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === id && String(c.payload.text).includes("Digest"));
    tg.delay = (method, p) => (method === "sendMessage" && ids.includes(Number(p.chat_id)) ? 250 : undefined);
    try {
      await bot.start();
      await waitFor(() => ids.filter((id) => digestsTo(id).length > 0).length >= 3, 30_000, "some digests sent");
      await bot.kill();
      const before = ids.filter((id) => digestsTo(id).length > 0).length;
      expect(before).toBeLessThan(ids.length);
      await bot.start();
      await waitFor(
        async () => (await db.prisma.outboxMessage.count({ where: { kind: "digest", status: "pending" } })) === 0,
        60_000,
        "the digest queue empty",
      );
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      tg.delay = undefined;
    }
    for (const id of ids) expect(digestsTo(id).length, `digests to ${id}`).toBeLessThanOrEqual(1);
    // At most the one being sent at the kill is left undelivered (its delivery is unknown).
    expect(ids.filter((id) => digestsTo(id).length === 1).length).toBeGreaterThanOrEqual(ids.length - 1);
    const userIds = (await db.prisma.user.findMany({ where: { telegramId: { in: ids.map((id) => BigInt(id)) } } })).map((u) => u.id);
    expect(await db.prisma.digestRun.count({ where: { userId: { in: userIds } } })).toBe(ids.length);
  });

  it("Telegram answers 429, then 500, then not at all: the reply is retried and arrives once, also inside a conversation", async () => {
    const u = await member(9301);
    let step = 0;
    const faults = () => {
      step = 0;
      tg.intercept = (method, p) => {
        if (method !== "sendMessage" || p.chat_id !== 9301) return undefined;
        step++;
        if (step === 1)
          return { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } } };
        if (step === 2) return { status: 500, body: { ok: false, error_code: 500, description: "Internal Server Error" } };
        if (step === 3) return { status: 500, body: { ok: false, error_code: 500, description: "never answered in time" }, afterMs: 4000 };
        return undefined;
      };
    };
    try {
      // An immediate reply outside any conversation.
      faults();
      u.text("/my");
      const reply = await u.expect(/statement|draft/i, 30_000);
      expect(reply.text.length).toBeGreaterThan(0);
      await u.drain(500);
      expect(step).toBe(4);
      // The next question of a harvest (sent from inside the conversation).
      tg.intercept = undefined;
      u.text("/new");
      await u.expect("What changed?");
      faults();
      u.text(DESCRIPTION);
      await u.expect("Who changed?", 30_000);
      await u.drain(500);
      expect(step).toBe(4);
    } finally {
      tg.intercept = undefined;
    }
    expect(texts(9301).filter((t) => t.startsWith("<b>Who changed?</b>"))).toHaveLength(1);
    expect(bot.logs().filter((l) => l.msg === "update failed")).toEqual([]);
    expect((await draftOf(9301)).description).toBe(DESCRIPTION);
  });

  it("SIGTERM with a reply in flight: the reply is finished, then the process exits 0", async () => {
    const u = await member(9302);
    let arrived = 0;
    tg.delay = (method, p) => {
      if (method !== "sendMessage" || p.chat_id !== 9302) return undefined;
      arrived = Date.now();
      return 1500;
    };
    try {
      u.text("/help");
      await waitFor(() => arrived > 0, 10_000, "the reply on its way");
      const code = await bot.terminate();
      expect(code).toBe(0);
    } finally {
      tg.delay = undefined;
    }
    expect(texts(9302).at(-1)).toContain("/new");
    expect(bot.logs().some((l) => l.msg === "stopped")).toBe(true);
    await bot.start();
  });
});
