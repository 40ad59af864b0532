/**
 * Collects every log line of the whole test run (in-process bots and bot processes) in one
 * directory, and at the end fails the run if a secret appears in any of them.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SECRETS_NEVER_LOGGED } from "./secrets.js";

export function setup() {
  // The bot and CLI processes the tests start run the compiled dist/, as `npm start` does: it is
  // brought up to date first (incremental: a few seconds when nothing changed).
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  const dir = mkdtempSync(join(tmpdir(), "oh-test-logs-"));
  process.env.TEST_LOG_DIR = dir;
  return () => {
    const files = readdirSync(dir);
    const leaks: string[] = [];
    let lines = 0;
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      lines += text.split("\n").length;
      for (const secret of SECRETS_NEVER_LOGGED) if (text.includes(secret)) leaks.push(`${f}: ${secret.slice(0, 6)}…`);
    }
    rmSync(dir, { recursive: true, force: true });
    if (leaks.length) throw new Error(`a secret was written to the logs of this test run:\n${leaks.join("\n")}`);
    if (process.env.CI) console.log(`log check: ${lines} log lines from ${files.length} files, no secret in them`);
  };
}
