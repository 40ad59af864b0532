/**
 * Retries for every Bot API call the bot makes while handling an update, at the level of the
 * HTTP request. (grammY's API transformers, such as the auto-retry plugin, do not reach the calls
 * made inside conversations; the client's `fetch` does.) A 429 waits `retry_after`, a 5xx, a
 * network failure and a request that takes too long are retried with a growing pause. Uploads
 * (a stream body) are not retried. The send queue does not use this: it has its own retries.
 */
import { createRequire } from "node:module";
import type { ApiClientOptions } from "grammy";

type Fetch = NonNullable<ApiClientOptions["fetch"]>;

/** grammY's own fetch on Node.js (node-fetch with its keep-alive agents). */
function grammyFetch(): Fetch {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve("grammy"))("node-fetch") as Fetch;
}

export interface RetryOptions {
  /** Attempts in all (first try included). */
  attempts: number;
  /** How long one attempt may take. */
  attemptTimeoutMs: number;
  /** The pause before the first retry; it doubles each time. */
  backoffMs: number;
  /** Longer retry_after values are not waited for (the error goes to the caller). */
  maxRetryAfterMs: number;
}

export const RETRY_DEFAULTS: RetryOptions = { attempts: 4, attemptTimeoutMs: 30_000, backoffMs: 500, maxRetryAfterMs: 30_000 };

export function retryingFetch(opts: Partial<RetryOptions> = {}, base: Fetch = grammyFetch()): Fetch {
  const o = { ...RETRY_DEFAULTS, ...opts };
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return (async (url: Parameters<Fetch>[0], init: Parameters<Fetch>[1] = {}) => {
    // Long polling has its own timeout and retries (the runner's).
    if (String(url).endsWith("/getUpdates")) return base(url, init);
    const outer = init.signal as AbortSignal | undefined;
    const replayable = init.body === undefined || typeof init.body === "string";
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= o.attempts || !replayable;
      const controller = new AbortController();
      const onAbort = () => controller.abort();
      outer?.addEventListener("abort", onAbort);
      const timer = setTimeout(() => controller.abort(), o.attemptTimeoutMs);
      try {
        const res = await base(url, { ...init, signal: controller.signal as never });
        if (!last && (res.status === 429 || res.status >= 500)) {
          const body = (await res
            .clone()
            .json()
            .catch(() => ({}))) as { parameters?: { retry_after?: number } };
          const retryAfter = (body.parameters?.retry_after ?? 0) * 1000;
          if (res.status === 429 && retryAfter > o.maxRetryAfterMs) return res;
          await wait(res.status === 429 ? Math.max(retryAfter, 100) : o.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        return res;
      } catch (e) {
        if (last || outer?.aborted) throw e;
        await wait(o.backoffMs * 2 ** (attempt - 1));
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onAbort);
      }
    }
  }) as Fetch;
}
