/**
 * The services called directly, as the console, the command line and the importer will call
 * them: no Telegram. Scope refusals, the statement's state machine, version checks, and the two
 * ways a statement row is read (Prisma's and plain SQL's) agreeing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDraft, createDraft, loadOwn, loadOwnDraft, saveDraft } from "../src/harvest/service.js";
import { changeMembership, createOrganisation, membersPage, requestInvite, revokeInvite } from "../src/onboarding/service.js";
import { act, editPart, reviewQueue, statementForReview } from "../src/review/service.js";
import { deletePersonalData, mayDeletePersonalData } from "../src/privacy/service.js";
import type { Actor } from "../src/shared/access.js";
import { testDatabase, type TestDatabase } from "./support/db.js";

let db: TestDatabase;
const ids = { orgA: 0, orgB: 0, leader: 0, coordA: 0, coordB: 0, programme: 0 };
const as = (userId: number): Actor => ({ userId, isAdmin: false });
const NOW = new Date("2026-11-01T03:00:00Z");

beforeAll(async () => {
  db = await testDatabase();
  const p = db.prisma;
  ids.orgA = (await p.organisation.create({ data: { name: "A" } })).id;
  ids.orgB = (await p.organisation.create({ data: { name: "B" } })).id;
  const person = async (telegramId: number, organisationId: number, role: "leader" | "coordinator", programmeWide = false) => {
    const u = await p.user.create({ data: { telegramId: BigInt(telegramId), displayName: `P${telegramId}`, language: "en", consentAt: NOW } });
    await p.membership.create({ data: { userId: u.id, organisationId, role, programmeWide } });
    return u.id;
  };
  ids.leader = await person(11, ids.orgA, "leader");
  ids.coordA = await person(12, ids.orgA, "coordinator");
  ids.coordB = await person(13, ids.orgB, "coordinator");
  ids.programme = await person(14, ids.orgA, "coordinator", true);
}, 60_000);
afterAll(() => db.close());

/** A submitted statement of the leader in organisation A. */
async function submitted() {
  const d = await createDraft(db.sql, { authorId: ids.leader, organisationId: ids.orgA, language: "en" });
  await saveDraft(db.sql, d.id, ids.leader, { description: "The commune office now answers vendors' letters within a week.", step: "review" });
  await closeDraft(db.prisma, d.id, ids.leader, "submit", NOW);
  return (await db.prisma.outcome.findUniqueOrThrow({ where: { id: d.id } }))!;
}

describe("scope is checked by the services themselves", () => {
  it("a coordinator of B sees nothing of A: queue, statement, members, invites", async () => {
    const o = await submitted();
    expect(await reviewQueue(db.prisma, as(ids.coordB), { org: ids.orgA, status: "submitted", page: 0 })).toBe("not_allowed");
    expect(await statementForReview(db.prisma, as(ids.coordB), o.id)).toBeUndefined();
    expect(await membersPage(db.prisma, as(ids.coordB), ids.orgA, 0)).toBeUndefined();
    const req = { organisationId: ids.orgA, choice: "leader", uses: 5, days: 7, requestKey: "k1" };
    expect((await requestInvite(db.prisma, as(ids.coordB), req, NOW)).status).toBe("out_of_scope");
    // The coordinator of A may; a programme-wide invite only by a programme-wide coordinator.
    expect((await requestInvite(db.prisma, as(ids.coordA), req, NOW)).status).toBe("created");
    expect((await requestInvite(db.prisma, as(ids.coordA), req, NOW)).status).toBe("already");
    expect((await requestInvite(db.prisma, as(ids.coordA), { ...req, choice: "programme", requestKey: "k2" }, NOW)).status).toBe("invalid_choice");
    const invite = await db.prisma.invite.findFirstOrThrow({ where: { requestKey: "k1" } });
    expect(await revokeInvite(db.prisma, as(ids.coordB), invite.id, NOW)).toBe("not_allowed");
    expect(await revokeInvite(db.prisma, as(ids.coordA), invite.id, NOW)).toBe("revoked");
    expect(await revokeInvite(db.prisma, as(ids.coordA), invite.id, NOW)).toBe("already");
  });

  it("a membership change beyond the actor's scope is refused, and nothing changes", async () => {
    const programmeMembership = await db.prisma.membership.findFirstOrThrow({ where: { userId: ids.programme } });
    const own = await db.prisma.membership.findFirstOrThrow({ where: { userId: ids.coordA } });
    expect((await changeMembership(db.prisma, programmeMembership.id, { active: false }, as(ids.coordA), NOW)).status).toBe("not_covered");
    expect((await changeMembership(db.prisma, own.id, { active: false }, as(ids.coordA), NOW)).status).toBe("self");
    expect((await changeMembership(db.prisma, own.id, { active: false }, as(ids.coordB), NOW)).status).toBe("out_of_scope");
    expect(await db.prisma.membership.count({ where: { active: false } })).toBe(0);
  });

  it("only an admin creates an organisation", async () => {
    expect((await createOrganisation(db.prisma, as(ids.programme), "C")).status).toBe("not_allowed");
    expect((await createOrganisation(db.prisma, { userId: undefined, isAdmin: true }, "  C  ")).status).toBe("created");
    expect((await createOrganisation(db.prisma, { userId: undefined, isAdmin: true }, "C")).status).toBe("exists");
  });

  it("only a leader deletes their personal data, and the deletion checks it again", async () => {
    const coordinator = await db.prisma.user.findUniqueOrThrow({ where: { id: ids.coordA } });
    expect(await mayDeletePersonalData(db.prisma, coordinator, false)).toBe(false);
    expect(await deletePersonalData(db.prisma, coordinator, NOW, false)).toBeNull();
    expect((await db.prisma.user.findUniqueOrThrow({ where: { id: ids.coordA } })).deletedAt).toBeNull();
  });
});

