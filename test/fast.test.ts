/**
 * Features through the real bot in milliseconds (support/testing-bot.ts): handleUpdate, every
 * outgoing call recorded. What a person would notice: the messages and button answers.
 */
import { describe, expect, it } from "vitest";
import { inviteOrg, membersOf, memberActive } from "../src/onboarding/callbacks.js";
import { openCard, queuePage } from "../src/review/callbacks.js";
import { askDelete } from "../src/privacy/callbacks.js";
import { useTestingBot } from "./support/testing-bot.js";

describe("the bot through handleUpdate", () => {
  const t = useTestingBot();

  it("joins with an invite: language, consent, welcome with the leader's commands", async () => {
    await t.member(501, "Market Vendors");
    const texts = t.sentTo(501).join("\n");
    expect(texts).toContain("Market Vendors");
    expect(texts).toContain("/new");
    expect(t.calls.some((c) => c.method === "setMyCommands")).toBe(true);
  });

  it("a leader's forged buttons of coordinators are refused, with nothing shown", async () => {
    const org = await t.organisation("Market Vendors");
    for (const data of [
      inviteOrg.data({ org: org.id }),
      membersOf.data({ org: org.id }),
      queuePage.data({ org: 0, status: "submitted", page: 0 }),
      openCard.data({ id: 1 }),
    ]) {
      const before = t.sentTo(501).length;
      const calls = await t.press(501, data);
      expect(t.answers().at(-1), `${data}: ${JSON.stringify(calls)}`).toMatch(/not allowed/i);
      expect(t.sentTo(501).length, data).toBe(before);
    }
  });

  it("/console without PUBLIC_URL tells a coordinator how to turn the console on, and a leader that it is not for them", async () => {
    await t.member(503, "Market Vendors", "coordinator");
    const calls = await t.send(503, "/console");
    const reply = calls.find((c) => c.method === "sendMessage");
    expect(reply?.payload.text).toContain("<code>PUBLIC_URL</code>");
    expect(JSON.stringify(reply?.payload.reply_markup ?? {})).not.toContain("web_app");
    expect(calls.some((c) => c.method === "setChatMenuButton")).toBe(false);
    await t.send(501, "/console");
    expect(t.sentTo(501).at(-1)).toMatch(/not allowed/i);
  });

  it("a coordinator lists members and cannot end their own membership", async () => {
    await t.member(502, "Market Vendors", "coordinator");
    const org = await t.organisation("Market Vendors");
    const sent = await t.press(502, membersOf.data({ org: org.id }));
    const list = sent.find((c) => c.method === "editMessageText")!;
    expect(String(list.payload.text)).toContain("Person501");
    const own = await t.db.prisma.membership.findFirstOrThrow({ where: { user: { telegramId: 502n } } });
    await t.press(502, memberActive.data({ membership: own.id, active: false }));
    expect(t.answers().at(-1)).toMatch(/your own/i);
    expect((await t.db.prisma.membership.findUniqueOrThrow({ where: { id: own.id } })).active).toBe(true);
  });

  it("/privacy shows what is stored; only a leader gets the delete button", async () => {
    const leader = await t.send(501, "/privacy");
    const coordinator = await t.send(502, "/privacy");
    const button = (calls: typeof leader) => JSON.stringify(calls.find((c) => c.method === "sendMessage")?.payload.reply_markup ?? {});
    expect(button(leader)).toContain(askDelete.data({}));
    expect(button(coordinator)).not.toContain(askDelete.data({}));
  });

  it("a typed answer nobody asked for gets the unknown-input reply in HTML that Telegram accepts", async () => {
    const sent = await t.send(501, "<b>hello</b> & goodbye");
    expect(sent.map((c) => c.method)).toEqual(["sendMessage"]);
    expect(sent[0]!.payload.parse_mode).toBe("HTML");
  });
});
