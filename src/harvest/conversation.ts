/**
 * The harvest conversation. Its state lives in two places: the draft row (every answer, saved
 * as it arrives, plus the step) and the conversation plugin's replay log. If the log is lost or
 * was written by an older version of this code, the draft alone is enough to continue.
 * Every side effect goes through conversation.external.
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
import { formatDate, parseCount, readDate, readPeopleCount, ymToString, type DateReading, type ParsedDate } from "./dates.js";

export { parseCount };
import { addEvidence, closeDraft, logEvent, loadOwnDraft, saveDraft, type DraftChanges, type DraftView, type IncomingFile } from "./service.js";
import { draftDate, eraParams, evidenceTally, isLink, renderStatement } from "./views.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { hasVisibleText } from "../shared/text.js";
import { packMessages } from "../platform/telegram/split.js";
import { tellReviewers } from "../review/service.js";
import { ACTOR_TYPES, EDIT_PARTS, LIMITS, nextStep, type Step } from "./steps.js";

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

interface AskOptions {
  /** The question takes a typed answer too: its buttons (Skip, I don't know) go once it is answered by typing. */
  typed?: boolean;
  discriminator?: string;
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

/**
 * Ends a run of the conversation where it would wait: the next message enters it again, as the
 * answer. A run therefore handles one answer, and the plugin never replays a long history (the
 * draft in the database holds the step and every answer).
 */
class Suspend extends Error {}

