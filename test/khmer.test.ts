/**
 * The words a Khmer user sees (issue 11): a leader goes through a whole statement in Khmer —
 * invite, language, consent, /help, /new with every step, the summary, submitting, a
 * coordinator's question answered, the acceptance, /my, /history and /privacy — without meeting
 * an English word, a Latin digit or a code. Commands (/new) and what people typed are theirs.
 */
import { describe, expect, it } from "vitest";
import { asciiToKhmerDigits } from "../src/platform/i18n/digits.js";
import { writtenIn } from "../src/platform/i18n/script.js";
import { useHarness } from "./support/harness.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "សហជីពកម្មករម៉ាស្សាសៀមរាប";

describe("a whole statement in Khmer", () => {
  it("meets no English word, no Latin digit and no code", async () => {
    const typed: string[] = [ORG, "សុខា", "ស្រីមុំ"];
    const type = (u: ReturnType<typeof h.user>, text: string) => {
      typed.push(text);
      return u.text(text);
    };
    const code = await h.invite(ORG);
    const leader = h.user(9701, "ស្រីមុំ", "km");
    const presses: string[] = [];
    const press = leader.press.bind(leader);
    leader.press = (label, on) => {
      const id = press(label, on);
      presses.push(id);
      return id;
    };
    leader.text(`/start ${code}`);
    const invited = await leader.expect(ORG);
    expect(invited.text).toContain("អញ្ជើញអ្នកឱ្យចូលរួម");
    const picker = await leader.expect("សូមជ្រើសរើសភាសារបស់អ្នក");
    leader.press("ខ្មែរ", picker);
    const consent = await leader.expect("មុននឹងចាប់ផ្តើម");
    expect(consent.text).toContain("/privacy");
    leader.press(/✅/, consent);
    await leader.expect("សូមស្វាគមន៍");
    await leader.expect("/new");

    const coordCode = await h.invite(ORG, "coordinator");
    const coord = h.user(9702, "សុខា", "km");
    await coord.join(coordCode, "km");
    await coord.drain(200);

    leader.text("/new");
    await leader.expect("តើមានអ្វីផ្លាស់ប្តូរ?");
    type(leader, "នៅខែមីនា ឆ្នាំ២០២៤ មន្ទីរការងារខេត្តសៀមរាបបានចាប់ផ្តើមចុះឈ្មោះកម្មករម៉ាស្សាក្រៅប្រព័ន្ធចូលមូលនិធិសុខភាពជាតិ ដោយទទួលយកបញ្ជីឈ្មោះតាមរយៈសហជីព។");
    await leader.expect("តើអ្នកណាបានផ្លាស់ប្តូរ?");
    type(leader, "មន្ទីរការងារខេត្តសៀមរាប");
    await leader.expect("ជាតួអង្គសង្គមប្រភេទណា");
    leader.press("រដ្ឋាភិបាល (ថ្នាក់ជាតិ ឬថ្នាក់ក្រោមជាតិ)");
    await leader.expect("តើការផ្លាស់ប្តូរកើតឡើងនៅពេលណា?");
    type(leader, "ខែកញ្ញា ២៥៦៧");
    expect((await leader.next()).text).toBe("ខ្ញុំយល់ថា៖ <b>ខែកញ្ញា ឆ្នាំ២០២៣</b>។ តើត្រឹមត្រូវទេ?");
    leader.press("បាទ/ចាស");
    await leader.expect("តើវាកើតឡើងនៅឯណា?");
    type(leader, "ខេត្តសៀមរាប ស្រុកសៀមរាប");
    await leader.expect("ហេតុអ្វីវាសំខាន់");
    type(leader, "ពីមុន កម្មករទាំងនេះគ្មានផ្លូវចូលរបបនេះទេ។ ឥឡូវនេះ ស្ត្រីប្រហែល ៣០០ នាក់អាចទទួលការព្យាបាលដោយឥតគិតថ្លៃនៅមន្ទីរពេទ្យរដ្ឋ។");
    await leader.expect("ជួយឱ្យវាកើតឡើង");
    type(leader, "ពីខែមករា ដល់ខែមីនា ឆ្នាំ២០២៤ សហជីពបានប្រមូលទិន្នន័យសមាជិក ជួបមន្ទីរពីរដង និងដាក់ញត្តិដែលមានស្នាមមេដៃ ៤១២។");
    await leader.expect("មានផលដល់មនុស្សប៉ុន្មាននាក់");
    type(leader, "៣០០ នាក់");
    await leader.expect("មានស្ត្រីប៉ុន្មាននាក់");
    type(leader, "២៨០");
    await leader.expect("<b>រំពឹងទុក</b>");
    leader.press("មិនបានរំពឹងទុក");
    await leader.expect("វិជ្ជមាន");
    leader.press("👍 ល្អ (វិជ្ជមាន)");
    await leader.expect("ភស្តុតាង");
    leader.voice("km-evidence");
    await leader.expect("ខ្ញុំរក្សាទុកសារសំឡេងហើយ");
    type(leader, "លោក សុខ ដារា មេឃុំ");
    await leader.expect("ខ្ញុំកត់ឈ្មោះប្រភពហើយ");
    leader.press("រួចរាល់");
    const summary = await leader.expect("តើអ្វីៗទាំងអស់ត្រឹមត្រូវទេ?");
    expect(summary.text).toContain("មនុស្ស ៣០០ នាក់ ក្នុងនោះស្ត្រី ២៨០ នាក់");
    expect(summary.text).toContain("សារសំឡេង ១, ប្រភព ១");
    expect(summary.text).toContain("មិនបានរំពឹងទុក · វិជ្ជមាន");
    leader.press("✅ ផ្ញើទៅអ្នកសម្របសម្រួល");
    const sent = await leader.expect("ខ្ញុំបានផ្ញើរបាយការណ៍លេខ");
    const id = Number(/លេខ ([០-៩]+)/.exec(sent.text)![1]!.replace(/[០-៩]/g, (d) => String("០១២៣៤៥៦៧៨៩".indexOf(d))));
    const after = await leader.expect("មិនបានរំពឹងទុក");
    leader.press("ទេ", after);
    await leader.expect("សូមអរគុណ");

    // The coordinator hears of it, asks a question; the leader answers by just typing.
    const notice = await coord.expect("របាយការណ៍ថ្មីលេខ");
    coord.press(`បើកលេខ ${asciiToKhmerDigits(String(id))}`, notice);
    const actions = await coord.expect("តើអ្នកចង់ធ្វើអ្វី?");
    coord.press("❓ សួរសំណួរ", actions);
    const prompt = await coord.expect("សូមវាយសំណួររបស់អ្នក");
    expect(prompt.text).toContain("ដោយមិនបកប្រែទេ");
    expect(prompt.text).toContain("(ខ្មែរ)");
    coord.text("តើមានកម្មករប៉ុន្មាននាក់បានចុះឈ្មោះរួចហើយ?");
    typed.push("តើមានកម្មករប៉ុន្មាននាក់បានចុះឈ្មោះរួចហើយ?");
    await leader.expect("អ្នកសម្របសម្រួលមានសំណួរ");
    type(leader, "ប្រហែល ១២០ នាក់ នៅខែមេសា។");
    await leader.expect("ខ្ញុំបានផ្ញើចម្លើយរបស់អ្នក");
    const answered = await coord.expect("បានឆ្លើយសំណួររបស់អ្នក");
    coord.press(/^បើកលេខ/, answered);
    const again = await coord.expect("តើអ្នកចង់ធ្វើអ្វី?");
    coord.press("✅ ទទួលយក", again);
    await leader.expect("បានទទួលយករបាយការណ៍លេខ");

    leader.text("/my");
    const my = await leader.expect("របាយការណ៍របស់ខ្ញុំ");
    leader.press(/^លេខ /, my);
    await leader.expect("សំណួរ និងកំណត់ចំណាំ");
    leader.text(`/history ${id}`);
    typed.push(`/history ${id}`);
    await leader.expect("ប្រវត្តិនៃរបាយការណ៍លេខ");
    leader.text("/privacy");
    const privacy = await leader.expect("អ្វីដែលបូតនេះរក្សាទុកអំពីអ្នក");
    expect(privacy.text).toContain("ភាសា៖ ខ្មែរ");
    expect(privacy.text).toMatch(/ថ្ងៃដែលអ្នកយល់ព្រម៖ [០-៩]+ [^\s]+ [០-៩]{4}/);
    leader.text("/help");
    await leader.expect("/new —");
    await h.tg.settled(10_000);
    await waitFor(() => presses.every((id) => h.tg.callbackAnswers.has(id)), 10_000, "the answers to the presses");

    // Everything the leader was sent: texts, buttons, and the short answers to their presses.
    const seen: string[] = [];
    for (const m of h.tg.sentTo(9701)) {
      seen.push(m.text);
      for (const b of (m.reply_markup?.inline_keyboard ?? []).flat()) if (m !== picker) seen.push(b.text);
    }
    for (const id of presses) seen.push(h.tg.callbackAnswers.get(id)?.text ?? "");
    const foreign = seen
      .map((text) => {
        let t = text.replace(/<[^>]+>/g, " ").replace(/&\w+;/g, " ");
        for (const x of typed) t = t.split(x).join(" ");
        return t.replace(/\/[a-z_]+/g, " "); // commands are Latin by Telegram's rules
      })
      .filter((t) => /[A-Za-z0-9]/.test(t));
    expect(foreign).toEqual([]);
  }, 60_000);
});