describe("the statement's state machine and version checks", () => {
  it("an action on an old version, or one the status does not allow, changes nothing", async () => {
    const o = await submitted();
    const accepted = await act(db.prisma, { outcomeId: o.id, version: o.version, actorId: ids.coordA, action: "accept", now: NOW });
    expect(accepted.ok).toBe(true);
    // A second press on the same version: the statement moved on.
    const again = await act(db.prisma, { outcomeId: o.id, version: o.version, actorId: ids.coordA, action: "reject", text: "no", now: NOW });
    expect(again).toMatchObject({ ok: false, reason: "changed" });
    // Accepted statements are not returned for revision.
    const current = (await db.prisma.outcome.findUniqueOrThrow({ where: { id: o.id } })).version;
    expect(await act(db.prisma, { outcomeId: o.id, version: current, actorId: ids.coordA, action: "return", text: "x", now: NOW })).toMatchObject({
      ok: false,
      reason: "not_allowed",
    });
    const edit = await editPart(db.prisma, { outcomeId: o.id, version: current - 1, actorId: ids.coordA, field: "place", text: "Kampot", now: NOW });
    expect(edit).toMatchObject({ ok: false, reason: "changed" });
    expect(await db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "status_changed" } })).toBe(2); // submitted, accepted
  });

  it("an unreadable date in an edit is refused with the reason, before any write", async () => {
    const o = await submitted();
    const res = await editPart(db.prisma, { outcomeId: o.id, version: o.version, actorId: ids.coordA, field: "date", text: "someday", now: NOW });
    expect(res).toMatchObject({ ok: false, reason: "invalid", error: "harvest.date.unparsed" });
    expect((await db.prisma.outcome.findUniqueOrThrow({ where: { id: o.id } })).version).toBe(o.version);
  });
});

describe("one statement, two ways of reading it", () => {
  it("Prisma's mapping (toView) and plain SQL's (toDraftView) give the same view", async () => {
    const d = await createDraft(db.sql, { authorId: ids.leader, organisationId: ids.orgA, language: "km" });
    await saveDraft(db.sql, d.id, ids.leader, {
      description: "ការផ្លាស់ប្តូរ",
      actorName: "Commune council",
      actorType: "government",
      dateText: "March 2024",
      dateKind: "month",
      dateStart: "2024-03",
      place: "Kampot",
      peopleAffected: 300,
      womenAffected: 200,
      expected: true,
      positive: false,
      sources: "a link\nnotes",
      coachingHandled: ["actor", "date"],
      reviewReached: true,
      step: "review",
    });
    await db.prisma.outcomeEvidence.createMany({
      data: [
        { outcomeId: d.id, part: "significance", kind: "voice", fileId: "v1", fileUniqueId: "u1" },
        { outcomeId: d.id, part: "evidence", kind: "photo", fileId: "p1", fileUniqueId: "u2" },
      ],
    });
    const viaSql = await loadOwnDraft(db.sql, d.id, ids.leader);
    const viaPrisma = await loadOwn(db.prisma, d.id, ids.leader);
    expect(viaSql).not.toBeNull();
    expect(viaSql).toEqual(viaPrisma);
    expect(viaSql).toMatchObject({ voiceParts: ["significance"], evidenceKinds: ["photo"], peopleAffected: 300, expected: true, positive: false });
  });
});
