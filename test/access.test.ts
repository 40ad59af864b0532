/**
 * The access-control matrix: every action of every role, tried by every other role, including
 * forged callback data. A refused action changes nothing in the database, queues nothing for
 * anyone, shows the actor nothing of the protected statement or person, and still answers them.
 */
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ID, useHarness } from "./support/harness.js";
import { seedStatement } from "./support/statements.js";
import { acceptedStatement, choose, openAndAgree, sourceLink } from "./support/substantiation.js";
import type { FakeUser } from "./support/user.js";
import { createInvite } from "../src/onboarding/service.js";

const h = useHarness();
const ORG_A = "Kampot Salt Workers Union";
const ORG_B = "Kratie Fishing Communities";
const SECRET = "SECRET-7731 wage board";

type Role = "guest" | "leaderA" | "otherLeaderA" | "leaderB" | "coordB" | "source" | "coordA" | "admin";
const ROLES: Role[] = ["guest", "leaderA", "otherLeaderA", "leaderB", "coordB", "source", "coordA", "admin"];

interface Ids {
  x: number; // a submitted statement of org A by leaderA, with SECRET in it
  version: number;
  y: number; // an accepted statement of org A chosen for substantiation; the source is asked about it
  question: number; // a coordinator's question about x to leaderA
  membership: number; // leaderA's membership of org A
  orgA: number;
  orgB: number;
  assignment: number; // the source's assignment on y
  option: number; // a classification option
  dimension: number; // a single-choice classification dimension
  invite: number; // an invite link of org A
}

/** Refusals logged by the access gate, for people with no membership (guests, sources). */
const GATE = /^refused: (not joined|no consent yet|not a member|deactivated member)$/;
const SCOPE = /^refused: outside the person's scope$/;

/**
 * Each action, how it is done, who may do it (admins may do everything), and the refusal the
 * intended handler logs: a forged press that reached another handler would not log it.
 */
