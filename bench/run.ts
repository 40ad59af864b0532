/**
 * npm run bench: this bot's harvest steps against a bare grammY echo bot, both as real processes
 * talking to the same local fake Bot API, for 200 concurrent simulated leaders; then one digest
 * and one XLSX export over 10,000 statements. Prints a table. Not part of the test suite.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase, type Database } from "../src/platform/db/client.js";
import { FakeTelegram, type BotMessage } from "../test/support/fake-telegram.js";
import { PgCluster } from "../test/support/pg-cluster.js";
import { CONTRIBUTION, DESCRIPTION, SIGNIFICANCE, seedStatement } from "../test/support/statements.js";

const LEADERS = Number(process.env.BENCH_LEADERS ?? 200);
/** The embedded database serves a smaller programme: its targets are for 100 leaders at once. */
const PGLITE_LEADERS = Number(process.env.BENCH_PGLITE_LEADERS ?? process.env.BENCH_LEADERS ?? 100);
/** Node flags of `npm start` (package.json): the bot is measured as it runs. */
const NODE_FLAGS = [`--max-old-space-size=${process.env.MAX_HEAP_MB ?? 192}`];
const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 10_000);
const ORGS = 10;

type Step = { send?: string; press?: string; expect: RegExp };
const HARVEST: Step[] = [
  { send: "/new", expect: /What changed\?/ },
  { send: DESCRIPTION, expect: /Who changed\?/ },
  { send: "Provincial Department of Labour, Siem Reap", expect: /What kind of social actor/ },
  { press: "Government (national or local)", expect: /When did it change\?/ },
  { send: "March 2024", expect: /I understood: <b>March 2024<\/b>/ },
  { press: "Yes", expect: /Where did it happen\?/ },
  { send: "Siem Reap province", expect: /Why does it matter/ },
  { send: SIGNIFICANCE, expect: /What did .* do/ },
  { send: CONTRIBUTION, expect: /How many people/ },
  { send: "300", expect: /How many of them are women\?/ },
  { send: "about 280", expect: /expect<\/b> this change\?/ },
  { press: "Expected", expect: /positive or negative/ },
  { press: "👍 Positive", expect: /Evidence/ },
];
const ECHO: Step[] = HARVEST.map((s, i) => ({ send: s.send ?? `answer ${i}`, expect: /./ }));

interface LoadResult {
  /** The same leaders answering 1–2 s after each reply (still far faster than people type). */
  paced?: { perSecond: number; p50: number; p99: number };
  /** CPU time of the bot process per update (user + system) in the flat-out phase alone, ms. */
  cpuPerUpdate?: number;
  /** CPU time of PostgreSQL's processes per update in the flat-out phase (0 on PGlite: it is the bot's own), ms. */
  dbCpuPerUpdate?: number;
  /** PostgreSQL transactions (commits) per update in the flat-out phase: each costs round trips. */
  transactionsPerUpdate?: number;
  updates: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  rssMb: number;
}

