import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { enqueue, Outbox, REPLY_KIND, wakeSendQueues } from "../src/platform/telegram/outbox.js";
import { useHarness } from "./support/harness.js";
import { waitFor } from "./support/user.js";

// The harness's own queue is off: each test runs the queue it checks.
const h = useHarness({}, { outbox: false });
const logger = pino({ level: "silent" });
const sends = (chat: number) => h.tg.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === chat);
const message = (chatId: number, text: string, dedupeKey?: string) => ({ chatId, payload: { text }, kind: "test", dedupeKey });

describe("send queue", () => {
  it("holds the rate: at most N a second overall and one per chat per interval; sends each once, in order", async () => {
    const items = [...Array(6)].map((_, i) => message(7001, `same chat ${i}`));
    for (let c = 0; c < 24; c++) items.push(message(7100 + c, `chat ${c}`));
    await enqueue(h.db.prisma, items);
    expect(await enqueue(h.db.prisma, message(7001, "twice", "k1"))).toBe(1);
    expect(await enqueue(h.db.prisma, message(7001, "twice", "k1"))).toBe(0); // dedupe key: queued once

    const outbox = new Outbox({ api: h.sendApi, prisma: h.db.prisma, logger }, { perSecond: 10, perChatMs: 300 });
    outbox.start(10);
    try {
      await waitFor(async () => (await h.db.prisma.outboxMessage.count({ where: { status: { not: "sent" } } })) === 0, 20_000, "queue drained");
    } finally {
      await outbox.stop();
    }
    const same = sends(7001);
    expect(same.map((c) => c.payload.text)).toEqual([...[...Array(6)].map((_, i) => `same chat ${i}`), "twice"]);
    for (let i = 1; i < same.length; i++) expect(same[i]!.at! - same[i - 1]!.at!).toBeGreaterThanOrEqual(200);
    const all = h.tg.calls.filter((c) => c.method === "sendMessage").map((c) => c.at!);
    expect(all).toHaveLength(31);
    // No 11 within a second. Measured where they arrive, so a loaded machine's jitter is allowed
    // for; without the limit all 31 arrive within a few tens of milliseconds.
    for (let i = 10; i < all.length; i++) expect(all[i]! - all[i - 10]!).toBeGreaterThanOrEqual(800);
  }, 30_000);

  it("honours retry_after on 429, retries 500 with back-off, and records 403 once without retrying; nothing lost or doubled", async () => {
    let tooMany = 1;
    let broken = 2;
    h.tg.intercept = (method, p) => {
      if (method !== "sendMessage") return undefined;
      if (p.chat_id === 7201 && tooMany-- > 0)
        return { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } } };
      if (p.chat_id === 7202 && broken-- > 0) return { status: 500, body: { ok: false, error_code: 500, description: "Internal Server Error" } };
      if (p.chat_id === 7203) return { status: 403, body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } };
      return undefined;
    };
    const failed: string[] = [];
    const outbox = new Outbox(
      { api: h.sendApi, prisma: h.db.prisma, logger },
      { perSecond: 30, perChatMs: 0, backoffMs: 50, onFailed: async (row, error) => void failed.push(`${row.chatId}:${error}`) },
    );
    const queuedAt = Date.now();
    await enqueue(h.db.prisma, [message(7201, "after a 429"), message(7202, "after two 500s"), message(7203, "to someone who blocked the bot")]);
    outbox.start(10);
    try {
      await waitFor(async () => (await h.db.prisma.outboxMessage.count({ where: { status: { in: ["pending", "sending"] } } })) === 0, 15_000, "queue settled");
      await new Promise((r) => setTimeout(r, 300)); // nothing more comes
    } finally {
      await outbox.stop();
      h.tg.intercept = undefined;
    }
    expect(sends(7201)).toHaveLength(1);
    expect(sends(7201)[0]!.at! - queuedAt).toBeGreaterThanOrEqual(1000); // waited retry_after
    expect(sends(7202)).toHaveLength(1);
    expect(sends(7203)).toHaveLength(0);
    expect(failed).toEqual(["7203:403 Forbidden: bot was blocked by the user"]);
    const rows = await h.db.prisma.outboxMessage.findMany({ where: { chatId: { in: [7201n, 7202n, 7203n] } }, orderBy: { chatId: "asc" } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["sent", 1],
      ["sent", 3],
      ["failed", 1],
    ]);
  }, 30_000);

  it("replies a crash left unsent go out in order without the per-chat pause; other messages of the chat keep it", async () => {
    const reply = (text: string) => ({ chatId: 7401, payload: { chat_id: 7401, text }, kind: REPLY_KIND });
    await enqueue(h.db.prisma, [message(7401, "notice 1"), reply("reply 1"), reply("reply 2"), reply("reply 3"), message(7401, "notice 2")]);
    const outbox = new Outbox({ api: h.sendApi, prisma: h.db.prisma, logger }, { perChatMs: 1000 });
    outbox.start(10);
    try {
      await waitFor(async () => (await h.db.prisma.outboxMessage.count({ where: { status: { not: "sent" }, chatId: 7401n } })) === 0, 15_000, "drained");
    } finally {
      await outbox.stop();
    }
    const got = sends(7401);
    expect(got.map((c) => c.payload.text)).toEqual(["notice 1", "reply 1", "reply 2", "reply 3", "notice 2"]);
    expect(got[3]!.at! - got[0]!.at!).toBeLessThan(900); // three replies did not wait a second each
    expect(got[4]!.at! - got[3]!.at!).toBeGreaterThanOrEqual(900); // the next notice did
  }, 30_000);

  it("a message queued in this process goes at once, not at the queue's next look", async () => {
    const outbox = new Outbox({ api: h.sendApi, prisma: h.db.prisma, logger }, { perChatMs: 0 });
    outbox.start(60_000); // looks once now, then not for a minute
    try {
      await new Promise((r) => setTimeout(r, 100));
      await enqueue(h.db.prisma, message(7501, "queued outside a transaction"));
      await waitFor(() => sends(7501).length === 1, 5_000, "the first message");
      // Queued in a transaction of the caller's own: it wakes the queue once that committed.
      await h.db.prisma.$transaction(async (tx) => {
        await enqueue(tx, message(7501, "queued in a transaction"));
      });
      wakeSendQueues();
      await waitFor(() => sends(7501).length === 2, 5_000, "the second message");
    } finally {
      await outbox.stop();
    }
    expect(sends(7501).map((c) => c.payload.text)).toEqual(["queued outside a transaction", "queued in a transaction"]);
  }, 30_000);

  it("two queues on one database send each message once", async () => {
    await enqueue(
      h.db.prisma,
      [...Array(20)].map((_, i) => message(7300 + i, `shared ${i}`)),
    );
    const a = new Outbox({ api: h.sendApi, prisma: h.db.prisma, logger }, { perChatMs: 0 });
    const b = new Outbox({ api: h.sendApi, prisma: h.db.prisma, logger }, { perChatMs: 0 });
    a.start(5);
    b.start(5);
    try {
      await waitFor(
        async () => (await h.db.prisma.outboxMessage.count({ where: { status: { not: "sent" }, chatId: { gte: 7300n } } })) === 0,
        15_000,
        "drained",
      );
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const texts = h.tg.calls.filter((c) => c.method === "sendMessage" && String(c.payload.text).startsWith("shared")).map((c) => c.payload.text);
    expect(texts.sort()).toEqual([...Array(20)].map((_, i) => `shared ${i}`).sort());
  }, 30_000);
});
