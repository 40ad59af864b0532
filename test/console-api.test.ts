/**
 * The coordinators' console API: what a coordinator sees and does there, that it shows in chat
 * and the export (and the other way round), and the access matrix: every endpoint against every
 * kind of caller and every kind of bad init data. A refused call changes nothing and shows nothing.
 */
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_ID, useHarness } from "./support/harness.js";
import { type ConsoleClient, initDataFor, startConsole } from "./support/console.js";
import { openCard, seedStatement } from "./support/statements.js";
import { acceptedStatement, choose } from "./support/substantiation.js";
import type { FakeUser } from "./support/user.js";
import { findOption } from "../src/classification/service.js";
import { classificationStats } from "../src/reporting/stats.js";
import { type ConsoleActor, createApiKey, meta, revokeApiKey } from "../src/console/service.js";
import { LANGUAGES } from "../src/platform/i18n/index.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const h = useHarness({ PUBLIC_URL: "https://console.example" });
const ORG_A = "Battambang Garment Workers";
const ORG_B = "Takeo Rice Farmers";
const SECRET = "SECRET-5521 overtime ledger";
const KHMER = "សហជីពបានជួយកម្មករកាត់ដេរ ២០០ នាក់ឱ្យទទួលបានប្រាក់បន្ថែមម៉ោង";
const ANONYMOUS_NAME = "Mrs Chanthy Keo (anonymous)";

let c: ConsoleClient;
let coordA: FakeUser;
let leaderA: FakeUser;
const ids = { x: 0, k: 0, b: 0, chosen: 0, accepted: [] as number[] };

beforeAll(async () => {
  const p = h.db.prisma;
  coordA = await h.member(7101, ORG_A, "en", "coordinator");
  leaderA = await h.member(7102, ORG_A);
  await h.member(7103, ORG_B, "en", "coordinator");
  await h.member(7106, ORG_B);
  await h.member(7104, ORG_A, "en", "coordinator");
  const admin = h.user(ADMIN_ID);
  admin.text("/start");
  await admin.expect(/language|ភាសា/i);
  await admin.drain(50);
  // 7104 was a coordinator and is no longer one.
  const gone = await p.user.findUniqueOrThrow({ where: { telegramId: 7104n } });
  await p.membership.updateMany({ where: { userId: gone.id }, data: { active: false } });
  // 7105 only substantiates (a source link, no membership).
  const source = await p.user.create({ data: { telegramId: 7105n, displayName: "Source Person", language: "en", consentAt: new Date() } });

  ids.x = (await seedStatement(p, { authorTelegramId: 7102, org: ORG_A, description: `${SECRET}: the factory now pays overtime on the 15th` })).id;
  ids.k = (await seedStatement(p, { authorTelegramId: 7102, org: ORG_A, description: KHMER, language: "km", status: "accepted" })).id;
  ids.b = (await seedStatement(p, { authorTelegramId: 7106, org: ORG_B, description: `${SECRET} in Takeo` })).id;
  for (const [i, key] of ["government", "company", "company"].entries()) {
    const o = await acceptedStatement(p, {
      authorTelegramId: 7102,
      org: ORG_A,
      description: `Accepted statement ${i} about overtime`,
      classes: { social_actor: [key], significance: ["high"] },
    });
    ids.accepted.push(o.id);
  }
  ids.chosen = ids.accepted[0]!;
  await choose(p, [ids.chosen]);
  const s = await p.substantiation.findUniqueOrThrow({ where: { outcomeId: ids.chosen } });
  await p.substantiationAssignment.create({
    data: {
      substantiationId: s.id,
      outcomeId: ids.chosen,
      codeHash: "test-anonymous",
      label: ANONYMOUS_NAME,
      expiresAt: new Date(Date.now() + 86_400_000),
      status: "submitted",
      anonymous: true,
      userId: source.id,
      submittedAt: new Date(),
    },
  });
  c = await startConsole(h);
}, 120_000);

afterAll(async () => {
  await c?.close();
});

const get = async (path: string, who = 7101) => c.call("GET", path, await c.asUser(who));
const post = async (path: string, body: unknown, who = 7101) => c.call("POST", path, await c.asUser(who), body);

