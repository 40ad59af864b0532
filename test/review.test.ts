import { describe, expect, it } from "vitest";
import { asciiToKhmerDigits } from "../src/platform/i18n/digits.js";
import { act } from "../src/review/service.js";
import { useHarness } from "./support/harness.js";
import { answerSteps, openCard, seedStatement, startQuestion } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();

const ORG_A = "Phnom Penh Tuk-Tuk Drivers Association";
const ORG_B = "Kampong Speu Farmers Network";

const statusOf = async (id: number) => (await h.db.prisma.outcome.findUniqueOrThrow({ where: { id } })).status;
const userRow = (telegramId: number) => h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });

describe("review: the whole round trip", () => {
  it("submit → question → answer → revision → resubmit → accept → classify, with both people's messages", async () => {
    const leader = await h.member(3001, ORG_A);
    const coord = await h.member(3101, ORG_A, "en", "coordinator");

    // The leader submits through the harvest.
    await answerSteps(leader, ORG_A);
    await leader.expect("Is everything right?");
    leader.press("✅ Submit");
    const submitted = await leader.expect(/Statement #(\d+) submitted/);
    expect(submitted.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(["👤 Suggest who can confirm it"]);
    const id = Number(/#(\d+)/.exec(submitted.text)![1]);
    await leader.expect("did not expect");
    leader.press("No");
    await leader.expect("Thank you");

    // The queue, oldest first, with the waiting time.
    coord.text("/review");
    const queue = await coord.expect("Review: Submitted");
    expect(queue.text).toContain(`#${id} · ${ORG_A} · sent just now`);
    coord.press(new RegExp(`^#${id} ·`), queue);
    const card = await coord.expect("What changed");
    expect(card.text).toContain("Provincial Department of Labour, Siem Reap");
    expect(card.text).toContain("<b>Author</b>: User3001");
    await coord.expect(`Statement #${id} (Submitted). What do you want to do?`);
    // The evidence photo is sent again, by its file id.
    const photo = h.tg.calls.find((c) => c.method === "sendPhoto" && c.payload.chat_id === 3101);
    expect(photo?.payload.photo).toBe("file-p1");

    // Round 1: a question, answered in the chat.
    coord.press("❓ Ask a question");
    await coord.expect("Type your question for User3001");
    coord.text("Are the 300 workers all union members? <b>bold?</b>");
    await coord.expect(`Your question about #${id} was sent to the author`);
    const question = await leader.expect("A coordinator has a question");
    expect(question.text).toContain("Are the 300 workers all union members? &lt;b&gt;bold?&lt;/b&gt;");
    expect(await statusOf(id)).toBe("needs_clarification");
    leader.press("✍️ Answer", question);
    await leader.expect("Type your answer");
    leader.text("About 250 are members, 50 joined after the registration.");
    await leader.expect(`Your answer about #${id} was sent`);
    const answered = await coord.expect("User3001 answered your question");
    expect(answered.text).toContain("About 250 are members");
    expect(answered.text).toContain("back in the review queue");
    expect(await statusOf(id)).toBe("submitted");

    // Return for revision, with a note.
    coord.press(`Open #${id}`, answered);
    const thread = await coord.expect("Questions and notes");
    expect(thread.text).toMatch(/Question from User3001 Admin|Question from User3101/);
    expect(thread.text).toContain("Answer from User3001");
    const actions = await coord.expect("What do you want to do?");
    coord.press("↩️ Return for revision", actions);
    await coord.expect("Type a note for User3001");
    coord.text("Please name the district.");
    await coord.expect(`Statement #${id} was returned to the author`);
    const returned = await leader.expect("was returned for revision");
    expect(returned.text).toContain("Please name the district.");
    expect(await statusOf(id)).toBe("returned");

    // The leader revises one part and sends it back.
    leader.press(`✏️ Revise #${id}`, returned);
    await leader.expect(`Revising statement #${id}`);
    const summary = await leader.expect("Is everything right?");
    const buttons = summary.reply_markup!.inline_keyboard.flat().map((b) => b.text);
    expect(buttons).toContain("✅ Send back to the coordinators");
    expect(buttons).not.toContain("🗑 Discard");
    leader.press("✏️ Edit a part");
    await leader.expect("Which part do you want to change?");
    leader.press("Where");
    await leader.expect("Where did it happen?");
    leader.text("Daun Penh district, Phnom Penh");
    await leader.expect("Is everything right?");
    leader.press("✅ Send back to the coordinators");
    await leader.expect(`Statement #${id} was sent back to the coordinators`);
    await coord.expect(`User3001 revised statement #${id}`);
    expect(await statusOf(id)).toBe("submitted");

    // Accept.
    coord.press(`Open #${id}`);
    const card2 = await coord.expect("Daun Penh district");
    expect(card2.text).toContain("Daun Penh district, Phnom Penh");
    await coord.expect("What do you want to do?");
    coord.press("✅ Accept");
    await coord.expect(`Statement #${id} is accepted`);
    await leader.expect(`Your statement #${id} was accepted`);
    expect(await statusOf(id)).toBe("accepted");

    // Classify: several results-framework items, actor types (one pre-filled, then corrected:
    // the dimension takes several, so the wrong one is unticked).
    coord.press("🏷 Classify");
    const dim1 = await coord.expect("Contribution to the results framework");
    expect(dim1.text).toContain("(1/9)");
    coord.press("▫️ Specific objective (SO)", dim1);
    await waitFor(() =>
      h.tg.messages
        .get(dim1.message_id)!
        .reply_markup!.inline_keyboard.flat()
        .some((b) => b.text === "✅ Specific objective (SO)"),
    );
    coord.press("▫️ Result 2 (R2)", dim1);
    await waitFor(() =>
      h.tg.messages
        .get(dim1.message_id)!
        .reply_markup!.inline_keyboard.flat()
        .some((b) => b.text === "✅ Result 2 (R2)"),
    );
    coord.press("Next ▶️", dim1);
    await waitFor(() => h.tg.messages.get(dim1.message_id)!.text.includes("Social actor type"));
    const actorButtons = () =>
      h.tg.messages
        .get(dim1.message_id)!
        .reply_markup!.inline_keyboard.flat()
        .map((b) => b.text);
    expect(actorButtons()).toContain("✅ Government (national or sub-national)");
    coord.press("▫️ Companies and factories", dim1);
    await waitFor(() => actorButtons().includes("✅ Companies and factories"));
    expect(actorButtons()).toContain("✅ Government (national or sub-national)");
    coord.press("✅ Government (national or sub-national)", dim1);
    await waitFor(() => actorButtons().includes("▫️ Government (national or sub-national)"));
    expect(actorButtons()).toContain("✅ Companies and factories");
    coord.press("✔️ Done", dim1);
    const done = await coord.expect(`Classification of #${id} saved`);
    expect(done.text).toContain("Contribution to the results framework: Specific objective (SO), Result 2 (R2)");
    expect(done.text).toContain("Social actor type: Companies and factories");
    expect(done.text).toContain("Expected or unexpected: Expected");

    const chosen = await h.db.prisma.classification.findMany({ where: { outcomeId: id }, include: { option: { include: { dimension: true } } } });
    expect(chosen.map((c) => `${c.option.dimension.key}:${c.option.key}`).sort()).toEqual(
      ["expected:expected", "framework:R2", "framework:SO", "positive:positive", "social_actor:company"].sort(),
    );

    // The event log holds every step, with who did it.
    const leaderRow = await userRow(3001);
    const coordRow = await userRow(3101);
    const events = await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: id }, orderBy: { id: "asc" } });
    const trail = events
      .filter((e) => e.type !== "field_set" && e.type !== "evidence_added")
      .map((e) => [e.type, e.field, e.oldValue, e.newValue, e.actorId === coordRow.id ? "coord" : e.actorId === leaderRow.id ? "leader" : e.actorId]);
    expect(trail).toEqual([
      ["created", null, null, null, "leader"],
      ["status_changed", "status", "draft", "submitted", "leader"],
      ["asked_unexpected", null, null, "no", "leader"],
      ["status_changed", "status", "submitted", "needs_clarification", "coord"],
      ["question", null, null, "Are the 300 workers all union members? <b>bold?</b>", "coord"],
      ["answer", expect.any(String), null, "About 250 are members, 50 joined after the registration.", "leader"],
      ["status_changed", "status", "needs_clarification", "submitted", "leader"],
      ["status_changed", "status", "submitted", "returned", "coord"],
      ["return_note", null, null, "Please name the district.", "coord"],
      ["status_changed", "status", "returned", "submitted", "leader"],
      ["status_changed", "status", "submitted", "accepted", "coord"],
      ["classified", "social_actor", null, "government", "coord"],
      ["classified", "expected", null, "expected", "coord"],
      ["classified", "positive", null, "positive", "coord"],
      ["classified", "framework", null, "SO", "coord"],
      ["classified", "framework", "SO", "R2,SO", "coord"],
      ["classified", "social_actor", "government", "company,government", "coord"],
      ["classified", "social_actor", "company,government", "company", "coord"],
    ]);
    // The revision of the place is in the log with its old value.
    expect(events.find((e) => e.type === "field_set" && e.field === "place" && e.newValue === "Daun Penh district, Phnom Penh")).toMatchObject({
      oldValue: "Siem Reap province",
      actorId: leaderRow.id,
    });

    // /history shows it to the coordinator, escaped.
    coord.text(`/history ${id}`);
    const history = await coord.expect(`History of statement #${id}`);
    const all = [history, ...(await coord.drain(300))].map((m) => m.text).join("\n");
    expect(all).toContain("User3101 changed the status: Submitted → Accepted");
    expect(all).toContain("User3101 asked: Are the 300 workers all union members? &lt;b&gt;bold?&lt;/b&gt;");
    expect(all).toContain("User3001 set Place: Siem Reap province → Daun Penh district, Phnom Penh");

    // /stats counts it.
    coord.text("/stats");
    const stats = await coord.expect("Statistics");
    // One screen for one statement: a line per dimension, only the options chosen.
    expect(await coord.drain(300)).toEqual([]);
    expect(stats.text).toContain("1 accepted statement");
    expect(stats.text).toMatch(/<b>Contribution to the results framework<\/b>: Specific objective \(SO\) 1/);
    expect(stats.text).toContain("Companies and factories 1");
    // Each count says what it is a share of: the statements classified in its dimension.
    expect(stats.text).toContain("Specific objective (SO) 1 of 1 (100%) · Result 2 (R2) 1 of 1 (100%)");
    expect(stats.text).toContain("<b>Significance</b>: not classified: 1");
    expect(stats.text).not.toContain("Result 1 (R1)");
    expect(stats.text.split("\n").length).toBeLessThanOrEqual(14);
    coord.press("📋 Every option", stats);
    await waitFor(() => h.tg.messages.get(stats.message_id)!.text.includes("Result 1 (R1) 0 of 1 (0%)"), 10_000, "every option");
    expect(h.tg.messages.get(stats.message_id)!.text).toContain("<b>Significance</b> · 0 of 1 classified");

    // The leader's /my shows it accepted.
    leader.text("/my");
    const my = await leader.expect("My statements");
    expect(my.text).toContain(`#${id} · Accepted`);
  });
});

