/**
 * A fake Telegram Bot API on 127.0.0.1 for end-to-end tests. The bot talks to it over real
 * HTTP (getUpdates long polling, sendMessage, ...). It records every call, so tests can
 * assert what a person would see. It also serves as the bot's peer in the benchmark.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InlineKeyboardMarkup, Message, Update } from "grammy/types";
import { TEST_BOT_TOKEN } from "./secrets.js";

export interface ApiCall {
  method: string;
  payload: Record<string, any>;
  /** When the call arrived (ms). */
  at?: number;
}

export interface BotMessage {
  message_id: number;
  chat_id: number;
  text: string;
  parse_mode?: string;
  reply_markup?: InlineKeyboardMarkup;
  method: string;
  /** The raw payload (for files: photo/document/voice ids). */
  payload: Record<string, any>;
}

export const BOT_USER = { id: 999_000_001, is_bot: true, first_name: "Harvest Bot", username: "harvest_test_bot" };

export class FakeTelegram {
  readonly token: string;
  calls: ApiCall[] = [];
  /** Every message the bot sent or edited, by message id. */
  messages = new Map<number, BotMessage>();
  /** Messages in the order they were sent, per chat. */
  private outbox = new Map<number, BotMessage[]>();
  private updates: Update[] = [];
  private nextUpdateId = 1;
  private nextMessageId = 1;
  private waiters: Array<() => void> = [];
  /** The highest getUpdates offset seen: every update below it was fully handled by the bot. */
  private confirmedOffset = 0;
  private server?: Server;
  /** Set by setWebhook: updates are then POSTed there (with the secret) instead of polled. */
  webhook?: { url: string; secret?: string };
  private webhookPending = 0;
  /**
   * Like the Bot API server: webhook updates wait in queues (a chat's messages in one, a
   * person's button presses in another), one update of a queue in flight at a time, each
   * retried until it gets a 2xx.
   */
  private webhookQueues = new Map<string, Update[]>();
  /** Where a webhook update goes (default: the registered URL); two instances behind one address. */
  route?: (u: Update) => string | undefined;
  /** The bot's own view of "done" (its inbox is empty); settled() waits for it too. */
  busy?: () => Promise<boolean>;
  /** Files people sent, by file id, for getFile and the download. */
  files = new Map<string, { bytes: Buffer; path: string }>();
  /** Answers from answerCallbackQuery, by callback query id. */
  callbackAnswers = new Map<string, { text?: string; show_alert?: boolean }>();
  /** Each chat's menu button, as the bot last set it. */
  menuButtons = new Map<number, { type: string; text?: string; web_app?: { url: string } }>();
  /** Optional fault injection: return a response instead of handling the call. */
  intercept?: (method: string, payload: Record<string, any>) => { status: number; body: unknown; afterMs?: number } | undefined;
  /** Called for every message the bot sends (the benchmark measures latency with it). */
  onSend?: (m: BotMessage) => void;
  /** Called for every Bot API call Telegram took (the benchmark times presses with it). */
  onCall?: (method: string, payload: Record<string, any>, result: unknown) => void;
  /** Optional slowness: milliseconds to wait before answering a call (a slow or hanging Telegram). */
  delay?: (method: string, payload: Record<string, any>) => number | undefined;

  constructor(token = TEST_BOT_TOKEN) {
    this.token = token;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return this.apiRoot;
  }