describe("what a coordinator sees", () => {
  it("the table holds their organisations' statements only, and filters, sorts and pages them", async () => {
    const all = await get("/api/v1/statements");
    expect(all.status).toBe(200);
    const shown = all.json.rows.map((r: { id: number }) => r.id);
    expect(shown).toContain(ids.x);
    expect(shown).not.toContain(ids.b);
    expect(all.text).not.toContain("Takeo");
    expect(all.json.total).toBe(5);

    const accepted = await get("/api/v1/statements?status=accepted");
    expect(accepted.json.rows.every((r: { status: string }) => r.status === "accepted")).toBe(true);
    expect(accepted.json.total).toBe(4);

    // Khmer words find the Khmer statement; a number (in Khmer digits too) finds that statement.
    const khmer = await get(`/api/v1/statements?q=${encodeURIComponent("កម្មករកាត់ដេរ")}`);
    expect(khmer.json.rows.map((r: { id: number }) => r.id)).toEqual([ids.k]);
    const byNumber = await get(`/api/v1/statements?q=${encodeURIComponent(String(ids.x).replace(/\d/g, (d) => "០១២៣៤៥៦៧៨៩"[Number(d)]!))}`);
    expect(byNumber.json.rows.map((r: { id: number }) => r.id)).toContain(ids.x);

    const employer = (await findOption(h.db.prisma, "social_actor", "company")).id;
    const byOption = await get(`/api/v1/statements?option=${employer}`);
    expect(byOption.json.rows.map((r: { id: number }) => r.id).sort()).toEqual([ids.accepted[1], ids.accepted[2]].sort());
    expect(byOption.json.rows[0].classes[String((await findOption(h.db.prisma, "social_actor", "company")).dimensionId)]).toEqual([employer]);

    const oldest = await get("/api/v1/statements?sort=id&dir=asc&size=25");
    expect(oldest.json.rows[0].id).toBe(ids.x);
    const paged = await get("/api/v1/statements?size=25&page=7");
    expect(paged.json.page).toBe(0);

    const orgB = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_B } });
    const other = await get(`/api/v1/statements?org=${orgB.id}`);
    expect(other.status).toBe(403);
    expect(other.text).not.toContain(SECRET);
  });

  it("a statement shows its parts, thread and history; another organisation's answers 404 and says nothing", async () => {
    const s = await get(`/api/v1/statements/${ids.x}`);
    expect(s.status).toBe(200);
    expect(s.json.parts.find((p: { key: string }) => p.key === "description").text).toContain(SECRET);
    expect(s.json.actions).toEqual(expect.arrayContaining(["accept", "ask", "return", "reject"]));
    expect(s.json.history.length).toBeGreaterThan(0);
    const b = await get(`/api/v1/statements/${ids.b}`);
    expect(b.status).toBe(404);
    expect(b.text).not.toContain(SECRET);
    expect((await get("/api/v1/statements/999999")).status).toBe(404);
  });

  it("every string the page asks for is in the strings it gets, in every language", async () => {
    const source = readFileSync(join(process.cwd(), "web", "console", "main.ts"), "utf8");
    const fixed = [...source.matchAll(/tr\("([\w.]+)"/g)].map((m) => m[1]!);
    // Keys the page makes from data: statuses of sources, levels, file kinds, substantiation states, parts.
    const made = [
      ...["invited", "opened", "answering", "submitted", "declined", "refused"].map((s) => `console.source_status.${s}`),
      ...["fully", "partially", "disagree", "dont_know"].map((l) => `console.levels.${l}`),
      ...["photo", "voice", "audio", "video", "video_note", "document"].map((k) => `console.file.${k}`),
      ...["requested", "in_progress", "done"].map((s) => `console.substantiation.${s}`),
      ...["description", "significance", "contribution"].map((p) => `parts.${p}`),
    ];
    expect(fixed.length).toBeGreaterThan(60);
    const dig = (o: unknown, key: string) => key.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
    for (const lang of LANGUAGES) {
      const who: ConsoleActor = { actor: { userId: undefined, isAdmin: true }, scope: { all: true }, lang, name: "x", role: "admin", readOnly: true };
      const strings = (await meta(h.db.prisma, who)).strings;
      for (const key of [...fixed, ...made]) expect(typeof dig(strings, key), `${lang}: ${key}`).toBe("string");
    }
  });

  it("the meta lists only their organisations, and every string of the page in their language", async () => {
    const m = await get("/api/v1/meta");
    expect(m.json.organisations.map((o: { name: string }) => o.name)).toEqual([ORG_A]);
    expect(m.json.strings.console.nav.statements).toBe("Statements");
    expect(m.json.dimensions.some((d: { key: string }) => d.key === "social_actor")).toBe(true);
  });

  it("an anonymous source is never named, in the statement or the substantiation page", async () => {
    const s = await get(`/api/v1/statements/${ids.chosen}`);
    expect(s.status).toBe(200);
    expect(s.json.substantiation.sources[0].name).toBe("Anonymous source 1");
    expect(s.text).not.toContain("Chanthy");
    const sub = await get("/api/v1/substantiation");
    expect(sub.status).toBe(200);
    expect(sub.text).not.toContain("Chanthy");
    expect(sub.json.chosen.map((x: { id: number }) => x.id)).toEqual([ids.chosen]);
    expect(sub.json.chosen[0].sources[0].name).toBe("Anonymous source 1");
    // Results per source: the anonymous source's answers without its name.
    expect(sub.json.chosen[0].sources[0].answers).toEqual([]);
  });

  it("the charts give the same numbers as /stats, and every filter narrows them", async () => {
    const a = await get("/api/v1/analysis");
    expect(a.status).toBe(200);
    const orgA = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } });
    const stats = await classificationStats(h.db.prisma, { all: false, orgIds: [orgA.id] }, {});
    expect(a.json.total).toBe(stats.total);
    const actors = a.json.charts.find((x: { key: string }) => x.key === "social_actor");
    const employer = actors.bars.find((b: { label: string }) => /Compan/i.test(b.label));
    expect(employer).toMatchObject({ count: 2, base: 3, percent: 67 });
    expect(a.json.map.months).toEqual(["2024-03"]);
    const narrowed = await get(`/api/v1/analysis?option=${(await findOption(h.db.prisma, "social_actor", "government")).id}`);
    expect(narrowed.json.total).toBe(1);
  });
});

