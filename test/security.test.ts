/**
 * Security: invite codes against guessing, HTML and markdown injection in free text, a person who
 * blocked the bot, and secrets kept out of logs.
 */
import { describe, expect, it } from "vitest";
import { createLogger } from "../src/platform/logger.js";
import { createInvite, generateInviteCode, hashInviteCode } from "../src/onboarding/service.js";
import { useHarness } from "./support/harness.js";
import { TEST_BOT_TOKEN } from "./support/secrets.js";
import { CONTRIBUTION, DESCRIPTION, SIGNIFICANCE, startQuestion } from "./support/statements.js";
import { waitFor } from "./support/user.js";

const h = useHarness();
const ORG = "Preah Sihanouk Port Workers Union";

describe("invite codes", () => {
  it("carry 128 random bits, are stored only as a hash, and are never found by guessing /start codes", async () => {
    const codes = new Set([...Array(2000)].map(() => generateInviteCode()));
    expect(codes.size).toBe(2000);
    for (const c of [...codes].slice(0, 50)) expect(Buffer.from(c, "base64url").length).toBe(16);
    // None looks like a substantiator's link ("s_…"), which /start would take for one.
    expect([...Array(50_000)].map(() => generateInviteCode()).filter((c) => c.startsWith("s_"))).toEqual([]);

    const org = await h.organisation(ORG);
    const { code, invite } = await createInvite(h.db.prisma, { organisationId: org.id, role: "leader", maxUses: 5, days: 7 });
    expect(invite.codeHash).toBe(hashInviteCode(code));
    expect(JSON.stringify(await h.db.prisma.invite.findMany())).not.toContain(code);

    // 300 guesses from 30 accounts: random codes, substantiator-style ones, and near misses of the real one.
    const nearMisses = [...Array(20)].map((_, i) => {
      const chars = code.split("");
      chars[i % chars.length] = chars[i % chars.length] === "A" ? "B" : "A";
      return chars.join("");
    });
    const guesses = [
      ...nearMisses,
      code.slice(0, -1),
      `${code}x`,
      code.toLowerCase(),
      ...[...Array(20)].map(() => `s_${generateInviteCode()}`),
      ...[...Array(257)].map(() => generateInviteCode()),
    ];
    for (let i = 0; i < guesses.length; i++) h.user(7800 + (i % 30)).text(`/start ${guesses[i]}`);
    await h.tg.settled(60_000);
    const replies = h.tg.calls.filter((c) => c.method === "sendMessage" && Number(c.payload.chat_id) >= 7800 && Number(c.payload.chat_id) < 7830);
    expect(replies.length).toBeGreaterThanOrEqual(guesses.length);
    // Every guess is refused: as an invite, or (a guess that starts with "s_") as a substantiator's link.
    const refusals = new Set(["This invite link is not valid", "This link is not valid. Please check it with the coordinator who sent it."]);
    const unexpected = replies.map((c) => String(c.payload.text)).filter((t) => ![...refusals].some((r) => t.startsWith(r)));
    expect(unexpected).toEqual([]);
    expect(await h.db.prisma.substantiationAssignment.count({ where: { userId: { not: null } } })).toBe(0);
    expect(await h.db.prisma.membership.count({ where: { organisationId: org.id } })).toBe(0);
    expect((await h.db.prisma.invite.findUniqueOrThrow({ where: { id: invite.id } })).uses).toBe(0);
  }, 120_000);

  it("expire, and a single-use invite lets one person in", async () => {
    const org = await h.organisation(ORG);
    const expired = await createInvite(h.db.prisma, { organisationId: org.id, role: "leader", maxUses: 5, days: 1 }, new Date(Date.now() - 2 * 86_400_000));
    const late = h.user(7850);
    late.text(`/start ${expired.code}`);
    await late.expect("This invite link has expired");

    const single = await createInvite(h.db.prisma, { organisationId: org.id, role: "leader", maxUses: 1, days: 7 });
    await h.user(7851).join(single.code);
    const second = h.user(7852);
    second.text(`/start ${single.code}`);
    await second.expect("already been used as many times as allowed");
    expect(await h.db.prisma.membership.count({ where: { organisationId: org.id } })).toBe(1);
  });
});