  get apiRoot(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const w of this.waiters.splice(0)) w();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server?.closeAllConnections?.();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const raw = body.toString("utf8");
    // A file's download (after getFile): GET /file/bot<token>/<file_path>, as Telegram serves it.
    const download = /^\/file\/bot([^/]+)\/(.+)$/.exec(req.url ?? "");
    if (download) {
      const file = download[1] === this.token ? [...this.files.values()].find((f) => f.path === decodeURIComponent(download[2]!)) : undefined;
      if (!file) {
        res.writeHead(404).end("Not Found");
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(file.bytes);
      return;
    }
    const match = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? "");
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (!match || match[1] !== this.token) return send(401, { ok: false, error_code: 401, description: "Unauthorized" });
    const method = match[2]!;
    let payload: Record<string, any> = {};
    const type = String(req.headers["content-type"] ?? "");
    if (type.startsWith("multipart/form-data")) {
      // Uploads (sendDocument with a file): fields as strings, files as { name, bytes }.
      for (const part of parseMultipart(body, /boundary=("?)([^";]+)\1/.exec(type)?.[2] ?? "")) {
        if (part.filename === undefined) {
          const text = part.data.toString("utf8");
          try {
            payload[part.name] = JSON.parse(text);
          } catch {
            payload[part.name] = text;
          }
        } else payload[part.name] = { name: part.filename, bytes: part.data };
      }
      for (const [key, value] of Object.entries(payload)) {
        if (typeof value === "string" && value.startsWith("attach://")) payload[key] = payload[value.slice("attach://".length)];
      }
    } else if (raw) {
      try {
        payload = JSON.parse(raw);
      } catch {
        payload = Object.fromEntries(new URLSearchParams(raw));
      }
    }
    const wait = this.delay?.(method, payload);
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const injected = this.intercept?.(method, payload);
    if (injected) {
      // afterMs: a request Telegram never answers in time (the bot's client gives up first).
      if (injected.afterMs) await new Promise((r) => setTimeout(r, injected.afterMs));
      if (!res.destroyed) send(injected.status, injected.body);
      return;
    }
    if (method !== "getUpdates") this.calls.push({ method, payload, at: Date.now() });
    try {
      const result = await this.dispatch(method, payload);
      this.onCall?.(method, payload, result);
      send(200, { ok: true, result });
    } catch (e) {
      send(400, { ok: false, error_code: 400, description: (e as Error).message });
    }
  }

  private async dispatch(method: string, p: Record<string, any>): Promise<unknown> {
    switch (method) {
      case "getMe":
        return BOT_USER;
      case "getUpdates": {
        const offset = Number(p.offset ?? 0);
        this.confirmedOffset = Math.max(this.confirmedOffset, offset);
        this.updates = this.updates.filter((u) => u.update_id >= offset);
        if (this.updates.length === 0) {
          const waitMs = Math.min(Number(p.timeout ?? 0) * 1000, 300);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            this.waiters.push(() => {
              clearTimeout(timer);
              resolve();
            });
          });
        }
        return this.updates.slice(0, Number(p.limit ?? 100));
      }
      case "getFile": {
        const file = this.files.get(String(p.file_id));
        if (!file) throw new Error("Bad Request: invalid file_id");
        // Like Telegram: a bot may not download a file over 20 MB.
        if (file.bytes.length > 20 * 1024 * 1024) throw new Error("Bad Request: file is too big");
        return { file_id: p.file_id, file_unique_id: `u-${p.file_id}`, file_size: file.bytes.length, file_path: file.path };
      }
      case "setWebhook":
        this.webhook = { url: String(p.url), secret: p.secret_token };
        return true;
      case "deleteWebhook":
        this.webhook = undefined;
        return true;
      case "sendMessage":
        return this.record(method, p, p.text);
      case "sendPhoto":
      case "sendDocument":
      case "sendVoice":
      case "sendAudio":
      case "sendVideo":
        return this.record(method, p, p.caption ?? "");
      case "editMessageText":
      case "editMessageReplyMarkup": {
        const m = this.messages.get(Number(p.message_id));
        if (!m) throw new Error("Bad Request: message to edit not found");
        if (method === "editMessageText") {
          // Like Telegram: an edit is held to the same rules as a new message.
          if (p.parse_mode === "HTML") assertValidHtml(String(p.text));
          if (String(p.text ?? "").length > 4096) throw new Error("Bad Request: MESSAGE_TOO_LONG");
          if (String(p.text ?? "").trim() === "") throw new Error("Bad Request: message text is empty");
          m.text = p.text;
        }
        m.reply_markup = p.reply_markup;
        if (method === "editMessageText") m.parse_mode = p.parse_mode;
        return this.asTelegramMessage(m);
      }
      case "setChatMenuButton": {
        const button = p.menu_button ?? { type: "default" };
        // Like Telegram: a Mini App opens only from an https URL.
        if (button.type === "web_app") assertWebAppUrl(button.web_app?.url);
        this.menuButtons.set(Number(p.chat_id), button);
        return true;
      }
      default:
        if (method === "answerCallbackQuery") {
          // Like Telegram: a callback query is answered once; a second answer fails.
          if (this.callbackAnswers.has(p.callback_query_id))
            throw new Error("Bad Request: query is too old and response timeout expired or query ID is invalid");
          this.callbackAnswers.set(p.callback_query_id, { text: p.text, show_alert: p.show_alert });
        }
        return true;
    }
  }

  private record(method: string, p: Record<string, any>, text: string) {
    const m: BotMessage = {
      message_id: this.nextMessageId++,
      chat_id: Number(p.chat_id),
      text: text ?? "",
      parse_mode: p.parse_mode,
      reply_markup: p.reply_markup,
      method,
      payload: p,
    };
    if (p.parse_mode === "HTML") assertValidHtml(m.text);
    for (const row of p.reply_markup?.inline_keyboard ?? []) for (const b of row) if (b.web_app) assertWebAppUrl(b.web_app.url);
    if (m.text.length > 4096) throw new Error("Bad Request: message is too long");
    if (method === "sendMessage" && m.text.trim() === "") throw new Error("Bad Request: message text is empty");
    if (method !== "sendMessage" && m.text.length > 1024) throw new Error("Bad Request: message caption is too long");
    this.messages.set(m.message_id, m);
    const list = this.outbox.get(m.chat_id) ?? [];
    list.push(m);
    this.outbox.set(m.chat_id, list);
    this.onSend?.(m);
    return this.asTelegramMessage(m);
  }

  private asTelegramMessage(m: BotMessage): Message {
    return {
      message_id: m.message_id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: m.chat_id, type: "private", first_name: "User" },
      from: BOT_USER,
      text: m.text,
      reply_markup: m.reply_markup,
    } as Message;
  }

  /** Messages the bot sent to a chat, in order. */
  sentTo(chatId: number): BotMessage[] {
    return this.outbox.get(chatId) ?? [];
  }

  /** Every update pushed, in order (a test may deliver one again, as Telegram may). */
  pushed: Update[] = [];

  pushUpdate(update: Omit<Update, "update_id">): number {
    const u = { ...update, update_id: this.nextUpdateId++ } as Update;
    this.pushed.push(u);
    if (this.webhook) {
      this.enqueueWebhook(u);
      return u.update_id;
    }
    this.updates.push(u);
    for (const w of this.waiters.splice(0)) w();
    return u.update_id;
  }

  /** The queue an update travels in at Telegram: callback queries per person, the rest per chat. */
  static queueOf(u: Update): string {
    if (u.callback_query) return `cb:${u.callback_query.from.id}`;
    const chat = u.message?.chat ?? u.edited_message?.chat ?? u.my_chat_member?.chat;
    return `chat:${chat?.id ?? 0}`;
  }

  private enqueueWebhook(u: Update) {
    const key = FakeTelegram.queueOf(u);
    const queue = this.webhookQueues.get(key);
    this.webhookPending++;
    if (queue) {
      queue.push(u);
      return;
    }
    this.webhookQueues.set(key, [u]);
    void this.drainWebhookQueue(key);
  }

  /** Like Telegram: one update of the queue at a time, POSTed until it gets a 2xx, then the next. */
  private async drainWebhookQueue(key: string) {
    const queue = this.webhookQueues.get(key)!;
    while (queue.length) {
      const u = queue[0]!;
      for (let wait = 100; this.webhook; wait = Math.min(wait * 2, 2_000)) {
        const status = await this.deliver(u).catch(() => 0);
        if (status >= 200 && status < 300) break;
        await new Promise((r) => setTimeout(r, wait));
      }
      queue.shift();
      this.webhookPending--;
    }
    this.webhookQueues.delete(key);
  }

  /** One webhook call with the given secret (default: the registered one); returns the HTTP status. */
  async deliver(update: Update, secret: string | null | undefined = this.webhook?.secret): Promise<number> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (secret) headers["x-telegram-bot-api-secret-token"] = secret;
    const res = await fetch(this.route?.(update) ?? this.webhook!.url, { method: "POST", headers, body: JSON.stringify(update) });
    await res.arrayBuffer();
    return res.status;
  }

  /** The id of the last update pushed. */
  get lastUpdateId(): number {
    return this.nextUpdateId - 1;
  }

  /** A fresh update id, for updates a test delivers itself. */
  newUpdateId(): number {
    return this.nextUpdateId++;
  }

  /** Resolves once the bot has finished handling every update pushed so far. */
  async settled(timeout = 5000): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const delivered = this.webhook ? this.webhookPending === 0 : this.confirmedOffset >= this.nextUpdateId;
      if (delivered && !(await this.busy?.())) return;
      if (Date.now() > deadline) throw new Error("the bot did not finish handling its updates");
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  newMessageId(): number {
    return this.nextMessageId++;
  }
}