const MATRIX: Array<{ action: string; run: (ids: Ids) => string; allowed: Role[]; refusedBy: RegExp }> = [
  { action: "open a statement's review card", run: (i) => `cb rv:o:${i.x}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "accept a statement", run: (i) => `cb rv:a:${i.x}:${i.version}:accept`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "reject a statement", run: (i) => `cb rv:a:${i.x}:${i.version}:reject`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "a statement's history (button)", run: (i) => `cb rv:h:${i.x}`, allowed: ["leaderA", "coordA", "admin"], refusedBy: SCOPE },
  { action: "a statement's history (command)", run: (i) => `/history ${i.x}`, allowed: ["leaderA", "coordA", "admin"], refusedBy: SCOPE },
  { action: "classify a statement", run: (i) => `cb cl:d:${i.x}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "add a source to a chosen statement", run: (i) => `cb sb:a:${i.y}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "mark a chosen statement in doubt", run: (i) => `cb sb:d:${i.y}:1`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "the substantiation of an organisation", run: (i) => `cb sb:o:${i.orgA}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "the author's view of a statement", run: (i) => `cb my:o:${i.x}`, allowed: ["leaderA"], refusedBy: /^refused: statement of someone else$/ },
  { action: "answer a coordinator's question", run: (i) => `cb qa:${i.question}`, allowed: ["leaderA"], refusedBy: SCOPE },
  { action: "suggest who can confirm a statement", run: (i) => `cb sg:${i.x}`, allowed: ["leaderA"], refusedBy: SCOPE },
  { action: "a member's card", run: (i) => `cb mb:m:${i.membership}`, allowed: ["coordA", "admin"], refusedBy: /^refused: membership outside scope$/ },
  { action: "deactivate a member", run: (i) => `cb mb:a:${i.membership}:0`, allowed: ["coordA", "admin"], refusedBy: /^refused: membership outside scope$/ },
  {
    action: "change a member's role",
    run: (i) => `cb mb:r:${i.membership}:coordinator`,
    allowed: ["coordA", "admin"],
    refusedBy: /^refused: membership outside scope$/,
  },
  { action: "invite to an organisation", run: (i) => `cb inv:o:${i.orgA}`, allowed: ["coordA", "admin"], refusedBy: /^refused: organisation outside scope$/ },
  { action: "withdraw an invite link", run: (i) => `cb inv:x:${i.invite}`, allowed: ["coordA", "admin"], refusedBy: /^refused: invite outside scope$/ },
  { action: "export an organisation", run: (i) => `cb ex:${i.orgA}:all:x`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "an organisation's statistics", run: (i) => `cb st:${i.orgA}:all`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "an organisation's charts", run: (i) => `cb ch:${i.orgA}:all`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  {
    action: "answer a part as the source",
    run: (i) => `cb sv:a:${i.assignment}:description:fully`,
    allowed: ["source"],
    refusedBy: /^refused: not this person's substantiation$/,
  },
  { action: "switch a classification option off", run: (i) => `cb dm:t:${i.option}:0`, allowed: ["admin"], refusedBy: SCOPE },
  { action: "let a dimension take several options", run: (i) => `cb dm:m:${i.dimension}:1`, allowed: ["admin"], refusedBy: SCOPE },
  { action: "link two statements", run: (i) => `cb rv:m:${i.x}:${i.y}:led_to`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "start linking a statement", run: (i) => `cb rv:k:${i.x}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "the contributing organisations of a statement", run: (i) => `cb rv:j:${i.x}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "name a contributing organisation", run: (i) => `cb rv:t:${i.x}:${i.orgB}:1`, allowed: ["admin"], refusedBy: SCOPE },
  { action: "the harvesting questions of a statement", run: (i) => `cb rv:q:${i.x}`, allowed: ["coordA", "admin"], refusedBy: SCOPE },
  { action: "the review queue", run: () => "/review", allowed: ["coordA", "coordB", "admin"], refusedBy: SCOPE },
  { action: "the export command", run: () => "/export", allowed: ["coordA", "coordB", "admin"], refusedBy: SCOPE },
  { action: "the members command", run: () => "/members", allowed: ["coordA", "coordB", "admin"], refusedBy: SCOPE },
  { action: "dimensions", run: () => "/dimensions", allowed: ["admin"], refusedBy: SCOPE },
  { action: "create an organisation", run: () => "/neworg Intruders Union", allowed: ["admin"], refusedBy: /^refused: not an admin$/ },
  { action: "the substantiation command", run: () => "/substantiate", allowed: ["coordA", "coordB", "admin"], refusedBy: SCOPE },
];

describe("access-control matrix", () => {
  const users = {} as Record<Role, FakeUser>;
  let ids: Ids;

  beforeAll(async () => {
    users.coordA = await h.member(7601, ORG_A, "en", "coordinator");
    users.coordB = await h.member(7602, ORG_B, "en", "coordinator");
    users.leaderA = await h.member(7603, ORG_A);
    users.otherLeaderA = await h.member(7604, ORG_A);
    users.leaderB = await h.member(7605, ORG_B);
    users.admin = await h.member(ADMIN_ID, ORG_A, "en", "coordinator");
    users.guest = h.user(7607);
    const prisma = h.db.prisma;
    const x = await seedStatement(prisma, {
      authorTelegramId: 7603,
      org: ORG_A,
      description: `${SECRET}: from March 2024 the provincial wage board publishes salt workers' minimum pay`,
    });
    const y = await acceptedStatement(prisma, { authorTelegramId: 7603, org: ORG_A, description: `${SECRET} (chosen)` });
    await choose(prisma, [y.id]);
    const code = await sourceLink(users.coordA, y.id, "Ms Srey, salt cooperative");
    users.source = h.user(7606);
    await openAndAgree(users.source, code);
    const coordA = await prisma.user.findUniqueOrThrow({ where: { telegramId: 7601n } });
    const leaderA = await prisma.user.findUniqueOrThrow({ where: { telegramId: 7603n } });
    const question = await prisma.threadMessage.create({
      data: { outcomeId: x.id, authorId: coordA.id, kind: "question", text: "Which month exactly?", delivered: true },
    });
    ids = {
      x: x.id,
      version: x.version,
      y: y.id,
      question: question.id,
      membership: (await prisma.membership.findFirstOrThrow({ where: { userId: leaderA.id } })).id,
      orgA: (await prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } })).id,
      orgB: (await prisma.organisation.findUniqueOrThrow({ where: { name: ORG_B } })).id,
      assignment: (await prisma.substantiationAssignment.findFirstOrThrow({ where: { outcomeId: y.id } })).id,
      option: (await prisma.dimensionOption.findFirstOrThrow({ where: { active: true }, orderBy: { id: "desc" } })).id,
      dimension: (await prisma.dimension.findUniqueOrThrow({ where: { key: "significance" } })).id,
      invite: (
        await prisma.invite.findFirstOrThrow({ where: { organisationId: (await prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } })).id } })
      ).id,
    };
    await h.tg.settled();
    for (const u of Object.values(users)) await u.drain(20);
  }, 180_000);

  /** Everything an action could change, or queue for someone. */
  async function snapshot() {
    const p = h.db.prisma;
    return JSON.stringify({
      outcomes: await p.outcome.findMany({ select: { id: true, status: true, version: true, inDoubt: true }, orderBy: { id: "asc" } }),
      memberships: await p.membership.findMany({ select: { id: true, role: true, active: true }, orderBy: { id: "asc" } }),
      pending: await p.user.findMany({ select: { id: true, pendingInput: true }, orderBy: { id: "asc" } }),
      organisations: await p.organisation.count(),
      invites: await p.invite.count(),
      classifications: await p.classification.count(),
      assignments: await p.substantiationAssignment.findMany({ select: { id: true, status: true }, orderBy: { id: "asc" } }),
      answers: await p.substantiationAnswer.count(),
      suggestions: await p.substantiatorSuggestion.count(),
      thread: await p.threadMessage.count(),
      dimensions: await p.dimension.findMany({ select: { id: true, active: true, multiple: true }, orderBy: { id: "asc" } }),
      options: await p.dimensionOption.findMany({ select: { id: true, active: true }, orderBy: { id: "asc" } }),
      outbox: await p.outboxMessage.count({ where: { kind: { not: "reply" } } }),
      conversations: await p.conversationState.count(),
      links: await p.outcomeLink.count(),
      contributors: await p.outcomeOrganisation.count(),
      questionTags: await p.outcomeQuestion.count(),
    });
  }

  async function xlsxText(bytes: Buffer): Promise<string> {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as never);
    const cells: string[] = [];
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((c) => void cells.push(String(c.value)))));
    return cells.join("\n");
  }

  /** What the actor saw since `from` (texts, captions, and the cells of any workbook). */
  async function seenBy(u: FakeUser, from: number) {
    const calls = h.tg.calls.slice(from).filter((c) => Number(c.payload.chat_id) === u.id);
    const parts: string[] = [];
    for (const c of calls) {
      parts.push(String(c.payload.text ?? c.payload.caption ?? ""));
      if (c.method === "sendDocument" && c.payload.document?.bytes) parts.push(await xlsxText(c.payload.document.bytes));
    }
    return { text: parts.join("\n"), messages: calls.length };
  }

  async function attempt(role: Role, how: string) {
    const u = users[role];
    const before = await snapshot();
    const from = h.tg.calls.length;
    const logsFrom = h.logs.length;
    let callback: string | undefined;
    if (how.startsWith("cb ")) callback = u.pressData(how.slice(3));
    else u.text(how);
    await h.tg.settled(10_000);
    await new Promise((r) => setTimeout(r, 30));
    const seen = await seenBy(u, from);
    const answered = callback ? h.tg.callbackAnswers.has(callback) : seen.messages > 0;
    const refusals = h.logs
      .slice(logsFrom)
      .map((l) => String(l.msg))
      .filter((m) => m.startsWith("refused"));
    return { changed: (await snapshot()) !== before, seen, answered, refusals };
  }

  for (const row of MATRIX) {
    const refused = ROLES.filter((r) => !row.allowed.includes(r) && r !== "admin");
    it(`${row.action}: refused to ${refused.join(", ")}`, async () => {
      for (const role of refused) {
        const r = await attempt(role, row.run(ids));
        expect(r.changed, `${role} changed something with ${row.run(ids)}`).toBe(false);
        expect(r.seen.text, `${role} saw protected data with ${row.run(ids)}`).not.toContain("SECRET-7731");
        expect(r.seen.text, `${role} saw the author with ${row.run(ids)}`).not.toContain("User7603");
        expect(r.answered, `${role} got no answer to ${row.run(ids)}`).toBe(true);
        // Refused by the handler the row names (or, for someone with no membership, by the gate before it).
        const by = role === "guest" || role === "source" ? new RegExp(`${row.refusedBy.source}|${GATE.source}`) : row.refusedBy;
        expect(
          r.refusals.some((m) => by.test(m)),
          `${role} with ${row.run(ids)}: refused by ${r.refusals.join(", ") || "nobody"}`,
        ).toBe(true);
      }
    }, 120_000);
  }

  it("the checks above do see an allowed action (so a leak would be caught)", async () => {
    const card = await attempt("coordA", `cb rv:o:${ids.x}`);
    expect(card.seen.text).toContain("SECRET-7731");
    expect(card.seen.text).toContain("User7603");
    const mine = await attempt("leaderA", `cb my:o:${ids.x}`);
    expect(mine.seen.text).toContain("SECRET-7731");
    const exported = await attempt("coordA", `cb ex:${ids.orgA}:all:x`);
    expect(exported.seen.text).toContain("SECRET-7731");
    const off = await attempt("admin", `cb dm:t:${ids.option}:0`);
    expect(off.changed, off.seen.text).toBe(true);
    const several = await attempt("admin", `cb dm:m:${ids.dimension}:1`);
    expect(several.changed, several.seen.text).toBe(true);
    const deactivated = await attempt("coordA", `cb mb:a:${ids.membership}:0`);
    expect(deactivated.changed, deactivated.seen.text).toBe(true);
  }, 60_000);
});

