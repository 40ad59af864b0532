/** Set-up for substantiation tests: accepted, classified statements and source links. */
import type { Db } from "../../src/platform/db/client.js";
import { findOption } from "../../src/classification/service.js";
import { seedStatement } from "./statements.js";
import type { BotMessage } from "./fake-telegram.js";
import type { FakeUser } from "./user.js";

/** An accepted statement with the given classification (dimension key → option keys). */
export async function acceptedStatement(
  prisma: Db,
  input: { authorTelegramId: number; org: string; description?: string; inDoubt?: boolean; classes?: Record<string, string[]> },
) {
  const o = await seedStatement(prisma, { authorTelegramId: input.authorTelegramId, org: input.org, status: "accepted", description: input.description });
  if (input.inDoubt) await prisma.outcome.update({ where: { id: o.id }, data: { inDoubt: true } });
  for (const [dim, keys] of Object.entries(input.classes ?? {})) {
    for (const key of keys) await prisma.classification.create({ data: { outcomeId: o.id, optionId: (await findOption(prisma, dim, key)).id } });
  }
  return o;
}

/** Chooses statements for substantiation directly (the sample flow has its own test). */
export async function choose(prisma: Db, outcomeIds: number[]) {
  for (const outcomeId of outcomeIds) await prisma.substantiation.create({ data: { outcomeId, reasons: ["added_by_coordinator"] } });
}

/** The coordinator adds a source through the bot; returns the link's start code. */
export async function sourceLink(coord: FakeUser, outcomeId: number, label: string): Promise<string> {
  await coord.drain(50);
  coord.pressData(`sb:a:${outcomeId}`);
  await coord.expect(`Who should confirm statement #${outcomeId}?`);
  coord.text(label);
  const m = await coord.expect("Pass it on to them only");
  return /start=(s_[\w-]+)/.exec(m.text)![1]!;
}

/** A substantiator opens a link, agrees and chooses named or anonymous; resolves on the first part's question. */
export async function openAndAgree(u: FakeUser, code: string, anonymous = false, lang: "en" | "km" = "en") {
  u.text(`/start ${code}`);
  const request = await u.expect(lang === "km" ? "សុំឱ្យអ្នកផ្ទៀងផ្ទាត់" : "asks you to check a statement");
  u.press(lang === "km" ? "✅ ខ្ញុំយល់ព្រម បង្ហាញរបាយការណ៍មកខ្ញុំ" : "✅ I agree, show me the statement", request);
  const naming = await u.expect(lang === "km" ? "តើឈ្មោះរបស់អ្នក" : "May your name appear");
  u.press(anonymous ? /🕶/ : /👤/, naming);
  return u.expect(/(1|១)\/(3|៣) · /);
}

/** Answers one part (level, then a comment or none); resolves on what comes next: the next part or the summary. */
export async function answerPart(u: FakeUser, part: BotMessage, level: string, comment?: string | { voice: string }, lang: "en" | "km" = "en") {
  u.press(level, part);
  const prompt = await u.expect(lang === "km" ? "តើអ្នកចង់បន្ថែមមតិទេ" : "Would you like to add a comment?");
  if (comment === undefined) u.press(lang === "km" ? "គ្មានមតិ ➡️" : "No comment ➡️", prompt);
  else if (typeof comment === "string") u.text(comment);
  else u.voice(comment.voice);
  return u.expect(lang === "km" ? /[០-៩]\/៣ · |ចម្លើយរបស់អ្នកអំពីរបាយការណ៍/ : /\d\/3 · |Your answers about statement/);
}
