/**
 * Protection that needs no database: the language each person last used (so even a "please
 * try again" while the database is down is in their language) and a per-person rate limit.
 */
import type { Context, MiddlewareFn } from "grammy";
import type { Logger } from "../logger.js";
import type { Lang, T } from "../i18n/index.js";

/** A bounded map of the language each recent person uses, by Telegram id. */
export class LanguageMemory {
  private readonly map = new Map<number, Lang>();
  constructor(private readonly max = 50_000) {}
  get(id: number): Lang | undefined {
    return this.map.get(id);
  }
  set(id: number, lang: Lang) {
    if (this.map.get(id) === lang) return;
    this.map.delete(id);
    this.map.set(id, lang);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** What an update costs: a message (text, file, command) or a press on one of the bot's buttons. */
export type UpdateKind = "message" | "press";

/**
 * A sliding one-minute window per person and kind of update. Messages (free text, files,
 * commands) cost work and storage and have a tight budget; presses on the bot's buttons are how
 * people answer and classify (a coordinator classifying 37 statements presses about 1,200
 * times), so they have a budget of their own, far above any person's pace and below a script's.
 *
 * Hand-written rather than @grammyjs/ratelimiter: that plugin has one budget per key counted in
 * fixed windows that expire on real timers (a burst across a window's edge gets twice the limit),
 * and cannot tell a person "slow down" once for both budgets. This one is a pure class on the
 * bot's clock, so test/rate-limit.test.ts replays whole realistic sessions (a leader answering
 * fast, a coordinator classifying a harvest) against the default limits in milliseconds. It is
 * per instance on purpose: with two webhook instances a flood is throttled at each; sharing the
 * count through the database would add a write to every update for no gain in safety.
 */
export class RateLimiter {
  private readonly seen = new Map<string, number[]>();
  private readonly warned = new Map<number, number>();
  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number = Date.now,
    private readonly pressesPerMinute = perMinute * 8,
  ) {}

  /** "ok", "limited" (drop it, the person was already told) or "warn" (drop it and tell them once). */
  hit(id: number, kind: UpdateKind = "message"): "ok" | "limited" | "warn" {
    const now = this.clock();
    const key = `${kind}:${id}`;
    const times = (this.seen.get(key) ?? []).filter((t) => now - t < 60_000);
    times.push(now);
    this.seen.set(key, times);
    if (this.seen.size > 20_000) this.sweep(now);
    if (times.length <= (kind === "press" ? this.pressesPerMinute : this.perMinute)) return "ok";
    const last = this.warned.get(id);
    if (last !== undefined && now - last < 60_000) return "limited";
    this.warned.set(id, now);
    return "warn";
  }

  private sweep(now: number) {
    for (const [key, times] of this.seen) if (!times.some((t) => now - t < 60_000)) this.seen.delete(key);
    for (const [id, at] of this.warned) if (now - at >= 60_000) this.warned.delete(id);
  }
}

/** The context the limiter needs: the update's logger and the person's translator. */
export type LimitedContext = Context & { log: Logger; t: T };

export function rateLimit<C extends LimitedContext>(limiter: RateLimiter): MiddlewareFn<C> {
  return async (ctx, next) => {
    const id = ctx.from?.id;
    if (id === undefined) return next();
    const verdict = limiter.hit(id, ctx.callbackQuery ? "press" : "message");
    if (verdict === "ok") return next();
    ctx.log.warn({ user: id, verdict }, "rate limited");
    if (verdict === "limited") return;
    const text = ctx.t("errors.rate_limited");
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true }).catch(() => {});
    else if (ctx.chat?.type === "private") await ctx.reply(text).catch(() => {});
  };
}
