/** The bot as a real child process (dist/app/main.js, as `npm start` runs it), for restart and fault tests. */
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, expect } from "vitest";
import { openDatabase, type Database } from "../../src/platform/db/client.js";
import { FakeTelegram } from "./fake-telegram.js";
import { freePort } from "./net.js";
import { PgCluster } from "./pg-cluster.js";
import { logSink } from "./secrets.js";
import { waitFor } from "./user.js";

export class BotProcess {
  output = "";
  private proc?: ChildProcess;

  constructor(private readonly env: Record<string, string>) {}

  async start(timeout = 60_000) {
    this.output = "";
    const p = spawn(process.execPath, ["dist/app/main.js"], {
      env: { PATH: process.env.PATH!, LOG_LEVEL: "info", ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const sink = logSink("bot-process");
    for (const stream of [p.stdout!, p.stderr!]) {
      stream.on("data", (d) => {
        this.output += d;
        sink(String(d));
      });
    }
    this.proc = p;
    await waitFor(() => this.output.includes('"msg":"bot started') || p.exitCode !== null, timeout, "the bot process to start");
    expect(p.exitCode, this.output).toBeNull();
  }

  /** SIGKILL: no chance to finish anything. */
  async kill() {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGKILL");
    await exited;
  }

  /** SIGTERM; resolves with the exit code. */
  async terminate(): Promise<number | null> {
    const p = this.proc!;
    if (p.exitCode !== null) return p.exitCode;
    const exited = new Promise<number | null>((resolve) => p.once("exit", (code) => resolve(code)));
    p.kill("SIGTERM");
    return exited;
  }

  /** The JSON log lines so far. */
  logs(): Array<Record<string, unknown>> {
    return this.output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  }
}

/**
 * A bot process on a private PostgreSQL server and the fake Bot API, for the fault tests: started
 * before the tests of a describe block, stopped after. `env` adds to or overrides the defaults.
 */
export function useBotProcess(env: (ctx: { tg: FakeTelegram; port: number }) => Record<string, string> = () => ({})) {
  const it = {} as { pg: PgCluster; tg: FakeTelegram; db: Database; bot: BotProcess };
  beforeAll(async () => {
    it.pg = await PgCluster.create();
    it.tg = new FakeTelegram();
    await it.tg.start();
    const port = await freePort();
    it.bot = new BotProcess({
      BOT_TOKEN: it.tg.token,
      TELEGRAM_API_ROOT: it.tg.apiRoot,
      DATABASE_URL: it.pg.url,
      TELEGRAM_TIMEOUT_SECONDS: "2",
      RATE_LIMIT_PER_MINUTE: "10000",
      PORT: String(port),
      HOST: "127.0.0.1",
      ...env({ tg: it.tg, port }),
    });
    await it.bot.start();
    it.db = await openDatabase({ databaseUrl: it.pg.url });
  }, 120_000);
  afterAll(async () => {
    await it.bot?.kill();
    await it.tg?.stop();
    await it.db?.close();
    it.pg?.destroy();
  });
  return it;
}
