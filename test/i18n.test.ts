import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LANGUAGES, LOCALES_DIR, loadResources, t } from "../src/platform/i18n/index.js";

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === "string") out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{-?\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();
const tags = (s: string) => [...s.matchAll(/<\/?(\w+)/g)].map((m) => m[0]).sort();

/** The source files' keys, and every key the code asks for by a literal name. */
function keysUsedInSource(dir = "src"): string[] {
  const keys: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || entry.parentPath.includes("generated")) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const m of text.matchAll(/\bt\(\s*"([a-z_]+\.[a-z_.]+)"/g)) keys.push(m[1]!);
  }
  return keys;
}

describe("locales", () => {
  const resources = loadResources();
  const en = flatten(resources.en!.translation as Tree);

  it("has English and Khmer", () => {
    expect(readdirSync(LOCALES_DIR).sort()).toEqual([...LANGUAGES].sort());
  });

  for (const lang of LANGUAGES) {
    it(`${lang}: has exactly the keys of English, with the same placeholders and tags`, () => {
      const other = flatten(resources[lang]!.translation as Tree);
      expect([...other.keys()].sort()).toEqual([...en.keys()].sort());
      for (const [key, value] of en) {
        expect(placeholders(other.get(key)!), `${lang}:${key}`).toEqual(placeholders(value));
        expect(tags(other.get(key)!), `${lang}:${key}`).toEqual(tags(value));
        expect(other.get(key)!.trim(), `${lang}:${key}`).not.toBe("");
      }
    });
  }

  it("Khmer strings are written in Khmer script", () => {
    const km = flatten(resources.km!.translation as Tree);
    const latinOnly = [...km].filter(([, v]) => !/[\u1780-\u17FF]/.test(v) && /[a-z]{4,}/i.test(v.replace(/\{\{[^}]+\}\}|<[^>]+>|\/\w+/g, "")));
    expect(latinOnly).toEqual([]);
  });

  it("every key the code uses literally exists", () => {
    const missing = keysUsedInSource().filter((k) => !en.has(k) && !en.has(`${k}_one`));
    expect(missing).toEqual([]);
  });

  it("no string shows {{count}}: a count is shown as {{n}}, which is written in the reader's digits", () => {
    for (const lang of LANGUAGES) {
      const all = flatten(resources[lang]!.translation as Tree);
      expect(
        [...all].filter(([, v]) => /\{\{-?\s*count\b/.test(v)).map(([k]) => k),
        lang,
      ).toEqual([]);
    }
    expect(t("km", "privacy.evidence", { count: 12 })).toContain("១២");
  });

  it("escapes interpolated values for HTML", () => {
    expect(t("en", "orgs.exists", { name: "<b>A&B</b>" })).toContain("&lt;b&gt;A&amp;B&lt;/b&gt;");
  });
});
