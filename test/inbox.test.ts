/**
 * The inbox on its own, with a small bot: what commits with an update and what does not.
 */
import { Api, Bot } from "grammy";
import type { Update } from "grammy/types";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inbox, storeUpdates } from "../src/platform/telegram/inbox.js";
import { enqueue, Outbox } from "../src/platform/telegram/outbox.js";
import { deferCalls, unitPrisma } from "../src/platform/telegram/unit.js";
import { BOT_USER, FakeTelegram } from "./support/fake-telegram.js";
import { testDatabase, type TestDatabase } from "./support/db.js";

const logger = pino({ level: "silent" });

describe("the inbox", () => {
  let tg: FakeTelegram;
  let db: TestDatabase;
  let bot: Bot;
  let inbox: Inbox;
  let outbox: Outbox;
  let nextId = 1;
  const message = (chat: number, text: string): Update =>
    ({
      update_id: nextId++,
      message: { message_id: nextId, date: 0, chat: { id: chat, type: "private", first_name: "A" }, from: { id: chat, is_bot: false, first_name: "A" }, text },
    }) as Update;

  beforeAll(async () => {
    tg = new FakeTelegram();
    await tg.start();
    db = await testDatabase();
    bot = new Bot(tg.token, {
      botInfo: {
        ...BOT_USER,
        can_join_groups: false,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
      } as never,
      client: { apiRoot: tg.apiRoot },
    });
    bot.api.config.use(deferCalls());
    const prisma = unitPrisma(db.prisma);
    bot.on("message:text", async (ctx) => {
      const text = ctx.message.text;
      await prisma.organisation.create({ data: { name: `written by ${text}` } });
      if (text === "nested") {
        // A service's own transaction is a savepoint: its failure undoes only its own writes.
        await prisma
          .$transaction(async (tx) => {
            await tx.organisation.create({ data: { name: "undone with its savepoint" } });
            throw new Error("typed refusal");
          })
          .catch(() => {});
      }
      if (text.startsWith("tell")) await enqueue(prisma, { chatId: 601, payload: { text: `notice: ${text}` }, kind: "test" });
      await ctx.reply(`done: ${text}`);
      if (text === "fail" || text === "tell and fail") throw new Error("the handler failed after writing and replying");
    });
    bot.catch(async (err) => {
      await err.ctx.reply("sorry, try again");
    });
    inbox = new Inbox({ prisma: db.prisma, sql: db.sql, bot, logger }, { everyMs: 50 });
    inbox.start();
    // The send queue looks for messages once a minute: what the handlers queue goes when the inbox wakes it.
    outbox = new Outbox({ api: new Api(tg.token, { apiRoot: tg.apiRoot }), prisma: db.prisma, logger }, { perChatMs: 0 });
    outbox.start(60_000);
  }, 120_000);

  afterAll(async () => {
    await outbox.stop();
    await inbox.stop();
    await tg.stop();
    await db.close();
  });

  const handled = async (u: Update) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const row = await db.prisma.inboxUpdate.findUniqueOrThrow({ where: { updateId: BigInt(u.update_id) } });
      if (row.handledAt && !inbox.working) return row;
      if (Date.now() > deadline) throw new Error("not handled");
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const names = async () => (await db.prisma.organisation.findMany({ orderBy: { id: "asc" } })).map((o) => o.name);

  it("an update's writes, its handled mark and its reply commit together; a re-delivery changes nothing", async () => {
    const u = message(501, "one");
    await storeUpdates(db.sql, [u]);
    inbox.kick();
    expect((await handled(u)).error).toBeNull();
    expect(await names()).toContain("written by one");
    expect(tg.sentTo(501).map((m) => m.text)).toEqual(["done: one"]);
    await storeUpdates(db.sql, [u]);
    inbox.kick();
    await new Promise((r) => setTimeout(r, 200));
    expect((await names()).filter((n) => n === "written by one")).toHaveLength(1);
    expect(tg.sentTo(501)).toHaveLength(1);
  });

  it("a failing handler leaves none of its writes or replies; the update is marked with its error and the person is told", async () => {
    const u = message(502, "fail");
    await storeUpdates(db.sql, [u]);
    inbox.kick();
    const row = await handled(u);
    expect(row.error).toContain("the handler failed");
    expect(await names()).not.toContain("written by fail");
    expect(tg.sentTo(502).map((m) => m.text)).toEqual(["sorry, try again"]);
  });

  it("a nested transaction that fails undoes only its own writes", async () => {
    const u = message(503, "nested");
    await storeUpdates(db.sql, [u]);
    inbox.kick();
    expect((await handled(u)).error).toBeNull();
    const all = await names();
    expect(all).toContain("written by nested");
    expect(all).not.toContain("undone with its savepoint");
  });

  it("a chat's updates are handled in order, one at a time, whatever order they were stored in", async () => {
    const us = [1, 2, 3, 4, 5].map((n) => message(504, `in order ${n}`));
    await storeUpdates(db.sql, [...us].reverse());
    inbox.kick();
    await handled(us[4]!);
    expect(tg.sentTo(504).map((m) => m.text)).toEqual(us.map((_, i) => `done: in order ${i + 1}`));
  });

  it("a message a handler queues for someone else goes right after the commit; one of a failed update never goes", async () => {
    const failed = message(505, "tell and fail");
    const told = message(505, "tell once");
    await storeUpdates(db.sql, [failed, told]);
    inbox.kick();
    await handled(told);
    const deadline = Date.now() + 5_000;
    while (tg.sentTo(601).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(tg.sentTo(601).map((m) => m.text)).toEqual(["notice: tell once"]);
  });
});