/** Telegram rejects HTML with unknown tags or unbalanced ones; so does this check. */
/** Telegram refuses a Mini App button whose URL is not https. */
function assertWebAppUrl(url: unknown) {
  if (typeof url !== "string" || !/^https:\/\/[^/\s]+/.test(url)) throw new Error("Bad Request: BUTTON_URL_INVALID: only HTTPS links are allowed");
}

export function assertValidHtml(html: string): void {
  const allowed = new Set(["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "blockquote", "span"]);
  const stack: string[] = [];
  for (const m of html.matchAll(/<(\/?)([a-zA-Z-]+)[^>]*>/g)) {
    const [, closing, tag] = m;
    if (!allowed.has(tag!)) throw new Error(`Bad Request: can't parse entities: unsupported tag <${tag}>`);
    if (closing) {
      if (stack.pop() !== tag) throw new Error(`Bad Request: can't parse entities: unexpected </${tag}>`);
    } else stack.push(tag!);
  }
  if (stack.length) throw new Error(`Bad Request: can't parse entities: unclosed <${stack[0]}>`);
  if (/&(?!(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)/.test(html)) throw new Error("Bad Request: can't parse entities: bare &");
}

/** A small multipart/form-data reader: enough for the Bot API uploads grammY sends. */
function parseMultipart(body: Buffer, boundary: string): Array<{ name: string; filename?: string; data: Buffer }> {
  const parts: Array<{ name: string; filename?: string; data: Buffer }> = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const chunk = body.subarray(start + delimiter.length + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = chunk.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const headers = chunk.subarray(0, headerEnd).toString("utf8");
      const name = /[^e]name="?([^";\r\n]*)"?/.exec(headers)?.[1] ?? "";
      const filename = /filename="?([^";\r\n]*)"?/.exec(headers)?.[1];
      parts.push({ name, filename, data: Buffer.from(chunk.subarray(headerEnd + 4)) });
    }
    start = next;
  }
  return parts;
}
