import { describe, expect, it } from "vitest";
import { packMessages, splitHtml } from "../src/platform/telegram/split.js";
import { assertValidHtml } from "./support/fake-telegram.js";

/** The text without tags or spaces (a cut drops the space it was made at). */
const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/\s+/g, "");

function check(pieces: string[], original: string, limit: number) {
  for (const p of pieces) {
    expect(p.length).toBeLessThanOrEqual(limit);
    expect(() => assertValidHtml(p)).not.toThrow();
  }
  expect(text(pieces.join(" "))).toBe(text(original));
}

describe("splitHtml", () => {
  it("leaves a short text alone", () => {
    expect(splitHtml("<b>short</b>", 100)).toEqual(["<b>short</b>"]);
  });

  it("cuts at a blank line before a line, a line before a sentence, a sentence before a word", () => {
    const html = `${"a".repeat(50)}.\n\n${"b ".repeat(20)}\nc c c. d d d`;
    const pieces = splitHtml(html, 90);
    expect(pieces[0]).toBe(`${"a".repeat(50)}.`);
    check(pieces, html, 90);
    const sentences = "One two three. Four five six. Seven eight nine.";
    expect(splitHtml(sentences, 35)[0]).toBe("One two three. Four five six.");
  });

  it("closes the tags open at a cut and opens them again", () => {
    const html = `<b>${"word ".repeat(40)}</b> <i>tail</i>`;
    const pieces = splitHtml(html, 60);
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces[0]!.startsWith("<b>") && pieces[0]!.endsWith("</b>")).toBe(true);
    expect(pieces[1]!.startsWith("<b>")).toBe(true);
    check(pieces, html, 60);
  });

  it("never breaks an entity, and cuts a word longer than a message where it must", () => {
    const html = "&amp;".repeat(30) + "x".repeat(100);
    const pieces = splitHtml(html, 47);
    for (const p of pieces) expect(p).not.toMatch(/&(?!amp;)|&amp(?!;)/);
    check(pieces, html, 47);
  });

  it("splits Khmer, written without spaces, at the end of a sentence (។)", () => {
    const sentence = "មន្ទីរការងារខេត្តបានចាប់ផ្តើមចុះឈ្មោះកម្មករ។";
    const html = sentence.repeat(10);
    const pieces = splitHtml(html, sentence.length * 3 + 5);
    expect(pieces[0]).toBe(sentence.repeat(3));
    check(pieces, html, sentence.length * 3 + 5);
  });
});

describe("packMessages", () => {
  it("packs sections into as few messages as fit, and splits a section longer than a message", () => {
    const sections = ["<b>A</b>\nshort", `<b>B</b>\n${"long line of text. ".repeat(300)}`, "<b>C</b>\nend"];
    const messages = packMessages(sections, 1000);
    expect(messages.length).toBeGreaterThan(5);
    // A section too long for the room left starts a message of its own.
    expect(messages[0]).toBe("<b>A</b>\nshort");
    expect(messages[1]!.startsWith("<b>B</b>\nlong line of text.")).toBe(true);
    expect(messages.at(-1)!.endsWith("<b>C</b>\nend")).toBe(true);
    check(messages, sections.join("\n\n"), 1000);
  });
});
