import { describe, expect, it } from "vitest";
import { ADMIN_ID, useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();

const ORG_A = "Cambodian Domestic Workers Network";
const ORG_B = "Street Vendors Association of Phnom Penh";

const membership = async (telegramId: number, org: string) => {
  const u = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
  const o = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: org } });
  return h.db.prisma.membership.findUniqueOrThrow({ where: { userId_organisationId: { userId: u.id, organisationId: o.id } } });
};

describe("members", () => {
  it("a coordinator changes a role, deactivates and reactivates a member, who is told each time", async () => {
    const leader = await h.member(4001, ORG_A);
    const coord = await h.member(4101, ORG_A, "en", "coordinator");
    coord.text("/members");
    const list = await coord.expect(`<b>${ORG_A}</b>: 2 members`);
    expect(list.text).toContain("• User4001 · leader");
    coord.press("User4001 · leader", list);
    await waitFor(() => h.tg.messages.get(list.message_id)!.text.includes("member since"));

    let press = coord.press("Make substantiator", list);
    expect((await coord.callbackAnswer(press)).text).toBe("Saved. The person will be told.");
    await leader.expect(`Your role in <b>${ORG_A}</b> is now: substantiator.`);
    expect((await membership(4001, ORG_A)).role).toBe("substantiator");

    press = coord.press("🚫 Deactivate", list);
    await coord.callbackAnswer(press);
    await leader.expect("was deactivated by a coordinator");
    expect((await membership(4001, ORG_A)).active).toBe(false);
    leader.text("/my");
    await leader.expect("Your access to this bot was deactivated by a coordinator");
    const stale = leader.pressData("my:p:0");
    expect((await leader.callbackAnswer(stale)).text).toContain("Your access to this bot was deactivated");

    press = coord.press("✅ Reactivate", list);
    await coord.callbackAnswer(press);
    await leader.expect("was reactivated");
    leader.text("/my");
    await leader.expect("You have no statements yet");

    // The same press again changes nothing.
    const again = coord.pressData(`mb:a:${(await membership(4001, ORG_A)).id}:1`, list.message_id);
    expect((await coord.callbackAnswer(again)).text).toBe("Already done.");
    // Not oneself.
    const self = coord.pressData(`mb:a:${(await membership(4101, ORG_A)).id}:0`, list.message_id);
    expect((await coord.callbackAnswer(self)).text).toBe("You cannot change your own membership.");
    expect((await membership(4101, ORG_A)).active).toBe(true);
  });

  it("a coordinator of another organisation cannot list or change A's members", async () => {
    const coordB = await h.member(4102, ORG_B, "en", "coordinator");
    const target = await membership(4001, ORG_A);
    const orgA = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } });
    for (const data of [`mb:a:${target.id}:0`, `mb:r:${target.id}:coordinator`, `mb:m:${target.id}`, `mb:o:${orgA.id}`]) {
      const id = coordB.pressData(data);
      expect((await coordB.callbackAnswer(id)).text, data).toBe("You are not allowed to do that.");
    }
    expect(await membership(4001, ORG_A)).toMatchObject({ active: true, role: "substantiator" });
    coordB.text("/members");
    const list = await coordB.expect(`<b>${ORG_B}</b>`);
    expect(list.text).not.toContain("User4001");
    // /orgs lists only B, and its button opens B's members.
    coordB.text("/orgs");
    const orgs = await coordB.expect("1 active member(s)");
    expect(orgs.text).not.toContain(ORG_A);
    coordB.press(`👥 ${ORG_B}`, orgs);
    await waitFor(() => h.tg.messages.get(orgs.message_id)!.text.includes(`<b>${ORG_B}</b>: 1 member`));
  });
});

describe("programme-wide coordinators", () => {
  it("an admin invites one; they review every organisation; organisation coordinators cannot create such invites", async () => {
    const admin = h.user(ADMIN_ID, "Admin");
    await admin.join("");
    await admin.drain(100);
    const orgA = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } });
    admin.text("/invite");
    await admin.expect("to which organisation");
    admin.press(ORG_A);
    await waitFor(() => h.tg.sentTo(ADMIN_ID).some((m) => m.text.includes("as:")));
    admin.press("Coordinator (whole programme)");
    await waitFor(() => h.tg.sentTo(ADMIN_ID).some((m) => m.text.includes("How many people")));
    admin.press("1");
    await waitFor(() => h.tg.sentTo(ADMIN_ID).some((m) => m.text.includes("How long")));
    admin.press("7 days");
    await waitFor(() => h.tg.sentTo(ADMIN_ID).some((m) => m.text.includes("start=")));
    const link = h.tg.sentTo(ADMIN_ID).find((m) => m.text.includes("start="))!.text;
    expect(link).toContain("Coordinator (whole programme)");
    const code = /start=([\w-]+)/.exec(link)![1]!;

    const wide = h.user(4301);
    await wide.join(code);
    await wide.drain(100);
    const other = await seedStatement(h.db.prisma, { authorTelegramId: 4102, org: ORG_B, description: "A change in organisation B" });
    wide.text("/review");
    const queue = await wide.expect("All organisations");
    expect(queue.text).toContain(`#${other.id} · ${ORG_B}`);
    wide.pressData(`rv:o:${other.id}`);
    await wide.expect("What do you want to do?");

    // An organisation coordinator sees no such choice, and a forged one is ignored.
    const coord = h.user(4101);
    await coord.drain(100);
    coord.text("/invite");
    const pick = await coord.expect("to which organisation");
    coord.press(ORG_A, pick);
    await waitFor(() => h.tg.messages.get(pick.message_id)!.text.includes("as:"));
    const roles = h.tg.messages
      .get(pick.message_id)!
      .reply_markup!.inline_keyboard.flat()
      .map((b) => b.text);
    expect(roles).toEqual(["leader", "coordinator", "substantiator"]);
    const forged = coord.pressData(`inv:d:${orgA.id}:programme:1:7:abcdef`, pick.message_id);
    expect((await coord.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
    expect(await h.db.prisma.invite.count({ where: { programmeWide: true } })).toBe(1);
  });
});

