/**
 * When digests are due, in the programme's time zone. A subscription has send times (daily,
 * weekly on a weekday, monthly on a day, at an hour); a digest covers the period between the
 * previous send time and the latest one.
 */
import type { DigestSubscription } from "../generated/prisma/client.js";

export type Frequency = "off" | "daily" | "weekly" | "monthly";
export const FREQUENCIES: Frequency[] = ["off", "daily", "weekly", "monthly"];

export interface Schedule {
  frequency: Frequency;
  /** 1 = Monday … 7 = Sunday */
  weekday: number;
  /** 1 … 28 */
  monthDay: number;
  hour: number;
}

export const DEFAULT_SCHEDULE: Schedule = { frequency: "weekly", weekday: 1, monthDay: 1, hour: 8 };

interface Local {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  weekday: number; // 1 = Monday
}

function local(d: Date, timeZone: string): Local {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    hourCycle: "h23",
    weekday: "short",
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  return { year: +get("year"), month: +get("month"), day: +get("day"), hour: +get("hour"), weekday: weekdays.indexOf(get("weekday")) + 1 };
}

/** The instant of a local date and hour in a time zone. */
export function zoned(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, hour);
  let t = guess;
  for (let i = 0; i < 2; i++) {
    const l = local(new Date(t), timeZone);
    const shown = Date.UTC(l.year, l.month - 1, l.day, l.hour);
    t += guess - shown;
  }
  return new Date(t);
}

/** Calendar arithmetic on local dates (UTC used as a plain calendar). */
const addDays = (y: number, m: number, d: number, n: number) => {
  const x = new Date(Date.UTC(y, m - 1, d + n));
  return [x.getUTCFullYear(), x.getUTCMonth() + 1, x.getUTCDate()] as const;
};

/** The latest send time at or before `now`, and the one before it; undefined when off. */
export function latestPeriod(s: Schedule, now: Date, timeZone: string): { start: Date; end: Date } | undefined {
  if (s.frequency === "off") return undefined;
  const l = local(now, timeZone);
  if (s.frequency === "daily") {
    let [y, m, d] = [l.year, l.month, l.day];
    if (l.hour < s.hour) [y, m, d] = addDays(y, m, d, -1);
    const end = zoned(y, m, d, s.hour, timeZone);
    const [py, pm, pd] = addDays(y, m, d, -1);
    return { start: zoned(py, pm, pd, s.hour, timeZone), end };
  }
  if (s.frequency === "weekly") {
    let back = (l.weekday - s.weekday + 7) % 7;
    if (back === 0 && l.hour < s.hour) back = 7;
    const [y, m, d] = addDays(l.year, l.month, l.day, -back);
    const [py, pm, pd] = addDays(y, m, d, -7);
    return { start: zoned(py, pm, pd, s.hour, timeZone), end: zoned(y, m, d, s.hour, timeZone) };
  }
  let [y, m] = [l.year, l.month];
  if (l.day < s.monthDay || (l.day === s.monthDay && l.hour < s.hour)) [y, m] = m === 1 ? [y - 1, 12] : [y, m - 1];
  const [py, pm] = m === 1 ? [y - 1, 12] : [y, m - 1];
  return { start: zoned(py, pm, s.monthDay, s.hour, timeZone), end: zoned(y, m, s.monthDay, s.hour, timeZone) };
}

/** The key of a period for a subscription: one digest per key and coordinator. */
export const periodKey = (s: Schedule, end: Date) => `${s.frequency}:${end.toISOString()}`;

/** A coordinator's digest settings (the default: weekly, on Monday at 08:00, every organisation in scope). */
export function scheduleOf(sub: DigestSubscription | null): Schedule & { organisationIds: number[]; sendEmpty: boolean } {
  if (!sub) return { ...DEFAULT_SCHEDULE, organisationIds: [], sendEmpty: true };
  return {
    frequency: sub.frequency as Frequency,
    weekday: sub.weekday,
    monthDay: sub.monthDay,
    hour: sub.hour,
    organisationIds: sub.organisationIds,
    sendEmpty: sub.sendEmpty,
  };
}