/** Drives `users` through `steps` at once, each waiting for the bot's answer before the next step. */
async function load(tg: FakeTelegram, users: number[], steps: Step[], thinkMs?: () => number): Promise<Omit<LoadResult, "rssMb">> {
  const waiting = new Map<number, { re: RegExp; resolve: (m: BotMessage) => void }>();
  tg.onSend = (m) => {
    const w = waiting.get(m.chat_id);
    if (w?.re.test(m.text)) {
      waiting.delete(m.chat_id);
      w.resolve(m);
    }
  };
  const latencies: number[] = [];
  let seq = 1;
  const started = performance.now();
  await Promise.all(
    users.map(async (id) => {
      const from = { id, is_bot: false, first_name: `Leader${id}`, language_code: "en" };
      const chat = { id, type: "private" as const, first_name: from.first_name };
      let last: BotMessage | undefined;
      // Paced: people start at different moments too, not all in the same millisecond.
      if (thinkMs) await new Promise((r) => setTimeout(r, thinkMs()));
      for (const step of steps) {
        const answered = new Promise<BotMessage>((resolve, reject) => {
          waiting.set(id, { re: step.expect, resolve });
          setTimeout(
            () =>
              reject(
                new Error(
                  `leader ${id}: no ${step.expect} within 60 s; the bot sent:\n${tg
                    .sentTo(id)
                    .map((m) => m.text.slice(0, 120))
                    .join("\n")}`,
                ),
              ),
            60_000,
          ).unref();
        });
        const t0 = performance.now();
        if (step.press) {
          const button = last?.reply_markup?.inline_keyboard.flat().find((b) => b.text === step.press);
          if (!button || !("callback_data" in button)) throw new Error(`leader ${id}: no button ${step.press}`);
          tg.pushUpdate({
            callback_query: {
              id: `b${id}-${seq++}`,
              from,
              chat_instance: String(id),
              data: button.callback_data!,
              message: { message_id: last!.message_id, date: 0, chat, text: last!.text } as never,
            },
          });
        } else {
          const text = step.send!;
          const entities = text.startsWith("/") ? [{ type: "bot_command" as const, offset: 0, length: text.length }] : undefined;
          tg.pushUpdate({ message: { message_id: tg.newMessageId(), date: Math.floor(Date.now() / 1000), chat, from, text, entities } as never });
        }
        last = await answered;
        latencies.push(performance.now() - t0);
        if (thinkMs) await new Promise((r) => setTimeout(r, thinkMs()));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return { updates: latencies.length, seconds, perSecond: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
}

const outputs = new Map<ChildProcess, () => string>();

/** The errors a bot process logged (shown when a run fails). */
function errorsOf(p: ChildProcess): string {
  return (outputs.get(p)?.() ?? "")
    .split("\n")
    .filter((l) => /"level":(50|60)/.test(l))
    .slice(-5)
    .join("\n");
}

function startProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
    const p = spawn(process.execPath, [...NODE_FLAGS, ...extra, ...(script.endsWith(".ts") ? ["--import", "tsx"] : []), script], {
      env: { PATH: process.env.PATH!, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('"msg":"bot started')) resolve(p);
      if (out.length > 1_000_000) out = out.slice(-200_000);
    };
    outputs.set(p, () => out);
    p.stdout!.on("data", onData);
    p.stderr!.on("data", (d) => (out += d));
    p.once("exit", (code) => reject(new Error(`${script} exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

/**
 * User + system CPU time of every PostgreSQL process on this machine so far, ms: the server's
 * backends of the bot's connections do its database work (nothing else runs on it during a phase).
 */
function postgresCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (!stat.includes("(postgres)")) continue;
      const fields = stat.split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return (ticks * 1000) / 100;
}

/** User + system CPU time of a process so far, ms. */
function cpuMs(p: ChildProcess, which: "both" | "system" = "both"): number {
  const fields = readFileSync(`/proc/${p.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const [utime, stime] = [Number(fields[11]), Number(fields[12])]; // clock ticks (100/s)
  return ((which === "system" ? stime : utime + stime) * 1000) / 100;
}

function peakRssMb(p: ChildProcess): number {
  const status = readFileSync(`/proc/${p.pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function stopProcess(p: ChildProcess) {
  const exited = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  await exited;
}

/** 200 leaders (one organisation each, consented), ready to report. */
async function seedLeaders(db: Database, ids: number[]) {
  const orgs: Array<{ id: number }> = [];
  for (let i = 0; i < ORGS; i++)
    orgs.push(await db.prisma.organisation.upsert({ where: { name: `Bench Union ${i}` }, create: { name: `Bench Union ${i}` }, update: {} }));
  for (const [i, id] of ids.entries()) {
    const u = await db.prisma.user.create({ data: { telegramId: BigInt(id), displayName: `Leader${id}`, language: "en", consentAt: new Date() } });
    await db.prisma.membership.create({ data: { userId: u.id, organisationId: orgs[i % ORGS]!.id, role: "leader" } });
  }
}

type BotKind = "echo" | "floor" | "floor-prepared" | "pglite" | "postgres";

async function measureBot(kind: BotKind, postgresUrl?: string): Promise<LoadResult> {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const env: Record<string, string> = { BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" };
  const warmup = Array.from({ length: 20 }, (_, i) => 100_000 + i);
  const count = kind === "pglite" ? PGLITE_LEADERS : LEADERS;
  const leaders = Array.from({ length: count }, (_, i) => 200_000 + i);
  const pacedLeaders = Array.from({ length: count }, (_, i) => 300_000 + i);
  let dataDir: string | undefined;
  let script = "dist/app/main.js"; // the compiled bot, as `npm start` runs it
  if (kind === "echo") script = "bench/echo-bot.ts";
  if (kind === "floor" || kind === "floor-prepared") {
    script = "bench/floor-bot.ts";
    if (kind === "floor-prepared") env.FLOOR_PREPARED = "1";
  }
  if (kind !== "echo") {
    let db: Database;
    if (kind === "pglite") {
      dataDir = mkdtempSync(join(tmpdir(), "oh-bench-"));
      db = await openDatabase({ dataDir });
      env.DATA_DIR = dataDir;
    } else {
      db = await openDatabase({ databaseUrl: postgresUrl });
      env.DATABASE_URL = postgresUrl!;
    }
    await db.migrate();
    await seedLeaders(db, [...warmup, ...leaders, ...pacedLeaders]);
    await db.close();
  }
  env.LOG_LEVEL = "info";
  const p = await startProcess(script, env);
  try {
    await load(tg, warmup, kind === "echo" ? ECHO : HARVEST);
    // Each phase's CPU is read at its start and end: the paced phase's idle time is not counted
    // against the flat-out updates.
    const commits = async () => {
      if (!postgresUrl) return 0;
      const c = new pg.Client({ connectionString: postgresUrl });
      await c.connect();
      try {
        return Number((await c.query(`SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`)).rows[0].xact_commit);
      } finally {
        await c.end();
      }
    };
    const commits0 = await commits();
    const cpu0 = cpuMs(p);
    const db0 = postgresCpuMs();
    const sys0 = cpuMs(p, "system");
    const result = await load(tg, leaders, kind === "echo" ? ECHO : HARVEST).catch((e) => {
      throw new Error(`${(e as Error).message}\nbot errors:\n${errorsOf(p)}`);
    });
    const cpuPerUpdate = (cpuMs(p) - cpu0) / result.updates;
    const dbCpuPerUpdate = kind === "echo" || kind === "pglite" ? 0 : (postgresCpuMs() - db0) / result.updates;
    // The statistics collector reports with a little delay.
    await new Promise((r) => setTimeout(r, 700));
    const transactionsPerUpdate = postgresUrl ? (await commits()) - commits0 - 1 : undefined;
    const paced = await load(tg, pacedLeaders, kind === "echo" ? ECHO : HARVEST, () => 1000 + Math.random() * 1000).catch((e) => {
      throw new Error(`${(e as Error).message}\nbot errors:\n${errorsOf(p)}`);
    });
    if (process.env.BENCH_ONLY) console.log(`system CPU per update: ${((cpuMs(p, "system") - sys0) / result.updates).toFixed(2)} ms`);
    return {
      ...result,
      cpuPerUpdate,
      dbCpuPerUpdate,
      transactionsPerUpdate: transactionsPerUpdate === undefined ? undefined : transactionsPerUpdate / result.updates,
      paced: { perSecond: paced.perSecond, p50: paced.p50, p99: paced.p99 },
      rssMb: peakRssMb(p),
    };
  } finally {
    await stopProcess(p);
    await tg.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** 10,000 statements over the last 30 days in 10 organisations, with decisions and questions. */
async function seedStatements(db: Database) {
  const p = db.prisma;
  const orgs: Array<{ id: number }> = [];
  for (let i = 0; i < ORGS; i++)
    orgs.push(await p.organisation.upsert({ where: { name: `Digest Union ${i}` }, create: { name: `Digest Union ${i}` }, update: {} }));
  const author = await p.user.create({ data: { telegramId: 900_000_001n, displayName: "Author", language: "en", consentAt: new Date() } });
  const now = Date.now();
  const statuses = ["submitted", "accepted", "accepted", "needs_clarification", "rejected"] as const;
  for (let start = 0; start < STATEMENTS; start += 1000) {
    await p.outcome.createMany({
      data: Array.from({ length: Math.min(1000, STATEMENTS - start) }, (_, k) => {
        const i = start + k;
        const at = new Date(now - (i % 30) * 86_400_000 - (i % 24) * 3_600_000);
        return {
          organisationId: orgs[i % ORGS]!.id,
          authorId: author.id,
          status: statuses[i % statuses.length]!,
          language: i % 3 ? "en" : "km",
          description: `${DESCRIPTION} (${i})`,
          actorName: `Commune council ${i % 50}`,
          actorType: "government",
          dateText: "March 2024",
          dateKind: "month",
          dateStart: `2024-${String((i % 12) + 1).padStart(2, "0")}`,
          place: "Siem Reap province",
          significance: SIGNIFICANCE,
          contribution: CONTRIBUTION,
          peopleAffected: 100 + (i % 400),
          womenAffected: 50 + (i % 200),
          expected: i % 2 === 0,
          positive: i % 7 !== 0,
          reviewReached: true,
          submittedAt: at,
          waitingSince: at,
        };
      }),
    });
  }
  const ids = (await p.outcome.findMany({ select: { id: true, status: true, submittedAt: true } })).filter(
    (o) => o.status === "accepted" || o.status === "rejected",
  );
  // The accepted ones classified by social actor, so filters and charts by an option have work to do.
  const actors = await p.dimensionOption.findMany({ where: { dimension: { key: "social_actor" } }, orderBy: { position: "asc" } });
  const accepted = ids.filter((o) => o.status === "accepted");
  for (let start = 0; start < accepted.length; start += 1000) {
    await p.classification.createMany({
      data: accepted.slice(start, start + 1000).map((o, k) => ({ outcomeId: o.id, optionId: actors[(start + k) % actors.length]!.id })),
    });
  }
  for (let start = 0; start < ids.length; start += 1000) {
    await p.outcomeEvent.createMany({
      data: ids
        .slice(start, start + 1000)
        .map((o) => ({ outcomeId: o.id, type: "status_changed", oldValue: "submitted", newValue: o.status, createdAt: o.submittedAt! })),
    });
  }
}

interface ConsoleResult {
  firstPageMs: number;
  filteredMs: number;
  optionMs: number;
  lastPageMs: number;
  oneMs: number;
  renderMs?: number;
}

/** Runs a script of bench/ in a process of its own (started like the bot) and reads the JSON it prints last. */
async function benchScript(script: string, args: string[]): Promise<unknown> {
  const out = await new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, [...NODE_FLAGS, "--import", "tsx", script, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    p.stdout!.on("data", (d) => (text += d));
    p.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`${script} exited with ${code}`))));
  });
  return JSON.parse(out.trim().split("\n").at(-1)!);
}

/** Seeds 10,000 statements, then builds a digest and an export in a fresh process started like the bot, and measures the console in another. */
async function measureReports(kind: "pglite" | "postgres", postgresUrl?: string) {
  const dataDir = kind === "pglite" ? mkdtempSync(join(tmpdir(), "oh-bench-reports-")) : undefined;
  try {
    const db = dataDir ? await openDatabase({ dataDir }) : await openDatabase({ databaseUrl: postgresUrl });
    await db.migrate();
    await seedStatements(db);
    await db.close();
    const reports = (await benchScript("bench/reports.ts", [dataDir ?? postgresUrl!, String(STATEMENTS)])) as {
      digestMs: number;
      exportMs: number;
      xlsxMb: number;
      rssMb: number;
    };
    const console_ = (await benchScript("bench/console.ts", [dataDir ?? postgresUrl!])) as ConsoleResult;
    return { ...reports, console: console_ };
  } finally {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Another feature's hot step: a press of this callback data (made from the statement and the message it is pressed on). */
interface PressStep {
  name: string;
  data: (outcomeId: number, optionId: number) => string;
  /** Pressed on the message the step before sent (else on none). */
  onLast?: boolean;
  /** The call that ends the step, to the coordinator's chat. */
  done: (method: string, text: string) => boolean;
}

/**
 * Review and classification presses, as coordinators make them, through the same bot process:
 * open a statement's card and accept it; open the classification of another and choose an
 * option. Each coordinator works on statements of their own, all at once, a press as soon as
 * the answer to the one before arrived. Returns per step: presses/s, p50/p99, CPU per press.
 */
async function measurePresses(kind: "pglite" | "postgres", postgresUrl?: string) {
  const { openCard, reviewAction } = await import("../src/review/callbacks.js");
  const { classify, chooseOption } = await import("../src/classification/callbacks.js");
  const COORDINATORS = 20;
  const EACH = 10;
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const env: Record<string, string> = { BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" };
  const dataDir = kind === "pglite" ? mkdtempSync(join(tmpdir(), "oh-bench-press-")) : undefined;
  const db = dataDir ? await openDatabase({ dataDir }) : await openDatabase({ databaseUrl: postgresUrl });
  if (dataDir) env.DATA_DIR = dataDir;
  else env.DATABASE_URL = postgresUrl!;
  await db.migrate();
  const p_ = db.prisma;
  const coordinators = Array.from({ length: COORDINATORS }, (_, i) => 400_000 + i);
  await p_.user.create({ data: { telegramId: 399_999n, displayName: "Author", language: "en", consentAt: new Date() } });
  const work = new Map<number, { submitted: number[]; accepted: number[] }>();
  for (const id of coordinators) {
    const org = await p_.organisation.create({ data: { name: `Press Union ${id}` } });
    const u = await p_.user.create({ data: { telegramId: BigInt(id), displayName: `Coordinator${id}`, language: "en", consentAt: new Date() } });
    await p_.membership.create({ data: { userId: u.id, organisationId: org.id, role: "coordinator" } });
    const make = (status: "submitted" | "accepted") => seedStatement(db.prisma, { authorTelegramId: 399_999, org: org.name, status });
    const submitted: number[] = [];
    const accepted: number[] = [];
    for (let k = 0; k < EACH; k++) {
      submitted.push((await make("submitted")).id);
      accepted.push((await make("accepted")).id);
    }
    work.set(id, { submitted, accepted });
  }
  const option = (await p_.dimensionOption.findFirstOrThrow({ where: { dimension: { key: "change_type" } }, orderBy: { position: "asc" } })).id;
  await db.close();
  const p = await startProcess("dist/app/main.js", env);
  const run = async (steps: PressStep[], pick: (w: { submitted: number[]; accepted: number[] }) => number[]) => {
    const waiting = new Map<number, { done: PressStep["done"]; resolve: (messageId: number) => void }>();
    tg.onCall = (method, payload, result) => {
      const chat = Number(payload.chat_id);
      const w = waiting.get(chat);
      const text = String(payload.text ?? (result as { text?: string })?.text ?? "");
      if (w?.done(method, text)) {
        waiting.delete(chat);
        w.resolve(Number((result as { message_id?: number })?.message_id ?? payload.message_id ?? 0));
      }
    };
    const latencies: number[] = [];
    const cpu0 = cpuMs(p);
    const started = performance.now();
    let seq = 1;
    await Promise.all(
      coordinators.map(async (id) => {
        const from = { id, is_bot: false, first_name: `Coordinator${id}`, language_code: "en" };
        const chat = { id, type: "private" as const, first_name: from.first_name };
        for (const outcomeId of pick(work.get(id)!)) {
          let last = 0;
          for (const step of steps) {
            const answered = new Promise<number>((resolve, reject) => {
              waiting.set(id, { done: step.done, resolve });
              setTimeout(() => reject(new Error(`coordinator ${id}: ${step.name} on ${outcomeId} not answered within 60 s\n${errorsOf(p)}`)), 60_000).unref();
            });
            const t0 = performance.now();
            tg.pushUpdate({
              callback_query: {
                id: `p${id}-${seq++}`,
                from,
                chat_instance: String(id),
                data: step.data(outcomeId, option),
                message: { message_id: step.onLast ? last : 1, date: 0, chat, text: "" } as never,
              },
            });
            last = await answered;
            latencies.push(performance.now() - t0);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const q = (x: number) => latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))]!;
    return { perSecond: latencies.length / seconds, p50: q(0.5), p99: q(0.99), cpuPerUpdate: (cpuMs(p) - cpu0) / latencies.length };
  };
  try {
    const review = await run(
      [
        { name: "open a card", data: (id) => openCard.data({ id }), done: (m, t) => m === "sendMessage" && /What do you want to do\?/.test(t) },
        {
          name: "accept",
          data: (id) => reviewAction.data({ id, version: 0, action: "accept" }),
          onLast: true,
          done: (m, t) => m === "sendMessage" && /accepted/i.test(t),
        },
      ],
      (w) => w.submitted,
    );
    const classifying = await run(
      [
        { name: "open the classification", data: (id) => classify.data({ id, page: 0 }), done: (m) => m === "sendMessage" },
        {
          name: "choose an option",
          data: (id, optionId) => chooseOption.data({ id, option: optionId, selected: true, page: 0 }),
          onLast: true,
          done: (m) => m === "editMessageText" || m === "editMessageReplyMarkup",
        },
      ],
      (w) => w.accepted,
    );
    return { review, classifying, rssMb: peakRssMb(p) };
  } finally {
    await stopProcess(p);
    await tg.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The bot's start on the embedded database: on an empty data directory (the first start: the
 * build's template is loaded, then migrated) and again on the same directory. Time to "bot
 * started", and the process's peak RSS over its first five seconds.
 */
async function measureStarts() {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const dataDir = mkdtempSync(join(tmpdir(), "oh-bench-start-"));
  const env = { BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: dataDir };
  const once = async () => {
    const t0 = performance.now();
    const p = await startProcess("dist/app/main.js", env);
    const ms = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5000));
    const rssMb = peakRssMb(p);
    await stopProcess(p);
    return { ms, rssMb };
  };
  try {
    return { first: await once(), again: await once() };
  } finally {
    await tg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A PostgreSQL server: BENCH_POSTGRES_URL, the local one on 5432, or a private one started here. */
async function postgres() {
  const base = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  let cluster: PgCluster | undefined;
  let admin = base;
  try {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.end();
  } catch {
    cluster = await PgCluster.create();
    admin = cluster.url;
  }
  const names: string[] = [];
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  return {
    async newDatabase(): Promise<string> {
      const name = `oh_bench_${process.pid}_${names.length}`;
      names.push(name);
      await run(`CREATE DATABASE "${name}"`);
      const u = new URL(admin);
      u.pathname = `/${name}`;
      return u.toString();
    },
    async done() {
      for (const n of names) await run(`DROP DATABASE IF EXISTS "${n}" WITH (FORCE)`);
      cluster?.destroy();
    },
  };
}

const fmt = (n: number, d = 0) => n.toFixed(d);

async function main() {
  if (process.env.BENCH_ONLY === "presses") {
    const server = await postgres();
    console.log(JSON.stringify({ postgres: await measurePresses("postgres", await server.newDatabase()), pglite: await measurePresses("pglite") }));
    await server.done();
    return;
  }
  if (process.env.BENCH_ONLY === "start") {
    console.log(JSON.stringify(await measureStarts()));
    return;
  }
  if (process.env.BENCH_ONLY === "reports") {
    // Only the digest, export and console over 10,000 statements: BENCH_ONLY=reports npm run bench.
    const server = await postgres();
    console.log(JSON.stringify({ pglite: await measureReports("pglite"), postgres: await measureReports("postgres", await server.newDatabase()) }));
    await server.done();
    return;
  }
  if (process.env.BENCH_ONLY) {
    // Profiling aid: one run only, e.g. BENCH_ONLY=postgres BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
    const only = process.env.BENCH_ONLY as BotKind;
    const server = only === "pglite" || only === "echo" ? undefined : await postgres();
    const r = await measureBot(only, server ? await server.newDatabase() : undefined);
    console.log(JSON.stringify(r));
    await server?.done();
    return;
  }
  const pgServer = await postgres();
  try {
    console.log(`Benchmark: ${LEADERS} concurrent leaders × ${HARVEST.length} harvest steps; ${STATEMENTS} statements for digest and export`);
    const echo = await measureBot("echo");
    console.log(`echo done: ${fmt(echo.perSecond)} updates/s`);
    const floor = await measureBot("floor", await pgServer.newDatabase());
    console.log(`floor done: ${fmt(floor.perSecond)} updates/s`);
    const floorPrepared = await measureBot("floor-prepared", await pgServer.newDatabase());
    console.log(`floor with prepared statements done: ${fmt(floorPrepared.perSecond)} updates/s`);
    const lite = await measureBot("pglite");
    console.log(`harvest on PGlite done: ${fmt(lite.perSecond)} updates/s`);
    const onPg = await measureBot("postgres", await pgServer.newDatabase());
    console.log(`harvest on PostgreSQL done: ${fmt(onPg.perSecond)} updates/s`);
    const reportsLite = await measureReports("pglite");
    const reportsPg = await measureReports("postgres", await pgServer.newDatabase());
    const pressesPg = await measurePresses("postgres", await pgServer.newDatabase());
    const pressesLite = await measurePresses("pglite");
    const starts = await measureStarts();

    const row = (name: string, r: LoadResult) => [
      name,
      fmt(r.perSecond),
      `${fmt((100 * r.perSecond) / echo.perSecond)}%`,
      `${fmt((100 * r.perSecond) / floorPrepared.perSecond)}%`,
      fmt(r.cpuPerUpdate ?? 0, 2),
      fmt(r.dbCpuPerUpdate ?? 0, 2),
      `${fmt(r.p50)} / ${fmt(r.p99)}`,
      `${fmt(r.paced!.p50)} / ${fmt(r.paced!.p99)}`,
      fmt(r.rssMb),
    ];
    console.log(
      `\n| ${LEADERS} concurrent leaders | updates/s (flat out) | of echo | of the prepared floor | bot CPU ms/update | PostgreSQL CPU ms/update | p50 / p99 ms (flat out) | p50 / p99 ms (answers 1–2 s apart) | peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
    );
    for (const r of [
      row("bare grammY echo bot", echo),
      row("floor: one harvest step's unavoidable work (PostgreSQL)", floor),
      row("floor with prepared statements (PostgreSQL)", floorPrepared),
      row(`harvest steps, PGlite (${PGLITE_LEADERS} leaders)`, lite),
      row("harvest steps, PostgreSQL", onPg),
    ])
      console.log(`| ${r.join(" | ")} |`);
    console.log(
      `\nRatios: harvest on PostgreSQL / prepared floor ${fmt((100 * onPg.perSecond) / floorPrepared.perSecond)}%; prepared floor / echo ${fmt((100 * floorPrepared.perSecond) / echo.perSecond)}%; plain floor / echo ${fmt((100 * floor.perSecond) / echo.perSecond)}%. PostgreSQL transactions per update: harvest ${fmt(onPg.transactionsPerUpdate ?? 0, 2)}, floor ${fmt(floorPrepared.transactionsPerUpdate ?? 0, 2)}.`,
    );
    const press = (name: string, r: { perSecond: number; p50: number; p99: number; cpuPerUpdate: number }, harvest: LoadResult) =>
      `| ${name} | ${fmt(r.perSecond)} | ${fmt(r.cpuPerUpdate, 2)} | ${fmt(r.cpuPerUpdate / (harvest.cpuPerUpdate ?? 1), 1)}× | ${fmt(r.p50)} / ${fmt(r.p99)} |`;
    console.log(
      `\n| 20 coordinators at once, each press after the answer to the one before | presses/s | bot CPU ms/press | of a harvest step's | p50 / p99 ms |\n|---|---:|---:|---:|---:|`,
    );
    console.log(press("review: open a card, accept (PostgreSQL)", pressesPg.review, onPg));
    console.log(press("classification: open, choose an option (PostgreSQL)", pressesPg.classifying, onPg));
    console.log(press("review: open a card, accept (PGlite)", pressesLite.review, lite));
    console.log(press("classification: open, choose an option (PGlite)", pressesLite.classifying, lite));
    console.log(
      `\n| start on the embedded database | time to "bot started" | peak RSS in the first 5 s |\n|---|---:|---:|\n| first start (empty data directory) | ${fmt(starts.first.ms)} ms | ${fmt(starts.first.rssMb)} MB |\n| later start | ${fmt(starts.again.ms)} ms | ${fmt(starts.again.rssMb)} MB |`,
    );
    console.log(`\n| ${STATEMENTS} statements | PGlite | PostgreSQL |\n|---|---:|---:|`);
    console.log(`| one digest (median of 3) | ${fmt(reportsLite.digestMs)} ms | ${fmt(reportsPg.digestMs)} ms |`);
    console.log(
      `| XLSX export | ${fmt(reportsLite.exportMs)} ms (${fmt(reportsLite.xlsxMb, 1)} MB) | ${fmt(reportsPg.exportMs)} ms (${fmt(reportsPg.xlsxMb, 1)} MB) |`,
    );
    console.log(`| peak RSS of the process doing both | ${fmt(reportsLite.rssMb)} MB | ${fmt(reportsPg.rssMb)} MB |`);
    const cl = reportsLite.console;
    const cp = reportsPg.console;
    console.log(`| console API: first page of the table (median of 5) | ${fmt(cl.firstPageMs)} ms | ${fmt(cp.firstPageMs)} ms |`);
    console.log(`| console API: first page, filtered (status, organisation, period, words) | ${fmt(cl.filteredMs)} ms | ${fmt(cp.filteredMs)} ms |`);
    console.log(`| console API: first page, by a dimension option, sorted by date | ${fmt(cl.optionMs)} ms | ${fmt(cp.optionMs)} ms |`);
    console.log(`| console API: page 100 of 100 | ${fmt(cl.lastPageMs)} ms | ${fmt(cp.lastPageMs)} ms |`);
    console.log(`| console API: one statement | ${fmt(cl.oneMs)} ms | ${fmt(cp.oneMs)} ms |`);
    const render = (r: ConsoleResult) => (r.renderMs === undefined ? "no Chromium" : `${fmt(r.renderMs)} ms`);
    console.log(`| console page: navigation to the table's first row (headless Chromium) | ${render(cl)} | ${render(cp)} |`);
    const targets = [
      [`harvest on PostgreSQL ≥ 75% of the prepared floor`, onPg.perSecond >= 0.75 * floorPrepared.perSecond],
      [`p99 < 250 ms flat out (PGlite, PostgreSQL)`, lite.p99 < 250 && onPg.p99 < 250],
      [`p99 < 250 ms with answers 1–2 s apart (PostgreSQL ${LEADERS} leaders, PGlite ${PGLITE_LEADERS})`, lite.paced!.p99 < 250 && onPg.paced!.p99 < 250],
      [`digest < 1 s`, Math.max(reportsLite.digestMs, reportsPg.digestMs) < 1000],
      [`XLSX export < 10 s`, Math.max(reportsLite.exportMs, reportsPg.exportMs) < 10_000],
      [
        `console API: first page with a filter < 200 ms (PGlite, PostgreSQL)`,
        Math.max(reportsLite.console.filteredMs, reportsPg.console.filteredMs, reportsLite.console.optionMs, reportsPg.console.optionMs) < 200,
      ],
      [
        `RSS < 400 MB (every bot process, its first start included, and digest + export)`,
        Math.max(lite.rssMb, onPg.rssMb, reportsLite.rssMb, reportsPg.rssMb, pressesPg.rssMb, pressesLite.rssMb, starts.first.rssMb, starts.again.rssMb) < 400,
      ],
      [
        `no other hot step costs ten times a harvest step's CPU`,
        Math.max(pressesPg.review.cpuPerUpdate, pressesPg.classifying.cpuPerUpdate) < 10 * (onPg.cpuPerUpdate ?? 0),
      ],
    ] as const;
    console.log("\nTargets:");
    for (const [name, ok] of targets) console.log(`  ${ok ? "met " : "MISSED"}  ${name}`);
  } finally {
    await pgServer.done();
  }
}

await main();
process.exit(0);
