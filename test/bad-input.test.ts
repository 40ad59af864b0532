import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { type FakeUser, waitFor } from "./support/user.js";

const h = useHarness();

const ORG = "Kampong Speu Farmers Association";

async function atActorStep(id: number, lang: "en" | "km" = "en"): Promise<FakeUser> {
  const u = await h.member(id, ORG, lang);
  u.text("/new");
  await u.expect(lang === "km" ? "តើមានអ្វីផ្លាស់ប្តូរ?" : "What changed?");
  u.text("In May 2024 the commune council in Oral began paying farmers for crop losses within one month.");
  await u.expect(lang === "km" ? "តើអ្នកណាបានផ្លាស់ប្តូរ?" : "Who changed?");
  return u;
}

const draftOf = async (telegramId: number) => {
  const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
  return h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id }, orderBy: { id: "desc" } });
};

describe("bad input gets a clear answer and the conversation stays at the same step", () => {
  it("a sticker or a photo where text is expected", async () => {
    const u = await atActorStep(3001);
    u.sticker();
    expect((await u.next()).text).toBe("Please answer with text.");
    u.photo();
    expect((await u.next()).text).toBe("Please answer with text.");
    u.text("Oral commune council");
    await u.expect("What kind of social actor");
    expect((await draftOf(3001)).actorName).toBe("Oral commune council");
  });

  it("a photo where a description is expected points to the evidence step", async () => {
    const u = await h.member(3002, ORG);
    u.text("/new");
    await u.expect("What changed?");
    u.photo();
    expect((await u.next()).text).toContain("Photos and documents can be added at the evidence step");
  });

  it("empty (whitespace) and over-long text: the limit is stated and the text given back", async () => {
    const u = await atActorStep(3003);
    u.text("   ");
    expect((await u.next()).text).toBe("The answer is empty. Please write a few words.");
    const long = "Oral commune council ".repeat(20).trim();
    u.text(long);
    expect((await u.next()).text).toContain(`${long.length} characters, the limit is 200`);
    expect((await u.next()).text).toBe(long);
    const d = await draftOf(3003);
    expect(d.actorName).toBeNull();
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: d.id, type: "input_too_long", newValue: long } })).toBe(1);
    u.text("Oral commune council");
    await u.expect("What kind of social actor");
  });

  it("an unparseable date, in Khmer", async () => {
    const u = await atActorStep(3004, "km");
    u.text("ក្រុមប្រឹក្សាឃុំឱរ៉ាល់");
    await u.expect("ជាតួអង្គសង្គមប្រភេទណា");
    u.press("រដ្ឋាភិបាល (ថ្នាក់ជាតិ ឬថ្នាក់ក្រោមជាតិ)");
    await u.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    u.text("ឆ្នាំមុន");
    expect((await u.next()).text).toContain("ខ្ញុំមិនអាចអានកាលបរិច្ឆេទក្នុង «ឆ្នាំមុន» បានទេ");
    await u.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    expect(await draftOf(3004)).toMatchObject({ dateText: "ឆ្នាំមុន", dateStart: null, step: "date" });
    u.text("ខែឧសភា ២០២៤");
    expect((await u.next()).text).toBe("ខ្ញុំយល់ថា៖ <b>ខែឧសភា ឆ្នាំ២០២៤</b>។ តើត្រឹមត្រូវទេ?");
  });

  it("a button from an old message, and a button pressed twice", async () => {
    const u = await atActorStep(3005);
    u.text("Oral commune council");
    const typeQuestion = await u.expect("What kind of social actor");
    const data = typeQuestion.reply_markup!.inline_keyboard.flat().find((b) => b.text === "Government (national or local)")!;
    const first = u.pressData((data as { callback_data: string }).callback_data, typeQuestion.message_id);
    const second = u.pressData((data as { callback_data: string }).callback_data, typeQuestion.message_id);
    await u.expect("When did it change?");
    expect((await u.callbackAnswer(first)).text).toBeUndefined();
    expect((await u.callbackAnswer(second)).text).toBe("This button is from an older message and no longer works.");
    expect((await draftOf(3005)).actorType).toBe("government");
    expect(await h.db.prisma.outcomeEvent.count({ where: { outcomeId: (await draftOf(3005)).id, field: "actorType" } })).toBe(1);
    // A button of a long-gone conversation.
    const stale = u.pressData("h:zzzzzz:3:workers");
    expect((await u.callbackAnswer(stale)).text).toBe("This button is from an older message and no longer works.");
    u.text("May 2024");
    await u.expect("I understood: <b>May 2024</b>");
  });

  it("a command in the middle of a step; /help and /cancel still work", async () => {
    const u = await atActorStep(3006);
    u.text("/my");
    expect((await u.next()).text).toContain("You are in the middle of a statement, so /my cannot run now");
    // The question is shown again, so the person sees what to answer.
    expect((await u.next()).text).toContain("<b>Who changed?</b>");
    u.text("/help");
    expect((await u.next()).text).toContain("You are writing a statement. Answer the last question");
    u.text("Oral commune council");
    await u.expect("What kind of social actor");
    u.text("/cancel");
    const d = await draftOf(3006);
    expect((await u.next()).text).toBe(`Stopped. Draft #${d.id} is kept with: What changed, Who changed.\nSend /new to continue it, or /my to see it.`);
    u.text("/new");
    await u.expect(`You have an unfinished draft, #${d.id}`);
    u.press(`Continue draft #${d.id}`);
    await u.expect(`Continuing draft #${d.id}`);
    await u.expect("What kind of social actor");
  });

  it("a forwarded message, and an edited message", async () => {
    const u = await atActorStep(3007);
    u.forward("Oral commune council");
    expect((await u.next()).text).toContain("Please type your own answer instead of forwarding");
    const mid = u.text("Oral commune counsil");
    await u.expect("What kind of social actor");
    u.edit(mid, "Oral commune council");
    expect((await u.next()).text).toContain("Edits are not applied");
    u.press("Company or factory");
    await u.expect("When did it change?");
    expect(await draftOf(3007)).toMatchObject({ actorName: "Oral commune counsil", actorType: "company" });
  });

  it("HTML in answers is escaped in every message", async () => {
    const u = await atActorStep(3008);
    u.text("<b>Council</b> & <i>friends</i>");
    const q = await u.expect("What kind of social actor");
    expect(q.text).toContain("<b>&lt;b&gt;Council&lt;/b&gt; &amp; &lt;i&gt;friends&lt;/i&gt;</b>");
  });
});