describe("review: reject, races, delivery", () => {
  it("rejects with a reason the author sees; a second reject on the old card is refused", async () => {
    await h.member(3002, ORG_A);
    const coord = await h.member(3102, ORG_A, "en", "coordinator");
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3002, org: ORG_A });
    const actions = await openCard(coord, o.id);
    coord.press("⛔ Reject", actions);
    await coord.expect(`Type the reason for rejecting statement #${o.id}`);
    coord.photo("not-a-reason");
    await coord.expect("Please type text here.");
    coord.text("This describes the union's own training, not a change by someone else.");
    await coord.expect(`Statement #${o.id} was rejected`);
    const leader = h.user(3002);
    const told = await leader.expect(`Your statement #${o.id} was not accepted`);
    expect(told.text).toContain("not a change by someone else");
    expect(await statusOf(o.id)).toBe("rejected");

    coord.press("⛔ Reject", actions);
    await coord.expect(`Statement #${o.id} changed in the meantime (now: Rejected)`);
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "status_changed" } })).toBe(1);
    expect(await h.db.prisma.threadMessage.count({ where: { outcomeId: o.id } })).toBe(1);
  });

  it("two coordinators at once: the second is told it changed, keeps their text, and sees the new state", async () => {
    await h.member(3003, ORG_A);
    const c1 = await h.member(3103, ORG_A, "en", "coordinator");
    const c2 = await h.member(3104, ORG_A, "en", "coordinator");
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3003, org: ORG_A });
    const a1 = await openCard(c1, o.id);
    const a2 = await openCard(c2, o.id);

    c2.press("❓ Ask a question", a2);
    await c2.expect("Type your question");
    c1.press("✅ Accept", a1);
    await c1.expect(`Statement #${o.id} is accepted`);
    c2.text("Which district?");
    await c2.expect(`Statement #${o.id} changed in the meantime (now: Accepted)`);
    const kept = await c2.expect("Your text, so it is not lost");
    expect(kept.text).toContain("Which district?");
    const fresh = await c2.expect("What do you want to do?");
    expect(fresh.text).toContain("(Accepted)");
    expect(await statusOf(o.id)).toBe("accepted");
    expect(await h.db.prisma.threadMessage.count({ where: { outcomeId: o.id } })).toBe(0);
    // The author heard about the acceptance once, and of no question.
    const leader = h.user(3003);
    const toLeader = (await leader.drain(300)).map((m) => m.text);
    expect(toLeader.filter((t) => t.includes("was accepted"))).toHaveLength(1);
    expect(toLeader.some((t) => t.includes("has a question"))).toBe(false);
  });

  it("the same action applied concurrently takes effect once", async () => {
    await h.member(3004, ORG_A);
    const coords = await Promise.all([userRow(3103), userRow(3104)]);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3004, org: ORG_A });
    const results = await Promise.all(
      coords.map((c, i) => act(h.db.prisma, { outcomeId: o.id, version: 0, actorId: c.id, action: i ? "reject" : "accept", text: "x", now: new Date() })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, reason: "changed" });
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "status_changed" } })).toBe(1);
  });

  it("a double press of Accept applies once and says so", async () => {
    await h.member(3005, ORG_A);
    const coord = h.user(3103);
    await coord.drain(100);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3005, org: ORG_A });
    const actions = await openCard(coord, o.id);
    const first = coord.press("✅ Accept", actions);
    await coord.callbackAnswer(first);
    const second = coord.pressData(`rv:a:${o.id}:0:accept`, actions.message_id);
    expect((await coord.callbackAnswer(second)).text).toBe("Already done.");
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "status_changed" } })).toBe(1);
  });

  it("a question to an author who blocked the bot is marked undelivered, and the coordinator is told", async () => {
    await h.member(3006, ORG_A);
    const coord = h.user(3103);
    await coord.drain(100);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3006, org: ORG_A });
    h.tg.intercept = (method, p) =>
      method === "sendMessage" && p.chat_id === 3006
        ? { status: 403, body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } }
        : undefined;
    try {
      await startQuestion(coord, o.id);
      coord.text("When exactly?");
      await coord.expect(`Your question about #${o.id} was sent`);
      await coord.expect("The author could not be reached");
    } finally {
      h.tg.intercept = undefined;
    }
    const q = await h.db.prisma.threadMessage.findFirstOrThrow({ where: { outcomeId: o.id } });
    expect(q).toMatchObject({ kind: "question", delivered: false, text: "When exactly?" });
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "not_delivered" } })).toBe(1);
    coord.pressData(`rv:o:${o.id}`);
    const card = await coord.expect("Questions and notes");
    expect(card.text).toContain("⚠️ not delivered");
  });
});