describe("what a coordinator does shows in chat, in /history and in the export", () => {
  it("a question reaches the leader in chat; a second action on the old version is refused with the new state", async () => {
    const before = await get(`/api/v1/statements/${ids.x}`);
    const asked = await post(`/api/v1/statements/${ids.x}/actions`, {
      type: "ask",
      version: before.json.version,
      text: "Which factory, and since which month?",
    });
    expect(asked.status).toBe(200);
    expect(asked.json.statement.status).toBe("needs_clarification");
    await leaderA.expect("Which factory, and since which month?");
    const stale = await post(`/api/v1/statements/${ids.x}/actions`, { type: "reject", version: before.json.version, text: "no" });
    expect(stale.status).toBe(409);
    expect(stale.json.statement.status).toBe("needs_clarification");
    expect(stale.json.message).toMatch(/changed this statement meanwhile/);
    const thread = (await get(`/api/v1/statements/${ids.x}`)).json.thread;
    expect(thread.map((m: { text: string }) => m.text)).toContain("Which factory, and since which month?");
  });

  it("accept, classify, edit and link from the console: /history in chat and the export show them", async () => {
    const id = (
      await seedStatement(h.db.prisma, {
        authorTelegramId: 7102,
        org: ORG_A,
        description: "Console flow: the district office now answers union letters within a week",
      })
    ).id;
    let s = (await get(`/api/v1/statements/${id}`)).json;
    s = (await post(`/api/v1/statements/${id}/actions`, { type: "accept", version: s.version })).json.statement;
    expect(s.status).toBe("accepted");
    await leaderA.expect(/accepted/);
    const employer = (await findOption(h.db.prisma, "social_actor", "company")).id;
    const classified = await post(`/api/v1/statements/${id}/actions`, { type: "classify", version: s.version, option: employer, on: true });
    expect(classified.status).toBe(200);
    expect(Object.values(classified.json.statement.classes).flat()).toContain(employer);
    const link = await post(`/api/v1/statements/${id}/actions`, { type: "link", version: s.version, other: ids.accepted[1], kind: "led_to" });
    expect(link.status).toBe(200);
    expect(link.json.statement.links.ledTo).toEqual([ids.accepted[1]]);
    const otherOrg = await post(`/api/v1/statements/${id}/actions`, { type: "link", version: s.version, other: ids.b, kind: "led_to" });
    expect(otherOrg.status).toBe(403);
    expect(otherOrg.text).not.toContain(SECRET);

    coordA.text(`/history ${id}`);
    const history = await coordA.expect(/Console flow|history/i);
    expect(history.text).toMatch(/accepted/i);
    expect(history.text).toMatch(/Compan/i);

    const q = new URLSearchParams({ q: "Console flow", format: "xlsx" });
    const file = await get(`/api/v1/export?${q}`);
    expect(file.status).toBe(200);
    expect(file.type).toContain("spreadsheetml");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.bytes as never);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(2);
    expect(JSON.stringify(sheet.getRow(2).values)).toContain("Console flow");
    expect(JSON.stringify(sheet.getRow(2).values)).toContain("Companies");
    const csv = await get(`/api/v1/export?${new URLSearchParams({ status: "accepted", format: "csv" })}`);
    expect(csv.type).toContain("text/csv");
    expect(csv.text.split("\r\n").filter(Boolean).length).toBe(1 + 5);
  });

  it("an edit in chat shows in the console, and a coordinator's edit in the console is logged with the old and new text", async () => {
    const id = (await seedStatement(h.db.prisma, { authorTelegramId: 7102, org: ORG_A, description: "Edit flow statement" })).id;
    let s = (await get(`/api/v1/statements/${id}`)).json;
    s = (await post(`/api/v1/statements/${id}/actions`, { type: "return", version: s.version, text: "Please name the village." })).json.statement;
    expect(s.canEdit).toBe(true);
    const edited = await post(`/api/v1/statements/${id}/actions`, { type: "edit", version: s.version, field: "place", text: "Ou Char village, Battambang" });
    expect(edited.status).toBe(200);
    expect(edited.json.statement.parts.find((p: { key: string }) => p.key === "place").text).toBe("Ou Char village, Battambang");
    expect(edited.json.statement.history.map((e: { text: string }) => e.text).join("\n")).toContain("Ou Char village");
    const bad = await post(`/api/v1/statements/${id}/actions`, { type: "edit", version: edited.json.statement.version, field: "date", text: "someday soon" });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBeTruthy();
  });
});

