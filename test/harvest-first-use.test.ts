/**
 * What a new leader meets in the harvest (issue 11): numbers that are not head counts, answers
 * with nothing visible, Buddhist-era years, commands in the middle of a question, evidence
 * confirmed by kind, choices shown in their questions, and buttons that go once answered.
 */
import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { answerUntil } from "./support/statements.js";
import type { BotMessage } from "./support/fake-telegram.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Battambang Street Vendors Association";

const draftOf = async (telegramId: number) => {
  const user = await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(telegramId) } });
  return h.db.prisma.outcome.findFirstOrThrow({ where: { authorId: user.id }, orderBy: { id: "desc" } });
};
/** A message as it is now (after any edits). */
const now = (m: BotMessage) => h.tg.messages.get(m.message_id)!;
const buttons = (m: BotMessage) => (now(m).reply_markup?.inline_keyboard ?? []).flat().map((b) => b.text);

describe("numbers", () => {
  it("a percentage is not a number of people: asked again, nothing stored as a count", async () => {
    const u = await h.member(6001, ORG);
    await answerUntil(u, "people");
    u.text("the commission fell 5%");
    expect((await u.next()).text).toContain("is a percentage, an amount or a length of time, not a number of people");
    u.text("500 riel a day");
    await u.expect("not a number of people");
    expect((await draftOf(6001)).peopleAffected).toBeNull();
    u.text("about 1,200 people");
    await u.expect("How many of them are women?");
    expect((await draftOf(6001)).peopleAffected).toBe(1200);
  });

  it("in Khmer, a percentage answering the coaching question stays text; the count stays empty", async () => {
    const u = await h.member(6002, ORG, "km");
    u.text("/new");
    await u.expect("តើមានអ្វីផ្លាស់ប្តូរ?");
    // A statement without any number, so the coaching asks for one.
    u.text("មន្ទីរការងារខេត្តបាត់ដំបងបានចាប់ផ្តើមទទួលពាក្យបណ្តឹងពីអ្នកលក់ដូរតាមផ្លូវ ហើយដោះស្រាយវាក្នុងរយៈពេលខ្លី។");
    await u.expect("តើអ្នកណាបានផ្លាស់ប្តូរ?");
    u.text("មន្ទីរការងារខេត្តបាត់ដំបង");
    await u.expect("ជាតួអង្គសង្គមប្រភេទណា");
    u.press("រដ្ឋាភិបាល (ថ្នាក់ជាតិ ឬថ្នាក់ក្រោមជាតិ)");
    await u.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    u.text("ខែមីនា ២០២៤");
    await u.expect("ខ្ញុំយល់ថា");
    u.press("បាទ/ចាស");
    await u.expect("តើវាកើតឡើងនៅឯណា?");
    u.text("ខេត្តបាត់ដំបង");
    await u.expect("ហេតុអ្វីវាសំខាន់");
    u.text("ពីមុន អ្នកលក់ដូរគ្មានកន្លែងប្តឹងទេ ហើយត្រូវបង់ប្រាក់ក្រៅផ្លូវការ។ ឥឡូវនេះ ពួកគេអាចប្តឹងដោយឥតគិតថ្លៃ ហើយទទួលចម្លើយ។");
    await u.expect("ជួយឱ្យវាកើតឡើង");
    u.text("សមាគមបានប្រមូលពាក្យបណ្តឹងរបស់សមាជិក ជួបមន្ទីរការងារ និងស្នើឱ្យមានបែបបទប្តឹងសាមញ្ញសម្រាប់អ្នកលក់ដូរ។");
    await u.expect("មនុស្សប៉ុន្មាននាក់");
    u.press("រំលង");
    await u.expect("<b>រំពឹងទុក</b>");
    u.press("រំពឹងទុក");
    await u.expect("វិជ្ជមាន");
    u.press("👍 ល្អ (វិជ្ជមាន)");
    await u.expect("ភស្តុតាង");
    u.press("រួចរាល់");
    await u.expect("តើមានលេខទេ?");
    u.text("កម្រៃជើងសារបានធ្លាក់ចុះ ៥%");
    await u.expect("តើអ្វីៗទាំងអស់ត្រឹមត្រូវទេ?");
    const d = await draftOf(6002);
    expect(d.peopleAffected).toBeNull();
    expect(d.significance).toContain("កម្រៃជើងសារបានធ្លាក់ចុះ ៥%");
  });

  it("with the people skipped, women are not asked, and the summary shows no '?'", async () => {
    const u = await h.member(6003, ORG);
    await answerUntil(u, "people");
    u.press("Skip");
    expect((await u.next()).text).toContain("expect</b> this change?");
    u.press("Expected");
    await u.expect("positive or negative");
    u.press("👍 Positive");
    await u.expect("<b>Evidence</b>");
    u.press("Done");
    const summary = await u.expect("Is everything right?");
    expect(summary.text).toContain("<b>People affected</b>\n<i>not answered</i>");

    u.press("✏️ Edit a part");
    await u.expect("Which part");
    u.press("Numbers");
    await u.expect("How many people");
    u.text("300");
    await u.expect("How many of them are women?");
    u.press("Skip");
    const again = await u.expect("Is everything right?");
    expect(again.text).toContain("<b>People affected</b>\n300 people\n\n<b>Nature of the change</b>");
  });
});

