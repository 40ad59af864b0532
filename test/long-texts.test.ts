/**
 * Every message the bot builds from what people typed fits Telegram's limit (issue 11): each
 * free-text field is filled to its limit, with characters that grow when escaped (< & "), and
 * every view that shows it is opened. The fake Bot API refuses a message over 4096 characters
 * or with broken HTML, as Telegram does; so a view that does not split shows up as an error.
 */
import { describe, expect, it } from "vitest";
import { LIMITS } from "../src/harvest/steps.js";
import { useHarness } from "./support/harness.js";
import { seedStatement, startQuestion } from "./support/statements.js";
import { choose, openAndAgree, sourceLink } from "./support/substantiation.js";
import type { FakeUser } from "./support/user.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Takeo Rice Farmers <Association> & Co";

/** `n` characters of sentences, with a paragraph now and then and characters HTML escapes. */
function long(n: number, tag = "x"): string {
  const sentence = `${tag}: the "district" <office> & the farmers agreed. `;
  let s = "";
  let i = 0;
  while (s.length < n) s += (++i % 6 === 0 ? "\n" : "") + sentence;
  return s.slice(0, n).trimEnd().padEnd(n, ".");
}

const userRow = (telegramId: number) => h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });

/** What a person was sent since `from`: no "something went wrong", and the bot logged no failure. */
async function noFailures(u: FakeUser) {
  await h.tg.settled(20_000);
  const all = h.tg.sentTo(u.id).map((m) => m.text);
  expect(all.filter((t) => t.includes("something went wrong"))).toEqual([]);
  expect(h.logs.filter((l) => l.msg === "update failed" || l.msg === "message not delivered")).toEqual([]);
  for (const m of h.tg.sentTo(u.id)) expect(m.text.length).toBeLessThanOrEqual(4096);
}

/** The text of the messages in `messages`, joined, with tags and entities undone. */
const plain = (messages: Array<{ text: string }>) =>
  messages
    .map((m) => m.text)
    .join("\n")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");

const squash = (s: string) => s.replace(/\s+/g, " ").trim();

/** Presses a button once it is on screen: a long view comes in pieces, its buttons on the last. */
async function pressWhenShown(u: FakeUser, label: string, after = 0) {
  const has = (m: { message_id: number }) => (h.tg.messages.get(m.message_id)?.reply_markup?.inline_keyboard ?? []).flat().some((b) => b.text === label);
  await waitFor(() => h.tg.sentTo(u.id).some((m) => m.message_id >= after && has(m)), 10_000, `the button ${label}`);
  return u.press(
    label,
    h.tg
      .sentTo(u.id)
      .filter((m) => m.message_id >= after && has(m))
      .at(-1),
  );
}

