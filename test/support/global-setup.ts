/**
 * Collects every log line of the whole test run (in-process bots and bot processes) in one
 * directory, and at the end fails the run if a secret appears in any of them.
 */
import { execFileSync } from "node:child_process";
import { PGlite } from "@electric-sql/pglite";
import { openDatabase, PGLITE_OPTIONS } from "../../src/platform/db/client.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SECRETS_NEVER_LOGGED } from "./secrets.js";

export async function setup() {
  // The bot and CLI processes the tests start run the compiled dist/, as `npm start` does: it is
  // brought up to date first (incremental: a few seconds when nothing changed).
  execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
  // The console's page, as `npm run build` makes it (under a second): the browser tests open it.
  execFileSync(process.execPath, ["node_modules/vite/bin/vite.js", "build", "--config", "web/console/vite.config.ts"], { stdio: "inherit" });
  // One migrated embedded database, dumped: each test file loads a copy (test/support/db.ts).
  const templateDir = mkdtempSync(join(tmpdir(), "oh-test-template-"));
  if (!process.env.TEST_POSTGRES_URL) {
    const lite = await PGlite.create("memory://", PGLITE_OPTIONS);
    const db = await openDatabase({ pglite: lite });
    await db.migrate();
    const dump = await lite.dumpDataDir("none");
    await db.close();
    process.env.TEST_PGLITE_TEMPLATE = join(templateDir, "migrated.tar");
    writeFileSync(process.env.TEST_PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()));
  }
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
    rmSync(templateDir, { recursive: true, force: true });
    if (leaks.length) throw new Error(`a secret was written to the logs of this test run:\n${leaks.join("\n")}`);
    if (process.env.CI) console.log(`log check: ${lines} log lines from ${files.length} files, no secret in them`);
  };
}
