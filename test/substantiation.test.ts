import { describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { acceptedStatement, answerPart, openAndAgree, sourceLink } from "./support/substantiation.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Siem Reap Community Forestry Network";
const OTHER = "Battambang Rice Farmers Association";

const assignment = (id: number) => h.db.prisma.substantiationAssignment.findUniqueOrThrow({ where: { id } });
const lastAssignment = () => h.db.prisma.substantiationAssignment.findFirstOrThrow({ orderBy: { id: "desc" } });

describe("choosing what to substantiate", () => {
  it("proposes at least 20% with reasons, lets the coordinator add and remove, and confirms once", async () => {
    await h.member(6001, ORG);
    const coord = await h.member(6101, ORG, "en", "coordinator");
    const plain = [];
    for (let i = 0; i < 6; i++) plain.push(await acceptedStatement(h.db.prisma, { authorTelegramId: 6001, org: ORG, description: `Plain change number ${i}` }));
    const doubt = await acceptedStatement(h.db.prisma, { authorTelegramId: 6001, org: ORG, inDoubt: true, description: "A change in doubt" });
    const gender = await acceptedStatement(h.db.prisma, { authorTelegramId: 6001, org: ORG, classes: { gender: ["leadership"] }, description: "Women lead" });
    const r1 = await acceptedStatement(h.db.prisma, {
      authorTelegramId: 6001,
      org: ORG,
      classes: { framework: ["R1"], significance: ["high"] },
      description: "R1 change",
    });
    const so = await acceptedStatement(h.db.prisma, { authorTelegramId: 6001, org: ORG, classes: { framework: ["SO", "R2"] }, description: "SO change" });

    coord.text("/substantiate");
    const overview = await coord.expect("<b>Substantiation</b>");
    expect(overview.text).toContain("0 statement(s) chosen, of 10 accepted");
    coord.press("🎯 Propose a sample", overview);
    const proposal = await coord.expect("Proposed sample");
    expect(proposal.text).toContain("4 of 10 accepted statements (40%)");
    expect(proposal.text).toContain(`#${doubt.id} <i>A change in doubt</i>\n   why: in doubt`);
    expect(proposal.text).toContain(`#${gender.id} <i>Women lead</i>\n   why: gender and power relations`);
    expect(proposal.text).toContain(`#${r1.id} <i>R1 change</i>\n   why: most significant; results framework R1`);
    expect(proposal.text).toContain(`#${so.id} <i>SO change</i>\n   why: results framework SO; results framework R2`);
    expect(proposal.text).not.toContain("Plain change");

    // Add one, remove one.
    coord.press(new RegExp(`^▫️ #${plain[0]!.id} `), proposal);
    await waitFor(() => h.tg.messages.get(proposal.message_id)!.text.includes("5 of 10"));
    coord.press(new RegExp(`^✅ #${so.id} `), proposal);
    await waitFor(() => h.tg.messages.get(proposal.message_id)!.text.includes("4 of 10"));
    const edited = h.tg.messages.get(proposal.message_id)!.text;
    expect(edited).toContain(`#${plain[0]!.id} <i>Plain change number 0</i>\n   why: added by a coordinator`);
    expect(edited).not.toContain("SO change");

    const confirm = coord.press("✔️ Confirm 4", proposal);
    await coord.callbackAnswer(confirm);
    const done = await coord.expect("Substantiation requested for 4 statement(s)");
    expect(done.text).toContain(`#${plain[0]!.id}`);
    const proposalRow = await h.db.prisma.sampleProposal.findFirstOrThrow();
    const again = coord.pressData(`sb:c:${proposalRow.id}`, proposal.message_id);
    expect((await coord.callbackAnswer(again)).text).toBe("Already done.");
    const rows = await h.db.prisma.substantiation.findMany({ orderBy: { outcomeId: "asc" } });
    expect(rows.map((r) => [r.outcomeId, r.reasons])).toEqual(
      [
        [plain[0]!.id, ["added_by_coordinator"]],
        [doubt.id, ["in_doubt"]],
        [gender.id, ["gender"]],
        [r1.id, ["significant", "framework:R1"]],
      ].sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
    expect(await h.db.prisma.outcomeEvent.count({ where: { type: "substantiation_requested" } })).toBe(4);
  });

  it("a leader suggests a substantiator from /my, and the coordinator sees it when adding a source", async () => {
    const leader = h.user(6001);
    await leader.drain(50);
    const chosen = await h.db.prisma.substantiation.findFirstOrThrow({ orderBy: { outcomeId: "asc" } });
    leader.pressData(`my:o:${chosen.outcomeId}`);
    const card = await leader.expect("Substantiation</b>: requested, 0 of 0 source(s) answered");
    leader.press("👤 Suggest who can confirm it", card);
    await leader.expect("Type their name");
    leader.text("Ms Srey Mom");
    await leader.expect("What is their role");
    leader.text("Commune council member");
    const relation = await leader.expect("How do they know");
    leader.press("Skip", relation);
    await leader.expect("How can the coordinator reach them?");
    leader.text("@sreymom");
    await leader.expect("<b>Ms Srey Mom</b> is suggested");
    expect(await h.db.prisma.substantiatorSuggestion.findFirstOrThrow()).toMatchObject({
      name: "Ms Srey Mom",
      role: "Commune council member",
      relation: null,
      contact: "@sreymom",
    });
    const coord = h.user(6101);
    await coord.drain(50);
    coord.pressData(`sb:a:${chosen.outcomeId}`);
    const prompt = await coord.expect(`Who should confirm statement #${chosen.outcomeId}?`);
    expect(prompt.text).toContain("• Ms Srey Mom · Commune council member · knows it: — · reach: @sreymom");
  });
});

describe("source links", () => {
  it("refuses the author and members of the organisation (the coordinator is told), and a link used by someone else", async () => {
    const coord = h.user(6101);
    const chosen = await h.db.prisma.substantiation.findFirstOrThrow({ orderBy: { outcomeId: "asc" } });
    const id = chosen.outcomeId;
    await coord.drain(50);
    coord.text("/cancel"); // stop waiting for the source typed in the previous test
    await coord.drain(200);

    let code = await sourceLink(coord, id, "The author, by mistake");
    const author = h.user(6001);
    await author.drain(50);
    author.text(`/start ${code}`);
    await author.expect("You wrote this statement");
    await coord.expect(`The author, by mistake cannot substantiate statement #${id}: they are its author`);
    expect((await lastAssignment()).status).toBe("refused");

    code = await sourceLink(coord, id, "A member, by mistake");
    const member = await h.member(6002, ORG);
    member.text(`/start ${code}`);
    await member.expect("You belong to the organisation");
    await coord.expect(`they belong to ${ORG}`);
    // Once refused, the link is spent.
    member.text(`/start ${code}`);
    await member.expect("already used");

    code = await sourceLink(coord, id, "Mr Dara, commune chief");
    const outsider = h.user(6501, "Dara");
    outsider.text(`/start ${code}`);
    await outsider.expect("asks you to check a statement");
    const intruder = h.user(6502, "Someone");
    intruder.text(`/start ${code}`);
    await intruder.expect("already used by someone else");
    const a = await lastAssignment();
    expect(a.userId).toBe((await h.db.prisma.user.findUniqueOrThrow({ where: { telegramId: 6501n } })).id);
    // Forged buttons on someone else's assignment are refused.
    const forged = intruder.pressData(`sv:a:${a.id}:description:fully`);
    expect((await intruder.callbackAnswer(forged)).text).toBe("You are not allowed to do that.");
    intruder.text("/start s_AAAAAAAAAAAAAAAAAAAAAA");
    await intruder.expect("This link is not valid");
  });

  it("a full answer in English, with typed and spoken comments; read-only once sent; the coordinator is told", async () => {
    const dara = h.user(6501, "Dara");
    await dara.drain(50);
    const a = await lastAssignment();
    // The link was opened in the previous test: /start continues where Dara is.
    dara.text("/start");
    const request = await dara.expect("asks you to check a statement");
    dara.press("✅ I agree, show me the statement", request);
    dara.press(/👤/, await dara.expect("May your name appear"));
    await dara.expect("Here is statement");
    let part = await dara.expect("1/3 · What changed");
    expect(part.text).toContain("Plain change number 0");
    part = await answerPart(dara, part, "Fully agree", "I saw the registration lists myself.");
    expect(part.text).toContain("2/3 · Why it matters");
    part = await answerPart(dara, part, "Partially agree");
    expect(part.text).toContain("3/3 · What the partner contributed");
    const summary = await answerPart(dara, part, "Disagree", { voice: "dara-comment" });
    expect(summary.text).toContain("<b>What changed</b>: Fully agree\n<i>I saw the registration lists myself.</i>");
    expect(summary.text).toContain("<b>Why it matters</b>: Partially agree");
    expect(summary.text).toContain("<b>What the partner contributed</b>: Disagree\n🎤 <i>voice comment</i>");
    expect(summary.text).toContain("Your name may appear in reports.");

    dara.press("✅ Send my answers", summary);
    await dara.expect(`Your answers about statement #${a.outcomeId} are sent`);
    const notice = await h.user(6101).expect(`✅ Mr Dara, commune chief sent their answers about statement #${a.outcomeId}`);
    // A button straight to the results.
    h.user(6101).press("📊 Results", notice);
    await h.user(6101).expect("Substantiation results");
    expect(await assignment(a.id)).toMatchObject({ status: "submitted", anonymous: false });
    const answers = await h.db.prisma.substantiationAnswer.findMany({ where: { assignmentId: a.id }, orderBy: { part: "asc" } });
    expect(answers.map((x) => [x.part, x.level, x.comment, x.commentFileId])).toEqual([
      ["contribution", "disagree", null, "file-dara-comment"],
      ["description", "fully", "I saw the registration lists myself.", null],
      ["significance", "partially", null, null],
    ]);
    // Read-only: an old level button is refused.
    const late = dara.pressData(`sv:a:${a.id}:description:disagree`);
    expect((await dara.callbackAnswer(late)).text).toContain("can no longer be changed");
    expect((await h.db.prisma.substantiationAnswer.findFirstOrThrow({ where: { assignmentId: a.id, part: "description" } })).level).toBe("fully");
  });

  it("a full answer in Khmer, anonymous: the statement stays in its language; the source is never named", async () => {
    const coord = h.user(6101);
    const chosen = await h.db.prisma.substantiation.findFirstOrThrow({ orderBy: { outcomeId: "asc" } });
    const code = await sourceLink(coord, chosen.outcomeId, "Ms Secret Name");
    const sokha = h.user(6503, "Sokha", "km");
    let part = await openAndAgree(sokha, code, true, "km");
    expect(part.text).toContain("១/៣ · អ្វីដែលបានផ្លាស់ប្តូរ");
    expect(part.text).toContain("Plain change number 0"); // the statement's own language
    expect(part.text).toContain("តើអ្នកយល់ស្របជាមួយផ្នែកនេះប៉ុណ្ណា?");
    part = await answerPart(sokha, part, "យល់ស្របទាំងស្រុង", "ខ្ញុំបានឃើញផ្ទាល់", "km");
    part = await answerPart(sokha, part, "យល់ស្របទាំងស្រុង", undefined, "km");
    const summary = await answerPart(sokha, part, "មិនដឹង", undefined, "km");
    expect(summary.text).toContain("ខ្ញុំមិនបញ្ចេញឈ្មោះរបស់អ្នកទេ");
    sokha.press("✅ ផ្ញើចម្លើយរបស់ខ្ញុំ", summary);
    await sokha.expect("ខ្ញុំបានផ្ញើចម្លើយរបស់អ្នក");
    await coord.expect(`✅ Anonymous source sent their answers about statement #${chosen.outcomeId}`);

    // Results: the table, the headline, comments with the anonymous source unnamed.
    coord.text("/substantiate");
    const overview = await coord.expect("<b>Substantiation</b>");
    expect(overview.text).toContain("• Anonymous source: answered");
    expect(overview.text).toContain("• Mr Dara, commune chief: answered");
    expect(overview.text).not.toContain("Secret");
    coord.press("📊 Results", overview);
    const results = await coord.expect("Substantiation results");
    const all = [results, ...(await coord.drain(300))].map((m) => m.text).join("\n");
    expect(all).toMatch(new RegExp(`#${chosen.outcomeId}\\s+2\\s+3\\s+1\\s+1\\s+1`));
    expect(all).toContain("Of 2 sources, 50% fully agreed, 0% partially agreed, 50% disagreed and 0% had no opinion.");
    expect(all).toContain("• Mr Dara, commune chief (What changed, Fully agree): I saw the registration lists myself.");
    expect(all).toContain("• Anonymous source (What changed, Fully agree): ខ្ញុំបានឃើញផ្ទាល់");
    expect(all).not.toContain("Secret");
    // Dara's spoken comment is re-sent, playable, with his name (he agreed to be named).
    const voice = h.tg.calls.find((c) => c.method === "sendVoice" && c.payload.chat_id === 6101 && c.payload.voice === "file-dara-comment");
    expect(voice?.payload.caption).toBe(`#${chosen.outcomeId} · Mr Dara, commune chief · What the partner contributed`);

    // Nowhere in the event log or the statement's history either.
    const events = await h.db.prisma.outcomeEvent.findMany({ where: { outcomeId: chosen.outcomeId } });
    expect(JSON.stringify(events, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain("Secret");
    coord.text(`/history ${chosen.outcomeId}`);
    const history = [await coord.expect("History of statement"), ...(await coord.drain(300))].map((m) => m.text).join("\n");
    expect(history).not.toContain("Secret");
    expect(history).toContain("User6101 chose it for substantiation (added by a coordinator)");
    expect(history).toContain("a source was refused: the author of the statement");
    expect(history).toContain("a source sent their answers");
    expect(history).not.toContain("Sokha");
    expect(JSON.stringify(h.logs)).not.toContain("Secret");

    // The review card and the author's /my show the status with counts.
    coord.pressData(`rv:o:${chosen.outcomeId}`);
    const card = await coord.expect("Substantiation</b>:");
    expect(card.text).toContain("Substantiation</b>: done, 2 of 2 source(s) answered");
  });

  it("a decline, with a reason the coordinator sees", async () => {
    const coord = h.user(6101);
    const chosen = await h.db.prisma.substantiation.findMany({ orderBy: { outcomeId: "asc" } });
    const code = await sourceLink(coord, chosen[1]!.outcomeId, "Mr Busy");
    const busy = h.user(6504, "Busy");
    busy.text(`/start ${code}`);
    const request = await busy.expect("asks you to check a statement");
    busy.press("🚫 Decline", request);
    await busy.expect("Would you tell us why?");
    busy.text("I was not in the province then.");
    await busy.expect("You declined");
    await coord.expect(`Mr Busy declined to check statement #${chosen[1]!.outcomeId}. Reason: I was not in the province then.`);
    expect(await lastAssignment()).toMatchObject({ status: "declined", declineReason: "I was not in the province then." });
    busy.text(`/start ${code}`);
    await busy.expect("You declined this request earlier");
  });
});

describe("scope", () => {
  it("a coordinator of another organisation cannot see, propose for, or add sources to these statements", async () => {
    const other = await h.member(6201, OTHER, "en", "coordinator");
    const chosen = await h.db.prisma.substantiation.findFirstOrThrow({ orderBy: { outcomeId: "asc" } });
    other.text("/substantiate");
    const overview = await other.expect("<b>Substantiation</b>");
    expect(overview.text).toContain("0 statement(s) chosen, of 0 accepted");
    const org = await h.db.prisma.organisation.findUniqueOrThrow({ where: { name: ORG } });
    for (const data of [
      `sb:a:${chosen.outcomeId}`,
      `sb:p:${org.id}`,
      `sb:r:${org.id}`,
      `sb:d:${chosen.outcomeId}:1`,
      `sb:c:${(await h.db.prisma.sampleProposal.findFirstOrThrow()).id}`,
    ]) {
      const id = other.pressData(data);
      expect((await other.callbackAnswer(id)).text, data).toBe("You are not allowed to do that.");
    }
    const leader = h.user(6001);
    leader.text("/substantiate");
    await leader.expect("You are not allowed to do that.");
  });
});

describe("in doubt", () => {
  it("a coordinator flags an accepted statement in doubt from its card", async () => {
    const coord = h.user(6101);
    await coord.drain(50);
    const o = await acceptedStatement(h.db.prisma, { authorTelegramId: 6001, org: ORG });
    coord.pressData(`rv:o:${o.id}`);
    const actions = await coord.expect("What do you want to do?");
    const press = coord.press("🤔 Flag in doubt", actions);
    expect((await coord.callbackAnswer(press)).text).toBe("Flagged in doubt.");
    expect((await h.db.prisma.outcome.findUniqueOrThrow({ where: { id: o.id } })).inDoubt).toBe(true);
  });
});
