/**
 * The harvest conversation, one run per answer. The draft row holds every answer (saved as it
 * arrives) and the step; the step says which question is waiting. A run is entered by the update
 * that answers it (or by /new and "continue", which have nothing to answer yet). It takes that
 * update as the answer, re-asking in its own loop (conversation.wait) until one fits, saves it,
 * then sends the next question and ends: the next answer enters a new run. The plugin's replay
 * log therefore holds one question's worth of updates, and if it is lost or was written by older
 * code, the draft alone is enough to go on. Every side effect goes through conversation.external.
 *
 * Each step's question is a row of `questionOf`: what is sent, what answer it takes, and what
 * the answer does.
 */
import type { Sql } from "../platform/db/sql.js";
import { registerOnSent } from "../platform/telegram/outbox.js";
import { currentUnit } from "../platform/telegram/unit.js";
import { suggestSources } from "../substantiation/callbacks.js";
import { afterSubmit } from "./callbacks.js";
import { PLAIN_TEXT } from "../platform/telegram/limits.js";
import type { Conversation } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Message } from "grammy/types";
import { translator, type Lang, type T } from "../platform/i18n/index.js";
import type { BotContext } from "../shared/context.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { runChecks, TEXT_PARTS, type Finding } from "./coaching.js";
import { type DateReading, type EraQuestion, formatDate, parseCount, type ParsedDate, readDate, readPeopleCount, ymToString } from "./dates.js";

export { parseCount };
import { addEvidence, closeDraft, logEvent, loadOwnDraft, saveDraft, type DraftChanges, type DraftView, type IncomingFile } from "./service.js";
import { draftDate, eraParams, evidenceTally, isLink, renderStatement } from "./views.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { hasVisibleText } from "../shared/text.js";
import { packMessages } from "../platform/telegram/split.js";
import { tellReviewers } from "../review/service.js";
import { ACTOR_TYPES, CONTINUE_AT, EDIT_PARTS, LIMITS, type LongPart, moreStep, nextStep, type Step } from "./steps.js";

export type HarvestConversation = Conversation<BotContext, Context>;

type Answer = { type: "text"; text: string } | { type: "button"; value: string } | { type: "file"; file: IncomingFile };

interface Expect {
  /** Maximum length of free text; undefined: text is not an answer here. */
  text?: number;
  voice?: boolean;
  files?: boolean;
  buttons?: string[];
  /** Edit the question to show the chosen button (default); the evidence step's Done does not. */
  showChoice?: boolean;
}

/** The question waiting for an answer, as sent: to show the choice in it, or to send it again. */
interface Prompt {
  text: string;
  labels: Map<string, string>;
  buttons: Array<{ text: string; data: string }>;
  typed: boolean;
}

export function fileOf(m: Message): IncomingFile | undefined {
  const caption = m.caption;
  if (m.voice) return { kind: "voice", fileId: m.voice.file_id, fileUniqueId: m.voice.file_unique_id, caption };
  if (m.audio) return { kind: "audio", fileId: m.audio.file_id, fileUniqueId: m.audio.file_unique_id, fileName: m.audio.file_name, caption };
  if (m.photo?.length) {
    const p = m.photo[m.photo.length - 1]!;
    return { kind: "photo", fileId: p.file_id, fileUniqueId: p.file_unique_id, caption };
  }
  if (m.document) return { kind: "document", fileId: m.document.file_id, fileUniqueId: m.document.file_unique_id, fileName: m.document.file_name, caption };
  if (m.video) return { kind: "video", fileId: m.video.file_id, fileUniqueId: m.video.file_unique_id, caption };
  if (m.video_note) return { kind: "video", fileId: m.video_note.file_id, fileUniqueId: m.video_note.file_unique_id };
  return undefined;
}

