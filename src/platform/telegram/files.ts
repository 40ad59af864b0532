/**
 * Downloads a file a person sent, by its Telegram file id: getFile, then one GET of the file's
 * URL under the Bot API root. Hand-written rather than @grammyjs/files, which writes the file to
 * disk: the importer wants the bytes in memory (and keeps them with its job). Never called inside
 * an update's transaction (platform/telegram/unit.ts refuses reads from Telegram there).
 */
import { Api } from "grammy";
import type { Config } from "../config.js";

export function fileDownloader(config: Pick<Config, "botToken" | "apiRoot" | "telegramTimeoutSeconds">) {
  const api = new Api(config.botToken, { apiRoot: config.apiRoot, timeoutSeconds: config.telegramTimeoutSeconds });
  return async (fileId: string): Promise<Buffer> => {
    const file = await api.getFile(fileId);
    if (!file.file_path) throw new Error("Telegram gave no path for the file");
    const res = await fetch(`${config.apiRoot}/file/bot${config.botToken}/${file.file_path}`, {
      signal: AbortSignal.timeout(config.telegramTimeoutSeconds * 1000 * 4),
    });
    // The URL holds the bot token: it is never put in an error message.
    if (!res.ok) throw new Error(`the file download answered ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  };
}
