import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/platform/db/client.js";
import { readMigrations } from "../src/platform/db/migrate.js";
import { TEMPLATE_FILE } from "../src/platform/db/template.js";
import { FakeTelegram } from "./support/fake-telegram.js";
import { BotProcess } from "./support/process.js";
import { testDatabase, usingPostgres, type TestDatabase } from "./support/db.js";
import { useHarness } from "./support/harness.js";
import { FakeUser, waitFor } from "./support/user.js";

const ADMIN = 7001;
const LEADER = 7002;

describe("resume after a real restart of the bot process", () => {
  let tg: FakeTelegram;
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let bot: BotProcess;

  beforeAll(async () => {
    tg = new FakeTelegram();
    await tg.start();
    if (usingPostgres()) {
      db = await testDatabase({ migrate: false });
    } else {
      dataDir = mkdtempSync(join(tmpdir(), "oh-resume-"));
    }
    bot = new BotProcess({
      BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: tg.apiRoot,
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      ...(db?.url ? { DATABASE_URL: db.url } : { DATA_DIR: dataDir! }),
    });
  }, 120_000);

  afterAll(async () => {
    await bot?.kill();
    await tg.stop();
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function stopProcess() {
    expect(await bot.terminate()).toBe(0);
  }

  it("continues at the same step with every earlier answer kept", async () => {
    await bot.start();
    const migrationsFirst = bot.output.match(/"applied":\[[^\]]*\]/)![0];
    // A new embedded directory starts from the build's template, migrated already (db/template.ts).
    const fromTemplate = !db && existsSync(TEMPLATE_FILE);
    expect(migrationsFirst).toBe(`"applied":${JSON.stringify(fromTemplate ? [] : readMigrations().map((m) => m.name))}`);

    // Set-up through Telegram only: the admin creates the organisation and an invite.
    const admin = new FakeUser(tg, ADMIN, "Admin");
    expect((await admin.join("")).text).toContain("programme coordinator");
    admin.text("/neworg Tuk-tuk Drivers Union");
    const created = await admin.expect("created");
    const step = async (needle: string) => {
      await waitFor(() => tg.messages.get(created.message_id)!.text.includes(needle), 5000, needle);
      return tg.messages.get(created.message_id)!;
    };
    admin.press("Create an invite link", created);
    admin.press("leader", await step("as:"));
    admin.press("5", await step("How many people"));
    admin.press("7 days", await step("How long"));
    const code = /start=([\w-]+)/.exec((await step("valid until")).text)![1]!;

    const u = new FakeUser(tg, LEADER, "Dara", "km");
    await u.join(code, "km");
    u.text("/new");
    await u.expect("តើមានអ្វីផ្លាស់ប្តូរ?");
    u.text("ក្រុមហ៊ុនដឹកជញ្ជូនបានចាប់ផ្តើមចុះឈ្មោះអ្នករត់តុកតុកចូលប្រព័ន្ធសន្តិសុខសង្គមនៅខែមិថុនា ឆ្នាំ២០២៤។");
    await u.expect("តើអ្នកណាបានផ្លាស់ប្តូរ?");
    u.text("ក្រុមហ៊ុនដឹកជញ្ជូន ABC");
    const typeQuestion = await u.expect("ជាតួអង្គសង្គមប្រភេទណា");

    await stopProcess();
    await bot.start();
    expect(bot.output).toContain('"applied":[]');

    // The button of the question asked before the restart still answers that step.
    u.press("ក្រុមហ៊ុន ឬរោងចក្រ", typeQuestion);
    await u.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    u.text("ខែមិថុនា ២០២៤");
    expect((await u.next()).text).toBe("ខ្ញុំយល់ថា៖ <b>ខែមិថុនា ឆ្នាំ២០២៤</b>។ តើត្រឹមត្រូវទេ?");
    u.text("/cancel");
    await u.expect("បានបញ្ឈប់");
    await stopProcess();

    const check = db ?? (await openDatabase({ dataDir }));
    try {
      const o = await check.prisma.outcome.findFirstOrThrow({ where: { author: { telegramId: BigInt(LEADER) } } });
      expect(o).toMatchObject({
        status: "draft",
        actorName: "ក្រុមហ៊ុនដឹកជញ្ជូន ABC",
        actorType: "company",
        dateStart: "2024-06",
        step: "date_confirm",
      });
      expect(o.description).toContain("តុកតុក");
    } finally {
      if (!db) await check.close();
    }
    expect(bot.output).not.toContain(tg.token.split(":")[1]);
  }, 180_000);
});

describe("conversation state from an older version of the code", () => {
  const h = useHarness();

  it.each([
    ["an older state version", { version: [1, 0], state: { interrupted: [], replay: { send: [], receive: [] } } }],
    ["an unreadable state", { garbage: true }],
  ])("%s takes the person back to their draft at the recorded step", async (_name, stale) => {
    const id = _name.startsWith("an older") ? 7101 : 7102;
    const u = await h.member(id, "Garment Workers Union");
    u.text("/new");
    await u.expect("What changed?");
    u.text("In 2024 the factory in Kandal stopped firing pregnant workers and began paying maternity leave.");
    await u.expect("Who changed?");
    u.text("Kandal garment factory");
    await u.expect("What kind of social actor");
    await h.tg.settled();
    // Left by an older version of the code (or unreadable): the plugin drops it.
    await h.db.prisma.conversationState.upsert({ where: { key: `conv:${id}` }, create: { key: `conv:${id}`, value: stale }, update: { value: stale } });

    // The next message is taken as the answer to the step the draft records.
    u.text("hello?");
    const m = await u.next();
    expect(m.text).toBe("Please use the buttons of the question above.");
    u.press("Company or factory");
    await u.expect("When did it change?");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(o).toMatchObject({ actorName: "Kandal garment factory", actorType: "company", step: "date" });
  });
});