describe("a statement with every part at its limit", () => {
  it("the leader's summary is split across messages and can be submitted; nothing is cut", async () => {
    const leader = await h.member(9601, ORG);
    const user = await userRow(9601);
    const org = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    // Coaching appends answers to a part: three answers' worth each; four evidence texts.
    const description = `${long(LIMITS.long, "d1")}\n${long(LIMITS.long, "d2")}\n${long(LIMITS.long, "d3")}`;
    const sources = [1, 2, 3, 4].map((i) => long(1150, `source ${i}`).replace(/\n/g, " ")).join("\n");
    const draft = await h.db.prisma.outcome.create({
      data: {
        organisationId: org.id,
        authorId: user.id,
        language: "en",
        step: "review",
        reviewReached: true,
        description,
        actorName: long(LIMITS.short, "actor"),
        dateText: "March 2024",
        dateKind: "month",
        dateStart: "2024-03",
        place: long(LIMITS.short, "place"),
        significance: `${long(LIMITS.long, "s1")}\n${long(LIMITS.long, "s2")}\n${long(LIMITS.long, "s3")}`,
        contribution: `${long(LIMITS.long, "c1")}\n${long(LIMITS.long, "c2")}`,
        sources,
        peopleAffected: 300,
      },
    });
    leader.text("/new");
    await leader.expect("You have an unfinished draft");
    leader.press(`Continue draft #${draft.id}`);
    const question = await leader.expect("Is everything right?");
    const start = h.tg.sentTo(9601).findIndex((m) => m.text.includes(`Continuing draft #${draft.id}`));
    const summary = h.tg
      .sentTo(9601)
      .slice(start + 1)
      .filter((m) => m.message_id <= question.message_id);
    const shown = squash(plain(summary));
    for (const part of [description, sources, long(LIMITS.long, "s3"), long(LIMITS.long, "c2")]) expect(shown).toContain(squash(part));
    // Resumed again after a restart of the conversation: still fine.
    leader.press("✅ Submit", question);
    await leader.expect(`Statement #${draft.id} submitted`);
    await noFailures(leader);
    expect(summary.length).toBeGreaterThan(3);
  });

  it("the coordinator's card, with two rounds of questions and answers at the limit, opens; so do /my, /history and the edit prompt", async () => {
    const leader = h.user(9601);
    const coord = await h.member(9602, ORG, "en", "coordinator");
    const o = await seedStatement(h.db.prisma, { authorTelegramId: 9601, org: ORG, description: `${long(LIMITS.long, "d1")}\n${long(LIMITS.long, "d2")}` });
    for (let round = 1; round <= 2; round++) {
      await startQuestion(coord, o.id);
      coord.text(long(LIMITS.long, `question ${round}`));
      await coord.expect("was sent to the author");
      const notice = await leader.expect(`question ${round}`);
      // The Answer button is on the notice's last piece.
      await pressWhenShown(leader, "✍️ Answer", notice.message_id);
      await leader.expect("Type your answer");
      leader.text(long(LIMITS.long, `answer ${round}`));
      await leader.expect(`Your answer about #${o.id} was sent`);
    }
    await coord.drain(300);
    coord.pressData(`rv:o:${o.id}`);
    await coord.expect("What do you want to do?");
    const card = squash(plain(h.tg.sentTo(9602)));
    for (const text of [long(LIMITS.long, "question 2"), long(LIMITS.long, "answer 2"), long(LIMITS.long, "d2")]) expect(card).toContain(squash(text));
    // The notices of the answers reached the coordinator too (through the send queue).
    await waitFor(() => h.tg.sentTo(9602).filter((m) => m.text.includes("answered your question")).length >= 2, 10_000, "the answers' notices");

    coord.text(`/history ${o.id}`);
    await coord.expect("History of statement");
    const actions = h.tg
      .sentTo(9602)
      .filter((m) => m.text.includes("What do you want to do?"))
      .at(-1)!;
    coord.press("✏️ Edit a part", actions);
    await coord.expect("Which part");
    coord.press("Description");
    await coord.expect("Type the new value");
    coord.text("/cancel");
    await coord.expect("I stopped waiting");

    leader.text("/my");
    const list = await leader.expect("My statements");
    leader.press(new RegExp(`#${o.id} `), list);
    await leader.expect("Questions and notes");
    await noFailures(leader);
    await noFailures(coord);
  });

  it("suggestions without end, a source reading a long part, and the results with long comments", async () => {
    const leader = h.user(9601);
    const coord = h.user(9602);
    const o = await seedStatement(h.db.prisma, {
      authorTelegramId: 9601,
      org: ORG,
      status: "accepted",
      description: `${long(LIMITS.long, "d1")}\n${long(LIMITS.long, "d2")}\n${long(LIMITS.long, "d3")}`,
    });
    const user = await userRow(9601);
    for (let i = 0; i < 30; i++) {
      await h.db.prisma.substantiatorSuggestion.create({
        data: {
          outcomeId: o.id,
          suggestedById: user.id,
          name: long(LIMITS.short, `name ${i}`),
          role: long(LIMITS.short, "role"),
          relation: long(LIMITS.short, "knows"),
          contact: long(LIMITS.short, "phone"),
        },
      });
    }
    await choose(h.db.prisma, [o.id]);
    await coord.drain(100);
    coord.pressData(`rv:o:${o.id}`);
    await coord.expect("What do you want to do?");
    const code = await sourceLink(coord, o.id, long(LIMITS.short, "source label"));
    expect(squash(plain(h.tg.sentTo(9602)))).toContain(squash(long(LIMITS.short, "name 29")));

    const source = h.user(9603, "Source");
    const first = await openAndAgree(source, code);
    // The part comes in several messages; its buttons on the last.
    await waitFor(() => squash(plain(h.tg.sentTo(9603))).includes(squash(long(LIMITS.long, "d3"))), 10_000, "the whole part");
    expect(first.text).toContain("1/3 · What changed");
    await pressWhenShown(source, "Partially agree"); // on the part's last piece
    await source.expect("Would you like to add a comment?");
    source.text(long(LIMITS.long, "comment 1"));
    await source.expect("2/3");
    for (const n of [2, 3]) {
      await pressWhenShown(source, "Disagree");
      await source.expect("Would you like to add a comment?");
      source.text(long(LIMITS.long, `comment ${n}`));
      await source.expect(n === 2 ? "3/3" : "Your answers about statement");
    }
    await pressWhenShown(source, "✅ Send my answers");
    await source.expect("Your answers about statement");
    await coord.drain(100);
    coord.pressData("sb:r:0");
    await coord.expect("Comments on");
    await waitFor(async () => squash(plain(h.tg.sentTo(9602))).includes(squash(long(LIMITS.long, "comment 3"))), 10_000, "the last comment");
    await noFailures(source);
    await noFailures(leader);
  });
});

