import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { answerSteps, DESCRIPTION } from "./support/statements.js";
import type { FakeUser } from "./support/user.js";

const h = useHarness();

const ORG = "Siem Reap Massage Workers Union";
const answerAllSteps = (u: FakeUser) => answerSteps(u, ORG);

describe("harvest in English", () => {
  it("records a complete statement step by step and submits it", async () => {
    const u = await h.member(1001, ORG);
    await answerAllSteps(u);
    const summary = await u.expect("Is everything right?");
    expect(summary.text).toContain("Provincial Department of Labour, Siem Reap\n<i>Government (national or local)</i>");
    expect(summary.text).toContain("300 people, of whom 280 women");
    expect(summary.text).toContain("1 photo");
    expect(summary.text).not.toContain("file");
    // Each choice stays visible in its question, instead of the buttons just vanishing.
    const typeQuestion = h.tg.sentTo(1001).find((m) => m.text.includes("What kind of social actor"))!;
    expect(h.tg.messages.get(typeQuestion.message_id)!.text).toMatch(/What kind of social actor is .*\n\n✔️ <b>Government \(national or local\)<\/b>$/s);
    expect(h.tg.messages.get(typeQuestion.message_id)!.reply_markup).toBeUndefined();
    const positive = h.tg.sentTo(1001).find((m) => m.text.includes("positive or negative"))!;
    expect(h.tg.messages.get(positive.message_id)!.text).toContain("✔️ <b>👍 Positive</b>");
    u.press("✅ Submit");
    const done = await u.expect("submitted");
    expect(done.text).toMatch(/Statement #\d+ submitted/);
    await u.expect("did not expect");

    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1001n } });
    const rows = await h.db.prisma.outcome.findMany({ where: { authorId: user.id }, include: { evidence: true } });
    expect(rows).toHaveLength(1);
    const o = rows[0]!;
    expect(o).toMatchObject({
      status: "submitted",
      description: DESCRIPTION,
      actorType: "government",
      dateKind: "month",
      dateStart: "2024-03",
      place: "Siem Reap province",
      peopleAffected: 300,
      womenAffected: 280,
      expected: true,
      positive: true,
      language: "en",
    });
    expect(o.evidence.map((e) => [e.kind, e.fileUniqueId])).toEqual([["photo", "p1"]]);
    const events = await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: o.id }, orderBy: { id: "asc" } });
    expect(events[0]!.type).toBe("created");
    expect(events.filter((e) => e.type === "field_set").map((e) => e.field)).toContain("description");
    expect(events.at(-1)).toMatchObject({ type: "status_changed", oldValue: "draft", newValue: "submitted" });

    u.press("No");
    await u.expect("Thank you");
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "asked_unexpected" } })).toBe(1);
  });

  it("saves each answer before the statement is finished", async () => {
    const u = await h.member(1002, ORG);
    u.text("/new");
    await u.expect("What changed?");
    u.text(DESCRIPTION);
    await u.expect("Who changed?");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1002n } });
    const draft = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(draft).toMatchObject({ status: "draft", description: DESCRIPTION, step: "actor_name" });
    u.text("/cancel");
    const m = await u.expect("Stopped");
    expect(m.text).toContain(`Draft #${draft.id} is kept with: What changed`);
  });
});