describe("HTML and markdown in free text", () => {
  const INJ = `<b>x</b> <a href="http://evil.example">click</a> & </i> *star* _under_ [link](http://e.example) \`code\``;
  const ESCAPED = `&lt;b&gt;x&lt;/b&gt; &lt;a href=&quot;http://evil.example&quot;&gt;click&lt;/a&gt; &amp; &lt;/i&gt; *star* _under_ [link](http://e.example) \`code\``;

  it("is shown as typed, in every field and in names, and never breaks a message", async () => {
    const org = `Union ${INJ}`.slice(0, 120);
    const orgRow = await h.organisation(org);
    const { code } = await createInvite(h.db.prisma, { organisationId: orgRow.id, role: "leader", maxUses: 5, days: 7 });
    const leader = h.user(7901, `Dara ${INJ}`.slice(0, 60));
    await leader.join(code);
    await leader.expect("/help");
    const { code: coordCode } = await createInvite(h.db.prisma, { organisationId: orgRow.id, role: "coordinator", maxUses: 5, days: 7 });
    const coord = h.user(7902, `Coord ${INJ}`.slice(0, 60));
    await coord.join(coordCode);
    await coord.expect("/help");

    leader.text("/new");
    await leader.expect("What changed?");
    leader.text(`${DESCRIPTION} ${INJ}`);
    await leader.expect("Who changed?");
    leader.text(`Commune council ${INJ}`);
    await leader.expect("What kind of social actor");
    leader.press("Government (national or local)");
    await leader.expect("When did it change?");
    leader.text("sometime <b>x</b> & *y*"); // not a date: the answer quotes it back
    await leader.expect(/sometime &lt;b&gt;x&lt;\/b&gt; &amp; \*y\*/);
    leader.text("March 2024");
    await leader.expect("I understood: <b>March 2024</b>");
    leader.press("Yes");
    await leader.expect("Where did it happen?");
    leader.text(`Siem Reap ${INJ}`);
    await leader.expect("Why does it matter");
    leader.text(`${SIGNIFICANCE} ${INJ}`);
    await leader.expect("What did");
    leader.text(`${CONTRIBUTION} ${INJ}`);
    await leader.expect("How many people");
    leader.text("300");
    await leader.expect("How many of them are women?");
    leader.text("280");
    await leader.expect("expect</b> this change?");
    leader.press("Expected");
    await leader.expect("positive or negative");
    leader.press("👍 Positive");
    await leader.expect("Evidence");
    leader.text(`Minutes of the meeting ${INJ}`);
    await h.tg.settled();
    leader.press("Done");
    const summary = await leader.expect("Is everything right?");
    leader.press("✅ Submit", summary);
    const submitted = await leader.expect(/Statement #(\d+) submitted/);
    const id = Number(/#(\d+)/.exec(submitted.text)![1]);

    await startQuestion(coord, id);
    coord.text(`Which month? ${INJ}`);
    await coord.expect(/sent|question/i);
    await leader.expect("Which month?");
    await h.tg.settled();
    await leader.drain(300);

    const stored = await h.db.prisma.outcome.findUniqueOrThrow({ where: { id } });
    expect(stored.description).toContain(INJ); // kept exactly as typed
    const html = h.tg.calls
      .filter((c) => [7901, 7902].includes(Number(c.payload.chat_id)) && c.payload.parse_mode === "HTML")
      .map((c) => String(c.payload.text ?? c.payload.caption));
    const shown = html.filter((t) => t.includes("evil.example"));
    expect(shown.length).toBeGreaterThanOrEqual(8); // the summary, the card, the question, names, …
    for (const t of shown) {
      expect(t).not.toContain('<a href="http://evil.example">');
      expect(t).not.toContain("<b>x</b>");
    }
    expect(shown.some((t) => t.includes(ESCAPED))).toBe(true);
    expect(h.logs.filter((l) => l.msg === "update failed" || String(l.description ?? "").includes("parse entities"))).toEqual([]);
  }, 120_000);
});

describe("a person who blocked the bot", () => {
  it("is not retried in a loop, and messages for them are marked undelivered", async () => {
    const org = await h.organisation("Blocked Test Org");
    const { code } = await createInvite(h.db.prisma, { organisationId: org.id, role: "leader", maxUses: 1, days: 7 });
    const u = h.user(7950);
    await u.join(code);
    await u.expect("/help");
    let attempts = 0;
    h.tg.intercept = (_method, p) => {
      if (Number(p.chat_id) !== 7950) return undefined;
      attempts++;
      return { status: 403, body: { ok: false, error_code: 403, description: "Forbidden: bot was blocked by the user" } };
    };
    try {
      u.text("/my");
      await h.tg.settled();
      await waitFor(() => attempts > 0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(attempts).toBeLessThanOrEqual(2); // the reply, and the error boundary's one apology
      await h.db.prisma.outboxMessage.create({ data: { chatId: 7950n, method: "sendMessage", payload: { text: "A note for you" }, kind: "notification" } });
      await waitFor(
        async () => (await h.db.prisma.outboxMessage.count({ where: { chatId: 7950n, kind: "notification", status: "failed" } })) === 1,
        10_000,
        "marked undelivered",
      );
      const before = attempts;
      await new Promise((r) => setTimeout(r, 1000));
      expect(attempts).toBe(before);
    } finally {
      h.tg.intercept = undefined;
    }
    const row = await h.db.prisma.outboxMessage.findFirstOrThrow({ where: { chatId: 7950n, kind: "notification" } });
    expect(row).toMatchObject({ status: "failed", attempts: 1 });
    expect(row.lastError).toContain("403");
  });
});

describe("secrets in logs", () => {
  it("the production logger masks the token and the webhook secret wherever they appear", () => {
    const lines: string[] = [];
    const logger = createLogger("info", {
      secrets: [TEST_BOT_TOKEN, "webhook-secret-abcdefghijkl"],
      destination: { write: (l: string) => void lines.push(l) },
    });
    logger.error(
      { url: `https://api.telegram.org/bot${TEST_BOT_TOKEN}/getMe`, token: "x", nested: { secret: "y" } },
      `failed: ${TEST_BOT_TOKEN.split(":")[1]} webhook-secret-abcdefghijkl`,
    );
    const out = lines.join("");
    expect(out).not.toContain(TEST_BOT_TOKEN.split(":")[1]);
    expect(out).not.toContain("webhook-secret-abcdefghijkl");
    expect(out).toContain("[secret]");
    expect(JSON.parse(lines[0]!)).not.toHaveProperty("token");
  });
});
