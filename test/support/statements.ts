/** Statements for tests: through the chat (the real harvest) or seeded straight into the database. */
import type { Db } from "../../src/platform/db/client.js";
import type { OutcomeStatus } from "../../src/generated/prisma/client.js";
import type { FakeUser } from "./user.js";

export const DESCRIPTION =
  "In March 2024 the provincial labour department in Siem Reap began registering informal massage workers for the national health fund, accepting lists submitted through the union.";
export const SIGNIFICANCE =
  "Before, these workers had no route into the scheme. Now about 300 women can get free treatment at state hospitals when they are sick.";
export const CONTRIBUTION =
  "From January to March 2024 the union collected member data, met the department twice, and submitted a petition with 412 thumbprints.";

/** The harvest questions in order, each with a specific answer (English). */
const STEPS: Array<{ step: string; expect: string; answer: (u: FakeUser) => unknown }> = [
  { step: "description", expect: "What changed?", answer: (u) => u.text(DESCRIPTION) },
  { step: "actor_name", expect: "Who changed?", answer: (u) => u.text("Provincial Department of Labour, Siem Reap") },
  { step: "actor_type", expect: "What kind of social actor", answer: (u) => u.press("Government (national or local)") },
  { step: "date", expect: "When did it change?", answer: (u) => u.text("March 2024") },
  { step: "date_confirm", expect: "I understood: <b>March 2024</b>", answer: (u) => u.press("Yes") },
  { step: "place", expect: "Where did it happen?", answer: (u) => u.text("Siem Reap province") },
  { step: "significance", expect: "Why does it matter", answer: (u) => u.text(SIGNIFICANCE) },
  { step: "contribution", expect: "What did ", answer: (u) => u.text(CONTRIBUTION) },
  { step: "people", expect: "How many people", answer: (u) => u.text("300") },
  { step: "women", expect: "How many of them are women?", answer: (u) => u.text("about 280") },
  { step: "expected", expect: "expect</b> this change?", answer: (u) => u.press("Expected") },
  { step: "positive", expect: "positive or negative", answer: (u) => u.press("👍 Positive") },
  { step: "evidence", expect: "<b>Evidence</b>", answer: (u) => u.press("Done") },
];

/** Starts /new and answers every question before `step`; resolves on that step's question. */
export async function answerUntil(u: FakeUser, step: string) {
  u.text("/new");
  for (const s of STEPS) {
    const question = await u.expect(s.expect);
    if (s.step === step) return question;
    s.answer(u);
  }
  throw new Error(`no step ${step}`);
}

/** Answers every step with a specific statement, up to the summary. */
export async function answerSteps(u: FakeUser, org: string) {
  u.text("/new");
  await u.expect("What changed?");
  u.text(DESCRIPTION);
  await u.expect("Who changed?");
  u.text("Provincial Department of Labour, Siem Reap");
  await u.expect("What kind of social actor");
  u.press("Government (national or local)");
  await u.expect("When did it change?");
  u.text("March 2024");
  await u.expect("I understood: <b>March 2024</b>");
  u.press("Yes");
  await u.expect("Where did it happen?");
  u.text("Siem Reap province");
  await u.expect("Why does it matter");
  u.text(SIGNIFICANCE);
  await u.expect(`What did ${org} do`);
  u.text(CONTRIBUTION);
  await u.expect("How many people");
  u.text("300");
  await u.expect("How many of them are women?");
  u.text("about 280");
  await u.expect("expect</b> this change?");
  u.press("Expected");
  await u.expect("positive or negative");
  u.press("👍 Positive");
  await u.expect("Evidence");
  u.photo("p1");
  await u.expect("Photo kept. So far: 1 photo");
  u.press("Done");
}

/** A statement in a given status, as if its author had gone through the harvest. */
export async function seedStatement(
  prisma: Db,
  input: { authorTelegramId: number; org: string; status?: OutcomeStatus; description?: string; language?: string; now?: Date },
) {
  const author = await prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(input.authorTelegramId) } });
  const org = await prisma.organisation.findUniqueOrThrow({ where: { name: input.org } });
  const now = input.now ?? new Date();
  const status = input.status ?? "submitted";
  const o = await prisma.outcome.create({
    data: {
      organisationId: org.id,
      authorId: author.id,
      status,
      language: input.language ?? "en",
      description: input.description ?? DESCRIPTION,
      actorName: "Provincial Department of Labour, Siem Reap",
      actorType: "government",
      dateText: "March 2024",
      dateKind: "month",
      dateStart: "2024-03",
      place: "Siem Reap province",
      significance: SIGNIFICANCE,
      contribution: CONTRIBUTION,
      peopleAffected: 300,
      womenAffected: 280,
      expected: true,
      positive: true,
      reviewReached: true,
      submittedAt: status === "draft" ? null : now,
      waitingSince: status === "draft" ? null : now,
    },
  });
  await prisma.outcomeEvent.create({ data: { outcomeId: o.id, actorId: author.id, type: "created" } });
  return o;
}

/** A coordinator opens a statement's card; resolves on its actions message. */
export async function openCard(u: FakeUser, id: number) {
  u.pressData(`rv:o:${id}`);
  return u.expect("What do you want to do?");
}

/** A coordinator opens a statement and presses "Ask a question"; resolves when the bot waits for the text. */
export async function startQuestion(u: FakeUser, id: number) {
  const card = await openCard(u, id);
  u.press("❓ Ask a question", card);
  return u.expect("Type your question");
}