describe("harvest in Khmer", () => {
  it("records a complete statement with Khmer dates, digits and buttons", async () => {
    const u = await h.member(1101, "សហជីពកម្មករម៉ាស្សាសៀមរាប", "km");
    u.text("/new");
    await u.expect("តើមានអ្វីផ្លាស់ប្តូរ?");
    u.text("នៅខែមីនា ឆ្នាំ២០២៤ មន្ទីរការងារខេត្តសៀមរាបបានចាប់ផ្តើមចុះឈ្មោះកម្មករម៉ាស្សាក្រៅប្រព័ន្ធចូលមូលនិធិសុខភាពជាតិ ដោយទទួលយកបញ្ជីឈ្មោះតាមរយៈសហជីព។");
    await u.expect("តើអ្នកណាបានផ្លាស់ប្តូរ?");
    u.text("មន្ទីរការងារខេត្តសៀមរាប");
    await u.expect("ជាតួអង្គសង្គមប្រភេទណា");
    u.press("រដ្ឋាភិបាល (ថ្នាក់ជាតិ ឬថ្នាក់ក្រោមជាតិ)");
    await u.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    u.text("ខែមីនា ២០២៤");
    expect((await u.next()).text).toBe("ខ្ញុំយល់ថា៖ <b>ខែមីនា ឆ្នាំ២០២៤</b>។ តើត្រឹមត្រូវទេ?");
    u.press("បាទ/ចាស");
    await u.expect("តើវាកើតឡើងនៅឯណា?");
    u.text("ខេត្តសៀមរាប");
    await u.expect("ហេតុអ្វីវាសំខាន់");
    u.text("ពីមុន កម្មករទាំងនេះគ្មានផ្លូវចូលរបបនេះទេ។ ឥឡូវនេះ ស្ត្រីប្រហែល ៣០០ នាក់អាចទទួលការព្យាបាលដោយឥតគិតថ្លៃនៅមន្ទីរពេទ្យរដ្ឋ។");
    await u.expect("បានធ្វើអ្វីខ្លះដែលជួយឱ្យវាកើតឡើង");
    u.text("ពីខែមករា ដល់ខែមីនា ឆ្នាំ២០២៤ សហជីពបានប្រមូលទិន្នន័យសមាជិក ជួបមន្ទីរពីរដង និងដាក់ញត្តិដែលមានស្នាមមេដៃ ៤១២។");
    await u.expect("មានផលដល់មនុស្សប៉ុន្មាននាក់");
    u.text("៣០០");
    await u.expect("មានស្ត្រីប៉ុន្មាននាក់");
    u.text("២៨០ នាក់");
    await u.expect("<b>រំពឹងទុក</b>");
    u.press("មិនបានរំពឹងទុក");
    await u.expect("វិជ្ជមាន ឬអវិជ្ជមាន");
    u.press("👍 ល្អ (វិជ្ជមាន)");
    await u.expect("ភស្តុតាង");
    u.voice("kv1");
    await u.expect("ខ្ញុំរក្សាទុកសារសំឡេងហើយ");
    u.press("រួចរាល់");
    const summary = await u.expect("តើអ្វីៗទាំងអស់ត្រឹមត្រូវទេ?");
    expect(summary.text).toContain("មនុស្ស ៣០០ នាក់ ក្នុងនោះស្ត្រី ២៨០ នាក់");
    expect(summary.text).toContain("សារសំឡេង ១");
    expect(summary.text).toContain("មិនបានរំពឹងទុក · វិជ្ជមាន");
    u.press("✅ ផ្ញើទៅអ្នកសម្របសម្រួល");
    await u.expect("ខ្ញុំបានផ្ញើរបាយការណ៍លេខ");
    await u.expect("មិនបានរំពឹងទុក");

    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1101n } });
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(o).toMatchObject({
      status: "submitted",
      language: "km",
      dateStart: "2024-03",
      peopleAffected: 300,
      womenAffected: 280,
      expected: false,
      positive: true,
      actorName: "មន្ទីរការងារខេត្តសៀមរាប",
    });
    console.log(`\n--- Khmer harvest transcript (fake Bot API) ---\n${u.transcript()}\n---`);
  });
});

describe("coaching", () => {
  it("each check asks one question that can be answered or skipped", async () => {
    const u = await h.member(1201, ORG);
    u.text("/new");
    await u.expect("What changed?");
    u.text("We trained workers on their rights.");
    await u.expect("Who changed?");
    u.text("our union");
    await u.expect("What kind of social actor");
    u.press("Workers' group");
    await u.expect("When did it change?");
    u.press("I don't know");
    await u.expect("Where did it happen?");
    u.text("-");
    await u.expect("Why does it matter");
    u.text("Important.");
    await u.expect("What did");
    u.text("Training.");
    await u.expect("How many people");
    u.press("Skip");
    // No number of people: no "of whom women" either.
    expect((await u.next()).text).toContain("expect</b> this change?");
    u.press("Expected");
    await u.expect("positive or negative");
    u.press("👍 Positive");
    await u.expect("Evidence");
    u.press("Done");

    // date: answered
    await u.expect("When did this change happen?");
    u.text("since 2019");
    await u.expect("Date saved: <b>since 2019</b>");
    // actor: answered
    await u.expect(`other than ${ORG}`);
    u.text("Kandal provincial labour department");
    // behaviour: skipped
    const behaviour = await u.expect("What did Kandal provincial labour department do differently");
    expect(behaviour.text).toContain("(“we trained”)");
    u.press("Skip");
    // place: answered
    await u.expect("Where did this happen?");
    u.text("Kandal province, Ta Khmau");
    // number: answered; kept as written, never turned into a count of people
    await u.expect("Is there a number?");
    u.text("the commission fell 5%");
    // detail checks, each with a hint of its own: skip, answer, skip
    const what = await u.expect("The part “What changed” is short");
    expect(what.text).toContain("who changed what, when and where");
    u.press("Skip");
    const why = await u.expect("The part “Why it matters” is short");
    expect(why.text).toContain("what was the situation before");
    expect(why.text).not.toContain("where");
    u.text("Workers can now claim sick pay, which they could not before.");
    const how = await u.expect("The part “Contribution” is short");
    expect(how.text).toContain("what did your organisation do");
    expect(how.text).not.toContain("where");
    u.press("Skip");
    const summary = await u.expect("Is everything right?");
    expect(summary.text).toContain("Kandal provincial labour department");
    expect(summary.text).toContain("since 2019");

    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1201n } });
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(o).toMatchObject({
      actorName: "Kandal provincial labour department",
      dateKind: "since",
      dateStart: "2019",
      place: "Kandal province, Ta Khmau",
      peopleAffected: null,
      womenAffected: null,
      significance: "Important.\nthe commission fell 5%\nWorkers can now claim sick pay, which they could not before.",
      description: "We trained workers on their rights.",
    });
    expect(o.coachingHandled.sort()).toEqual([
      "actor",
      "behaviour",
      "date",
      "detail.contribution",
      "detail.description",
      "detail.significance",
      "number",
      "place",
    ]);
    u.press("💾 Save as draft");
    await u.expect(`Saved as draft #${o.id}`);
  });
});