/** Ways past the access rules found by an attack on membership changes; each refused now. */
describe("membership changes cannot widen access", () => {
  // Organisations of their own: P and Q are partners, C is where people come and go.
  const ORG_P = "Pursat Market Vendors Association";
  const ORG_Q = "Koh Kong Fishers Network";
  const ORG_C = "Battambang Rice Farmers Group";
  const HIDDEN = "HIDDEN-4410";
  let x: { id: number };
  let admin: FakeUser;
  let coordP: FakeUser;
  let coordQ: FakeUser;
  beforeAll(async () => {
    coordP = await h.member(7751, ORG_P, "en", "coordinator");
    coordQ = await h.member(7752, ORG_Q, "en", "coordinator");
    await h.member(7753, ORG_P);
    admin = h.user(ADMIN_ID);
    if (!(await h.db.prisma.user.findUnique({ where: { telegramId: BigInt(ADMIN_ID) } }))) await admin.join(""); // admins need no membership
    x = await seedStatement(h.db.prisma, {
      authorTelegramId: 7753,
      org: ORG_P,
      description: `${HIDDEN}: from May 2024 the market committee publishes stall fees`,
    });
  }, 120_000);
  const secretOf = async (u: FakeUser, id: number) => {
    const from = h.tg.calls.length;
    u.pressData(`rv:o:${id}`);
    await h.tg.settled(10_000);
    return h.tg.calls.slice(from).some((c) => Number(c.payload.chat_id) === u.id && String(c.payload.text ?? "").includes(HIDDEN));
  };
  const membershipOf = async (telegramId: number, org: string) =>
    h.db.prisma.membership.findFirstOrThrow({ where: { user: { telegramId: BigInt(telegramId) }, organisation: { name: org } } });
  const programmeWide = async (telegramId: number, org: string) => {
    const o = await h.organisation(org);
    const { code } = await createInvite(h.db.prisma, { organisationId: o.id, role: "coordinator", programmeWide: true, maxUses: 1, days: 1 });
    const u = h.user(telegramId);
    await u.join(code);
    await u.expect("/help");
    return u;
  };

  /** A leader joins with `code`, then `coord` ends their membership through /members. */
  const joinThenEnded = async (telegramId: number, code: string, org: string, coord: FakeUser) => {
    const leader = h.user(telegramId);
    await leader.join(code);
    await leader.expect("/help");
    const m = await membershipOf(telegramId, org);
    await coord.callbackAnswer(coord.pressData(`mb:a:${m.id}:0`));
    expect((await membershipOf(telegramId, org)).active).toBe(false);
    return { leader, membership: m };
  };

  it("R1: a deactivated leader cannot rejoin through the organisation's multi-use link; a withdrawn link lets nobody in", async () => {
    const coord = await h.member(7701, ORG_C, "en", "coordinator");
    const code = await h.invite(ORG_C, "leader", { uses: 10 });
    const { leader } = await joinThenEnded(7702, code, ORG_C, coord);

    leader.text(`/start ${code}`);
    await leader.expect("was ended by a coordinator");
    expect((await membershipOf(7702, ORG_C)).active).toBe(false);
    leader.text("/new");
    await leader.expect("deactivated");
    expect(await h.db.prisma.outcome.count({ where: { author: { telegramId: 7702n } } })).toBe(0);

    // The coordinator withdraws the link: nobody joins with it any more.
    const invite = await h.db.prisma.invite.findFirstOrThrow({ where: { organisation: { name: ORG_C }, role: "leader" }, orderBy: { id: "desc" } });
    expect((await coord.callbackAnswer(coord.pressData(`inv:x:${invite.id}`))).text).toContain("withdrawn");
    const newcomer = h.user(7703);
    newcomer.text(`/start ${code}`);
    await newcomer.expect("withdrawn by a coordinator");
    expect(await h.db.prisma.membership.count({ where: { user: { telegramId: 7703n } } })).toBe(0);
  });

  it("R2: a demoted programme-wide coordinator loses programme scope, also when promoted again in a partner", async () => {
    const wide = await programmeWide(7711, ORG_Q);
    expect(await secretOf(wide, x.id)).toBe(true); // programme scope sees organisation P
    const m = await membershipOf(7711, ORG_Q);
    await admin.callbackAnswer(admin.pressData(`mb:r:${m.id}:leader`));
    await coordQ.callbackAnswer(coordQ.pressData(`mb:r:${m.id}:coordinator`));
    expect(await secretOf(wide, x.id)).toBe(false);
    expect(await membershipOf(7711, ORG_Q)).toMatchObject({ role: "coordinator", programmeWide: false });
  });

  it("R3: a coordinator of one organisation cannot end the membership of a programme-wide coordinator who belongs to it", async () => {
    await programmeWide(7721, ORG_P);
    const m = await membershipOf(7721, ORG_P);
    expect((await coordP.callbackAnswer(coordP.pressData(`mb:a:${m.id}:0`))).text).toContain("outside your scope");
    expect(await membershipOf(7721, ORG_P)).toMatchObject({ active: true, programmeWide: true });
    await coordP.callbackAnswer(coordP.pressData(`mb:r:${m.id}:leader`));
    expect((await membershipOf(7721, ORG_P)).role).toBe("coordinator");
    // An admin's scope covers everything.
    await admin.callbackAnswer(admin.pressData(`mb:a:${m.id}:0`));
    expect((await membershipOf(7721, ORG_P)).active).toBe(false);
  });

  it("R4: the coordinator who created a source link, a coordinator of the statement and an admin cannot answer as the source", async () => {
    const wide = await programmeWide(7731, ORG_Q);
    const y = await acceptedStatement(h.db.prisma, { authorTelegramId: 7753, org: ORG_P, description: "R4 statement" });
    await choose(h.db.prisma, [y.id]);
    for (const [who, u] of [
      ["creator", wide],
      ["coordinator of the statement", coordP],
      ["admin", admin],
    ] as const) {
      const code = await sourceLink(wide, y.id, `Source for ${who}`);
      await u.drain(50);
      u.text(`/start ${code}`);
      await u.expect("cannot answer as one of its independent sources");
      const a = await h.db.prisma.substantiationAssignment.findFirstOrThrow({ where: { label: `Source for ${who}` } });
      expect(a, who).toMatchObject({ userId: null, status: "invited" });
    }
  });

  it("R5: a leader whose membership was ended can still delete their personal data", async () => {
    const { leader, membership: m } = await joinThenEnded(7741, await h.invite(ORG_P, "leader", { uses: 1 }), ORG_P, coordP);
    leader.text("/privacy");
    const summary = await leader.expect("What this bot stores about you");
    leader.press("🗑 Delete my personal data", summary);
    const confirm = await leader.expect("Delete your personal data?");
    leader.press("Yes, delete", confirm);
    await leader.expect("Your personal data is deleted");
    expect((await h.db.prisma.user.findUniqueOrThrow({ where: { id: m.userId } })).deletedAt).toBeInstanceOf(Date);
  });
});