describe("answers with nothing visible", () => {
  it.each([
    ["zero-width spaces", "\u200B\u200B\u200B", 6401],
    ["a word joiner and a byte-order mark", " \u2060\uFEFF ", 6402],
    ["Khmer's invisible vowels", "\u17B4\u17B5", 6403],
    ["a Hangul filler", "\u3164", 6404],
  ])("%s count as empty", async (_what, text, id) => {
    // A person of their own each (a random id once collided with the tests below).
    const u = await h.member(id, ORG);
    u.text("/new");
    await u.expect("What changed?");
    u.text(text);
    expect((await u.next()).text).toBe("The answer is empty. Please write a few words.");
    expect((await draftOf(id)).description).toBeNull();
    // Khmer written with zero-width spaces between words is text.
    u.text("មន្ទីរ\u200Bការងារ\u200Bខេត្ត\u200Bបាន\u200Bចាប់ផ្តើម\u200Bចុះឈ្មោះ");
    await u.expect("Who changed?");
  });
});

describe("questions and their buttons", () => {
  it("a command in the middle of a question shows the question again, with working buttons", async () => {
    const u = await h.member(6201, ORG);
    const first = await answerUntil(u, "people");
    u.text("/new");
    expect((await u.next()).text).toContain("You are in the middle of a statement, so /new cannot run now");
    const again = await u.next();
    expect(again.text).toContain("How many people");
    expect(buttons(again)).toEqual(["Skip"]);
    // Only the newest copy keeps its Skip button.
    await waitFor(() => buttons(first).length === 0, 5000, "the first copy's Skip to go");
    u.press("Skip", again);
    await u.expect("expect</b> this change?");
  });

  it("a question answered by typing loses its Skip / I don't know buttons", async () => {
    const u = await h.member(6202, ORG);
    const date = await answerUntil(u, "date");
    expect(buttons(date)).toEqual(["I don't know"]);
    // An answer the question cannot take: the question again, with its button (on the newest copy only).
    u.text("sometime");
    await u.expect("I could not read a date");
    const again = await u.expect("When did it change?");
    expect(buttons(again)).toEqual(["I don't know"]);
    await waitFor(() => buttons(date).length === 0, 5000, "the old copy's button to go");
    u.text("March 2024");
    await u.expect("I understood");
    expect(buttons(again)).toEqual([]);
    u.press("Yes");
    await u.expect("Where did it happen?");
    // The date confirmation shows what was chosen.
    const confirm = h.tg.sentTo(6202).find((m) => m.text.includes("I understood"))!;
    expect(now(confirm).text).toBe("I understood: <b>March 2024</b>. Is that right?\n\n✔️ <b>Yes</b>");
    u.text("Battambang town");
    await u.expect("Why does it matter");
    u.text("Vendors can now complain without paying anyone, and they get an answer within a week.");
    await u.expect("What did ");
    u.text("The association collected complaints and met the department twice in early 2024.");
    const people = await u.expect("How many people");
    u.text("300");
    await u.expect("How many of them are women?");
    expect(buttons(people)).toEqual([]);
  });

  it("each piece of evidence is confirmed by kind and counted by kind; a sticker is explained", async () => {
    const u = await h.member(6203, ORG);
    const question = await answerUntil(u, "evidence");
    u.text("https://example.org/battambang-report.pdf");
    const link = await u.next();
    expect(link.text).toBe("🔗 Link kept. So far: 1 link. Send more, or press Done.");
    u.photo("ev-photo");
    const photo = await u.next();
    expect(photo.text).toBe("📷 Photo kept. So far: 1 photo, 1 link. Send more, or press Done.");
    u.text("Mr Sok Dara, commune chief of Sangkat Svay Por");
    expect((await u.next()).text).toBe("📝 Source noted. So far: 1 photo, 1 link, 1 source named. Send more, or press Done.");
    u.sticker();
    expect((await u.next()).text).toContain("A sticker cannot be kept as evidence");
    // Only the latest confirmation carries Done.
    await waitFor(() => [question, link, photo].every((m) => buttons(m).length === 0), 5000, "the older Done buttons to go");
    u.press("Done");
    const summary = await u.expect("Is everything right?");
    expect(summary.text).toContain("<b>Evidence</b>\n1 photo, 1 link, 1 source named\nhttps://example.org/battambang-report.pdf\nMr Sok Dara");
    expect(summary.text).not.toContain("file");
  });
});