describe("/dimensions", () => {
  it("a programme coordinator adds and switches off an option; an organisation coordinator may not", async () => {
    const admin = h.user(ADMIN_ID, "Admin");
    await admin.drain(100);
    admin.text("/dimensions");
    const list = await admin.expect("Classification dimensions");
    admin.press("Type of change", list);
    await waitFor(() => h.tg.messages.get(list.message_id)!.text.includes("working_conditions"));
    admin.press("➕ Add an option", list);
    await admin.expect("New option for <b>Type of change</b>");
    admin.text("Housing | លំនៅដ្ឋាន");
    await admin.expect("Option <b>Housing</b> added.");
    const shown = await admin.expect("<code>housing</code>");
    const housing = await h.db.prisma.dimensionOption.findFirstOrThrow({ where: { key: "housing" } });
    expect(housing.labels).toEqual({ en: "Housing", km: "លំនៅដ្ឋាន" });
    admin.press("Switch off: Housing", shown);
    await waitFor(async () => !(await h.db.prisma.dimensionOption.findUniqueOrThrow({ where: { id: housing.id } })).active);

    const coord = h.user(4101);
    await coord.drain(100);
    const forgedSwitch = coord.pressData(`dm:m:${housing.dimensionId}:1`);
    expect((await coord.callbackAnswer(forgedSwitch)).text).toBe("You are not allowed to do that.");
    coord.text("/dimensions");
    await coord.expect("You are not allowed to do that.");
    const forged = coord.pressData(`dm:t:${housing.id}:1`);
    expect((await coord.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
    expect((await h.db.prisma.dimensionOption.findUniqueOrThrow({ where: { id: housing.id } })).active).toBe(false);
    expect((await h.db.prisma.dimension.findUniqueOrThrow({ where: { key: "change_type" } })).multiple).toBe(false);
  });

  it("a programme coordinator lets a dimension take several options, and back to one only when no statement has two", async () => {
    const admin = h.user(ADMIN_ID, "Admin");
    await admin.drain(100);
    const author = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(ADMIN_ID) } });
    const statement = await seedStatement(h.db.prisma, { authorTelegramId: ADMIN_ID, org: ORG_A, status: "accepted" });
    admin.text("/dimensions");
    const list = await admin.expect("Classification dimensions");
    admin.press("Significance", list);
    await waitFor(() => h.tg.messages.get(list.message_id)!.text.includes("(Choose one.)"));
    admin.press("Allow several options per statement", list);
    await waitFor(() => h.tg.messages.get(list.message_id)!.text.includes("(Several may apply.)"));
    const significance = await h.db.prisma.dimension.findUniqueOrThrow({ where: { key: "significance" }, include: { options: true } });
    expect(significance.multiple).toBe(true);
    await h.db.prisma.classification.createMany({
      data: significance.options.slice(0, 2).map((o) => ({ outcomeId: statement.id, optionId: o.id, createdById: author.id })),
    });
    const press = admin.press("Only one option per statement", list);
    expect(await admin.callbackAnswer(press)).toEqual({
      text: "It stays as it is: 1 statement has several of its options. Choose one for it first.",
      show_alert: true,
    });
    expect((await h.db.prisma.dimension.findUniqueOrThrow({ where: { key: "significance" } })).multiple).toBe(true);
    await h.db.prisma.classification.delete({ where: { outcomeId_optionId: { outcomeId: statement.id, optionId: significance.options[0]!.id } } });
    admin.press("Only one option per statement", list);
    await waitFor(() => h.tg.messages.get(list.message_id)!.text.includes("(Choose one.)"));
    expect((await h.db.prisma.dimension.findUniqueOrThrow({ where: { key: "significance" } })).multiple).toBe(false);
  });
});