describe("every other action and the files", () => {
  it("reject, contributing organisations, harvesting questions and offline answers; each is logged", async () => {
    // Reject, with the reason the author gets in chat.
    const r = (await seedStatement(h.db.prisma, { authorTelegramId: 7102, org: ORG_A, description: "Reject flow statement" })).id;
    const s = (await get(`/api/v1/statements/${r}`)).json;
    const rejected = await post(`/api/v1/statements/${r}/actions`, { type: "reject", version: s.version, text: "This is an activity, not a change." });
    expect(rejected.json.statement.status).toBe("rejected");
    await leaderA.expect("This is an activity, not a change.");

    // An admin names another organisation as contributing: its coordinator then sees the statement.
    const orgB = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_B } });
    const k = (await get(`/api/v1/statements/${ids.k}`, ADMIN_ID)).json;
    const joint = await post(`/api/v1/statements/${ids.k}/actions`, { type: "contributor", version: k.version, organisation: orgB.id, on: true }, ADMIN_ID);
    expect(joint.status).toBe(200);
    expect(joint.json.statement.contributors.find((x: { id: number }) => x.id === orgB.id).on).toBe(true);
    expect((await get(`/api/v1/statements/${ids.k}`, 7103)).status).toBe(200);
    await post(`/api/v1/statements/${ids.k}/actions`, { type: "contributor", version: k.version, organisation: orgB.id, on: false }, ADMIN_ID);
    expect((await get(`/api/v1/statements/${ids.k}`, 7103)).status).toBe(404);

    // A harvesting question of a round: tagged, and the table filters by it.
    const round = await h.db.prisma.harvestRound.create({ data: { name: "Round 2024", startsAt: new Date("2024-01-01"), endsAt: new Date("2030-01-01") } });
    const question = await h.db.prisma.harvestQuestion.create({ data: { roundId: round.id, text: "How did employers change overtime pay?" } });
    const tagged = await post(`/api/v1/statements/${ids.k}/actions`, { type: "question", version: k.version, question: question.id, on: true });
    expect(tagged.json.statement.questions).toEqual([{ id: question.id, text: question.text, on: true }]);
    expect((await get(`/api/v1/statements?question=${question.id}`)).json.rows.map((x: { id: number }) => x.id)).toEqual([ids.k]);
    expect((await get("/api/v1/meta")).json.questions.map((x: { text: string }) => x.text)).toContain(question.text);

    // Offline answers of a source: a line per part; a line it cannot read is named.
    const chosen = (await get(`/api/v1/statements/${ids.chosen}`)).json;
    const unread = await post(`/api/v1/statements/${ids.chosen}/actions`, {
      type: "offline",
      version: chosen.version,
      text: "Mr Vuthy\nWhat changed: absolutely",
    });
    expect(unread.status).toBe(422);
    expect(unread.json.message).toContain("absolutely");
    const offline = await post(`/api/v1/statements/${ids.chosen}/actions`, {
      type: "offline",
      version: chosen.version,
      text: "Mr Vuthy, labour inspector\nWhat changed: Fully agree - he checked the pay slips\nWhy it matters: Partially agree\nWhat the partner contributed: Fully agree",
    });
    expect(offline.status).toBe(200);
    const vuthy = offline.json.statement.substantiation.sources.find((x: { name: string }) => x.name === "Mr Vuthy, labour inspector");
    expect(vuthy).toMatchObject({ offline: true, status: "submitted" });
    expect(vuthy.answers).toHaveLength(3);
    const history = (await get(`/api/v1/statements/${ids.k}`)).json.history.map((e: { text: string }) => e.text).join("\n");
    expect(history).toContain(ORG_B);
    expect(history).toContain("How did employers change overtime pay?");
  });

  it("a photo of the evidence comes from Telegram; another statement's file, or one that does not exist, is 404", async () => {
    const bytes = Buffer.from("\xff\xd8\xff\xe0 a small jpeg", "latin1");
    h.tg.files.set("file-ev-photo", { bytes, path: "photos/ev.jpg" });
    const e = await h.db.prisma.outcomeEvidence.create({
      data: { outcomeId: ids.k, part: "evidence", kind: "photo", fileId: "file-ev-photo", fileUniqueId: "ev-photo" },
    });
    const s = (await get(`/api/v1/statements/${ids.k}`)).json;
    expect(s.evidence).toEqual([{ id: e.id, part: "evidence", kind: "photo", url: `/api/v1/statements/${ids.k}/files/e${e.id}` }]);
    const file = await get(s.evidence[0].url);
    expect(file.status).toBe(200);
    expect(file.type).toBe("image/jpeg");
    expect(file.bytes.equals(bytes)).toBe(true);
    expect((await get(`/api/v1/statements/${ids.x}/files/e${e.id}`)).status).toBe(404);
    expect((await get(`/api/v1/statements/${ids.k}/files/e999999`)).status).toBe(404);
    expect((await get(`/api/v1/statements/${ids.k}/files/x1`)).status).toBe(404);
  });

  it("what a coordinator does in chat shows in the console", async () => {
    const id = (await seedStatement(h.db.prisma, { authorTelegramId: 7102, org: ORG_A, description: "Chat flow statement" })).id;
    const card = await openCard(coordA, id);
    coordA.press("✅ Accept", card);
    await coordA.expect(/accepted/i);
    const s = (await get(`/api/v1/statements/${id}`)).json;
    expect(s.status).toBe("accepted");
    expect(s.history.map((e: { text: string }) => e.text).join("\n")).toMatch(/Accepted/);
  });
});