/** The callback prefix of one question of one draft: the same in every run, so its buttons stay valid. */
function questionPrefix(draftId: number, key: string, values: string[], discriminator = ""): string {
  let h = 0;
  for (const ch of `${key}|${discriminator}|${values.join(",")}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return `h:${draftId}:${(h >>> 0).toString(36)}`;
}

class Flow {
  /** When resuming: the update that entered the run is the answer to the question already sent. */
  private pending: Context | undefined;
  /** When resuming: the first question of the run was sent by the previous run. */
  private quiet: boolean;
  /** Whether the run may end at the next wait (see Suspend); steps with sub-questions wait instead. */
  suspendable = true;
  /** The question the next answer is for. */
  private prompt: Prompt | undefined;
  /** A typed (or sent) answer arrived: if the next save takes it, the question's buttons go. */
  private typedVia: Context | undefined;

  constructor(
    private readonly conversation: HarvestConversation,
    private readonly ctx: Context,
    public draft: DraftView,
    private readonly userId: number,
    resume: boolean,
  ) {
    this.pending = resume ? ctx : undefined;
    this.quiet = resume;
  }

  /** True until the first question of a resumed run: what precedes it was already sent. */
  get resuming(): boolean {
    return this.quiet;
  }

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

  /** Sends a question (unless a resumed run's first, already sent); returns the prefix its buttons carry. */
  async ask(key: string, params: Record<string, unknown>, buttons: Array<{ label: string; value: string }> = [], opts: AskOptions = {}) {
    const prefix = questionPrefix(
      this.draft.id,
      key,
      buttons.map((b) => b.value),
      opts.discriminator,
    );
    const t = await this.t();
    const kb = buttons.map((b) => ({ text: b.label, data: `${prefix}:${b.value}` }));
    this.prompt = { text: t(key, params), labels: new Map(buttons.map((b) => [b.value, b.label])), buttons: kb, typed: Boolean(opts.typed && kb.length) };
    if (this.quiet) {
      this.quiet = false;
      return prefix;
    }
    await this.sendPrompt(this.ctx);
    return prefix;
  }

  /** Sends the current question (again); one that takes typed answers has its message recorded. */
  private async sendPrompt(via: Context) {
    const p = this.prompt!;
    const sent = await via.reply(p.text, {
      reply_markup: p.buttons.length ? keyboard(p.buttons, p.buttons.length > 3 ? 2 : 1) : undefined,
    });
    if (p.typed) await this.setPromptMessage(via, sent.message_id);
  }

  /** Makes `messageId` the message whose buttons go at a typed answer; the previous one's go now. */
  async setPromptMessage(via: Context, messageId: number | null) {
    const old = this.draft.promptMessageId;
    // A negative id stands for a message of this update not sent yet (telegram/unit.ts): nothing to edit.
    if (old && old > 0 && old !== messageId) await via.api.editMessageReplyMarkup(via.chat!.id, old).catch(() => {});
    const { id } = this.draft;
    await this.conversation.external((c) => recordPrompt(c.deps.sql!, id, this.userId, messageId));
    this.draft = { ...this.draft, promptMessageId: messageId };
  }

  /** Waits until the person gives an answer of the expected kind; explains anything else, keeps the step. */
  async answer(prefix: string, expect: Expect): Promise<Answer> {
    for (;;) {
      let u: Context;
      if (this.pending) {
        u = this.pending;
        this.pending = undefined;
        this.quiet = false;
      } else if (this.suspendable) throw new Suspend();
      else u = await this.conversation.wait();
      const t = await this.t();
      const reply = (key: string, params?: Record<string, unknown>) => u.reply(t(key, params));
      if (u.editedMessage) {
        await reply("harvest.bad.edited");
        continue;
      }
      if (u.callbackQuery) {
        const data = u.callbackQuery.data ?? "";
        if (!data.startsWith("h:")) await this.conversation.skip({ next: true });
        const value = data.startsWith(`${prefix}:`) ? data.slice(prefix.length + 1) : undefined;
        if (value !== undefined && expect.buttons?.includes(value)) {
          await u.answerCallbackQuery();
          await this.showChoice(u, expect.showChoice === false ? undefined : this.prompt?.labels.get(value));
          this.typedVia = undefined;
          return { type: "button", value };
        }
        await u.answerCallbackQuery({ text: t("errors.stale_button") });
        continue;
      }
      const m = u.message;
      if (!m) continue;
      if (m.forward_origin) {
        await reply("harvest.bad.forwarded");
        continue;
      }
      if (m.text !== undefined) {
        if (m.text.startsWith("/")) {
          // A command in the middle of a statement: say so, and show the question again.
          await reply("harvest.bad.command", { command: m.text.split(/\s/)[0] });
          if (this.prompt) await this.sendPrompt(u);
          continue;
        }
        if (expect.text === undefined) {
          await reply(expect.buttons?.length ? "harvest.bad.use_buttons" : "harvest.bad.wrong_type");
          continue;
        }
        const text = m.text.trim();
        if (!hasVisibleText(text)) {
          await reply("harvest.bad.empty");
          continue;
        }
        if (text.length > expect.text) {
          await this.conversation.external((c) => logEvent(c.deps.prisma, this.draft.id, this.userId, "input_too_long", text));
          await reply("harvest.bad.too_long", { limit: expect.text, length: text.length });
          await u.reply(text, PLAIN_TEXT); // the text back, to shorten and resend: nothing typed is lost
          continue;
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
    }
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

export async function harvest(conversation: HarvestConversation, ctx: Context, args: { outcomeId: number; resume?: boolean }) {
  try {
    await run(conversation, ctx, args);
  } catch (e) {
    if (!(e instanceof Suspend)) throw e;
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

async function run(conversation: HarvestConversation, ctx: Context, args: { outcomeId: number; resume?: boolean }) {
  const userId = await conversation.external((c) => c.user?.id);
  if (userId === undefined) return;
  // Resuming on an update's arrival: the draft was read with the update (nothing changed it since).
  const draft = await conversation.external((c) =>
    args.resume && c.openDraft?.id === args.outcomeId ? c.openDraft : loadOwnDraft(c.deps.sql!, args.outcomeId, userId),
  );
  if (!draft) {
    const t = translator(await conversation.external((c) => c.lang));
    await ctx.reply(t("harvest.draft_gone"));
    return;
  }
  const f = new Flow(conversation, ctx, draft, userId, Boolean(args.resume));

  for (;;) {
    const d = f.draft;
    const step: Step = d.step ?? "coaching";
    const lang = await f.lang();
    const t = translator(lang);
    switch (step) {
      case "description":
      case "significance":
      case "contribution": {
        const p = await f.ask(`harvest.ask.${step}`, { actor: d.actorName ?? "", org: d.organisationName });
        const a = await f.answer(p, { text: LIMITS.long, voice: true });
        if (a.type === "file") {
          await f.evidence(step, a.file, f.next(step));
          await f.say("harvest.voice_kept");
        } else if (a.type === "text") await f.save({ [step]: a.text, step: f.next(step) });
        break;
      }
      case "actor_name": {
        const p = await f.ask("harvest.ask.actor_name", { org: d.organisationName });
        const a = await f.answer(p, { text: LIMITS.short });
        if (a.type === "text") await f.save({ actorName: a.text, step: f.next(step) });
        break;
      }
      case "actor_type": {
        const p = await f.ask(
          "harvest.ask.actor_type",
          { actor: d.actorName ?? "" },
          ACTOR_TYPES.map((v) => ({ label: t(`actor_types.${v}`), value: v })),
        );
        const a = await f.answer(p, { buttons: [...ACTOR_TYPES] });
        if (a.type === "button") await f.save({ actorType: a.value, step: f.next(step) });
        break;
      }
      case "date": {
        const p = await f.ask("harvest.ask.date", {}, [{ label: t("harvest.date.unknown"), value: "unknown" }], { typed: true });
        const a = await f.answer(p, { text: 100, buttons: ["unknown"] });
        if (a.type === "button") {
          await f.save({ ...dateChanges(null, undefined), step: nextStep("date_confirm", d.reviewReached) });
        } else if (a.type === "text") await takeDate(f, a.text, lang);
        break;
      }
      case "date_era": {
        // Asked when a Buddhist-era date falls in two common-era years; the typed text is kept.
        const reading = d.dateText ? await f.readDate(d.dateText) : undefined;
        if (!reading || !("era" in reading) || reading.era.options.length === 0) {
          await f.save({ step: "date" });
          break;
        }
        const { options } = reading.era;
        const p = await f.ask(
          "harvest.date.era",
          { ...eraParams(reading.era, lang), text: d.dateText },
          [...options.map((o, i) => ({ label: formatDate(o, lang), value: String(i) })), { label: t("harvest.date.retry"), value: "no" }],
          { typed: true },
        );
        const a = await f.answer(p, { text: 100, buttons: [...options.map((_, i) => String(i)), "no"] });
        if (a.type === "text") await takeDate(f, a.text, lang);
        else if (a.type === "button" && a.value === "no") await f.save({ step: "date" });
        else if (a.type === "button") {
          // The coaching question about the date comes back to coaching; the date step goes on.
          const back = d.coachingHandled.includes("date") ? "coaching" : nextStep("date_confirm", d.reviewReached);
          await f.save({ ...dateChanges(d.dateText, options[Number(a.value)]), step: back });
        }
        break;
      }
      case "date_confirm": {
        const parsed = draftDate(d);
        const shown = parsed ? formatDate(parsed, lang) : (d.dateText ?? "");
        const p = await f.ask("harvest.date.confirm", { date: shown }, [
          { label: t("harvest.yes"), value: "yes" },
          { label: t("harvest.date.retry"), value: "no" },
        ]);
        const a = await f.answer(p, { buttons: ["yes", "no"] });
        await f.save({ step: a.type === "button" && a.value === "yes" ? f.next(step) : "date" });
        break;
      }
      case "place": {
        const p = await f.ask("harvest.ask.place", {});
        const a = await f.answer(p, { text: LIMITS.short });
        if (a.type === "text") await f.save({ place: a.text, step: f.next(step) });
        break;
      }
      case "people":
      case "women": {
        const p = await f.ask(`harvest.ask.${step}`, { people: d.peopleAffected ?? "" }, [skipButton(t)], { typed: true });
        const a = await f.answer(p, { text: 50, buttons: ["skip"] });
        // No number of people: there is no "of whom women" to ask either.
        const after = step === "people" ? f.next("women") : f.next(step);
        if (a.type === "button") {
          await f.save({ step: after });
          break;
        }
        if (a.type !== "text") break;
        const n = readPeopleCount(a.text);
        if (n === "unit") await f.say("harvest.bad.number_unit", { text: a.text });
        else if (n === undefined) await f.say("harvest.bad.number");
        else if (step === "women" && d.peopleAffected !== null && n > d.peopleAffected) {
          await f.say("harvest.bad.women_more", { women: n, people: d.peopleAffected });
        } else await f.save({ [step === "people" ? "peopleAffected" : "womenAffected"]: n, step: step === "people" ? f.next(step) : after });
        break;
      }
      case "expected":
      case "positive": {
        const [yes, no] = step === "expected" ? ["expected", "unexpected"] : ["positive", "negative"];
        const p = await f.ask(`harvest.ask.${step}`, {}, [
          { label: t(`harvest.choice.${yes}`), value: yes! },
          { label: t(`harvest.choice.${no}`), value: no! },
        ]);
        const a = await f.answer(p, { buttons: [yes!, no!] });
        if (a.type === "button") await f.save({ [step]: a.value === yes, step: f.next(step) });
        break;
      }
      case "evidence": {
        const done = [{ label: t("harvest.done"), value: "done" }];
        const p = await f.ask("harvest.ask.evidence", { tally: evidenceTally(d, t) }, done, { typed: true });
        for (;;) {
          const a = await f.answer(p, { text: LIMITS.long, files: true, buttons: ["done"], showChoice: false });
          if (a.type === "button") {
            await f.save({ step: f.next(step) });
            break;
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
          // Each piece is confirmed by kind; only the latest message carries Done.
          const sent = await f.say("harvest.evidence_kept", { kept: t(`harvest.kept.${kind}`), tally: evidenceTally(f.draft, t) }, [
            { text: t("harvest.done"), data: `${p}:done` },
          ]);
          await f.setPromptMessage(ctx, sent.message_id);
        }
        break;
      }
      case "coaching": {
        const finding = pendingFindings(f.draft)[0];
        if (!finding) {
          await f.save({ step: "review", reviewReached: true });
          break;
        }
        await coach(f, finding, t, lang);
        break;
      }
      case "review": {
        // The summary and its sub-questions (edit which part, confirm discarding) wait in one run.
        f.suspendable = false;
        const messages = packMessages(renderStatement(d, t, lang));
        if (!f.resuming) for (const m of messages.slice(0, -1)) await ctx.reply(m);
        // A statement returned for revision is resubmitted, not discarded: the coordinators know it.
        const revising = d.status === "returned";
        const choices = [
          { label: t(revising ? "harvest.review_resubmit" : "harvest.review_submit"), value: "submit" },
          { label: t("harvest.review_edit"), value: "edit" },
          { label: t("harvest.review_save"), value: "save" },
          ...(revising ? [] : [{ label: t("harvest.review_discard"), value: "discard" }]),
        ];
        const prefix = await f.ask("harvest.review", { summary: messages[messages.length - 1] }, choices);
        const a = await f.answer(prefix, { buttons: choices.map((x) => x.value) });
        if (a.type !== "button") break;
        if (a.value === "edit") {
          const parts = Object.keys(EDIT_PARTS);
          const p = await f.ask("harvest.edit_which", {}, [
            ...parts.map((v) => ({ label: t(`parts.${v}`), value: v })),
            { label: t("harvest.back"), value: "back" },
          ]);
          const b = await f.answer(p, { buttons: [...parts, "back"] });
          if (b.type === "button" && b.value !== "back") await f.save({ step: EDIT_PARTS[b.value]![0]! });
          f.suspendable = true;
          break;
        }
        if (a.value === "discard") {
          const p = await f.ask("harvest.discard_confirm", { id: d.id }, [
            { label: t("harvest.discard_yes"), value: "yes" },
            { label: t("harvest.discard_no"), value: "no" },
          ]);
          const b = await f.answer(p, { buttons: ["yes", "no"] });
          if (b.type === "button" && b.value === "yes") {
            const now = new Date(await conversation.now());
            await conversation.external((c) => closeDraft(c.deps.prisma, d.id, userId, "discard", now));
            await f.say("harvest.discarded", { id: d.id });
            return;
          }
          break;
        }
        const now = new Date(await conversation.now());
        const how = a.value === "submit" ? "submit" : "save";
        await conversation.external((c) => closeDraft(c.deps.prisma, d.id, userId, how, now, c.config.adminTelegramIds));
        if (how === "save") {
          await f.say("harvest.saved", { id: d.id });
          return;
        }
        if (revising) {
          await f.say("harvest.resubmitted", { id: d.id });
          await conversation.external((c) => tellReviewers(c.deps.prisma, d.id, "review.resubmitted", c.user));
          return;
        }
        await f.say("harvest.submitted", { id: d.id }, [{ text: t("suggest.button"), data: suggestSources.data({ id: d.id }) }]);
        await f.say("harvest.after_submit", {}, [
          { text: t("harvest.after_yes"), data: afterSubmit.data({ id: d.id, answer: "yes" }) },
          { text: t("harvest.after_no"), data: afterSubmit.data({ id: d.id, answer: "no" }) },
        ]);
        return;
      }
    }
  }
}

export function pendingFindings(d: DraftView): Finding[] {
  return runChecks(d, { organisationName: d.organisationName, voiceParts: new Set(d.voiceParts) }).filter((x) => !d.coachingHandled.includes(x.id));
}

/** Asks the question of one coaching finding and applies the answer to the draft. */
async function coach(f: Flow, finding: Finding, t: T, lang: Lang) {
  const d = f.draft;
  const handled = [...d.coachingHandled, finding.id];
  const part = finding.id.startsWith("detail.") ? finding.id.slice("detail.".length) : undefined;
  const params = { ...finding.params, part: part ? t(`parts.${part}`) : "", actor: d.actorName ?? t("format.the_actor") };
  const key = part ? `coach.detail_${part}` : `coach.${finding.id}`;
  const p = await f.ask(key, params, [skipButton(t)], { typed: true, discriminator: finding.id });
  const limit = finding.id === "actor" || finding.id === "place" ? LIMITS.short : LIMITS.long;
  const a = await f.answer(p, { text: limit, buttons: ["skip"] });
  if (a.type === "button") {
    await f.save({ coachingHandled: handled });
    return;
  }
  if (a.type !== "text") return;
  const append = (old: string | null) => (old ? `${old}\n${a.text}` : a.text);
  const changes: DraftChanges = { coachingHandled: handled };
  switch (finding.id) {
    case "date": {
      const reading = await f.readDate(a.text);
      if (reading && "date" in reading) {
        await f.save({ ...changes, ...dateChanges(a.text, reading.date) });
        await f.say("harvest.date.understood", { date: formatDate(reading.date, lang) });
      } else if (reading?.era.options.length) {
        // Which common-era year: asked next, then back to coaching.
        await f.save({ ...changes, ...dateChanges(a.text, undefined), step: "date_era" });
      } else if (reading) await f.say("harvest.date.era_period", eraParams(reading.era, lang));
      else await f.say("harvest.date.unparsed", { text: a.text }); // same question again
      return;
    }
    case "actor":
      changes.actorName = a.text;
      break;
    case "place":
      changes.place = a.text;
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
 * answered). Inside an update the question is not sent yet (telegram/unit.ts): its stand-in id
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
