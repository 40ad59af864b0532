/** /help per role, and the README's table of commands per role (issue 11). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ADMIN_ID, useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { choose, openAndAgree, sourceLink } from "./support/substantiation.js";
import type { FakeUser } from "./support/user.js";

const h = useHarness();
const ORG = "Siem Reap Domestic Workers Network";

/** README: "| role | `/a` `/b` |" rows of the "Commands by role" table. */
function readmeTable(): Map<string, string[]> {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Commands by role"), readme.indexOf("### Joining"));
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const m = /^\| ([^|]+) \| ((?:`\/\w+` ?)+) \|$/.exec(line.trim());
    if (m)
      rows.set(
        m[1]!.trim(),
        [...m[2]!.matchAll(/`\/(\w+)`/g)].map((x) => x[1]!),
      );
  }
  return rows;
}

/** The commands a /help message lists, in order ("/new — …" lines). */
async function helpOf(u: FakeUser): Promise<string[]> {
  await u.drain(50);
  u.text("/help");
  const m = await u.expect(/^\/\w+ — /m);
  return [...m.text.matchAll(/^\/(\w+) — /gm)].map((x) => x[1]!);
}

describe("/help per role matches the README", () => {
  const table = readmeTable();

  it("the README lists six roles", () => {
    expect([...table.keys()]).toEqual([
      "guest (not joined yet)",
      "leader",
      "substantiator",
      "coordinator",
      "programme-wide coordinator",
      "admin (`ADMIN_TELEGRAM_IDS`)",
    ]);
  });

  it("guest, leader, coordinator, programme-wide coordinator and admin", async () => {
    expect(await helpOf(h.user(8001))).toEqual(table.get("guest (not joined yet)"));
    expect(await helpOf(await h.member(8002, ORG))).toEqual(table.get("leader"));
    expect(await helpOf(await h.member(8003, ORG, "en", "coordinator"))).toEqual(table.get("coordinator"));
    const programme = await h.member(8004, ORG, "en", "coordinator");
    await h.db.prisma.membership.updateMany({ where: { user: { telegramId: 8004n } }, data: { programmeWide: true } });
    expect(await helpOf(programme)).toEqual(table.get("programme-wide coordinator"));
    const admin = h.user(ADMIN_ID);
    await admin.join("");
    expect(await helpOf(admin)).toEqual(table.get("admin (`ADMIN_TELEGRAM_IDS`)"));
  });

  it("a substantiator, who joined through a source link and has no membership, sees their own commands", async () => {
    await h.member(8005, ORG);
    const coord = h.user(8003);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 8005, org: ORG, status: "accepted" });
    await choose(h.db.prisma, [o.id]);
    const code = await sourceLink(coord, o.id, "Ms Chan, commune councillor");
    const source = h.user(8006, "Chan");
    await openAndAgree(source, code);
    const commands = await helpOf(source);
    expect(commands).toEqual(table.get("substantiator"));
    expect(commands).toContain("checks");
    source.text("/checks");
    const list = await source.expect("Statements you were asked to check");
    expect(list.text).toContain(`#${o.id}`);
    // Their menu too.
    const menu = h.tg.calls.filter((c) => c.method === "setMyCommands" && c.payload.scope?.chat_id === 8006).at(-1)!;
    expect(menu.payload.commands.map((c: { command: string }) => c.command)).toEqual(table.get("substantiator"));
  });
});

describe("the consent says how to leave", () => {
  it("a leader's mentions /privacy; a coordinator's says their work stays in the record and who deactivates them", async () => {
    const leader = h.user(8020);
    leader.text(`/start ${await h.invite(ORG)}`);
    leader.press("English", await leader.expect("Please choose your language"));
    const consent = await leader.expect("Before we start");
    expect(consent.text).toContain("delete your personal data, at any time with /privacy");
    expect(consent.text).toContain("the coordinators of the programme and of your organisation");
    const coord = h.user(8021);
    coord.text(`/start ${await h.invite(ORG, "coordinator")}`);
    coord.press("English", await coord.expect("Please choose your language"));
    const staff = await coord.expect("Before we start");
    expect(staff.text).toContain("stays in the programme's record");
    expect(staff.text).toContain("the programme's admin can deactivate your access");
    expect(staff.text).not.toContain("ask a coordinator to remove your data");
  });
});

describe("/help before language and consent", () => {
  it("an admin's first /help asks to finish joining and shows the open question again, each time", async () => {
    // The admin joined in the test above: start again from nothing.
    const a = h.user(ADMIN_ID, "Admin");
    await h.db.prisma.user.deleteMany({ where: { telegramId: BigInt(ADMIN_ID) } });
    await a.drain(50);
    a.text("/start");
    await a.expect("Please choose your language");
    a.text("/help");
    const first = await a.next();
    expect(first.text).toContain("First choose your language and accept how your data is used");
    expect(first.text).not.toMatch(/^\/start — /m);
    const picker = await a.next();
    expect(picker.text).toContain("Please choose your language");
    a.press("English", picker);
    await a.expect("Before we start");
    a.text("/help");
    expect((await a.next()).text).toContain("First choose your language");
    const consent = await a.next();
    expect(consent.text).toContain("Before we start");
    a.press(/✅/, consent);
    await a.expect(/programme coordinator/);
    expect(await helpOf(a)).toContain("neworg");
  });

  it("someone who opened an invite gets the same", async () => {
    const code = await h.invite(ORG);
    const u = h.user(8010, "Sokha", "km");
    u.text(`/start ${code}`);
    await u.expect("សូមជ្រើសរើសភាសារបស់អ្នក");
    u.text("/help");
    expect((await u.next()).text).toContain("ជាដំបូង សូមជ្រើសរើសភាសារបស់អ្នក");
    const picker = await u.expect("សូមជ្រើសរើសភាសារបស់អ្នក");
    expect(picker.text).not.toContain("Please");
  });
});