describe("a download link for Telegram's apps", () => {
  it("works without init data for the person and filter it was made for, for ten minutes; a changed or old one does not", async () => {
    const made = await post("/api/v1/export-link", { query: "status=accepted&format=csv" });
    expect(made.status).toBe(200);
    expect(made.json.fileName).toMatch(/^outcomes-\d{4}-\d{2}-\d{2}\.csv$/);
    const file = await c.call("GET", made.json.url, undefined);
    expect(file.status).toBe(200);
    expect(file.type).toContain("text/csv");
    expect(file.text).not.toContain("Takeo");
    expect(file.text.split("\r\n").filter(Boolean).length).toBeGreaterThan(1);
    // Another filter in the same link, or another person, breaks its signature.
    const [body, mac] = made.json.url.split("token=")[1].split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), u: 7103 })).toString("base64url");
    expect((await c.call("GET", `/api/v1/download?token=${forged}.${mac}`, undefined)).status).toBe(403);
    expect((await c.call("GET", "/api/v1/download?token=nonsense", undefined)).status).toBe(403);
    expect((await c.call("GET", "/api/v1/download", undefined)).status).toBe(403);
    // Ten minutes later it has expired.
    const later = await startConsole(h, { now: () => new Date(Date.now() + 11 * 60_000) });
    try {
      expect((await later.call("GET", made.json.url, undefined)).status).toBe(403);
    } finally {
      await later.close();
    }
    // A leader cannot make one; a bad filter is refused when the link is made.
    expect((await post("/api/v1/export-link", { query: "format=csv" }, 7102)).status).toBe(403);
    expect((await post("/api/v1/export-link", { query: "status=bogus" })).status).toBe(400);
  });

  it("a link made for a coordinator who is no longer one gives nothing", async () => {
    const made = await post("/api/v1/export-link", { query: "format=csv" }, 7101);
    const p = h.db.prisma;
    const coordinator = await p.user.findUniqueOrThrow({ where: { telegramId: 7101n } });
    await p.membership.updateMany({ where: { userId: coordinator.id }, data: { active: false } });
    try {
      const file = await c.call("GET", made.json.url, undefined);
      expect(file.status).toBe(403);
      expect(file.text).not.toContain(SECRET);
    } finally {
      await p.membership.updateMany({ where: { userId: coordinator.id }, data: { active: true } });
    }
  });
});

