/**
 * The background reader of files sent to /import. A download from Telegram never happens inside
 * an update's transaction (platform/telegram/unit.ts), so the update only records the file
 * (requestImport) and this worker downloads it, reads it, runs the dry run with the sender's
 * scope and queues the report, with the buttons to import or leave it when it has no problem.
 * A job is taken with a lease: two instances never read the same file; one that died while
 * reading leaves it to be read again (the report's messages have dedupe keys: never twice).
 */
import type { Db } from "../platform/db/client.js";
import { translator, isLang } from "../platform/i18n/index.js";
import type { Logger } from "../platform/logger.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { enqueue, wakeSendQueues } from "../platform/telegram/outbox.js";
import { packMessages } from "../platform/telegram/split.js";
import { coordinatorScope } from "../shared/access.js";
import { cancelImport, confirmImport } from "./callbacks.js";
import { readTable, UnreadableFile } from "./read.js";
import { planImport } from "./service.js";
import { importReport } from "./views.js";

export interface ReaderDeps {
  prisma: Db;
  logger: Logger;
  /** The file's bytes, by Telegram file id (platform/telegram/files.ts); Telegram refuses a file over 20 MB as "file is too big". */
  download(fileId: string): Promise<Buffer>;
  timeZone: string;
}

const LEASE_MS = 120_000;

/** Reads every file waiting to be read; returns how many. */
export async function readWaitingImports(deps: ReaderDeps, now = new Date()): Promise<number> {
  const { prisma } = deps;
  let read = 0;
  for (;;) {
    const job = await prisma.importJob.findFirst({
      where: { status: "reading", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      orderBy: { id: "asc" },
    });
    if (!job) return read;
    const { count } = await prisma.importJob.updateMany({
      where: { id: job.id, status: "reading", OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count !== 1) continue; // another instance took it
    await readJob(deps, job);
    read++;
  }
}

type Job = NonNullable<Awaited<ReturnType<Db["importJob"]["findFirst"]>>>;

async function readJob(deps: ReaderDeps, job: Job) {
  const { prisma, logger } = deps;
  const lang = isLang(job.lang) ? job.lang : "en";
  const t = translator(lang);
  const send = async (sections: string[], buttons?: ReturnType<typeof keyboard>, status = "failed", extra: Record<string, unknown> = {}) => {
    const messages = packMessages(sections);
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.importJob.updateMany({ where: { id: job.id, status: "reading" }, data: { status, leaseUntil: null, ...extra } });
      if (count !== 1) return;
      await enqueue(
        tx,
        messages.map((text, i) => ({
          chatId: job.chatId,
          payload: {
            text,
            parse_mode: "HTML",
            link_preview_options: { is_disabled: true },
            ...(buttons && i === messages.length - 1 ? { reply_markup: JSON.parse(JSON.stringify(buttons)) } : {}),
          },
          kind: "import_report",
          dedupeKey: `import:${job.id}:${i}`,
        })),
      );
    });
    wakeSendQueues();
  };
  let bytes: Buffer;
  try {
    bytes = await deps.download(job.fileId);
  } catch (e) {
    const tooLarge = String((e as Error).message).includes("file is too big");
    logger.warn({ job: job.id, message: (e as Error).message }, "import file not downloaded");
    return send([t(tooLarge ? "import.unreadable.too_large" : "import.download_failed")]);
  }
  try {
    const scope = await coordinatorScope(prisma, job.userId, job.admin);
    if (!scope) return send([t("errors.not_allowed")]);
    const plan = await planImport(prisma, { table: await readTable(bytes, job.fileName), scope, timeZone: deps.timeZone });
    const report = importReport(t, job.fileName, plan);
    const counts = { creates: plan.creates, updates: plan.updates, problems: plan.problems.length };
    if (plan.problems.length) return send(report, undefined, "failed", counts);
    const buttons = keyboard([
      { text: t("import.confirm", { count: plan.rows.length }), data: confirmImport.data({ job: job.id }) },
      { text: t("import.cancel"), data: cancelImport.data({ job: job.id }) },
    ]);
    logger.info({ job: job.id, ...counts }, "import file read");
    return send(report, buttons, "planned", { ...counts, file: bytes.toString("base64") });
  } catch (e) {
    if (e instanceof UnreadableFile) return send([t(`import.unreadable.${e.reason}`)]);
    throw e;
  }
}

/** Reads waiting files every `everyMs` (and once now); returns a function that stops it (and waits for a read under way). */
export function startImportReader(deps: ReaderDeps, everyMs = 2_000): () => Promise<void> {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = readWaitingImports(deps)
      .then(() => undefined)
      .catch((e) => deps.logger.error({ message: (e as Error).message }, "import reader failed"))
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
