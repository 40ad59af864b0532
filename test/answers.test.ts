/** Answers typed under a coordinator's question without pressing Answer (issue 11): never dropped. */
import { describe, expect, it } from "vitest";
import { act } from "../src/review/service.js";
import { useHarness } from "./support/harness.js";
import { seedStatement, startQuestion } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Phnom Penh Tuk-tuk Drivers Union";

const userRow = (telegramId: number) => h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
const thread = (outcomeId: number) => h.db.prisma.threadMessage.findMany({ where: { outcomeId }, orderBy: { id: "asc" } });

/** A coordinator asks a question about a fresh statement of `leader`; resolves on the leader's notice. */
async function ask(leaderId: number, coordId: number, question: string) {
  const o = await seedStatement(h.db.prisma, { authorTelegramId: leaderId, org: ORG });
  const current = await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: o.id } });
  const res = await act(h.db.prisma, {
    outcomeId: o.id,
    version: current.version,
    actorId: (await userRow(coordId)).id,
    action: "ask",
    text: question,
    now: new Date(),
  });
  if (!res.ok) throw new Error("ask failed");
  return o;
}

describe("an answer typed under the question", () => {
  it("with one open question, a plain text is its answer: threaded, the coordinator told, back in the queue", async () => {
    const leader = await h.member(7001, ORG);
    const coord = await h.member(7101, ORG, "en", "coordinator");
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 7001, org: ORG });
    const prompt = await startQuestion(coord, o.id);
    // The prompt says what really happens: the question goes as written, the bot's words around it in the leader's language.
    expect(prompt.text).toContain(
      "It is sent exactly as you write it; the bot's words around it, and the button to answer, are in User7001's language (English)",
    );
    coord.text("\u200B \u200B");
    await coord.expect("That was empty. Please type some text.");
    coord.text("Which district was it?");
    await leader.expect("A coordinator has a question");
    // No press on "Answer": the leader just types.
    leader.text("Daun Penh district, in March.");
    await leader.expect(`Your answer about #${o.id} was sent`);
    const notice = await coord.expect("answered your question");
    expect(notice.text).toContain("Daun Penh district, in March.");
    expect((await thread(o.id)).map((m) => [m.kind, m.text])).toEqual([
      ["question", "Which district was it?"],
      ["answer", "Daun Penh district, in March."],
    ]);
    expect((await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: o.id } })).status).toBe("submitted");
    expect(leader.transcript()).not.toContain("I did not understand");
  });

  it("a photo is an answer too; the coordinator gets the photo, and a text soon after is added to the answer", async () => {
    await h.member(7002, ORG);
    const leader = h.user(7002);
    const o = await ask(7002, 7101, "Do you have a photo of the new sign?");
    leader.photo("sign");
    await leader.expect(`Your answer about #${o.id} was sent`);
    await waitFor(
      () => h.tg.calls.some((c) => c.method === "sendPhoto" && c.payload.chat_id === 7101 && c.payload.photo === "file-sign"),
      10_000,
      "the photo at the coordinator",
    );
    leader.text("It is at the entrance of the commune hall.");
    await leader.expect(`Added to your answer about #${o.id}`);
    const rows = await thread(o.id);
    expect(rows.map((m) => [m.kind, m.text, m.fileKind])).toEqual([
      ["question", "Do you have a photo of the new sign?", null],
      ["answer", null, "photo"],
      ["answer", "It is at the entrance of the commune hall.", null],
    ]);
    expect(rows[2]!.replyToId).toBe(rows[0]!.id);
    const coord = h.user(7101);
    await coord.expect("added to their answer");
  });

  it("with several open questions, the bot asks which one, keeps everything sent meanwhile, and answers the one chosen", async () => {
    await h.member(7003, ORG);
    const leader = h.user(7003);
    const a = await ask(7003, 7101, "How many drivers registered?");
    const b = await ask(7003, 7101, "Which office registers them? <the district's & the province's>");
    await leader.drain(300);
    leader.text("The district office of social affairs.");
    const which = await leader.expect("Which one does your message answer?");
    const labels = (which.reply_markup?.inline_keyboard ?? []).flat().map((x) => x.text);
    // Button labels are plain text: shown as written, not HTML-escaped.
    expect(labels).toEqual([`#${a.id}: How many drivers registered?`, `#${b.id}: Which office registers them? <the distr…`]);
    expect((await userRow(7003)).pendingInput).toMatchObject({ kind: "answer_pick", text: "The district office of social affairs." });
    // More before choosing: kept too.
    leader.voice("office-voice");
    await leader.expect("Which one does your message answer?");
    leader.press(`#${b.id}: Which office registers them? <the distr…`);
    await leader.expect(`Your answer about #${b.id} was sent`);
    expect((await thread(b.id)).filter((m) => m.kind === "answer").map((m) => [m.text, m.fileId, m.fileKind])).toEqual([
      ["The district office of social affairs.", "file-office-voice", "voice"],
    ]);
    expect((await thread(a.id)).filter((m) => m.kind === "answer")).toEqual([]);
    expect((await userRow(7003)).pendingInput).toBeNull();
    // The other question is still open: the next text answers it.
    leader.text("About 120 drivers.");
    await leader.expect(`Your answer about #${a.id} was sent`);
  });

  it("with the Answer button too, a photo answers; while choosing, the Answer button of a question takes what was kept; /cancel lets it go", async () => {
    await h.member(7005, ORG);
    const leader = h.user(7005);
    const questionOf = async (outcomeId: number) => (await thread(outcomeId)).find((m) => m.kind === "question")!.id;
    const a = await ask(7005, 7101, "Which market?");
    const b = await ask(7005, 7101, "Since when?");
    await leader.drain(200);
    // Several open: a text is kept while the bot asks which; the Answer button of one chooses it.
    leader.text("Since the rainy season.");
    await leader.expect("Which one does your message answer?");
    leader.pressData(`qa:${await questionOf(b.id)}`);
    await leader.expect(`Your answer about #${b.id} was sent`);
    expect((await thread(b.id)).filter((m) => m.kind === "answer").map((m) => m.text)).toEqual(["Since the rainy season."]);
    // The Answer button, then a photo: the photo is the answer.
    leader.pressData(`qa:${await questionOf(a.id)}`);
    await leader.expect("Type your answer");
    leader.photo("market");
    await leader.expect(`Your answer about #${a.id} was sent`);
    expect((await thread(a.id)).filter((m) => m.kind === "answer").map((m) => m.fileKind)).toEqual(["photo"]);
    // Two more questions (after the time for additions); a text kept while choosing, then /cancel.
    await h.db.prisma.threadMessage.updateMany({
      where: { kind: "answer", author: { telegramId: 7005n } },
      data: { createdAt: new Date(Date.now() - 3_600_000) },
    });
    await ask(7005, 7101, "One?");
    await ask(7005, 7101, "Two?");
    leader.text("Not sure which.");
    await leader.expect("Which one does your message answer?");
    leader.text("/cancel");
    await leader.expect("What you sent was not used as an answer");
    expect((await userRow(7005)).pendingInput).toBeNull();
  });

  it("without any question, and inside a draft, messages go where they did before", async () => {
    const leader = await h.member(7004, ORG);
    leader.text("hello");
    await leader.expect("I did not understand that");
    await ask(7004, 7101, "Is the place right?");
    await leader.drain(200);
    leader.text("/new");
    await leader.expect("What changed?");
    leader.text("In April 2024 the municipality opened two new taxi ranks for tuk-tuk drivers near the markets.");
    await leader.expect("Who changed?");
    expect(await h.db.prisma.threadMessage.count({ where: { kind: "answer", author: { telegramId: 7004n } } })).toBe(0);
  });
});