describe("access", () => {
  it("a leader cannot open another organisation's statement with forged callback data", async () => {
    const other = await h.member(3101, "Another Organisation");
    other.text("/new");
    await other.expect("What changed?");
    other.text("The district office began issuing ID cards to vendors at the market in 2024.");
    await other.expect("Who changed?");
    const secret = await draftOf(3101);

    const u = await h.member(3102, ORG);
    for (const data of [`my:o:${secret.id}`, `new:resume:${secret.id}`, `after:${secret.id}:yes`]) {
      const id = u.pressData(data);
      const answer = await u.callbackAnswer(id);
      const replies = await u.drain(200);
      expect(JSON.stringify(replies)).not.toContain("ID cards");
      expect(answer.text ?? replies.map((m) => m.text).join()).toMatch(/only open your own|not allowed|no longer open/);
    }
    const org = await h.organisation("Another Organisation");
    const id = u.pressData(`new:org:${org.id}`);
    await u.callbackAnswer(id);
    expect((await u.next()).text).toBe("You are not allowed to do that.");
    expect(await h.db.prisma.outcome.count({ where: { organisationId: org.id } })).toBe(1);
  });

  it("/my lists own statements, paged, and opens them", async () => {
    const u = await h.member(3201, ORG);
    const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 3201n } });
    const org = await h.organisation(ORG);
    for (let i = 1; i <= 7; i++) {
      await h.db.prisma.outcome.create({
        data: {
          authorId: user.id,
          organisationId: org.id,
          language: "en",
          status: i <= 2 ? "draft" : "submitted",
          description: `Change number ${i}`,
          step: i <= 2 ? "review" : null,
          submittedAt: i <= 2 ? null : new Date(),
        },
      });
    }
    u.text("/my");
    const page1 = await u.next();
    expect(page1.text).toContain("page 1 of 2, 7 in all");
    expect(page1.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toContain("Next »");
    u.press("Next »");
    // The page is turned in place: wait for the edit (however busy the machine), then check it.
    await waitFor(() => h.tg.messages.get(page1.message_id)!.text !== page1.text, 5000, "the page to turn").catch(() => {});
    const edited = h.tg.messages.get(page1.message_id)!;
    expect(edited.text).toContain("page 2 of 2");
    u.press(/Draft$/, edited);
    const opened = await u.next();
    expect(opened.text).toMatch(/<b>Statement #\d+<\/b> · Draft/);
    expect(opened.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(["✏️ Continue editing", "📜 History"]);
    u.press("✏️ Continue editing", opened);
    await u.expect("Continuing draft");
    await u.expect("Is everything right?");
  });
});
