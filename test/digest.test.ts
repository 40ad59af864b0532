import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { buildDigest, runDigests } from "../src/reporting/service.js";
import { act } from "../src/review/service.js";
import { useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const A = "Takeo Domestic Workers Network";
const B = "Takeo Street Vendors";
const config = { adminTelegramIds: new Set<number>(), timeZone: "Asia/Phnom_Penh", substantiationReminderDays: 7 };
const deps = () => ({ api: h.sendApi, prisma: h.db.prisma, logger: pino({ level: "silent" }) });
const digestsTo = (chat: number) =>
  h.tg.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === chat && String(c.payload.text).includes("Digest"));
const userRow = (id: number) => h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });

describe("digest content", () => {
  it("says what was submitted per organisation, what waits, questions, decisions and substantiation, with a line per new statement", async () => {
    await h.member(9301, A);
    await h.member(9302, B);
    const coord = await h.member(9401, A, "en", "coordinator");
    await h.db.prisma.membership.create({ data: { userId: (await userRow(9401)).id, organisationId: (await h.organisation(B)).id, role: "coordinator" } });
    const coordRow = await userRow(9401);
    const a1 = await seedStatement(h.db.prisma, { authorTelegramId: 9301, org: A, description: "The district office <b>opened</b> a help desk" });
    const a2 = await seedStatement(h.db.prisma, { authorTelegramId: 9301, org: A, description: "Employers signed the code" });
    const b1 = await seedStatement(h.db.prisma, { authorTelegramId: 9302, org: B, description: "Market fees were cut" });
    await act(h.db.prisma, { outcomeId: a2.id, version: 0, actorId: coordRow.id, action: "accept", now: new Date() });
    await act(h.db.prisma, { outcomeId: b1.id, version: 0, actorId: coordRow.id, action: "ask", text: "Which market?", now: new Date() });
    const now = new Date(Date.now() + 60_000);
    const d = await buildDigest(h.db.prisma, {
      scope: { all: false, orgIds: [(await h.organisation(A)).id, (await h.organisation(B)).id] },
      from: new Date(Date.now() - 86_400_000),
      to: now,
      now,
      lang: "en",
      timeZone: "Asia/Phnom_Penh",
      reminderDays: 7,
      late: false,
    });
    expect(d.empty).toBe(false);
    expect(d.text).toContain(`<b>Submitted</b>: 3 (${A}: 2, ${B}: 1)`);
    expect(d.text).toContain("<b>Waiting for review</b>: 1, the oldest for 0 day(s)");
    expect(d.text).toContain("<b>Questions waiting for authors</b>: 1");
    expect(d.text).toContain("<b>Accepted</b>: 1 · <b>Rejected</b>: 0");
    expect(d.text).toContain(`#${a1.id} · ${A} · <i>The district office &lt;b&gt;opened&lt;/b&gt; a help desk</i>`);
    expect(d.buttons.map((b) => b.data)).toEqual([`rv:o:${a1.id}`, `rv:o:${a2.id}`, `rv:o:${b1.id}`]);
    await coord.drain(50);

    const none = await buildDigest(h.db.prisma, {
      scope: { all: false, orgIds: [] },
      from: new Date(0),
      to: now,
      now,
      lang: "km",
      timeZone: "Asia/Phnom_Penh",
      reminderDays: 7,
      late: true,
    });
    expect(none.empty).toBe(true);
    expect(none.text).toContain("គ្មានអ្វីថ្មីក្នុងរយៈពេលនេះទេ");
    expect(none.text).toContain("យឺត");
  });
});