describe("bad input gets a clear answer and changes nothing", () => {
  it("refuses unknown filters' values, bodies that are not JSON and unknown actions", async () => {
    expect((await get("/api/v1/statements?status=bogus")).status).toBe(400);
    expect((await get("/api/v1/statements?size=7")).status).toBe(400);
    expect((await get("/api/v1/statements?from=2024-13")).status).toBe(400);
    expect((await get("/api/v1/statements/abc")).status).toBe(400);
    const auth = await c.asUser(7101);
    const res = await fetch(`${c.base}/api/v1/statements/${ids.x}/actions`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: "{nope",
    });
    expect(res.status).toBe(400);
    expect((await post(`/api/v1/statements/${ids.x}/actions`, { type: "delete", version: 0 })).status).toBe(400);
    expect((await post(`/api/v1/statements/${ids.x}/actions`, { type: "ask", version: 0, text: "x".repeat(5000) })).status).toBe(400);
    expect((await post(`/api/v1/statements/${ids.x}/actions`, { type: "ask", version: 0, text: "   " })).status).toBe(400);
  });
});

describe("a programme's read-only API key", () => {
  it("reads every organisation's statements, never acts, and stops working once revoked", async () => {
    const key = await createApiKey(h.db.prisma, "Power BI");
    const auth = `Bearer ${key.key}`;
    const table = await c.call("GET", "/api/v1/statements", auth);
    expect(table.status).toBe(200);
    expect(table.json.rows.map((r: { id: number }) => r.id)).toContain(ids.b);
    expect((await c.call("GET", `/api/v1/statements/${ids.b}`, auth)).status).toBe(200);
    expect((await c.call("GET", "/api/v1/analysis", auth)).status).toBe(200);
    const act = await c.call("POST", `/api/v1/statements/${ids.b}/actions`, auth, { type: "accept", version: 0 });
    expect(act.status).toBe(403);
    expect((await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: ids.b } })).status).toBe("submitted");
    await revokeApiKey(h.db.prisma, key.id, new Date());
    expect((await c.call("GET", "/api/v1/statements", auth)).status).toBe(401);
    expect((await c.call("GET", "/api/v1/statements", "Bearer ohk_made-up")).status).toBe(401);
  });
});

