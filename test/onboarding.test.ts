import { describe, expect, it } from "vitest";
import { createInvite } from "../src/onboarding/service.js";
import { ADMIN_ID, useHarness } from "./support/harness.js";
import { waitFor } from "./support/user.js";

const h = useHarness();

const ORG = "Phnom Penh Street Vendors Association";

describe("onboarding", () => {
  it("a valid invite: language, consent, then membership with the invite's role", async () => {
    const code = await h.invite(ORG, "leader", { uses: 2 });
    const u = h.user(2001, "Sokha", "en");
    u.text(`/start ${code}`);
    expect((await u.next()).text).toBe(`You are invited to join <b>${ORG}</b> as leader.`);
    const picker = await u.next();
    expect(picker.reply_markup?.inline_keyboard.flat().map((b) => b.text)).toEqual(["English", "ខ្មែរ"]);
    // Nothing works before consent.
    u.press("ខ្មែរ");
    const consent = await u.expect("មុននឹងចាប់ផ្តើម");
    u.text("/new");
    await u.expect("មុននឹងចាប់ផ្តើម");
    u.press("✅ ខ្ញុំយល់ព្រម", consent);
    expect((await u.next()).text).toBe(`សូមស្វាគមន៍! អ្នកបានចូលរួមជាមួយ <b>${ORG}</b> ក្នុងនាមជាអ្នកដឹកនាំ។`);
    const help = await u.next();
    expect(help.text).toContain("/new — រាយការណ៍ការផ្លាស់ប្តូរថ្មី");
    expect(help.text).not.toContain("/invite");

    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 2001n }, include: { memberships: { include: { organisation: true } } } });
    expect(user.language).toBe("km");
    expect(user.consentAt).not.toBeNull();
    expect(user.memberships.map((m) => [m.organisation.name, m.role, m.active])).toEqual([[ORG, "leader", true]]);
    const invite = await h.db.prisma.invite.findFirstOrThrow({ where: { id: user.memberships[0]!.inviteId! } });
    expect(invite.uses).toBe(1);
    // The command menu of this chat follows role and language.
    const menu = h.tg.calls.filter((c) => c.method === "setMyCommands" && c.payload.scope?.chat_id === 2001).at(-1)!;
    expect(menu.payload.commands.map((c: { command: string }) => c.command)).toEqual([
      "new",
      "my",
      "history",
      "reminders",
      "cancel",
      "privacy",
      "language",
      "help",
    ]);
    expect(menu.payload.commands[0].description).toBe("រាយការណ៍ការផ្លាស់ប្តូរ (លទ្ធផល)");
  });

  it("an unknown code, an expired one and a used-up one each get their own message", async () => {
    const u = h.user(2002);
    u.text("/start thisCodeDoesNotExist0123");
    expect((await u.next()).text).toContain("This invite link is not valid");

    const org = await h.organisation(ORG);
    const { code: expired } = await createInvite(
      h.db.prisma,
      { organisationId: org.id, role: "leader", maxUses: 5, days: 1 },
      new Date(Date.now() - 2 * 86_400_000),
    );
    u.text(`/start ${expired}`);
    expect((await u.next()).text).toContain("This invite link has expired");

    const single = await h.invite(ORG, "leader", { uses: 1 });
    await h.user(2003).join(single);
    u.text(`/start ${single}`);
    expect((await u.next()).text).toContain("already been used as many times as allowed");
    expect(await h.db.prisma.user.findUnique({ where: { telegramId: 2002n } })).toBeNull();
  });

  it("/start without a code explains how to get an invite", async () => {
    const u = h.user(2004);
    u.text("/start");
    const m = await u.next();
    expect(m.text).toContain("you need an <b>invite link</b> from your coordinator");
    u.text("/new");
    expect((await u.next()).text).toContain("invite link");
  });

  it("consent pressed twice records one membership and one use", async () => {
    const code = await h.invite(ORG, "leader", { uses: 5 });
    const u = h.user(2005);
    u.text(`/start ${code}`);
    await u.expect("Please choose your language");
    u.press("English");
    const consent = await u.expect("Before we start");
    u.press(/✅/, consent);
    u.press(/✅/, consent);
    await u.expect("Welcome!");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 2005n }, include: { memberships: true } });
    expect(user.memberships).toHaveLength(1);
    const invite = await h.db.prisma.invite.findUniqueOrThrow({ where: { id: user.memberships[0]!.inviteId! } });
    expect(invite.uses).toBe(1);
    expect((await u.drain()).filter((m) => m.text.includes("Welcome!"))).toEqual([]);
  });

  it("/language switches language at any time", async () => {
    const u = await h.member(2006, ORG, "en");
    u.text("/language");
    await u.expect("Please choose your language");
    u.press("ខ្មែរ");
    await u.expect("ភាសា៖ ខ្មែរ");
    u.text("/help");
    expect((await u.next()).text).toContain("/my — មើលរបាយការណ៍របស់អ្នក");
  });

  it("an admin creates an organisation and an invite link from the bot, and the link works", async () => {
    const admin = h.user(ADMIN_ID, "Admin");
    const help = await admin.join("");
    expect(help.text).toContain("/neworg");
    admin.text("/neworg Domestic Workers <Network> & Friends");
    const created = await admin.expect("created");
    expect(created.text).toBe("Organisation <b>Domestic Workers &lt;Network&gt; &amp; Friends</b> created.");
    // Each step edits the same message; wait for each before pressing the next button.
    const onMessage = async (needle: string) => {
      await waitFor(() => h.tg.messages.get(created.message_id)!.text.includes(needle), 5000, needle);
      return h.tg.messages.get(created.message_id)!;
    };
    admin.press("Create an invite link", created);
    admin.press("coordinator", await onMessage("as:"));
    admin.press("5", await onMessage("How many people"));
    const days = await onMessage("How long");
    const button = days.reply_markup!.inline_keyboard.flat().find((b) => b.text === "7 days") as { callback_data: string };
    // Pressed twice: one invite.
    const first = admin.pressData(button.callback_data, created.message_id);
    const second = admin.pressData(button.callback_data, created.message_id);
    await admin.callbackAnswer(first);
    expect((await admin.callbackAnswer(second)).text).toBe("This invite was already created.");
    await onMessage("valid until");
    const text = h.tg.messages.get(created.message_id)!.text;
    expect(text).toContain("as coordinator, for 5 person(s)");
    const link = /https:\/\/t\.me\/harvest_test_bot\?start=([\w-]+)/.exec(text)!;
    expect(link[1]!.length).toBeGreaterThanOrEqual(22);
    expect(await h.db.prisma.invite.count({ where: { organisation: { name: "Domestic Workers <Network> & Friends" } } })).toBe(1);

    const c = h.user(2007);
    c.text(`/start ${link[1]}`);
    await c.expect("as coordinator");
  });

  it("a leader cannot create organisations or invites, even with forged callback data", async () => {
    const u = await h.member(2008, ORG);
    u.text("/neworg Mine");
    expect((await u.next()).text).toBe("You are not allowed to do that.");
    const org = await h.organisation(ORG);
    const id = u.pressData(`inv:d:${org.id}:coordinator:100:90:forged`);
    expect((await u.callbackAnswer(id)).text).toBe("You are not allowed to do that.");
    expect(await h.db.prisma.invite.count({ where: { role: "coordinator", maxUses: 100 } })).toBe(0);
  });
});
