/**
 * Long polling that loses nothing: each fetched batch is stored in the inbox before the next
 * getUpdates call confirms it (its offset). @grammyjs/runner confirms a batch as soon as it has
 * fetched it, before anything is stored, and offers no hook between the two; this loop is the
 * few lines that put the store in between (the handling itself is the inbox's).
 */
import { GrammyError, HttpError, type Api } from "grammy";
import type { Update } from "grammy/types";
import { isDatabaseUnavailable } from "../db/client.js";
import type { Logger } from "../logger.js";

export interface PollerDeps {
  api: Api;
  /** Stores a batch durably; throws if it cannot. */
  store: (updates: Update[]) => Promise<void>;
  /** A batch was stored. */
  onStored: (updates: Update[]) => void;
  /** The batch cannot be stored because the database is away (tell the senders once). */
  onUnavailable?: (updates: Update[]) => Promise<void>;
  logger: Logger;
  allowedUpdates: readonly string[];
  /** Long-poll timeout in seconds. */
  timeout?: number;
}

export class Poller {
  private stopping = false;
  private abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly deps: PollerDeps) {}

  start() {
    this.stopping = false;
    this.running = this.loop();
  }

  /** Stops asking for updates; what was fetched and not stored is fetched again next time. */
  async stop() {
    this.stopping = true;
    this.abort.abort();
    await this.running;
  }

  private async loop() {
    const { api, logger } = this.deps;
    let offset: number | undefined;
    while (!this.stopping) {
      let updates: Update[];
      try {
        updates = await api.getUpdates(
          { offset, timeout: this.deps.timeout ?? 25, allowed_updates: this.deps.allowedUpdates as never },
          this.abort.signal as never,
        );
      } catch (e) {
        if (this.stopping) return;
        if (e instanceof GrammyError && e.error_code === 409) logger.error("another instance is polling with this token (409); retrying");
        else logger.warn({ message: e instanceof HttpError || e instanceof GrammyError ? e.message : String(e) }, "getUpdates failed; retrying");
        await sleep(1000);
        continue;
      }
      if (updates.length === 0) continue;
      if (!(await this.storeBatch(updates))) return;
      offset = updates[updates.length - 1]!.update_id + 1;
      this.deps.onStored(updates);
    }
  }

  /** Stores the batch, retrying while the database is away; false if stopped first. */
  private async storeBatch(updates: Update[]): Promise<boolean> {
    let told = false;
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        await this.deps.store(updates);
        return true;
      } catch (e) {
        const away = isDatabaseUnavailable(e);
        this.deps.logger.warn(
          { message: (e as Error).message, updates: updates.length },
          away ? "database unavailable: updates kept until they can be stored" : "could not store updates; retrying",
        );
        if (away && !told) {
          told = true;
          await this.deps.onUnavailable?.(updates).catch(() => {});
        }
      }
      if (this.stopping) return false;
      await sleep(wait);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
