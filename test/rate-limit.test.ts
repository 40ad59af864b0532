/**
 * The rate limit against realistic use (issue 11): a leader answering quickly and a coordinator
 * classifying a whole harvest are never limited; floods of messages or presses are.
 */
import { describe, expect, it } from "vitest";
import { RateLimiter, type UpdateKind } from "../src/platform/telegram/guard.js";
import { loadConfig } from "../src/platform/config.js";
import { loadDimensions } from "../src/classification/service.js";
import { useHarness } from "./support/harness.js";
import { answerSteps, seedStatement } from "./support/statements.js";

/** Feeds a sequence of (seconds after start, kind) to a limiter with the default settings; returns the verdicts. */
function replay(events: Array<[number, UpdateKind]>) {
  const config = loadConfig({ BOT_TOKEN: "123456:test-token-for-the-rate-limit" });
  let clock = 0;
  const limiter = new RateLimiter(config.rateLimitPerMinute, () => clock, config.rateLimitPressesPerMinute);
  return events.map(([at, kind]) => {
    clock = at * 1000;
    return limiter.hit(1, kind);
  });
}

/** A brisk leader: /new, then each answer 3–6 s after the question (typing) or 1 s (a button). */
function leaderSession(statements: number): Array<[number, UpdateKind]> {
  const out: Array<[number, UpdateKind]> = [];
  let t = 0;
  // The harvest's questions: texts, buttons, then coaching answers and the summary.
  const steps: UpdateKind[] = [
    "message",
    "message",
    "message",
    "press",
    "message",
    "press",
    "message",
    "message",
    "message",
    "message",
    "message",
    "press",
    "press",
    "message",
    "message",
    "press",
    "message",
    "press",
    "press",
    "press",
  ];
  for (let s = 0; s < statements; s++) {
    for (const kind of steps) {
      t += kind === "press" ? 1 : 3;
      out.push([t, kind]);
    }
  }
  return out;
}

/** A coordinator classifying `n` statements: open the card, accept, ~33 presses, 0.5 s apart. */
function classifying(n: number): Array<[number, UpdateKind]> {
  const out: Array<[number, UpdateKind]> = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += 2;
    out.push([t, "message"]); // /review or a typed command now and then
    for (let p = 0; p < 33; p++) {
      t += 0.5;
      out.push([t, "press"]);
    }
  }
  return out;
}

describe("the limit against realistic use", () => {
  it("a leader reporting three statements as fast as anyone types is never limited", () => {
    expect(replay(leaderSession(3)).filter((v) => v !== "ok")).toEqual([]);
  });

  it("a coordinator classifying 37 statements (about 1,200 presses, two a second) is never limited", () => {
    const events = classifying(37);
    expect(events.filter(([, k]) => k === "press").length).toBeGreaterThanOrEqual(1200);
    expect(replay(events).filter((v) => v !== "ok")).toEqual([]);
  });

  it("a flood of messages is limited after the budget, with one warning", () => {
    const verdicts = replay(Array.from({ length: 100 }, (_, i) => [i * 0.1, "message"] as [number, UpdateKind]));
    expect(verdicts.slice(0, 30).every((v) => v === "ok")).toBe(true);
    expect(verdicts.filter((v) => v === "warn")).toHaveLength(1);
    expect(verdicts.filter((v) => v === "limited")).toHaveLength(69);
  });

  it("a scripted flood of presses is limited too", () => {
    const verdicts = replay(Array.from({ length: 1000 }, (_, i) => [i * 0.05, "press"] as [number, UpdateKind]));
    expect(verdicts.filter((v) => v !== "ok").length).toBeGreaterThan(700);
  });
});

describe("through the bot, with the default limits", () => {
  const h = useHarness({ RATE_LIMIT_PER_MINUTE: "30", RATE_LIMIT_PRESSES_PER_MINUTE: "240" });

  it("a leader answering as fast as the bot replies, and a coordinator classifying at full speed, are not told to slow down", async () => {
    const ORG = "Svay Rieng Youth Group";
    const leader = await h.member(9501, ORG);
    await answerSteps(leader, ORG);
    await leader.expect("Is everything right?");
    leader.press("✅ Submit");
    await leader.expect("submitted");
    const coord = await h.member(9502, ORG, "en", "coordinator");
    // Six statements classified at full speed: one option on each of the nine pages, each page
    // turned, then Done: over a hundred presses within the minute.
    const dims = await loadDimensions(h.db.prisma);
    const presses: string[] = [];
    for (let i = 0; i < 6; i++) {
      const o = await seedStatement(h.db.prisma, { authorTelegramId: 9501, org: ORG, status: "accepted" });
      dims.forEach((d, page) => {
        presses.push(coord.pressData(`cl:s:${o.id}:${d.options[0]!.id}:1:${page}`));
        if (page < dims.length - 1) presses.push(coord.pressData(`cl:e:${o.id}:${page + 1}`));
      });
      presses.push(coord.pressData(`cl:d:${o.id}`));
    }
    expect(presses.length).toBeGreaterThan(100);
    for (const id of presses) expect((await coord.callbackAnswer(id)).text ?? "").not.toContain("faster");
    await h.tg.settled(20_000);
    const told = [...leader.transcript().split("\n"), ...coord.transcript().split("\n")].filter((l) => l.includes("faster than I can read"));
    expect(told).toEqual([]);
    expect(h.logs.filter((l) => l.msg === "rate limited")).toEqual([]);
  }, 90_000); // a whole session through the bot: slow on a busy 2-core machine
});
