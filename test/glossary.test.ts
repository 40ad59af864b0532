/** docs/glossary-km.md: one Khmer rendering per term; the rejected ones never appear in locales/km. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadResources } from "../src/platform/i18n/index.js";

type Tree = { [k: string]: string | Tree };
const strings = (tree: Tree): string[] => Object.values(tree).flatMap((v) => (typeof v === "string" ? [v] : strings(v)));

const glossary = readFileSync(new URL("../docs/glossary-km.md", import.meta.url), "utf8");
const rows = glossary
  .split("\n")
  .filter((l) => l.startsWith("| ") && !l.startsWith("| term") && !l.startsWith("| ---"))
  .map((l) =>
    l
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim()),
  );
const km = strings(loadResources().km!.translation as Tree);

describe("the Khmer glossary", () => {
  it("has its terms, each with a rendering and a reason", () => {
    expect(rows.length).toBeGreaterThan(30);
    for (const [term, khmer, why] of rows) {
      expect(term, "term").not.toBe("");
      expect(khmer, term).toMatch(/[\u1780-\u17FF]/);
      expect(why, term).not.toBe("");
    }
  });

  for (const [term, , , rejected] of rows) {
    const forms = [...(rejected ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    if (forms.length === 0) continue;
    it(`"${term}": no rejected rendering in locales/km (${forms.join(", ")})`, () => {
      for (const form of forms)
        expect(
          km.filter((s) => s.includes(form)),
          form,
        ).toEqual([]);
    });
  }

  it("the chosen renderings are the ones the strings use", () => {
    for (const word of [
      "របាយការណ៍",
      "ការរួមចំណែក",
      "មនុស្សពាក់ព័ន្ធ",
      "អ្នករាយការណ៍",
      "ការផ្ទៀងផ្ទាត់",
      "ព្រឹត្តិបត្រ",
      "សារសំឡេង",
      "បូត",
      "តេឡេក្រាម",
      "មិនបញ្ចេញឈ្មោះ",
      "ការពន្យល់បន្ថែម",
      "ការរំលឹកឱ្យរាយការណ៍",
    ]) {
      expect(
        km.some((s) => s.includes(word)),
        word,
      ).toBe(true);
    }
  });
});