describe("Buddhist-era dates in the chat", () => {
  it("a year alone is asked about with buttons; the choice is kept", async () => {
    const u = await h.member(6301, ORG, "km");
    u.text("/new");
    await u.expect("តើមានអ្វីផ្លាស់ប្តូរ?");
    u.text("មន្ទីរការងារខេត្តបាត់ដំបងបានចាប់ផ្តើមទទួលពាក្យបណ្តឹងពីអ្នកលក់ដូរតាមផ្លូវ។");
    await u.expect("តើអ្នកណាបានផ្លាស់ប្តូរ?");
    u.text("មន្ទីរការងារខេត្តបាត់ដំបង");
    await u.expect("ជាតួអង្គសង្គមប្រភេទណា");
    u.press("រដ្ឋាភិបាល (ថ្នាក់ជាតិ ឬថ្នាក់ក្រោមជាតិ)");
    await u.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    u.text("ឆ្នាំ២៥៦៧");
    const era = await u.expect("ព.ស. ២៥៦៧");
    expect(era.text).toContain("ចាប់ពីខែឧសភា ឆ្នាំ២០២៣ ដល់ខែឧសភា ឆ្នាំ២០២៤");
    expect(buttons(era)).toEqual(["ឆ្នាំ២០២៣", "ឆ្នាំ២០២៤", "ទេ សរសេរម្តងទៀត"]);
    u.press("ឆ្នាំ២០២៣");
    await u.expect("តើវាកើតឡើងនៅឯណា?");
    expect(now(era).text).toContain("✔️ <b>ឆ្នាំ២០២៣</b>");
    expect(await draftOf(6301)).toMatchObject({ dateText: "ឆ្នាំ២៥៦៧", dateKind: "year", dateStart: "2023" });
  });

  it("a month of a Buddhist year is converted exactly", async () => {
    const u = await h.member(6302, ORG);
    await answerUntil(u, "date");
    u.text("September 2567");
    expect((await u.next()).text).toBe("I understood: <b>September 2023</b>. Is that right?");
    u.press("No, write it again");
    await u.expect("When did it change?");
    u.text("March 2567");
    expect((await u.next()).text).toBe("I understood: <b>March 2024</b>. Is that right?");
  });
});
