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
  assignment: number; // the source's assignment on y
  option: number; // a classification option
}

/** Each action, how it is done, and who may do it (admins may do everything). */
const MATRIX: Array<{ action: string; run: (ids: Ids) => string; allowed: Role[] }> = [
  { action: "open a statement's review card", run: (i) => `cb rv:o:${i.x}`, allowed: ["coordA", "admin"] },
  { action: "accept a statement", run: (i) => `cb rv:a:${i.x}:${i.version}:accept`, allowed: ["coordA", "admin"] },
  { action: "reject a statement", run: (i) => `cb rv:a:${i.x}:${i.version}:reject`, allowed: ["coordA", "admin"] },
  { action: "a statement's history (button)", run: (i) => `cb rv:h:${i.x}`, allowed: ["leaderA", "coordA", "admin"] },
  { action: "a statement's history (command)", run: (i) => `/history ${i.x}`, allowed: ["leaderA", "coordA", "admin"] },
  { action: "classify a statement", run: (i) => `cb cl:d:${i.x}`, allowed: ["coordA", "admin"] },
  { action: "add a source to a chosen statement", run: (i) => `cb sb:a:${i.y}`, allowed: ["coordA", "admin"] },
  { action: "a statement's substantiation", run: (i) => `cb sb:o:${i.y}`, allowed: ["coordA", "admin"] },
  { action: "the author's view of a statement", run: (i) => `cb my:o:${i.x}`, allowed: ["leaderA"] },
  { action: "answer a coordinator's question", run: (i) => `cb qa:${i.question}`, allowed: ["leaderA"] },
  { action: "suggest who can confirm a statement", run: (i) => `cb sg:${i.x}`, allowed: ["leaderA"] },
  { action: "a member's card", run: (i) => `cb mb:m:${i.membership}`, allowed: ["coordA", "admin"] },
  { action: "deactivate a member", run: (i) => `cb mb:a:${i.membership}:0`, allowed: ["coordA", "admin"] },
  { action: "change a member's role", run: (i) => `cb mb:r:${i.membership}:coordinator`, allowed: ["coordA", "admin"] },
  { action: "invite to an organisation", run: (i) => `cb inv:o:${i.orgA}`, allowed: ["coordA", "admin"] },
  { action: "export an organisation", run: (i) => `cb ex:${i.orgA}:all:x`, allowed: ["coordA", "admin"] },
  { action: "an organisation's statistics", run: (i) => `cb st:${i.orgA}:all`, allowed: ["coordA", "admin"] },
  { action: "an organisation's charts", run: (i) => `cb ch:${i.orgA}:all`, allowed: ["coordA", "admin"] },
  { action: "answer a part as the source", run: (i) => `cb sv:l:${i.assignment}:fully`, allowed: ["source"] },
  { action: "switch a classification option off", run: (i) => `cb dm:t:${i.option}:0`, allowed: ["admin"] },
  { action: "the review queue", run: () => "/review", allowed: ["coordA", "coordB", "admin"] },
  { action: "the export command", run: () => "/export", allowed: ["coordA", "coordB", "admin"] },
  { action: "the members command", run: () => "/members", allowed: ["coordA", "coordB", "admin"] },
  { action: "dimensions", run: () => "/dimensions", allowed: ["admin"] },
  { action: "create an organisation", run: () => "/neworg Intruders Union", allowed: ["admin"] },
  { action: "the substantiation command", run: () => "/substantiate", allowed: ["coordA", "coordB", "admin"] },
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
    const x = await seedStatement(prisma, { authorTelegramId: 7603, org: ORG_A, description: `${SECRET}: from March 2024 the provincial wage board publishes salt workers' minimum pay` });
    const y = await acceptedStatement(prisma, { authorTelegramId: 7603, org: ORG_A, description: `${SECRET} (chosen)` });
    await choose(prisma, [y.id]);
    const code = await sourceLink(users.coordA, y.id, "Ms Srey, salt cooperative");
    users.source = h.user(7606);
    await openAndAgree(users.source, code);
    const coordA = await prisma.user.findUniqueOrThrow({ where: { telegramId: 7601n } });
    const leaderA = await prisma.user.findUniqueOrThrow({ where: { telegramId: 7603n } });
    const question = await prisma.threadMessage.create({ data: { outcomeId: x.id, authorId: coordA.id, kind: "question", text: "Which month exactly?", delivered: true } });
    ids = {
      x: x.id,
      version: x.version,
      y: y.id,
      question: question.id,
      membership: (await prisma.membership.findFirstOrThrow({ where: { userId: leaderA.id } })).id,
      orgA: (await prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } })).id,
      assignment: (await prisma.substantiationAssignment.findFirstOrThrow({ where: { outcomeId: y.id } })).id,
      option: (await prisma.dimensionOption.findFirstOrThrow({ where: { active: true }, orderBy: { id: "desc" } })).id,
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
      dimensions: await p.dimension.findMany({ select: { id: true, active: true }, orderBy: { id: "asc" } }),
      options: await p.dimensionOption.findMany({ select: { id: true, active: true }, orderBy: { id: "asc" } }),
      outbox: await p.outboxMessage.count({ where: { kind: { not: "reply" } } }),
      conversations: await p.conversationState.count(),
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
    let callback: string | undefined;
    if (how.startsWith("cb ")) callback = u.pressData(how.slice(3));
    else u.text(how);
    await h.tg.settled(10_000);
    await new Promise((r) => setTimeout(r, 30));
    const seen = await seenBy(u, from);
    const answered = callback ? h.tg.callbackAnswers.has(callback) : seen.messages > 0;
    return { changed: (await snapshot()) !== before, seen, answered };
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
    const deactivated = await attempt("coordA", `cb mb:a:${ids.membership}:0`);
    expect(deactivated.changed, deactivated.seen.text).toBe(true);
  }, 60_000);
});