describe("the access matrix", () => {
  const ENDPOINTS: Array<{ name: string; method: "GET" | "POST"; path: () => string; body?: () => unknown }> = [
    { name: "meta", method: "GET", path: () => "/api/v1/meta" },
    { name: "table", method: "GET", path: () => "/api/v1/statements" },
    { name: "statement", method: "GET", path: () => `/api/v1/statements/${ids.x}` },
    { name: "file", method: "GET", path: () => `/api/v1/statements/${ids.x}/files/e1` },
    { name: "accept", method: "POST", path: () => `/api/v1/statements/${ids.x}/actions`, body: () => ({ type: "accept", version: 1 }) },
    { name: "reject", method: "POST", path: () => `/api/v1/statements/${ids.x}/actions`, body: () => ({ type: "reject", version: 1, text: "no" }) },
    {
      name: "classify",
      method: "POST",
      path: () => `/api/v1/statements/${ids.k}/actions`,
      body: () => ({ type: "classify", version: 0, option: 1, on: true }),
    },
    {
      name: "offline answers",
      method: "POST",
      path: () => `/api/v1/statements/${ids.chosen}/actions`,
      body: () => ({ type: "offline", version: 0, text: "Someone\nfully\nfully\nfully" }),
    },
    { name: "analysis", method: "GET", path: () => "/api/v1/analysis" },
    { name: "substantiation", method: "GET", path: () => "/api/v1/substantiation" },
    { name: "export", method: "GET", path: () => "/api/v1/export?format=csv" },
    { name: "export link", method: "POST", path: () => "/api/v1/export-link", body: () => ({ query: "format=csv" }) },
  ];
  const tamper = (data: string) => data.replace(/%22id%22%3A7101/, "%22id%22%3A7102");
  const CALLERS: Array<{ name: string; auth: () => Promise<string | undefined> }> = [
    { name: "no init data", auth: async () => undefined },
    { name: "a stranger", auth: () => c.asUser(7999) },
    { name: "a leader of the organisation", auth: () => c.asUser(7102) },
    { name: "a substantiator", auth: () => c.asUser(7105) },
    { name: "a deactivated coordinator", auth: () => c.asUser(7104) },
    { name: "expired init data of the coordinator", auth: () => c.asUser(7101, { authDate: new Date(Date.now() - 25 * 3_600_000) }) },
    { name: "init data from the future", auth: () => c.asUser(7101, { authDate: new Date(Date.now() + 3_600_000) }) },
    { name: "init data signed for another bot", auth: () => c.asUser(7101, { token: "999999:ANOTHER-bot-token-abcdefghij" }) },
    { name: "init data with the user changed after signing", auth: async () => `tma ${tamper(await initDataFor(h, 7101))}` },
    { name: "init data without its hash", auth: async () => `tma ${(await initDataFor(h, 7101)).replace(/&hash=[0-9a-f]+/, "")}` },
    { name: "a garbage header", auth: async () => "tma %%%;;;" },
  ];

  const snapshot = async () => {
    const p = h.db.prisma;
    return JSON.stringify({
      outcomes: await p.outcome.findMany({ select: { id: true, status: true, version: true }, orderBy: { id: "asc" } }),
      events: await p.outcomeEvent.count(),
      classes: await p.classification.count(),
      assignments: await p.substantiationAssignment.count(),
      outbox: await p.outboxMessage.count(),
    });
  };

  for (const caller of CALLERS)
    it(`${caller.name}: every endpoint refused, nothing shown, nothing changed`, async () => {
      const before = await snapshot();
      const auth = await caller.auth();
      for (const e of ENDPOINTS) {
        const res = await c.call(e.method, e.path(), auth, e.body?.());
        expect([401, 403], `${caller.name} → ${e.name}: ${res.status}`).toContain(res.status);
        expect(res.text, `${caller.name} → ${e.name}`).not.toContain(SECRET);
        expect(res.text).not.toContain("Battambang");
      }
      expect(await snapshot()).toBe(before);
    });

  it("a coordinator of another organisation gets nothing of this one's statements", async () => {
    const before = await snapshot();
    for (const e of ENDPOINTS.filter((x) => x.path().includes("/statements/"))) {
      const res = await c.call(e.method, e.path(), await c.asUser(7103), e.body?.());
      expect([403, 404], `${e.name}: ${res.status}`).toContain(res.status);
      expect(res.text).not.toContain(SECRET);
    }
    const table = await c.call("GET", "/api/v1/statements", await c.asUser(7103));
    expect(table.json.rows.map((r: { id: number }) => r.id)).toEqual([ids.b]);
    const csv = await c.call("GET", "/api/v1/export?format=csv", await c.asUser(7103));
    expect(csv.text).not.toContain("overtime on the 15th");
    expect(await snapshot()).toBe(before);
  });
});

describe("/console in the chat", () => {
  it("a coordinator gets a button that opens the console, and the menu button opens it too; a leader is refused", async () => {
    coordA.text("/console");
    const m = await coordA.expect("Open the console");
    const button = m.reply_markup?.inline_keyboard[0]?.[0] as { web_app?: { url: string } } | undefined;
    expect(button?.web_app?.url).toBe("https://console.example/console/");
    expect(h.tg.menuButtons.get(7101)).toMatchObject({ type: "web_app", web_app: { url: "https://console.example/console/" } });
    expect(h.tg.menuButtons.get(7102)).toMatchObject({ type: "commands" });
    leaderA.text("/console");
    await leaderA.expect(/not allowed|cannot/i);
  });
});
