/** A simulated Telegram user who talks to the bot through the fake Bot API. */
import type { Message } from "grammy/types";
import type { BotMessage, FakeTelegram } from "./fake-telegram.js";

let callbackSeq = 1;

export class FakeUser {
  private seen = 0;
  readonly from;

  constructor(
    private readonly tg: FakeTelegram,
    readonly id: number,
    readonly firstName = `User${id}`,
    languageCode = "en",
  ) {
    this.from = { id, is_bot: false, first_name: firstName, language_code: languageCode };
  }

  private get chat() {
    return { id: this.id, type: "private" as const, first_name: this.firstName };
  }

  /** Sends any message; text starting with "/" carries a bot_command entity like a real client. */
  send(fields: Partial<Message>): number {
    const message_id = this.tg.newMessageId();
    const text = fields.text;
    const entities = text?.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
    this.tg.pushUpdate({
      message: { message_id, date: Math.floor(Date.now() / 1000), chat: this.chat, from: this.from, entities, ...fields } as never,
    });
    return message_id;
  }

  text(text: string) {
    return this.send({ text });
  }

  photo(uniqueId = `photo-${Math.random()}`) {
    return this.send({ photo: [{ file_id: `file-${uniqueId}`, file_unique_id: uniqueId, width: 800, height: 600 }] });
  }

  voice(uniqueId = `voice-${Math.random()}`) {
    return this.send({ voice: { file_id: `file-${uniqueId}`, file_unique_id: uniqueId, duration: 12 } });
  }

  /** Sends a file as a document (Telegram keeps its bytes for getFile and the download). */
  document(fileName: string, bytes: Buffer, caption?: string) {
    const fileId = `doc-${Math.random().toString(36).slice(2)}`;
    this.tg.files.set(fileId, { bytes, path: `documents/${fileId}/${fileName}` });
    return this.send({
      document: { file_id: fileId, file_unique_id: `u-${fileId}`, file_name: fileName, file_size: bytes.length },
      caption,
    } as Partial<Message>);
  }

  sticker() {
    return this.send({
      sticker: { file_id: "stk", file_unique_id: "stk", type: "regular", width: 512, height: 512, is_animated: false, is_video: false },
    } as Partial<Message>);
  }

  forward(text: string) {
    return this.send({ text, forward_origin: { type: "hidden_user", sender_user_name: "Someone", date: 1 } } as Partial<Message>);
  }

  edit(messageId: number, text: string) {
    this.tg.pushUpdate({
      edited_message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        edit_date: Math.floor(Date.now() / 1000),
        chat: this.chat,
        from: this.from,
        text,
      } as never,
    });
  }

  /** Presses a button (found by its exact label, or a RegExp) on a given or the latest message that has it. */
  press(label: string | RegExp, on?: BotMessage): string {
    const candidates = on ? [on] : [...this.tg.sentTo(this.id)].reverse();
    for (const m of candidates) {
      const current = this.tg.messages.get(m.message_id) ?? m;
      const button = (current.reply_markup?.inline_keyboard ?? []).flat().find((b) => (typeof label === "string" ? b.text === label : label.test(b.text)));
      if (button && "callback_data" in button) return this.pressData(button.callback_data!, current.message_id);
    }
    throw new Error(`no button ${label} in messages to ${this.id}:\n${this.transcript()}`);
  }

  /** Sends callback data as if from a button (for stale and forged presses). */
  pressData(data: string, messageId?: number): string {
    const id = String(callbackSeq++);
    const mid = messageId ?? this.tg.sentTo(this.id).at(-1)?.message_id ?? 1;
    this.tg.pushUpdate({
      callback_query: {
        id,
        from: this.from,
        chat_instance: String(this.id),
        data,
        message: { message_id: mid, date: 0, chat: this.chat, text: this.tg.messages.get(mid)?.text ?? "" } as never,
      },
    });
    return id;
  }

  /**
   * Opens an invite link (or plain /start when code is empty), chooses a language and accepts
   * the consent; resolves on the welcome message.
   */
  async join(code: string, lang: "en" | "km" = "en") {
    this.text(code ? `/start ${code}` : "/start");
    await this.expect(/Please choose your language|សូមជ្រើសរើសភាសារបស់អ្នក/);
    this.press(lang === "km" ? "ខ្មែរ" : "English");
    await this.expect(lang === "km" ? "មុននឹងចាប់ផ្តើម" : "Before we start");
    this.press(/✅/);
    return this.expect(lang === "km" ? "សូមស្វាគមន៍" : /Welcome|programme coordinator/);
  }

  /** Waits for the callback answer to a press. */
  async callbackAnswer(id: string, timeout = 20_000) {
    await waitFor(() => this.tg.callbackAnswers.has(id), timeout, `callback answer ${id}`);
    return this.tg.callbackAnswers.get(id)!;
  }

  /** Waits for the next message the bot sends to this user that has not been read yet. */
  async next(timeout = 20_000): Promise<BotMessage> {
    await waitFor(() => this.tg.sentTo(this.id).length > this.seen, timeout, `a message to ${this.id}\n${this.transcript()}`);
    return this.tg.sentTo(this.id)[this.seen++]!;
  }

  /** Reads messages until one matches; fails if none does in time. */
  async expect(match: string | RegExp, timeout = 20_000): Promise<BotMessage> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message matching ${match} to ${this.id}. Transcript:\n${this.transcript()}`);
      let m: BotMessage;
      try {
        m = await this.next(left);
      } catch {
        throw new Error(`no message matching ${match} to ${this.id}. Transcript:\n${this.transcript()}`);
      }
      if (typeof match === "string" ? m.text.includes(match) : match.test(m.text)) return m;
    }
  }

  /** Waits a moment and returns whatever arrived (possibly nothing). */
  async drain(ms = 300): Promise<BotMessage[]> {
    await new Promise((r) => setTimeout(r, ms));
    const all = this.tg.sentTo(this.id);
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh;
  }

  transcript(): string {
    return this.tg
      .sentTo(this.id)
      .map((m) => {
        const buttons = (m.reply_markup?.inline_keyboard ?? [])
          .flat()
          .map((b) => `[${b.text}]`)
          .join(" ");
        return `bot → ${this.id}: ${m.text}${buttons ? `\n    ${buttons}` : ""}`;
      })
      .join("\n");
  }
}

export async function waitFor(cond: () => boolean | Promise<boolean>, timeout = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