describe("review: scope", () => {
  it("a coordinator of B sees nothing of A, and forged buttons are refused", async () => {
    await h.member(3007, ORG_A);
    const coordB = await h.member(3201, ORG_B, "en", "coordinator");
    const leaderB = await h.member(3008, ORG_B);
    const a = await seedStatement(h.db.prisma, { authorTelegramId: 3007, org: ORG_A, description: "Statement of organisation A only" });
    const b = await seedStatement(h.db.prisma, { authorTelegramId: 3008, org: ORG_B, description: "Statement of organisation B" });

    coordB.text("/review");
    const queue = await coordB.expect("Review: Submitted");
    expect(queue.text).toContain(`#${b.id}`);
    expect(queue.text).not.toContain(`#${a.id} `);
    expect(queue.text).not.toContain("organisation A only");

    const forged = [`rv:o:${a.id}`, `rv:a:${a.id}:0:accept`, `rv:a:${a.id}:0:ask`, `rv:e:${a.id}:0:description`, `cl:${a.id}:0`, `rv:h:${a.id}`];
    for (const data of forged) {
      const id = coordB.pressData(data);
      expect((await coordB.callbackAnswer(id)).text, data).toBe("You are not allowed to do that.");
    }
    coordB.text(`/history ${a.id}`);
    await coordB.expect("You are not allowed to do that.");
    const orgA = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG_A } });
    const id = coordB.pressData(`rv:l:${orgA.id}:submitted:0`);
    expect((await coordB.callbackAnswer(id)).text).toBe("You are not allowed to do that.");
    expect(await statusOf(a.id)).toBe("submitted");
    expect((await userRow(3201)).pendingInput).toBeNull();
    // Each refusal is logged, with who tried what.
    const coordBRow = await userRow(3201);
    const refusals = h.logs.filter((l) => l.msg === "refused: outside the person's scope" && l.user_id === coordBRow.id);
    expect(refusals.length).toBeGreaterThanOrEqual(forged.length + 1);
    expect(refusals.some((l) => l.outcome_id === a.id && typeof l.update_id === "number")).toBe(true);

    // A leader cannot review at all, not even their own statement.
    leaderB.text("/review");
    await leaderB.expect("You are not allowed to do that.");
    const p = leaderB.pressData(`rv:a:${b.id}:0:accept`);
    expect((await leaderB.callbackAnswer(p)).text).toBe("You are not allowed to do that.");
    expect(await statusOf(b.id)).toBe("submitted");
  });

  it("an author cannot answer someone else's question", async () => {
    await h.member(3009, ORG_A);
    const other = h.user(3008);
    await other.drain(100);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3009, org: ORG_A });
    const coord = await userRow(3103);
    const res = await act(h.db.prisma, { outcomeId: o.id, version: 0, actorId: coord.id, action: "ask", text: "Where?", now: new Date() });
    expect(res.ok).toBe(true);
    const q = await h.db.prisma.threadMessage.findFirstOrThrow({ where: { outcomeId: o.id } });
    const id = other.pressData(`qa:${q.id}`);
    expect((await other.callbackAnswer(id)).text).toBe("You are not allowed to do that.");
    expect((await userRow(3008)).pendingInput).toBeNull();
  });
});

