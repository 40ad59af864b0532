import { describe, expect, it } from "vitest";
import { buddhistYear, formatDate, parseDate, readDate, unreadWords } from "../src/harvest/dates.js";
import { VISAK_BOCHEA } from "../src/harvest/visak-bochea.js";

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

describe("Buddhist-era years, as Cambodia counts them (CE + 544 from Visak Bochea, + 543 before)", () => {
  // Visak Bochea: 4 May 2023, 22 May 2024, 11 May 2025, 1 May 2026 (from the Khmer lunar calendar).
  it("the day before Visak Bochea and Visak Bochea itself are in different Buddhist years", () => {
    for (const [year, vb] of [
      [2023, 4],
      [2024, 22],
      [2025, 11],
    ] as const) {
      expect(buddhistYear(year, 5, vb - 1), `${year}`).toBe(year + 543);
      expect(buddhistYear(year, 5, vb), `${year}`).toBe(year + 544);
      expect(buddhistYear(year, 1, 15)).toBe(year + 543);
      expect(buddhistYear(year, 9, 1)).toBe(year + 544);
    }
  });

  it("the table agrees with the Khmer lunar calendar library it was made from", async () => {
    const { visakBochea } = await import("../scripts/visak-bochea.cjs");
    for (const year of [2023, 2024, 2025]) expect(VISAK_BOCHEA[year]).toBe(visakBochea(year));
  }, 60_000);

  it.each([
    ["September 2567", { year: 2023, month: 9 }],
    ["ខែកញ្ញា ឆ្នាំ២៥៦៧", { year: 2023, month: 9 }],
    ["March 2567", { year: 2024, month: 3 }],
    ["ខែមេសា ២៥៦៧", { year: 2024, month: 4 }],
    // Either side of Visak Bochea, with the day: one reading only.
    ["3/5/2566", { year: 2023, month: 5 }],
    ["23/5/2567", { year: 2023, month: 5 }],
    ["ថ្ងៃទី២៣ ខែឧសភា ឆ្នាំ២៥៦៧", { year: 2023, month: 5 }],
    ["22/5/2568", { year: 2024, month: 5 }],
    ["10/5/2568", { year: 2025, month: 5 }],
    ["11 May 2569", { year: 2025, month: 5 }],
    ["30/4/2569", { year: 2026, month: 4 }],
    ["២៥៦៨-០៥-១២", undefined], // not a day of BE 2568: it was 2567 in 2024 and 2569 in 2025
  ])("%s", (input, expected) => {
    const r = readDate(input, NOW);
    if (expected === undefined) return expect(r).toBeUndefined();
    expect(r).toEqual({ date: { kind: "month", start: expected } });
  });

  it("a Buddhist year alone spans two common years: the reader is asked which", () => {
    expect(readDate("ឆ្នាំ២៥៦៧", NOW)).toEqual({
      era: {
        beYear: 2567,
        from: { year: 2023, month: 5 },
        to: { year: 2024, month: 5 },
        options: [
          { kind: "year", start: { year: 2023 } },
          { kind: "year", start: { year: 2024 } },
        ],
      },
    });
    expect(parseDate("ឆ្នាំ២៥៦៧", NOW)).toBeUndefined();
    expect(readDate("since 2565", NOW)).toMatchObject({
      era: {
        options: [
          { kind: "since", start: { year: 2021 } },
          { kind: "since", start: { year: 2022 } },
        ],
      },
    });
    // Visak Bochea's month without a day: either side of the full moon.
    expect(readDate("May 2567", NOW)).toMatchObject({ era: { options: [{ start: { year: 2023, month: 5 } }, { start: { year: 2024, month: 5 } }] } });
    // BE 2567 had thirteen lunar months: 4 to 21 May came in 2023 and again in 2024.
    expect(readDate("10/5/2567", NOW)).toMatchObject({ era: { options: [{ start: { year: 2023, month: 5 } }, { start: { year: 2024, month: 5 } }] } });
    // A period with an open Buddhist year: no options, the person writes it again.
    expect(readDate("2565 to 2567", NOW)).toMatchObject({ era: { beYear: 2565, options: [] } });
  });
});

describe("unreadWords: what a reading skipped", () => {
  it("is empty for every date the bot writes, in both languages, and names a misspelt month", () => {
    for (const s of [
      "March 2024",
      "ខែមីនា ឆ្នាំ២០២៤",
      "since March 2024",
      "ចាប់ពីខែមីនា ឆ្នាំ២០២៤ ដល់បច្ចុប្បន្ន",
      "March 2024 – June 2024",
      "2024",
      "15th May 2024",
      "ថ្ងៃទី១៥ ខែឧសភា ២០២៤",
      "between 2022 and 2023",
    ])
      expect(unreadWords(s), s).toEqual([]);
    expect(unreadWords("Marhc 2024")).toEqual(["marhc"]);
    expect(unreadWords("around 2024")).toEqual(["around"]);
  });
});