describe("lists without end", () => {
  it("an organisation with a hundred members, each with a long name: /members pages them", async () => {
    const coord = h.user(9602);
    const org = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    for (let i = 0; i < 100; i++) {
      const u = await h.db.prisma.user.create({
        data: { telegramId: BigInt(990_000 + i), displayName: long(64, `Member ${i}`), language: "en", consentAt: new Date() },
      });
      await h.db.prisma.membership.create({ data: { userId: u.id, organisationId: org.id, role: "leader" } });
    }
    await coord.drain(100);
    coord.text("/members");
    const first = await coord.expect("members");
    expect(first.reply_markup!.inline_keyboard.flat().length).toBeLessThanOrEqual(30);
    expect(first.text).toContain("Page 1 of 6");
    coord.press("Next »", first);
    await waitFor(() => h.tg.messages.get(first.message_id)!.text.includes("Page 2 of 6"), 10_000, "the next page");
    await noFailures(coord);
  });
});

describe("a part that goes on over several messages", () => {
  it("after a long answer the bot asks for more; each message is added until 'That's all'; a short answer goes straight on", async () => {
    const leader = await h.member(9651, ORG);
    leader.text("/new");
    await leader.expect("What changed?");
    const first = `${"From March 2024 the provincial labour department registers informal workers at the market. ".repeat(40)}`.trim();
    const second = "It also sends an inspector every month, and publishes the list of registered workers.";
    expect(first.length).toBeGreaterThanOrEqual(3000);
    leader.text(first);
    const more = await leader.expect("Is there more?");
    expect(more.reply_markup!.inline_keyboard.flat().map((b) => b.text)).toEqual(["✔️ That's all"]);
    leader.text(second);
    const again = await leader.expect("Is there more?");
    expect(again.text).toContain(`(${first.length + 1 + second.length} characters so far)`);
    leader.press("✔️ That's all", again);
    await leader.expect("Who changed?");
    const draft = await h.db.prisma.outcome.findFirstOrThrow({ where: { author: { telegramId: 9651n }, status: "draft" } });
    expect(draft.description).toBe(`${first}\n${second}`);
    // A short answer is not followed by the question.
    leader.text("The provincial labour department");
    await leader.expect("What kind of social actor");
    expect(h.tg.sentTo(9651).filter((m) => m.text.includes("Is there more?"))).toHaveLength(2);
  });
});