describe("review in Khmer", () => {
  it("the author's question and answer button come in Khmer; a Khmer coordinator's queue is in Khmer", async () => {
    const leader = await h.member(3301, ORG_A, "km");
    const coord = await h.member(3302, ORG_A, "km", "coordinator");
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 3301, org: ORG_A, language: "km", description: "មន្ទីរការងារបានចាប់ផ្តើមចុះឈ្មោះអ្នកបើកបរម៉ូតូកង់បី" });
    coord.text("/review");
    const queue = await coord.expect("ការពិនិត្យ៖ បានផ្ញើ");
    expect(queue.text).toContain("មន្ទីរការងារបានចាប់ផ្តើម");
    coord.press(new RegExp(`^លេខ ${asciiToKhmerDigits(String(o.id))} ·`), queue);
    await coord.expect("តើអ្នកចង់ធ្វើអ្វី?");
    coord.press("❓ សួរសំណួរ");
    await coord.expect("សូមវាយសំណួររបស់អ្នក");
    coord.text("តើនៅស្រុកណា?");
    await coord.expect("ទៅអ្នករាយការណ៍ហើយ");
    const q = await leader.expect("អ្នកសម្របសម្រួលមានសំណួរ");
    expect(q.text).toContain("តើនៅស្រុកណា?");
    leader.press("✍️ ឆ្លើយ", q);
    await leader.expect("សូមវាយចម្លើយរបស់អ្នក");
    leader.voice("answer-voice");
    await leader.expect("ចម្លើយរបស់អ្នកអំពី");
    const a = await h.db.prisma.threadMessage.findFirstOrThrow({ where: { outcomeId: o.id, kind: "answer" } });
    expect(a.fileId).toBe("file-answer-voice");
    await coord.expect("បានឆ្លើយសំណួររបស់អ្នក");
    // The coordinator gets the spoken answer itself, and again on the statement's card.
    await waitFor(() => h.tg.calls.some((c) => c.method === "sendVoice" && c.payload.chat_id === 3302 && c.payload.voice === "file-answer-voice"));
    coord.pressData(`rv:o:${o.id}`);
    const replay = await coord.expect("· ចម្លើយពី");
    expect(replay.method).toBe("sendVoice");
    expect(await statusOf(o.id)).toBe("submitted");

    // /my puts the open question first, in Khmer.
    const ask2 = await act(h.db.prisma, {
      outcomeId: o.id,
      version: (await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: o.id } })).version,
      actorId: (await userRow(3302)).id,
      action: "ask",
      text: "ហេតុអ្វី?",
      now: new Date(),
    });
    expect(ask2.ok).toBe(true);
    await seedStatement(h.db.prisma, { authorTelegramId: 3301, org: ORG_A, status: "draft" });
    leader.text("/my");
    const my = await leader.expect("របាយការណ៍របស់ខ្ញុំ");
    expect(my.text.split("\n")[2]).toContain(`❓ លេខ ${asciiToKhmerDigits(String(o.id))}`);
  });
});
