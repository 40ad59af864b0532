/** The secrets tests give the bot; no log line of a test run may contain them. */
export const TEST_BOT_TOKEN = "123456:TEST-token-abcdefghijklmnop";
export const TEST_WEBHOOK_SECRET = "webhook-secret-0123456789abcdef";
export const SECRETS_NEVER_LOGGED = [TEST_BOT_TOKEN.split(":")[1]!, TEST_WEBHOOK_SECRET];

import { appendFileSync } from "node:fs";
import { join } from "node:path";

/** Appends log output to this run's log directory (set by the global setup), if any. */
export function logSink(name: string): (chunk: string) => void {
  const dir = process.env.TEST_LOG_DIR;
  if (!dir) return () => {};
  const file = join(dir, `${name}-${process.pid}.log`);
  return (chunk) => appendFileSync(file, chunk);
}
