import { describe, expect, it } from "vitest";
import { translator } from "../src/platform/i18n/index.js";
import { waited } from "../src/review/views.js";

const now = new Date("2026-11-28T10:00:00Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const MIN = 60_000;

describe("how long a statement has waited", () => {
  it.each([
    [30_000, "sent just now", "ទើបតែផ្ញើមក"],
    [MIN, "sent just now", "ទើបតែផ្ញើមក"],
    [12 * MIN, "waiting 12 minutes", "រង់ចាំ ១២ នាទី"],
    [61 * MIN, "waiting 1 hour", "រង់ចាំ ១ ម៉ោង"],
    [5 * 60 * MIN, "waiting 5 hours", "រង់ចាំ ៥ ម៉ោង"],
    [3 * 24 * 60 * MIN, "waiting 3 days", "រង់ចាំ ៣ ថ្ងៃ"],
  ])("%i ms", (ms, en, km) => {
    expect(waited(ago(ms), now, translator("en"))).toBe(en);
    expect(waited(ago(ms), now, translator("km"))).toBe(km);
  });
});
