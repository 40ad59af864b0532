/**
 * Telegram's message limit, for texts built from what people typed. A message over 4096
 * characters is refused outright, so a long view is split into several messages, at a boundary
 * a reader understands (a blank line, a line, a sentence, a word), and every piece stays valid
 * HTML: tags open at a cut are closed at its end and opened again at the start of the next piece.
 *
 * Hand-written: the libraries that split Telegram messages (e.g. @gramio/split) work on text
 * with entities, while this bot renders Telegram's HTML subset everywhere.
 */

/** Telegram refuses a message text longer than this. */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** What one message of ours may hold: room is left for a question appended to the last piece. */
export const MESSAGE_LIMIT = 3800;

type Unit = { kind: "text"; s: string } | { kind: "open"; tag: string; raw: string } | { kind: "close"; tag: string; raw: string };

/** Tags, entities and single characters (a surrogate pair stays whole); plain text has no tags. */
function units(text: string, html: boolean): Unit[] {
  const out: Unit[] = [];
  const re = html
    ? /<(\/?)([a-zA-Z-]+)[^>]*>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g
    : /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g;
  for (const m of text.matchAll(re)) {
    if (m[2] !== undefined) out.push({ kind: m[1] ? "close" : "open", tag: m[2].toLowerCase(), raw: m[0] });
    else out.push({ kind: "text", s: m[0] });
  }
  return out;
}

const SPACE = /^[\s\u200B]$/;

/** How good a cut after unit i is: after a blank line 4, a line 3, a sentence 2, a space 1. */
function breakScore(u: Unit[], i: number): number {
  const here = u[i]!;
  if (here.kind !== "text") return 0;
  const prev = u[i - 1];
  const prevText = prev?.kind === "text" ? prev.s : "";
  if (here.s === "\n") return prevText === "\n" ? 4 : 3;
  if (SPACE.test(here.s)) return /[.!?;:)»”។៕]/.test(prevText) ? 2 : 1;
  if (/[។៕]/.test(here.s)) return 2; // Khmer ends a sentence without a space
  return 0;
}

type Open = { tag: string; raw: string };
const closing = (stack: Open[]) =>
  stack
    .map((t) => `</${t.tag}>`)
    .reverse()
    .join("");

function apply(stack: Open[], x: Unit) {
  if (x.kind === "open") stack.push({ tag: x.tag, raw: x.raw });
  else if (x.kind === "close") {
    const at = stack.map((t) => t.tag).lastIndexOf(x.tag);
    if (at >= 0) stack.splice(at, 1);
  }
}

/**
 * Splits one text into pieces of at most `limit` characters (counted on the HTML, which is never
 * shorter than what Telegram counts), each valid on its own.
 */
export function splitHtml(text: string, limit = MESSAGE_LIMIT, html = true): string[] {
  if (text.length <= limit) return [text];
  const u = units(text, html);
  const pieces: string[] = [];
  let start = 0;
  let reopen: Open[] = [];
  while (start < u.length) {
    const stack = [...reopen];
    let length = reopen.reduce((n, t) => n + t.raw.length, 0);
    // The latest cut of each kind, with what is open there and how full the piece is.
    const cuts = new Map<number, { after: number; open: Open[]; length: number }>();
    let i = start;
    for (; i < u.length; i++) {
      const x = u[i]!;
      const add = x.kind === "text" ? x.s.length : x.raw.length;
      const closeAfter = x.kind === "open" ? x.tag.length + 3 : 0;
      if (length + add + closing(stack).length + closeAfter > limit) break;
      length += add;
      apply(stack, x);
      const score = breakScore(u, i);
      if (score > 0) cuts.set(score, { after: i, open: stack.slice(), length });
    }
    if (i >= u.length) {
      pieces.push(render(u, start, u.length, reopen, []));
      break;
    }
    // The best kind of boundary that still fills at least 40% of the piece; else any boundary;
    // else (one very long word) where the piece is full.
    const ranked = [...cuts.entries()].sort((a, b) => b[0] - a[0]).map(([, c]) => c);
    const cut = ranked.find((c) => c.length >= limit * 0.4) ?? ranked[0];
    const end = cut ? cut.after + 1 : Math.max(i, start + 1);
    const open = cut ? cut.open : stack;
    pieces.push(render(u, start, end, reopen, open));
    reopen = open;
    start = end;
    // The next piece does not start with the whitespace it was cut at.
    while (start < u.length && u[start]!.kind === "text" && SPACE.test((u[start] as { s: string }).s)) start++;
  }
  return pieces.filter((p) => p.replace(/<[^>]+>/g, "").trim() !== "");
}

function render(u: Unit[], from: number, to: number, reopen: Open[], open: Open[]): string {
  let body = "";
  for (let i = from; i < to; i++) {
    const x = u[i]!;
    body += x.kind === "text" ? x.s : x.raw;
  }
  return reopen.map((t) => t.raw).join("") + body.replace(/[\s\u200B]+$/, "") + closing(open);
}

/**
 * Packs sections (each safe HTML) into as few messages as fit, a blank line between sections;
 * a section too long for one message is split across several.
 */
export function packMessages(sections: string[], limit = MESSAGE_LIMIT): string[] {
  const out: string[] = [];
  let cur = "";
  for (const section of sections) {
    for (const s of splitHtml(section, limit)) {
      if (cur && cur.length + s.length + 2 > limit) {
        out.push(cur);
        cur = "";
      }
      cur = cur ? `${cur}\n\n${s}` : s;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** Plain text (no parse mode) split the same way. */
export const splitPlain = (text: string, limit = MESSAGE_LIMIT) => splitHtml(text, limit, false);
