/**
 * Production mode in one process: the webhook (secret, health, setWebhook after listen), updates
 * handled at most once across retries and instances, a graceful stop, and the per-person rate limit.
 */
import { createConnection } from "node:net";
import type { Update } from "grammy/types";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/platform/config.js";
import { startApp, type App } from "../src/app/runtime.js";
import { INBOX_RETENTION_MS, purgeInbox } from "../src/platform/telegram/inbox.js";
import { FakeTelegram } from "./support/fake-telegram.js";
import { TEST_WEBHOOK_SECRET } from "./support/secrets.js";
import { testDatabase, type TestDatabase } from "./support/db.js";
import { useHarness } from "./support/harness.js";
import { FakeUser, waitFor } from "./support/user.js";
import { freePort } from "./support/net.js";
import { createInvite } from "../src/onboarding/service.js";
import { answerUntil } from "./support/statements.js";

const SECRET = TEST_WEBHOOK_SECRET;
const logger = pino({ level: "silent" });

function helpUpdate(tg: FakeTelegram, userId: number): Update {
  const from = { id: userId, is_bot: false, first_name: `User${userId}`, language_code: "en" };
  return {
    update_id: tg.newUpdateId(),
    message: {
      message_id: tg.newMessageId(),
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: from.first_name },
      from,
      text: "/help",
      entities: [{ type: "bot_command", offset: 0, length: 5 }],
    },
  } as Update;
}

