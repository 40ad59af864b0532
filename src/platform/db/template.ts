/**
 * A new embedded database starts from a template made at build time (`npm run build`): a
 * PGlite data directory, initialised and migrated, as a gzipped tar. PGlite's own initdb, run in
 * the bot on first start, took about 2.8 s and made the bot peak at 820 MB (WebAssembly memory
 * never shrinks). Without the file (a checkout not built), PGlite initialises the directory
 * itself as before.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { extract } from "tar";

/** dist/pglite-template.tar.gz, next to the compiled code (from src/ too, in the tests). */
export const TEMPLATE_FILE = fileURLToPath(new URL("../../../dist/pglite-template.tar.gz", import.meta.url));

/** Whether `dir` holds no database yet (PostgreSQL writes PG_VERSION first). */
export const isNewDataDir = (dir: string) => !existsSync(join(dir, "PG_VERSION"));

/**
 * Writes the template into a new data directory (true), if it was built. It is unpacked on disk
 * before PGlite opens the directory, so the first start opens an initialised directory like
 * any later start: PGlite's own loadDataDir unpacks it inside the WebAssembly memory, which
 * peaked at 400 MB for the bot.
 */
export function unpackTemplate(dir: string): boolean {
  if (dir.startsWith("memory://") || !isNewDataDir(dir) || !existsSync(TEMPLATE_FILE)) return false;
  // PG_VERSION, which marks the directory as a database, is written last: a process stopped while
  // unpacking leaves a directory that the next start still takes for new, and unpacks again.
  const marker = (path: string) => path.replace(/^\/+/, "") === "PG_VERSION";
  extract({ file: TEMPLATE_FILE, cwd: dir, sync: true, filter: (path) => !marker(path) });
  extract({ file: TEMPLATE_FILE, cwd: dir, sync: true, filter: marker });
  return true;
}

/** Whether the template exists and is newer than `mtimeMs` (the newest migration, PGlite). */
export const isTemplateCurrent = (mtimeMs: number) => existsSync(TEMPLATE_FILE) && statSync(TEMPLATE_FILE).mtimeMs > mtimeMs;