/** The callback prefix of one question of one draft: the same in every run, so its buttons stay valid. */
function questionPrefix(draftId: number, key: string, values: string[], discriminator = ""): string {
  let h = 0;
  for (const ch of `${key}|${discriminator}|${values.join(",")}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return `h:${draftId}:${(h >>> 0).toString(36)}`;
}

class Flow {
  /** The question the next answer is for, as sent (or as it was sent by an earlier run). */
  private prompt: Prompt | undefined;
  /** The callback prefix of that question's buttons. */
  prefix = "";
  /** A typed (or sent) answer arrived: if the next save takes it, the question's buttons go. */
  private typedVia: Context | undefined;

  constructor(
    private readonly conversation: HarvestConversation,
    readonly ctx: Context,
    public draft: DraftView,
    private readonly userId: number,
  ) {}

  async t(): Promise<T> {
    const lang = await this.conversation.external((c) => c.lang);
    return translator(lang);
  }

  lang(): Promise<Lang> {
    return this.conversation.external((c) => c.lang);
  }

  async say(key: string, params: Record<string, unknown> = {}, buttons?: Button[]) {
    const t = await this.t();
    return this.ctx.reply(t(key, params), { reply_markup: buttons ? keyboard(buttons) : undefined });
  }

  /** Makes `q` the question the next answer is for (its text, buttons and their prefix), without sending it. */
  async pose(q: Question) {
    const buttons = q.buttons ?? [];
    this.prefix = questionPrefix(
      this.draft.id,
      q.key,
      buttons.map((b) => b.value),
      q.discriminator,
    );
    const t = await this.t();
    const kb = buttons.map((b) => ({ text: b.label, data: `${this.prefix}:${b.value}` }));
    this.prompt = { text: t(q.key, q.params), labels: new Map(buttons.map((b) => [b.value, b.label])), buttons: kb, typed: Boolean(q.typed && kb.length) };
  }

  /** Sends the posed question, after the messages that come before it. */
  async send(q: Question) {
    for (const m of q.before ?? []) await this.ctx.reply(m);
    await this.sendPrompt(this.ctx);
  }

  /** Poses and sends a question, and waits for its answer (the summary's follow-up questions). */
  async ask(q: Question): Promise<Answer> {
    await this.pose(q);
    await this.send(q);
    return this.receive(undefined, q.expect);
  }

  /** Sends the current question (again); one that takes typed answers has its message recorded. */
  private async sendPrompt(via: Context) {
    const p = this.prompt!;
    const sent = await via.reply(p.text, { reply_markup: p.buttons.length ? keyboard(p.buttons, p.buttons.length > 3 ? 2 : 1) : undefined });
    if (p.typed) await this.setPromptMessage(via, sent.message_id);
  }

  /** Makes `messageId` the message whose buttons go at a typed answer; the previous one's go now. */
  async setPromptMessage(via: Context, messageId: number | null) {
    const old = this.draft.promptMessageId;
    // A negative id stands for a message of this update not sent yet (platform/telegram/unit.ts): nothing to edit.
    if (old && old > 0 && old !== messageId) await via.api.editMessageReplyMarkup(via.chat!.id, old).catch(() => {});
    const { id } = this.draft;
    await this.conversation.external((c) => recordPrompt(c.deps.sql!, id, this.userId, messageId));
    this.draft = { ...this.draft, promptMessageId: messageId };
  }

  /**
   * The answer to the posed question: `first` (the update that entered the run) if it is one,
   * else the next update that is; anything else is explained and the question keeps waiting.
   */
  async receive(first: Context | undefined, expect: Expect): Promise<Answer> {
    for (let u = first ?? (await this.conversation.wait()); ; u = await this.conversation.wait()) {
      const a = await this.read(u, expect);
      if (a) return a;
    }
  }

  /** One update as an answer of the expected kind; undefined (after saying why) when it is not one. */
  private async read(u: Context, expect: Expect): Promise<Answer | undefined> {
    const t = await this.t();
    const reply = (key: string, params?: Record<string, unknown>) => u.reply(t(key, params));
    if (u.editedMessage) {
      await reply("harvest.bad.edited");
      return undefined;
    }
    if (u.callbackQuery) {
      const data = u.callbackQuery.data ?? "";
      if (!data.startsWith("h:")) await this.conversation.skip({ next: true });
      const value = data.startsWith(`${this.prefix}:`) ? data.slice(this.prefix.length + 1) : undefined;
      if (value !== undefined && expect.buttons?.includes(value)) {
        await u.answerCallbackQuery();
        await this.showChoice(u, expect.showChoice === false ? undefined : this.prompt?.labels.get(value));
        this.typedVia = undefined;
        return { type: "button", value };
      }
      await u.answerCallbackQuery({ text: t("errors.stale_button") });
      return undefined;
    }
    const m = u.message;
    if (!m) return undefined;
    if (m.forward_origin) {
      await reply("harvest.bad.forwarded");
      return undefined;
    }
    if (m.text !== undefined) {
      if (m.text.startsWith("/")) {
        // A command in the middle of a statement: say so, and show the question again.
        await reply("harvest.bad.command", { command: m.text.split(/\s/)[0] });
        if (this.prompt) await this.sendPrompt(u);
        return undefined;
      }
      if (expect.text === undefined) {
        await reply(expect.buttons?.length ? "harvest.bad.use_buttons" : "harvest.bad.wrong_type");
        return undefined;
      }
      const text = m.text.trim();
      if (!hasVisibleText(text)) {
        await reply("harvest.bad.empty");
        return undefined;
      }
      if (text.length > expect.text) {
        await this.conversation.external((c) => logEvent(c.deps.prisma, this.draft.id, this.userId, "input_too_long", text));
        await reply("harvest.bad.too_long", { limit: expect.text, length: text.length });
        await u.reply(text, PLAIN_TEXT); // the text back, to shorten and resend: nothing typed is lost
        return undefined;
      }
      this.typedVia = u;
      return { type: "text", text };
    }
    const file = fileOf(m);
    if (file && (expect.files || (expect.voice && file.kind === "voice"))) {
      this.typedVia = u;
      return { type: "file", file };
    }
    if (m.sticker && expect.files) await reply("harvest.bad.sticker");
    else
      await reply(
        expect.text !== undefined
          ? expect.voice
            ? "harvest.bad.wrong_type_voice"
            : "harvest.bad.wrong_type"
          : expect.files
            ? "harvest.bad.wrong_type_file"
            : "harvest.bad.use_buttons",
      );
    return undefined;
  }

  /** A pressed button: the question now shows the choice (and loses its buttons). */
  private async showChoice(u: Context, label: string | undefined) {
    if (label === undefined || !this.prompt) return void (await u.editMessageReplyMarkup().catch(() => {}));
    const text = `${this.prompt.text}\n\n✔️ <b>${escapeHtml(label)}</b>`;
    await u.editMessageText(text).catch(() => u.editMessageReplyMarkup().catch(() => {}));
  }

  async save(changes: DraftChanges) {
    const current = this.draft;
    // A save that moves on (or answers a coaching question) finishes the recorded question: a
    // typed answer takes its buttons away (a pressed one already showed the choice in it). One
    // the step refused (an unreadable date) keeps the question and its buttons.
    const taken = (changes.step !== undefined && changes.step !== current.step) || changes.coachingHandled !== undefined;
    const via = this.typedVia;
    this.typedVia = undefined;
    const done = taken && current.promptMessageId !== null;
    if (done && via) await via.api.editMessageReplyMarkup(via.chat!.id, current.promptMessageId!).catch(() => {});
    const all = done ? { ...changes, promptMessageId: null } : changes;
    this.draft = await this.conversation.external((c) => saveDraft(c.deps.sql!, current.id, this.userId, all, current));
  }

  async evidence(part: string, file: IncomingFile, step?: Step) {
    this.draft = await this.conversation.external((c) => addEvidence(c.deps.prisma, this.draft.id, this.userId, part, file, step));
  }

  next(step: Step): Step {
    return nextStep(step, this.draft.reviewReached);
  }

  /** Submits, saves for later or discards the statement (the open draft closes either way). */
  async close(how: "submit" | "save" | "discard") {
    const now = new Date(await this.conversation.now());
    const { id } = this.draft;
    await this.conversation.external((c) => closeDraft(c.deps.prisma, id, this.userId, how, now, c.config.adminTelegramIds));
  }

  /** Tells the coordinators who last acted on the statement. */
  async tellReviewers(key: string) {
    const { id } = this.draft;
    await this.conversation.external((c) => tellReviewers(c.deps.prisma, id, key, c.user));
  }

  /** Reads a date against the conversation's clock (replay-safe). */
  async readDate(text: string): Promise<DateReading> {
    return readDate(text, new Date(await this.conversation.now()));
  }
}

const skipButton = (t: T) => ({ label: t("harvest.skip"), value: "skip" });

/** The draft's date columns for a typed date and what the parser read in it. */
function dateChanges(text: string | null, parsed: ParsedDate | undefined): DraftChanges {
  return {
    dateText: text,
    dateKind: parsed?.kind ?? null,
    dateStart: parsed ? ymToString(parsed.start) : null,
    dateEnd: parsed?.end ? ymToString(parsed.end) : null,
  };
}

/** What an answer leaves to do: ask what the draft's step now asks, nothing (the answer posed the next question itself), or nothing more at all. */
type Then = "next" | "asked" | "end";

/** A question of the harvest, as the draft's step asks it: what is sent, what answer it takes, and what the answer does. */
interface Question {
  key: string;
  params: Record<string, unknown>;
  buttons?: Array<{ label: string; value: string }>;
  /** Takes a typed answer too: its buttons go once it is answered by typing. */
  typed?: boolean;
  /** Tells apart questions with the same text and buttons (coaching points), so old buttons stay old. */
  discriminator?: string;
  /** Messages sent before the question (the summary's first parts). */
  before?: string[];
  expect: Expect;
  take?(a: Answer): Promise<Then>;
}

export async function harvest(conversation: HarvestConversation, ctx: Context, args: { outcomeId: number; answered?: boolean }) {
  const userId = await conversation.external((c) => c.user?.id);
  if (userId === undefined) return;
  // Entered by an answer: the draft was read with the update (nothing changed it since).
  const draft = await conversation.external((c) =>
    args.answered && c.openDraft?.id === args.outcomeId ? c.openDraft : loadOwnDraft(c.deps.sql!, args.outcomeId, userId),
  );
  if (!draft) {
    const t = translator(await conversation.external((c) => c.lang));
    await ctx.reply(t("harvest.draft_gone"));
    return;
  }
  const f = new Flow(conversation, ctx, draft, userId);
  let answer = args.answered ? ctx : undefined;
  for (;;) {
    const q = await questionOf(f);
    await f.pose(q);
    if (!answer) {
      // Asked: its answer will enter the next run.
      await f.send(q);
      return;
    }
    const then = await q.take!(await f.receive(answer, q.expect));
    answer = undefined;
    if (then !== "next") return;
  }
}

/**
 * A typed date at the date step: read and echoed for confirmation; a Buddhist-era year that
 * falls in two common-era years is asked about; anything unreadable is explained.
 */
async function takeDate(f: Flow, text: string, lang: Lang) {
  const reading = await f.readDate(text);
  if (reading && "date" in reading) return f.save({ ...dateChanges(text, reading.date), step: "date_confirm" });
  if (reading?.era.options.length) return f.save({ ...dateChanges(text, undefined), step: "date_era" });
  await f.save({ ...dateChanges(text, undefined), step: "date" });
  if (reading) await f.say("harvest.date.era_period", eraParams(reading.era, lang));
  else await f.say("harvest.date.unparsed", { text });
}

/** A take that saves what the answer gives (nothing, for an answer it cannot use), then asks on. */
function saveFrom(f: Flow, changes: (a: Answer) => DraftChanges | undefined) {
  return async (a: Answer): Promise<Then> => {
    const c = changes(a);
    if (c) await f.save(c);
    return "next";
  };
}

/** The question of the draft's step; steps that ask nothing (coaching with nothing left, an era question with no choice) move on first. */
async function questionOf(f: Flow): Promise<Question> {
  for (;;) {
    const d = f.draft;
    const step: Step = d.step ?? "coaching";
    const lang = await f.lang();
    const t = translator(lang);
    if (step === "coaching") {
      const finding = pendingFindings(d)[0];
      if (finding) return coachingQuestion(f, finding, t, lang);
      await f.save({ step: "review", reviewReached: true });
      continue;
    }
    if (step === "date_era") {
      // Asked when a Buddhist-era date falls in two common-era years; the typed text is kept.
      const reading = d.dateText ? await f.readDate(d.dateText) : undefined;
      if (reading && "era" in reading && reading.era.options.length) return eraQuestion(f, reading.era, t, lang);
      await f.save({ step: "date" });
      continue;
    }
    return stepQuestion(f, step, t, lang);
  }
}

function stepQuestion(f: Flow, step: Exclude<Step, "coaching" | "date_era">, t: T, lang: Lang): Question {
  const d = f.draft;
  switch (step) {
    case "description":
    case "significance":
    case "contribution":
      return {
        key: `harvest.ask.${step}`,
        params: { actor: d.actorName ?? "", org: d.organisationName },
        expect: { text: LIMITS.long, voice: true },
        async take(a) {
          // A long answer may go on in the next messages; otherwise the step that asks for more is skipped.
          const after = a.type === "text" && a.text.length >= CONTINUE_AT ? moreStep(step) : f.next(moreStep(step));
          if (a.type === "file") {
            await f.evidence(step, a.file, f.next(moreStep(step)));
            await f.say("harvest.voice_kept");
          } else if (a.type === "text") await f.save({ [step]: a.text, step: after });
          return "next";
        },
      };
    case "description_more":
    case "significance_more":
    case "contribution_more": {
      const part = step.replace(/_more$/, "") as LongPart;
      return {
        key: "harvest.ask.more",
        params: { part: t(`parts.${part}`), length: (d[part] ?? "").length },
        buttons: [{ label: t("harvest.more_done"), value: "done" }],
        typed: true,
        expect: { text: LIMITS.long, buttons: ["done"] },
        async take(a) {
          // Each message is added to the part, and the question asked again, until "That's all".
          if (a.type === "button") await f.save({ step: f.next(step) });
          else if (a.type === "text") await f.save({ [part]: `${d[part] ?? ""}\n${a.text}`.trim(), step });
          return "next";
        },
      };
    }
    case "actor_name":
      return {
        key: "harvest.ask.actor_name",
        params: { org: d.organisationName },
        expect: { text: LIMITS.short },
        take: saveFrom(f, (a) => (a.type === "text" ? { actorName: a.text, step: f.next(step) } : undefined)),
      };
    case "actor_type":
      return {
        key: "harvest.ask.actor_type",
        params: { actor: d.actorName ?? "" },
        buttons: ACTOR_TYPES.map((v) => ({ label: t(`actor_types.${v}`), value: v })),
        expect: { buttons: [...ACTOR_TYPES] },
        take: saveFrom(f, (a) => (a.type === "button" ? { actorType: a.value, step: f.next(step) } : undefined)),
      };
    case "date":
      return {
        key: "harvest.ask.date",
        params: {},
        buttons: [{ label: t("harvest.date.unknown"), value: "unknown" }],
        typed: true,
        expect: { text: 100, buttons: ["unknown"] },
        async take(a) {
          if (a.type === "button") await f.save({ ...dateChanges(null, undefined), step: nextStep("date_confirm", d.reviewReached) });
          else if (a.type === "text") await takeDate(f, a.text, lang);
          return "next";
        },
      };
    case "date_confirm": {
      const parsed = draftDate(d);
      return {
        key: "harvest.date.confirm",
        params: { date: parsed ? formatDate(parsed, lang) : (d.dateText ?? "") },
        buttons: [
          { label: t("harvest.yes"), value: "yes" },
          { label: t("harvest.date.retry"), value: "no" },
        ],
        expect: { buttons: ["yes", "no"] },
        take: saveFrom(f, (a) => ({ step: a.type === "button" && a.value === "yes" ? f.next(step) : "date" })),
      };
    }
    case "place":
      return {
        key: "harvest.ask.place",
        params: {},
        expect: { text: LIMITS.short },
        take: saveFrom(f, (a) => (a.type === "text" ? { place: a.text, step: f.next(step) } : undefined)),
      };
    case "people":
    case "women":
      return countQuestion(f, step, t);
    case "expected":
    case "positive": {
      const [yes, no] = step === "expected" ? ["expected", "unexpected"] : ["positive", "negative"];
      return {
        key: `harvest.ask.${step}`,
        params: {},
        buttons: [
          { label: t(`harvest.choice.${yes}`), value: yes! },
          { label: t(`harvest.choice.${no}`), value: no! },
        ],
        expect: { buttons: [yes!, no!] },
        take: saveFrom(f, (a) => (a.type === "button" ? { [step]: a.value === yes, step: f.next(step) } : undefined)),
      };
    }
    case "evidence":
      return evidenceQuestion(f, t);
    case "review":
      return reviewQuestion(f, t, lang);
  }
}

/** Which common-era year a Buddhist-era year means; or type the date again. */
function eraQuestion(f: Flow, era: EraQuestion, t: T, lang: Lang): Question {
  const d = f.draft;
  const { options } = era;
  return {
    key: "harvest.date.era",
    params: { ...eraParams(era, lang), text: d.dateText },
    buttons: [...options.map((o, i) => ({ label: formatDate(o, lang), value: String(i) })), { label: t("harvest.date.retry"), value: "no" }],
    typed: true,
    expect: { text: 100, buttons: [...options.map((_, i) => String(i)), "no"] },
    async take(a) {
      if (a.type === "text") await takeDate(f, a.text, lang);
      else if (a.type === "button" && a.value === "no") await f.save({ step: "date" });
      else if (a.type === "button") {
        // The coaching question about the date comes back to coaching; the date step goes on.
        const back = d.coachingHandled.includes("date") ? "coaching" : nextStep("date_confirm", d.reviewReached);
        await f.save({ ...dateChanges(d.dateText, options[Number(a.value)]), step: back });
      }
      return "next";
    },
  };
}

/** How many people, and of them women: a number as people write it, or skip. */
function countQuestion(f: Flow, step: "people" | "women", t: T): Question {
  const d = f.draft;
  // No number of people: there is no "of whom women" to ask either.
  const after = step === "people" ? f.next("women") : f.next(step);
  return {
    key: `harvest.ask.${step}`,
    params: { people: d.peopleAffected ?? "" },
    buttons: [skipButton(t)],
    typed: true,
    expect: { text: 50, buttons: ["skip"] },
    async take(a) {
      if (a.type === "button") await f.save({ step: after });
      if (a.type !== "text") return "next";
      const n = readPeopleCount(a.text);
      if (n === "unit") await f.say("harvest.bad.number_unit", { text: a.text });
      else if (n === undefined) await f.say("harvest.bad.number");
      else if (step === "women" && d.peopleAffected !== null && n > d.peopleAffected) {
        await f.say("harvest.bad.women_more", { women: n, people: d.peopleAffected });
      } else await f.save({ [step === "people" ? "peopleAffected" : "womenAffected"]: n, step: step === "people" ? f.next(step) : after });
      return "next";
    },
  };
}

/** Evidence, piece by piece (files, links, sources named); each is confirmed and only the latest message carries Done. */
function evidenceQuestion(f: Flow, t: T): Question {
  return {
    key: "harvest.ask.evidence",
    params: { tally: evidenceTally(f.draft, t) },
    buttons: [{ label: t("harvest.done"), value: "done" }],
    typed: true,
    expect: { text: LIMITS.long, files: true, buttons: ["done"], showChoice: false },
    async take(a) {
      if (a.type === "button") {
        await f.save({ step: f.next("evidence") });
        return "next";
      }
      let kind: string;
      if (a.type === "file") {
        await f.evidence("evidence", a.file);
        kind = a.file.kind;
      } else {
        // One line per link or source named, so each is counted (see evidenceTally).
        const line = a.text.replace(/\s*\n\s*/g, " ");
        await f.save({ sources: f.draft.sources ? `${f.draft.sources}\n${line}` : line });
        kind = isLink(line) ? "link" : "note";
      }
      const sent = await f.say("harvest.evidence_kept", { kept: t(`harvest.kept.${kind}`), tally: evidenceTally(f.draft, t) }, [
        { text: t("harvest.done"), data: `${f.prefix}:done` },
      ]);
      await f.setPromptMessage(f.ctx, sent.message_id);
      // The confirmation, with its Done, is the question the next piece answers.
      return "asked";
    },
  };
}

/** The summary: submit (or resubmit), edit a part, save for later, discard. Editing and discarding ask again, in this run. */
function reviewQuestion(f: Flow, t: T, lang: Lang): Question {
  const d = f.draft;
  const messages = packMessages(renderStatement(d, t, lang));
  // A statement returned for revision is resubmitted, not discarded: the coordinators know it.
  const revising = d.status === "returned";
  const choices = [
    { label: t(revising ? "harvest.review_resubmit" : "harvest.review_submit"), value: "submit" },
    { label: t("harvest.review_edit"), value: "edit" },
    { label: t("harvest.review_save"), value: "save" },
    ...(revising ? [] : [{ label: t("harvest.review_discard"), value: "discard" }]),
  ];
  return {
    key: "harvest.review",
    params: { summary: messages[messages.length - 1] },
    before: messages.slice(0, -1),
    buttons: choices,
    expect: { buttons: choices.map((x) => x.value) },
    async take(a) {
      if (a.type !== "button") return "next";
      if (a.value === "edit") {
        const parts = Object.keys(EDIT_PARTS);
        const b = await f.ask({
          key: "harvest.edit_which",
          params: {},
          buttons: [...parts.map((v) => ({ label: t(`parts.${v}`), value: v })), { label: t("harvest.back"), value: "back" }],
          expect: { buttons: [...parts, "back"] },
        });
        if (b.type === "button" && b.value !== "back") await f.save({ step: EDIT_PARTS[b.value]![0]! });
        return "next";
      }
      if (a.value === "discard") {
        const b = await f.ask({
          key: "harvest.discard_confirm",
          params: { id: d.id },
          buttons: [
            { label: t("harvest.discard_yes"), value: "yes" },
            { label: t("harvest.discard_no"), value: "no" },
          ],
          expect: { buttons: ["yes", "no"] },
        });
        if (b.type !== "button" || b.value !== "yes") return "next";
        await f.close("discard");
        await f.say("harvest.discarded", { id: d.id });
        return "end";
      }
      if (a.value === "save") {
        await f.close("save");
        await f.say("harvest.saved", { id: d.id });
        return "end";
      }
      await f.close("submit");
      if (revising) {
        await f.say("harvest.resubmitted", { id: d.id });
        await f.tellReviewers("review.resubmitted");
        return "end";
      }
      await f.say("harvest.submitted", { id: d.id }, [{ text: t("suggest.button"), data: suggestSources.data({ id: d.id }) }]);
      await f.say("harvest.after_submit", {}, [
        { text: t("harvest.after_yes"), data: afterSubmit.data({ id: d.id, answer: "yes" }) },
        { text: t("harvest.after_no"), data: afterSubmit.data({ id: d.id, answer: "no" }) },
      ]);
      return "end";
    },
  };
}

export function pendingFindings(d: DraftView): Finding[] {
  return runChecks(d, { organisationName: d.organisationName, voiceParts: new Set(d.voiceParts) }).filter((x) => !d.coachingHandled.includes(x.id));
}

/** The question of one coaching finding; the answer is added to the draft (or the point skipped). */
function coachingQuestion(f: Flow, finding: Finding, t: T, lang: Lang): Question {
  const d = f.draft;
  const handled = [...d.coachingHandled, finding.id];
  const part = finding.id.startsWith("detail.") ? finding.id.slice("detail.".length) : undefined;
  return {
    key: part ? `coach.detail_${part}` : `coach.${finding.id}`,
    params: { ...finding.params, part: part ? t(`parts.${part}`) : "", actor: d.actorName ?? t("format.the_actor") },
    buttons: [skipButton(t)],
    typed: true,
    discriminator: finding.id,
    expect: { text: finding.id === "actor" || finding.id === "place" ? LIMITS.short : LIMITS.long, buttons: ["skip"] },
    async take(a) {
      if (a.type === "button") await f.save({ coachingHandled: handled });
      else if (a.type === "text") await applyCoaching(f, finding, part, handled, a.text, lang);
      return "next";
    },
  };
}

/** A coaching answer into the draft: the part it completes, or the date it gives. */
async function applyCoaching(f: Flow, finding: Finding, part: string | undefined, handled: string[], text: string, lang: Lang) {
  const d = f.draft;
  const append = (old: string | null) => (old ? `${old}\n${text}` : text);
  const changes: DraftChanges = { coachingHandled: handled };
  switch (finding.id) {
    case "date": {
      const reading = await f.readDate(text);
      if (reading && "date" in reading) {
        await f.save({ ...changes, ...dateChanges(text, reading.date) });
        await f.say("harvest.date.understood", { date: formatDate(reading.date, lang) });
      } else if (reading?.era.options.length) {
        // Which common-era year: asked next, then back to coaching.
        await f.save({ ...changes, ...dateChanges(text, undefined), step: "date_era" });
      } else if (reading) await f.say("harvest.date.era_period", eraParams(reading.era, lang));
      else await f.say("harvest.date.unparsed", { text }); // same question again
      return;
    }
    case "actor":
      changes.actorName = text;
      break;
    case "place":
      changes.place = text;
      break;
    case "number":
      // Kept as the leader wrote it ("the commission fell 5%"): a count field is only filled by
      // the answer to that count's own question.
      changes.significance = append(d.significance);
      break;
    case "behaviour":
      changes.description = append(d.description);
      break;
    default:
      if (part && (TEXT_PARTS as readonly string[]).includes(part)) {
        const key = part as (typeof TEXT_PARTS)[number];
        changes[key] = append(d[key]);
      }
  }
  await f.save(changes);
}

/**
 * Records the message of the question now waiting for a typed answer (its buttons go once it is
 * answered). Inside an update the question is not sent yet (platform/telegram/unit.ts): its stand-in id
 * (negative) becomes a follow-up that records the real id once Telegram has sent it.
 */
export async function recordPrompt(sql: Sql, outcomeId: number, authorId: number, messageId: number | null) {
  if (messageId !== null && messageId < 0) {
    currentUnit()?.afterSent(messageId, `prompt:${outcomeId}:${authorId}`);
    messageId = null;
  }
  await sql.query(`UPDATE "outcomes" SET "prompt_message_id" = $3 WHERE "id" = $1 AND "author_id" = $2`, [outcomeId, authorId, messageId]);
}

registerOnSent("prompt", async (prisma, [outcomeId, authorId], messageId) => {
  // Only if no later question took its place meanwhile.
  await prisma.$executeRawUnsafe(
    `UPDATE "outcomes" SET "prompt_message_id" = $3 WHERE "id" = $1 AND "author_id" = $2 AND "prompt_message_id" IS NULL`,
    Number(outcomeId),
    Number(authorId),
    messageId,
  );
});
