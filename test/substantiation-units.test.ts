import { describe, expect, it } from "vitest";
import { proposeSample, type Candidate } from "../src/substantiation/sample.js";
import { classifySource, perOutcome, perSource, type Level, type SourceAnswers } from "../src/substantiation/results.js";

const c = (id: number, o: Partial<Candidate> = {}): Candidate => ({
  id,
  significant: false,
  essential: false,
  inDoubt: false,
  gender: false,
  framework: [],
  ...o,
});

describe("sample proposal", () => {
  it("takes at least 20%, rounded up, favouring in doubt, significant and essential", () => {
    const cands = [
      c(1),
      c(2, { significant: true }),
      c(3),
      c(4, { inDoubt: true }),
      c(5, { essential: true, significant: true }),
      c(6),
      c(7),
      c(8),
      c(9),
      c(10),
      c(11),
    ];
    const picks = proposeSample(cands, []);
    expect(picks.map((p) => p.id)).toEqual([4, 5, 2].sort((a, b) => a - b));
    expect(picks.find((p) => p.id === 4)!.reasons).toEqual(["in_doubt"]);
    expect(picks.find((p) => p.id === 5)!.reasons).toEqual(["significant", "essential"]);
  });

  it("covers gender and every framework item, even beyond 20%, and says why", () => {
    const cands = [
      c(1, { significant: true, framework: ["SO"] }),
      c(2, { framework: ["R1"] }),
      c(3, { gender: true }),
      c(4, { framework: ["R2", "R3"] }),
      c(5),
      c(6),
      c(7),
      c(8),
      c(9),
      c(10),
    ];
    const picks = proposeSample(cands, ["SO", "R1", "R2", "R3", "OCD"]);
    expect(picks).toEqual([
      { id: 1, reasons: ["significant", "framework:SO"] },
      { id: 2, reasons: ["framework:R1"] },
      { id: 3, reasons: ["gender"] },
      { id: 4, reasons: ["framework:R2", "framework:R3"] },
    ]);
  });

  it("one statement can cover several criteria; nothing to pick from gives nothing", () => {
    const cands = [c(1, { gender: true, framework: ["SO", "R1"] }), c(2), c(3), c(4), c(5)];
    expect(proposeSample(cands, ["SO", "R1"])).toEqual([{ id: 1, reasons: ["gender", "framework:SO", "framework:R1"] }]);
    expect(proposeSample([], ["SO"])).toEqual([]);
    expect(proposeSample([c(9)], [])).toEqual([{ id: 9, reasons: ["quota"] }]);
  });
});

describe("results", () => {
  it("classifies a source by the brief's rule, with 'don't know' left out", () => {
    expect(classifySource(["fully", "fully", "fully"])).toBe("fully");
    expect(classifySource(["fully", "partially", "fully"])).toBe("partially");
    expect(classifySource(["fully", "disagree", "partially"])).toBe("disagrees");
    expect(classifySource(["fully", "dont_know", "fully"])).toBe("fully");
    expect(classifySource(["dont_know", "dont_know", "dont_know"])).toBe("no_opinion");
    expect(classifySource(["partially", "dont_know", "dont_know"])).toBe("partially");
  });

  it("7 outcomes and 12 sources: 8 fully agree on every part and 2 partially agree → 67% and 17%", () => {
    const all = (l: Level): Level[] => [l, l, l];
    const sources: SourceAnswers[] = [
      // outcome 1: two sources, fully on every part (the report's first row: 2 sources, 6 fully)
      { outcomeId: 1, levels: all("fully") },
      { outcomeId: 1, levels: all("fully") },
      // outcome 2: two sources, one fully, one partially
      { outcomeId: 2, levels: all("fully") },
      { outcomeId: 2, levels: ["fully", "partially", "partially"] },
      // outcomes 3–6: one fully agreeing source each
      { outcomeId: 3, levels: all("fully") },
      { outcomeId: 4, levels: all("fully") },
      { outcomeId: 5, levels: all("fully") },
      { outcomeId: 6, levels: all("fully") },
      // outcome 5 has a second source who partially agrees; outcome 7: one disagrees, one does not know
      { outcomeId: 5, levels: ["partially", "fully", "partially"] },
      { outcomeId: 7, levels: all("fully") },
      { outcomeId: 7, levels: ["fully", "disagree", "fully"] },
      { outcomeId: 3, levels: all("dont_know") },
    ];
    const headline = perSource(sources);
    expect(headline.sources).toBe(12);
    expect(headline.counts).toEqual({ fully: 8, partially: 2, disagrees: 1, no_opinion: 1 });
    expect(headline.percent.fully).toBe(67);
    expect(headline.percent.partially).toBe(17);

    const rows = perOutcome(sources);
    expect(rows.map((r) => r.outcomeId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[0]).toEqual({ outcomeId: 1, sources: 2, counts: { fully: 6, partially: 0, disagree: 0, dont_know: 0 } });
    expect(rows[1]).toEqual({ outcomeId: 2, sources: 2, counts: { fully: 4, partially: 2, disagree: 0, dont_know: 0 } });
    expect(rows[2]).toEqual({ outcomeId: 3, sources: 2, counts: { fully: 3, partially: 0, disagree: 0, dont_know: 3 } });
    expect(rows[6]).toEqual({ outcomeId: 7, sources: 2, counts: { fully: 5, partially: 0, disagree: 1, dont_know: 0 } });
    expect(rows.reduce((n, r) => n + r.sources, 0)).toBe(12);
  });
});
