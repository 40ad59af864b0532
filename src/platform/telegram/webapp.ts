/**
 * Telegram Mini App init data: the query string Telegram hands a Mini App, signed with the bot's
 * token. `@grammyjs/validator` checks the signature (HMAC-SHA256 keyed with
 * HMAC("WebAppData", token), as Telegram documents); this adds the maximum age and reads the user.
 */
import { validateWebAppData } from "@grammyjs/validator";

export interface InitDataUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type InitDataResult = { ok: true; user: InitDataUser; authDate: Date } | { ok: false; reason: "missing" | "forged" | "expired" | "no_user" };

/** Checks init data signed for this bot, no older than `maxAgeSeconds` (and not from the future). */
export function checkInitData(initData: string | undefined, botToken: string, now: Date, maxAgeSeconds: number): InitDataResult {
  if (!initData) return { ok: false, reason: "missing" };
  const params = new URLSearchParams(initData);
  if (!params.get("hash")) return { ok: false, reason: "forged" };
  let valid = false;
  try {
    valid = validateWebAppData(botToken, params);
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "forged" };
  const authDate = Number(params.get("auth_date"));
  if (!Number.isInteger(authDate)) return { ok: false, reason: "forged" };
  const age = now.getTime() / 1000 - authDate;
  // A minute of clock skew is allowed; init data dated further ahead is refused like an old one.
  if (age > maxAgeSeconds || age < -60) return { ok: false, reason: "expired" };
  let user: InitDataUser | undefined;
  try {
    user = JSON.parse(params.get("user") ?? "null") as InitDataUser | undefined;
  } catch {
    user = undefined;
  }
  if (!user || !Number.isSafeInteger(user.id)) return { ok: false, reason: "no_user" };
  return { ok: true, user, authDate: new Date(authDate * 1000) };
}

/** Signs init data as Telegram does: for tests, the benchmark and the screenshots. */
export async function signInitData(botToken: string, fields: Record<string, string>): Promise<string> {
  const { createHmac } = await import("node:crypto");
  const secret = createHmac("sha256", "WebAppData").update(botToken).digest();
  const check = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join("\n");
  const hash = createHmac("sha256", secret).update(check).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}