describe("webhook mode", () => {
  let tg: FakeTelegram;
  let db: TestDatabase;
  let port: number;
  const apps: App[] = [];
  let healthWhenSetWebhook: Promise<number> | undefined;
  const webhookConfig = (p: number) =>
    loadConfig({
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      BOT_MODE: "webhook",
      WEBHOOK_URL: `http://127.0.0.1:${p}/telegram/hook`,
      WEBHOOK_SECRET: SECRET,
      PUBLIC_URL: "https://bot.example.org",
      PORT: String(p),
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
    });
  // Both instances share the database; the test closes it.
  const shared = () => ({ ...db, close: async () => {} });
  const sentTo = (chat: number) => tg.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === chat);

  beforeAll(async () => {
    tg = new FakeTelegram();
    await tg.start();
    db = await testDatabase();
    port = await freePort();
    tg.intercept = (method) => {
      if (method === "setWebhook") healthWhenSetWebhook = fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.status);
      return undefined;
    };
    apps.push(
      await startApp(webhookConfig(port), {
        db: shared(),
        logger,
        schedulers: false,
        outbox: { perChatMs: 0 },
        http: { headersMs: 400, requestMs: 800, checkEveryMs: 100 },
      }),
    );
    tg.intercept = undefined;
  }, 120_000);

  afterAll(async () => {
    for (const app of apps) await app.stop();
    await tg.stop();
    await db.close();
  });

  it("tells Telegram the webhook, with its secret, only once the server answers", async () => {
    const call = tg.calls.find((c) => c.method === "setWebhook")!;
    expect(call.payload.url).toBe(`http://127.0.0.1:${port}/telegram/hook`);
    expect(call.payload.secret_token).toBe(SECRET);
    expect(await healthWhenSetWebhook).toBe(200);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    // The public health check says whether the bot can serve, and nothing about its internals.
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("with PUBLIC_URL the same server serves the console's page and its API, which asks for init data", async () => {
    // A connection per request: this server's request timeout is cut short for the slow-client tests.
    const get = (path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port}${path}`, { ...init, headers: { connection: "close" } });
    const page = await get("/console/");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<div id="app">');
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const asset = await get(script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await get("/console", { redirect: "manual" })).status).toBe(302);
    const api = await get("/api/v1/meta");
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ ok: false, error: "open the console from the bot (no init data)" });
  });

  it("refuses a call with a wrong or missing secret (401) and handles nothing", async () => {
    const missing = helpUpdate(tg, 8701);
    const wrong = helpUpdate(tg, 8701);
    expect(await tg.deliver(missing, null)).toBe(401);
    expect(await tg.deliver(wrong, "webhook-secret-0123456789abcdeX")).toBe(401);
    expect(await tg.deliver(wrong, "short")).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(8701)).toHaveLength(0);
    expect(await db.prisma.inboxUpdate.count({ where: { updateId: { in: [BigInt(missing.update_id), BigInt(wrong.update_id)] } } })).toBe(0);
    const res = await fetch(`http://127.0.0.1:${port}/telegram/hook`, { method: "GET" });
    expect(res.status).toBe(405);
  });

  it("an over-large body gets 413 (declared or not), and nothing is stored", async () => {
    const url = `http://127.0.0.1:${port}/telegram/hook`;
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET };
    const big = JSON.stringify({ ...helpUpdate(tg, 8710), padding: "x".repeat(1_100_000) });
    expect((await fetch(url, { method: "POST", headers, body: big })).status).toBe(413);
    // Without a length: streamed in chunks.
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 12; i++) c.enqueue(new TextEncoder().encode("x".repeat(100_000)));
        c.close();
      },
    });
    const streamed = await fetch(url, { method: "POST", headers, body: chunks, duplex: "half" } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(sentTo(8710)).toHaveLength(0);
    // The server still serves.
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it("a client that sends half a request and then nothing is cut off", async () => {
    const socket = createConnection({ host: "127.0.0.1", port });
    await new Promise((r) => socket.once("connect", r));
    let answer = "";
    socket.on("data", (d) => (answer += String(d)));
    socket.write("POST /telegram/hook HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    const started = Date.now();
    await new Promise((r) => socket.once("end", r)); // the server closes its side
    socket.destroy();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it("the internal status endpoint is on its own port, on 127.0.0.1 only; the public port does not serve it", async () => {
    expect((await fetch(`http://127.0.0.1:${port}/status`)).status).toBe(404);
    const internalPort = await freePort();
    const p2 = await freePort();
    const hook = tg.webhook; // the extra instance registers its own address: put the first one back after
    const app = await startApp({ ...webhookConfig(p2), internalPort }, { db: shared(), logger, schedulers: false });
    tg.webhook = hook;
    try {
      const res = await fetch(`http://127.0.0.1:${internalPort}/status`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", mode: "webhook", database: { reachable: true }, inbox: { open: expect.any(Number) } });
      expect(await (await fetch(`http://127.0.0.1:${p2}/healthz`)).json()).toEqual({ status: "ok" });
    } finally {
      await app.stop();
    }
  });

  it("a person talks to the bot through the webhook as through polling", async () => {
    const u = new FakeUser(tg, 8702);
    u.text("/start");
    await u.expect("you need an <b>invite link</b>");
  });

  it("an update delivered again (a Telegram retry) and to a second instance is handled once", async () => {
    const once = helpUpdate(tg, 8703);
    expect(await tg.deliver(once)).toBe(200);
    await waitFor(() => sentTo(8703).length > 0);
    await new Promise((r) => setTimeout(r, 300));
    const repliesToOne = sentTo(8703).length;

    const port2 = await freePort();
    apps.push(await startApp(webhookConfig(port2), { db: shared(), logger, schedulers: false, outbox: { perChatMs: 0 } }));
    const again = helpUpdate(tg, 8704);
    const second = { ...tg.webhook!, url: `http://127.0.0.1:${port2}/telegram/hook` };
    const statuses = await Promise.all([
      tg.deliver(again),
      tg.deliver(again),
      fetch(second.url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
        body: JSON.stringify(again),
      }).then((r) => r.status),
    ]);
    expect(statuses).toEqual([200, 200, 200]);
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTo(8704)).toHaveLength(repliesToOne);
    expect(sentTo(8704).map((c) => c.payload.text)).toEqual(sentTo(8703).map((c) => c.payload.text));
    const row = await db.prisma.inboxUpdate.findUnique({ where: { updateId: BigInt(again.update_id) } });
    expect(row?.handledAt).toBeInstanceOf(Date);
    expect(row?.error).toBeNull();
  });

  it("handled updates are kept for a bounded time", async () => {
    const old = new Date(Date.now() - INBOX_RETENTION_MS - 60_000);
    const payload = { update_id: 0 };
    await db.prisma.inboxUpdate.create({ data: { updateId: 999_999_001n, chatKey: "none", payload, handledAt: old, receivedAt: old } });
    await db.prisma.inboxUpdate.create({ data: { updateId: 999_999_002n, chatKey: "none", payload, handledAt: new Date() } });
    expect(await purgeInbox(db.prisma)).toBeGreaterThanOrEqual(1);
    expect(await db.prisma.inboxUpdate.findUnique({ where: { updateId: 999_999_001n } })).toBeNull();
    expect(await db.prisma.inboxUpdate.findUnique({ where: { updateId: 999_999_002n } })).not.toBeNull();
  });

  it("two instances, a text and a button press of one chat at once: the draft always matches what the person saw", async () => {
    // Like two instances behind one address: a chat's messages reach one, its button presses the other.
    const second = apps[1]!;
    tg.route = (u) => (u.callback_query ? `http://127.0.0.1:${second.port}/telegram/hook` : undefined);
    const org = await db.prisma.organisation.upsert({ where: { name: "Two Instances Union" }, create: { name: "Two Instances Union" }, update: {} });
    try {
      for (let trial = 0; trial < 8; trial++) {
        const { code } = await createInvite(db.prisma, { organisationId: org.id, role: "leader", maxUses: 1, days: 1 });
        const u = new FakeUser(tg, 8800 + trial);
        await u.join(code);
        await u.expect("/help");
        await answerUntil(u, "date");
        // Nearly at once: "I don't know" pressed on the date question, and the date typed while
        // Telegram is slow to acknowledge the press (as it is, now and then, from far away).
        tg.delay = (method) => (method === "answerCallbackQuery" ? 300 : undefined);
        u.press("I don't know");
        await new Promise((r) => setTimeout(r, 50));
        u.text("March 2024");
        await tg.settled(20_000);
        await u.drain(300);
        tg.delay = undefined;
        const draft = await db.prisma.outcome.findFirstOrThrow({ where: { author: { telegramId: BigInt(u.id) } } });
        const saw = tg.sentTo(u.id).map((m) => m.text);
        if (saw.some((t) => t.includes("I understood: <b>March 2024</b>"))) expect(draft.dateText, saw.join("\n")).toBe("March 2024");
        else expect(draft.dateText, saw.join("\n")).toBeNull();
      }
    } finally {
      tg.route = undefined;
      tg.delay = undefined;
    }
  }, 120_000);

  it("a graceful stop finishes the update in flight, then stops answering", async () => {
    const app = apps.pop()!; // the second instance
    const slow = helpUpdate(tg, 8705);
    tg.delay = (method, p) => (method === "sendMessage" && p.chat_id === 8705 ? 1500 : undefined);
    const url = `http://127.0.0.1:${app.port}/telegram/hook`;
    const delivered = fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(slow),
    });
    await waitFor(async () => (await db.prisma.inboxUpdate.count({ where: { updateId: BigInt(slow.update_id) } })) === 1);
    const started = Date.now();
    await app.stop();
    tg.delay = undefined;
    expect(Date.now() - started).toBeGreaterThan(500); // it waited for the reply
    expect(sentTo(8705).length).toBeGreaterThan(0);
    expect((await delivered).status).toBe(200);
    await expect(fetch(`http://127.0.0.1:${app.port}/healthz`)).rejects.toThrow();
  });
});

describe("rate limit", () => {
  const h = useHarness({ RATE_LIMIT_PER_MINUTE: "5" });

  it("a flooding person is asked once, politely, to slow down; others are answered as usual", async () => {
    const flood = h.user(8801);
    for (let i = 0; i < 12; i++) flood.text("/help");
    await h.tg.settled(20_000);
    const other = h.user(8802);
    other.text("/help");
    await other.expect("/start");
    const got = await flood.drain(300);
    const polite = got.filter((m) => m.text.includes("faster than I can read"));
    expect(polite).toHaveLength(1);
    expect(got.filter((m) => m.text.includes("/start")).length).toBeLessThanOrEqual(5);
    expect(h.logs.filter((l) => l.msg === "rate limited").length).toBe(7);
  });
});
