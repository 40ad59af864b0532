import { describe, expect, it } from "vitest";
import { formatDate, parseDate } from "../src/harvest/dates.js";

const NOW = new Date("2026-11-24T00:00:00Z");
const p = (s: string) => parseDate(s, NOW);

describe("parseDate, English", () => {
  it.each([
    ["March 2024", { kind: "month", start: { year: 2024, month: 3 } }],
    ["in Mar. 2024", { kind: "month", start: { year: 2024, month: 3 } }],
    ["03/2024", { kind: "month", start: { year: 2024, month: 3 } }],
    ["2024-03", { kind: "month", start: { year: 2024, month: 3 } }],
    ["15/03/2024", { kind: "month", start: { year: 2024, month: 3 } }],
    ["2023", { kind: "year", start: { year: 2023 } }],
    ["since 2019", { kind: "since", start: { year: 2019 } }],
    ["from May 2021 until now", { kind: "since", start: { year: 2021, month: 5 } }],
    ["May to July 2023", { kind: "period", start: { year: 2023, month: 5 }, end: { year: 2023, month: 7 } }],
    ["Jan 2020 - Mar 2021", { kind: "period", start: { year: 2020, month: 1 }, end: { year: 2021, month: 3 } }],
    ["Sept 2022", { kind: "month", start: { year: 2022, month: 9 } }],
  ])("%s", (input, expected) => {
    expect(p(input)).toEqual(expected);
  });

  it.each(["last year", "soon", "May", "13/2024", "2099", "July 2023 to May 2023", ""])("refuses %j", (input) => {
    expect(p(input)).toBeUndefined();
  });
});

describe("parseDate, Khmer", () => {
  it.each([
    ["ខែមីនា ឆ្នាំ២០២៤", { kind: "month", start: { year: 2024, month: 3 } }],
    ["ខែកុម្ភៈ ២០២៣", { kind: "month", start: { year: 2023, month: 2 } }],
    ["០៣/២០២៤", { kind: "month", start: { year: 2024, month: 3 } }],
    ["ចាប់ពីឆ្នាំ ២០១៩", { kind: "since", start: { year: 2019 } }],
    ["ពីខែឧសភា ២០២១ ដល់បច្ចុប្បន្ន", { kind: "since", start: { year: 2021, month: 5 } }],
    ["ខែមករា ដល់ ខែមីនា ឆ្នាំ២០២៤", { kind: "period", start: { year: 2024, month: 1 }, end: { year: 2024, month: 3 } }],
    ["ឆ្នាំ២៥៦៧", { kind: "year", start: { year: 2024 } }],
  ])("%s", (input, expected) => {
    expect(p(input)).toEqual(expected);
  });

  it.each(["ឆ្នាំមុន", "ខែមីនា"])("refuses %j", (input) => {
    expect(p(input)).toBeUndefined();
  });
});

describe("formatDate echoes the reading back", () => {
  it("in English", () => {
    expect(formatDate(p("from May 2021 until now")!, "en")).toBe("since May 2021");
    expect(formatDate(p("May to July 2023")!, "en")).toBe("May 2023 – July 2023");
  });
  it("in Khmer, with Khmer digits", () => {
    expect(formatDate(p("March 2024")!, "km")).toBe("ខែមីនា ឆ្នាំ២០២៤");
    expect(formatDate(p("since 2019")!, "km")).toBe("ចាប់ពីឆ្នាំ២០១៩ ដល់បច្ចុប្បន្ន");
  });
});