describe("edit before submit", () => {
  it("changes one part from the summary and comes back to it", async () => {
    const u = await h.member(1301, ORG);
    await answerAllSteps(u);
    await u.expect("Is everything right?");
    u.press("✏️ Edit a part");
    await u.expect("Which part");
    u.press("Where");
    await u.expect("Where did it happen?");
    u.text("Siem Reap town, Svay Dangkum commune");
    const summary = await u.expect("Is everything right?");
    expect(summary.text).toContain("Siem Reap town, Svay Dangkum commune");
    u.press("✏️ Edit a part");
    await u.expect("Which part");
    u.press("Who changed");
    await u.expect("Who changed?");
    u.text("Siem Reap Provincial Health Department");
    await u.expect("What kind of social actor");
    u.press("Government (national or local)");
    const again = await u.expect("Is everything right?");
    expect(again.text).toContain("Siem Reap Provincial Health Department");
    u.press("🗑 Discard");
    await u.expect("Really discard");
    u.press("No, keep it");
    await u.expect("Is everything right?");
    u.press("✅ Submit");
    await u.expect("submitted");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1301n } });
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(o).toMatchObject({ status: "submitted", place: "Siem Reap town, Svay Dangkum commune", actorName: "Siem Reap Provincial Health Department" });
    const placeEvents = await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: o.id, field: "place" }, orderBy: { id: "asc" } });
    expect(placeEvents.map((e) => [e.oldValue, e.newValue])).toEqual([
      [null, "Siem Reap province"],
      ["Siem Reap province", "Siem Reap town, Svay Dangkum commune"],
    ]);
  });
});

describe("voice notes and the question about unexpected changes", () => {
  it("a voice note answers a long part, is kept as evidence of that part and shown in the summary", async () => {
    const u = await h.member(1401, ORG);
    u.text("/new");
    await u.expect("What changed?");
    u.voice("v-desc");
    await u.expect("Voice note kept with this part");
    await u.expect("Who changed?");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1401n } });
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id }, include: { evidence: true } });
    expect(o.description).toBeNull();
    expect(o.step).toBe("actor_name");
    expect(o.evidence.map((e) => [e.part, e.kind, e.fileId])).toEqual([["description", "voice", "file-v-desc"]]);
    u.text("/cancel");
    expect((await u.next()).text).toContain("is kept with: What changed.");
    u.text("/my");
    u.press(/Draft$/, await u.expect("My statements"));
    const opened = await u.next();
    expect(opened.text).toContain("🎤 <i>voice note</i>");
  });

  it("answering yes about an unexpected change starts a new statement, once", async () => {
    const u = await h.member(1402, ORG);
    await answerAllSteps(u);
    await u.expect("Is everything right?");
    u.press("✅ Submit");
    const question = await u.expect("did not expect");
    u.press("Yes, I will report it", question);
    await u.expect("Let's record that change too");
    await u.expect("What changed?");
    const submitted = await h.db.prisma.outcome.findFirstOrThrow({ where: { author: { telegramId: 1402n }, status: "submitted" } });
    const again = u.pressData(`after:${submitted.id}:yes`, question.message_id);
    expect((await u.callbackAnswer(again)).text).toBe("Already done.");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1402n } });
    expect(await h.db.prisma.outcome.count({ where: { authorId: user.id } })).toBe(2);
  });
});

describe("discard", () => {
  it("asks for confirmation, keeps a trace, and hides the draft from /my", async () => {
    const u = await h.member(1501, ORG);
    await answerAllSteps(u);
    await u.expect("Is everything right?");
    u.press("🗑 Discard");
    await u.expect("Really discard");
    u.press("Yes, discard it");
    const done = await u.expect("discarded");
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 1501n } });
    const o = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id } });
    expect(done.text).toBe(`Draft #${o.id} discarded.`);
    expect(o.discardedAt).not.toBeNull();
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: o.id, type: "discarded" } })).toBe(1);
    u.text("/my");
    expect((await u.next()).text).toBe("You have no statements yet. Send /new to report a change.");
    u.text("/new");
    await u.expect("What changed?");
  });
});
