import { describe, expect, it } from "vitest";
import { act } from "../src/review/service.js";
import { useHarness } from "./support/harness.js";
import { openCard, seedStatement, startQuestion } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Kandal Garment Workers Union";

const outcome = (id: number) => h.db.prisma.outcome.findUniqueOrThrow({ where: { id } });
const userRow = (telegramId: number) => h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });

describe("typed input for review actions", () => {
  it("a coordinator edits parts directly; a bad date is explained and the edit still waits; the log records the coordinator", async () => {
    await h.member(5001, ORG);
    const coord = await h.member(5101, ORG, "en", "coordinator");
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 5001, org: ORG });
    await openCard(coord, o.id);
    coord.press("✏️ Edit a part");
    await coord.expect(`Which part of #${o.id}`);
    coord.press("Date");
    const prompt = await coord.expect("Editing <b>Date</b>");
    expect(prompt.text).toContain("March 2024");
    coord.text("sometime soon");
    await coord.expect("could not read a date");
    // A Buddhist year alone falls in two common years: said, and the edit still waits.
    coord.text("2567");
    await coord.expect("The Buddhist year 2567 ran from May 2023 to May 2024");
    coord.text("from May 2021 until now");
    await coord.expect(`Date of #${o.id} changed`);
    expect(await outcome(o.id)).toMatchObject({ dateText: "from May 2021 until now", dateKind: "since", dateStart: "2021-05", version: 1 });

    const fresh = await coord.expect("What do you want to do?");
    coord.press("✏️ Edit a part", fresh);
    await coord.expect(`Which part of #${o.id}`);
    coord.press("Description");
    await coord.expect("Editing <b>Description</b>");
    coord.text("In May 2021 the factory <i>started</i> paying the minimum wage.");
    const card = await coord.expect("started");
    expect(card.text).toContain("the factory &lt;i&gt;started&lt;/i&gt; paying");
    const coordRow = await userRow(5101);
    const edits = await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: o.id, type: "coordinator_edit" }, orderBy: { id: "asc" } });
    expect(edits.map((e) => [e.field, e.oldValue, e.newValue, e.actorId])).toEqual([
      ["dateText", "March 2024", "from May 2021 until now", coordRow.id],
      ["dateKind", "month", "since", coordRow.id],
      ["dateStart", "2024-03", "2021-05", coordRow.id],
      ["description", o.description, "In May 2021 the factory <i>started</i> paying the minimum wage.", coordRow.id],
    ]);
  });

  it("a coordinator's edit of the number of people refuses a percentage, as the leader's question does", async () => {
    await h.member(5009, ORG);
    const coord = h.user(5101);
    await coord.drain(100);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 5009, org: ORG });
    await openCard(coord, o.id);
    coord.press("✏️ Edit a part");
    await coord.expect(`Which part of #${o.id}`);
    coord.press("People affected");
    await coord.expect("Editing <b>People affected</b>");
    coord.text("fell by 5%");
    await coord.expect("is a percentage, an amount or a length of time, not a number of people");
    expect((await outcome(o.id)).peopleAffected).toBe(300);
    coord.text("250");
    await coord.expect(`People affected of #${o.id} changed`);
    expect((await outcome(o.id)).peopleAffected).toBe(250);
  });

  it("a command, /cancel, a forward, a photo or an over-long text while a question is being typed: explained, nothing sent", async () => {
    await h.member(5002, ORG);
    const coord = h.user(5101);
    await coord.drain(100);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 5002, org: ORG });
    await startQuestion(coord, o.id);
    coord.forward("a forwarded text");
    await coord.expect("Please type your own text");
    coord.photo();
    await coord.expect("Please type text here.");
    coord.text("x".repeat(4050));
    await coord.expect("That is too long: 4050 characters, the limit is 4000.");
    expect((await coord.next()).text).toBe("x".repeat(4050));
    coord.text("/help");
    const help = await coord.expect("/review");
    expect(help.text).toContain("I am waiting for the text you were asked for");
    expect((await userRow(5101)).pendingInput).not.toBeNull();
    coord.text("/cancel");
    await coord.expect("I stopped waiting for your text. Nothing was sent.");
    expect((await userRow(5101)).pendingInput).toBeNull();
    coord.text("Is this typed after cancelling a question?");
    await coord.expect("I did not understand that");
    expect(await h.db.prisma.threadMessage.count({ where: { outcomeId: o.id } })).toBe(0);
    expect((await outcome(o.id)).status).toBe("submitted");
    const leader = h.user(5002);
    expect((await leader.drain(200)).some((m) => m.text.includes("has a question"))).toBe(false);
  });

  it("a leader in the middle of a new statement answers a question, then carries on where they were", async () => {
    const leader = await h.member(5003, ORG);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 5003, org: ORG });
    leader.text("/new");
    await leader.expect("What changed?");
    const coordRow = await userRow(5101);
    const coord = h.user(5101);
    await coord.drain(100);
    await startQuestion(coord, o.id);
    coord.text("Who signed the agreement?");
    const q = await leader.expect("has a question");
    leader.press("✍️ Answer", q);
    await leader.expect("Type your answer");
    leader.text("The provincial governor signed it.");
    await leader.expect(`Your answer about #${o.id} was sent`);
    await coord.expect("The provincial governor signed it.");
    // Back in the harvest: the next text is the new statement's description.
    leader.text("In June 2024 the district office began ...");
    await leader.expect("Who changed?");
    const draft = await h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: (await userRow(5003)).id, status: "draft" } });
    expect(draft.description).toBe("In June 2024 the district office began ...");
    const answer = await h.db.prisma.threadMessage.findFirstOrThrow({ where: { outcomeId: o.id, kind: "answer" } });
    expect(answer.text).toBe("The provincial governor signed it.");
    expect(coordRow.id).toBeGreaterThan(0);
    // A second press on the old Answer button: already answered.
    const again = leader.pressData((q.reply_markup!.inline_keyboard[0]![0] as { callback_data: string }).callback_data, q.message_id);
    expect((await leader.callbackAnswer(again)).text).toBe("This question was already answered.");
  });

  it("the queue filters by status and organisation, oldest first", async () => {
    const coord = h.user(5101);
    await coord.drain(100);
    const early = await seedStatement(h.db.prisma, {
      authorTelegramId: 5001,
      org: ORG,
      now: new Date(Date.now() - 5 * 86_400_000),
      description: "Earliest waiting",
    });
    const coordRow = await userRow(5101);
    const accepted = await seedStatement(h.db.prisma, { authorTelegramId: 5001, org: ORG, description: "Accepted one" });
    expect((await act(h.db.prisma, { outcomeId: accepted.id, version: 0, actorId: coordRow.id, action: "accept", now: new Date() })).ok).toBe(true);
    coord.text("/review");
    const queue = await coord.expect("Review: Submitted");
    const lines = queue.text.split("\n").filter((l) => l.startsWith("#"));
    expect(lines[0]).toContain(`#${early.id} · ${ORG} · waiting 5 days`);
    expect(queue.text).not.toContain("Accepted one");
    coord.press("🔖 Status", queue);
    await waitFor(() => h.tg.messages.get(queue.message_id)!.text.includes("with which status"));
    coord.press("Accepted", queue);
    await waitFor(() => h.tg.messages.get(queue.message_id)!.text.includes("Review: Accepted"));
    expect(h.tg.messages.get(queue.message_id)!.text).toContain("Accepted one");
    coord.press("🏢 Organisation", queue);
    await waitFor(() => h.tg.messages.get(queue.message_id)!.text.includes("which organisation"));
    coord.press(ORG, queue);
    await waitFor(() => h.tg.messages.get(queue.message_id)!.text.includes(`Review: Accepted</b> · ${ORG}`));
  });

  it("a revision stopped with /cancel stays returned, and /my offers to continue it", async () => {
    const leader = await h.member(5004, ORG);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 5004, org: ORG });
    const coordRow = await userRow(5101);
    expect(
      (await act(h.db.prisma, { outcomeId: o.id, version: 0, actorId: coordRow.id, action: "return", text: "Add the district.", now: new Date() })).ok,
    ).toBe(true);
    leader.pressData(`rev:${o.id}`);
    await leader.expect("Is everything right?");
    leader.text("/cancel");
    await leader.expect(`Your revision of statement #${o.id} is kept`);
    expect((await outcome(o.id)).status).toBe("returned");
    leader.text("/my");
    await leader.expect("My statements");
    leader.pressData(`my:o:${o.id}`);
    const card = await leader.expect("Add the district.");
    expect(card.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toContain(`✏️ Revise #${o.id}`);
    // Someone else's statement cannot be revised.
    const other = h.user(5003);
    const forged = other.pressData(`rev:${o.id}`);
    expect((await other.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
  });

  it("the bot restarting between 'Ask a question' and the typed question loses nothing", async () => {
    await h.member(5005, ORG);
    const coord = h.user(5101);
    await coord.drain(100);
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 5005, org: ORG });
    await startQuestion(coord, o.id);
    await h.restartBot();
    coord.text("Which month exactly?");
    await coord.expect(`Your question about #${o.id} was sent`);
    await h.user(5005).expect("Which month exactly?");
    expect((await outcome(o.id)).status).toBe("needs_clarification");
  });
});