describe("exactly one digest per period", () => {
  // Monday 30 November 2026, 08:00:30 in Phnom Penh: the weekly period (the default) just ended.
  const monday = new Date("2026-11-30T01:00:30Z");

  const settle = () => new Promise((r) => setTimeout(r, 300));

  it("once per period, also with two instances at once; a missed period comes once, marked late", async () => {
    const coord = h.user(9401);
    expect(await runDigests(deps(), config, monday)).toBeGreaterThanOrEqual(1);
    await waitFor(() => digestsTo(9401).length === 1);
    expect(digestsTo(9401)[0]!.payload.text).toContain("2026-11-23 08:00 – 2026-11-30 08:00");
    expect(digestsTo(9401)[0]!.payload.text).not.toContain("late");
    expect(await runDigests(deps(), config, new Date(monday.getTime() + 3_600_000))).toBe(0);
    await settle();
    expect(digestsTo(9401)).toHaveLength(1);

    // Two instances the next week, at the same moment: one digest.
    const nextWeek = new Date("2026-12-07T01:00:30Z");
    await Promise.all([runDigests(deps(), config, nextWeek), runDigests(deps(), config, nextWeek)]);
    await waitFor(() => digestsTo(9401).length === 2);
    await settle();
    expect(digestsTo(9401)).toHaveLength(2);
    const id = (await userRow(9401)).id;
    expect(await h.db.prisma.digestRun.count({ where: { userId: id, periodKey: { contains: "2026-12-07" } } })).toBe(1);

    // Down for the whole of Monday 14 December: sent once on Wednesday, marked late.
    const back = new Date("2026-12-16T03:00:00Z");
    await runDigests(deps(), config, back);
    await runDigests(deps(), config, new Date(back.getTime() + 60_000));
    await waitFor(() => digestsTo(9401).length === 3);
    await settle();
    expect(digestsTo(9401)).toHaveLength(3);
    expect(digestsTo(9401)[2]!.payload.text).toContain("(late: the bot was down when it was due)");
    const runs = await h.db.prisma.digestRun.findMany({ where: { userId: id }, orderBy: { id: "asc" } });
    expect(runs.map((r) => [r.status, r.late])).toEqual([
      ["sent", false],
      ["sent", false],
      ["sent", true],
    ]);
    await coord.drain(50);
  });

  it("a restart in the middle of sending: the interrupted message is never sent twice, the one another instance is sending is left to it", async () => {
    const chatId = 9401n;
    const text = (n: number) => `📰 <b>Digest</b> · interrupted ${n}`;
    // Left "sending" by a process that died (lease over), and one another instance is sending right now.
    const dead = await h.db.prisma.outboxMessage.create({
      data: {
        chatId,
        method: "sendMessage",
        payload: { text: text(1), parse_mode: "HTML" },
        kind: "digest",
        status: "sending",
        leaseUntil: new Date(Date.now() - 1000),
        attempts: 1,
      },
    });
    await h.db.prisma.outboxMessage.create({
      data: {
        chatId,
        method: "sendMessage",
        payload: { text: text(2), parse_mode: "HTML" },
        kind: "digest",
        status: "sending",
        leaseUntil: new Date(Date.now() + 60_000),
        attempts: 1,
      },
    });
    await waitFor(async () => (await h.db.prisma.outboxMessage.findUnique({ where: { id: dead.id } }))?.status === "failed");
    await settle();
    expect((await h.db.prisma.outboxMessage.findUnique({ where: { id: dead.id } }))?.lastError).toMatch(/interrupted/);
    expect(digestsTo(9401).filter((c) => c.payload.text === text(1))).toHaveLength(0);
    expect(digestsTo(9401).filter((c) => c.payload.text === text(2))).toHaveLength(0);
  });

  it("monthly digests attach the charts; 'no digest' for an empty period sends nothing", async () => {
    const coordId = (await userRow(9401)).id;
    await h.db.prisma.digestSubscription.create({ data: { userId: coordId, frequency: "monthly", monthDay: 1, hour: 8 } });
    const photos = () => h.tg.calls.filter((c) => c.method === "sendPhoto" && c.payload.chat_id === 9401).length;
    const before = digestsTo(9401).length;
    await runDigests(deps(), config, new Date("2026-12-01T02:00:00Z")); // November: the statements above
    await waitFor(() => photos() === 8 && digestsTo(9401).length === before + 1);
    const month = digestsTo(9401).at(-1)!.payload.text as string;
    expect(month).toContain("2026-11-01 08:00 – 2026-12-01 08:00");

    await h.db.prisma.digestSubscription.update({ where: { userId: coordId }, data: { frequency: "daily", sendEmpty: false } });
    const count = digestsTo(9401).length;
    await runDigests(deps(), config, new Date("2027-03-10T02:00:00Z"));
    await settle();
    expect(digestsTo(9401)).toHaveLength(count);
    expect((await h.db.prisma.digestRun.findFirstOrThrow({ where: { userId: coordId }, orderBy: { id: "desc" } })).status).toBe("skipped");
  });
});

describe("/digest", () => {
  it("sets frequency, day, hour, organisations and the empty-period choice with buttons", async () => {
    const coord = await h.member(9402, A, "en", "coordinator");
    coord.text("/digest");
    const settings = await coord.expect("Your digest");
    expect(settings.text).toContain("Every Monday at 08:00.");
    expect(settings.text).toContain("All my organisations");
    coord.press("Daily", settings);
    await waitFor(() => h.tg.messages.get(settings.message_id)!.text.includes("Every day at 08:00."));
    coord.press("07:00", settings);
    await waitFor(() => h.tg.messages.get(settings.message_id)!.text.includes("Every day at 07:00."));
    coord.press("no digest", settings);
    await waitFor(() => h.tg.messages.get(settings.message_id)!.text.includes("nothing new</b>: no digest"));
    coord.press("Monthly", settings);
    await waitFor(() => h.tg.messages.get(settings.message_id)!.text.includes("Every month on day 1"));
    coord.press("15", settings);
    await waitFor(() => h.tg.messages.get(settings.message_id)!.text.includes("Every month on day 15 at 07:00."));
    const row = await h.db.prisma.digestSubscription.findUniqueOrThrow({ where: { userId: (await userRow(9402)).id } });
    expect(row).toMatchObject({ frequency: "monthly", monthDay: 15, hour: 7, sendEmpty: false, organisationIds: [] });
    // An organisation outside the scope cannot be chosen.
    const other = await h.organisation(B);
    const id = coord.pressData(`dg:o:${other.id}:1`, settings.message_id);
    expect((await coord.callbackAnswer(id)).text).toBe("You are not allowed to do that.");
    // Leaders have no digest.
    const leader = h.user(9301);
    leader.text("/digest");
    await leader.expect("You are not allowed to do that.");
  });
});