describe("first words and numbers", () => {
  it("the first message of an invite: in the app's language when known, else in both", async () => {
    const code = await h.invite(ORG);
    const km = h.user(9711, "Dara", "km");
    km.text(`/start ${code}`);
    const kmInvited = await km.next();
    expect(kmInvited.text).toContain("អញ្ជើញអ្នកឱ្យចូលរួម");
    expect(kmInvited.text).not.toContain("invited");
    const other = h.user(9712, "Anna", "fr");
    other.text(`/start ${code}`);
    const both = await other.next();
    expect(both.text).toContain("You are invited to join");
    expect(both.text).toContain("អញ្ជើញអ្នកឱ្យចូលរួម");
    await other.drain(300);
    other.text("/start not-a-code");
    const bad = await other.next();
    expect(bad.text).toContain("This invite link is not valid");
    expect(bad.text).toContain("តំណអញ្ជើញនេះមិនត្រឹមត្រូវទេ");
  });

  it("/privacy in Khmer: Khmer digits, a Khmer date and the language's name", async () => {
    const u = h.user(9701);
    await u.drain(50);
    u.text("/privacy");
    const m = await u.expect("អ្វីដែលបូតនេះរក្សាទុកអំពីអ្នក");
    expect(m.text).toContain(`លេខសម្គាល់តេឡេក្រាម៖ ${asciiToKhmerDigits("9701")}`);
    expect(m.text).toContain("ភាសា៖ ខ្មែរ");
    expect(m.text).toContain("របាយការណ៍ដែលអ្នកបានរាយការណ៍៖ ១ (បានទទួលយក៖ ១)");
    expect(m.text).toContain("រូបថត សារសំឡេង និងឯកសារភ្ជាប់ជាមួយវា៖ ១");
    expect(m.text).not.toMatch(/[0-9]|\bkm\b|weekly/);
    // Who sees the statements: the coordinators of the programme and of the organisation, as the consent says.
    expect(m.text).toContain("អ្នកសម្របសម្រួលនៃកម្មវិធី និងអ្នកសម្របសម្រួលនៃអង្គការរបស់អ្នក");
  });
});

describe("the language of a text, by its script", () => {
  it("Khmer letters make Khmer, Latin ones English; digits and links keep the language they were written under", () => {
    expect(writtenIn("មន្ទីរការងារខេត្តបានចាប់ផ្តើមចុះឈ្មោះ", "en")).toBe("km");
    expect(writtenIn("The labour department began registering workers", "km")).toBe("en");
    expect(writtenIn("The Labour Department of ខេត្តព្រះវិហារ began registering informal workers", "km")).toBe("en");
    expect(writtenIn("ក្រសួងការងារ ILO ២០២៤", "en")).toBe("km");
    expect(writtenIn("300 · https://t.me/x", "km")).toBe("en"); // the link's letters are Latin
    expect(writtenIn("300 · ២៤", "km")).toBe("km");
    expect(writtenIn("2024-03", "km")).toBe("km");
  });
});
