import { describe, expect, it } from "vitest";
import { latestPeriod, zoned } from "../src/reporting/schedule.js";

const TZ = "Asia/Phnom_Penh"; // UTC+7, no daylight saving
const at = (iso: string) => new Date(iso);

describe("digest schedule in Asia/Phnom_Penh", () => {
  it("converts local times", () => {
    expect(zoned(2026, 11, 23, 8, TZ).toISOString()).toBe("2026-11-23T01:00:00.000Z");
    expect(zoned(2026, 1, 1, 0, TZ).toISOString()).toBe("2025-12-31T17:00:00.000Z");
  });

  it("daily at 08:00: before 08:00 the latest period ended yesterday", () => {
    const s = { frequency: "daily" as const, weekday: 1, monthDay: 1, hour: 8 };
    expect(latestPeriod(s, at("2026-11-25T00:59:59Z"), TZ)).toEqual({ start: at("2026-11-23T01:00:00Z"), end: at("2026-11-24T01:00:00Z") });
    expect(latestPeriod(s, at("2026-11-25T01:00:00Z"), TZ)).toEqual({ start: at("2026-11-24T01:00:00Z"), end: at("2026-11-25T01:00:00Z") });
    // Local midnight falls on the previous UTC day.
    expect(latestPeriod({ ...s, hour: 0 }, at("2026-11-24T17:30:00Z"), TZ)!.end).toEqual(at("2026-11-24T17:00:00Z"));
  });

  it("weekly on Monday 08:00 (the default)", () => {
    const s = { frequency: "weekly" as const, weekday: 1, monthDay: 1, hour: 8 };
    // Wednesday 25 November 2026: the latest Monday is the 23rd.
    expect(latestPeriod(s, at("2026-11-25T05:00:00Z"), TZ)).toEqual({ start: at("2026-11-16T01:00:00Z"), end: at("2026-11-23T01:00:00Z") });
    // Monday 30th, 07:59 local: still the previous week.
    expect(latestPeriod(s, at("2026-11-30T00:59:00Z"), TZ)!.end).toEqual(at("2026-11-23T01:00:00Z"));
    expect(latestPeriod(s, at("2026-11-30T01:00:00Z"), TZ)!.end).toEqual(at("2026-11-30T01:00:00Z"));
    // Sunday evening local is Sunday; Friday 17:00 weekly.
    expect(latestPeriod({ ...s, weekday: 5, hour: 17 }, at("2026-11-29T12:00:00Z"), TZ)!.end).toEqual(at("2026-11-27T10:00:00Z"));
  });

  it("monthly on day 1 at 08:00, across a year boundary", () => {
    const s = { frequency: "monthly" as const, weekday: 1, monthDay: 1, hour: 8 };
    expect(latestPeriod(s, at("2026-11-25T05:00:00Z"), TZ)).toEqual({ start: at("2026-10-01T01:00:00Z"), end: at("2026-11-01T01:00:00Z") });
    expect(latestPeriod(s, at("2027-01-01T00:30:00Z"), TZ)).toEqual({ start: at("2026-11-01T01:00:00Z"), end: at("2026-12-01T01:00:00Z") });
    expect(latestPeriod(s, at("2027-01-01T01:00:00Z"), TZ)).toEqual({ start: at("2026-12-01T01:00:00Z"), end: at("2027-01-01T01:00:00Z") });
    expect(latestPeriod({ ...s, monthDay: 28 }, at("2026-03-01T03:00:00Z"), TZ)!.end).toEqual(at("2026-02-28T01:00:00Z"));
  });

  it("off has no period", () => {
    expect(latestPeriod({ frequency: "off", weekday: 1, monthDay: 1, hour: 8 }, new Date(), TZ)).toBeUndefined();
  });
});
