/**
 * One process per embedded database directory. PGlite is PostgreSQL in one process, with no
 * server to arbitrate: a second process on the same files (a second bot, or the CLI while the
 * bot runs) would write over the first, and both bots would answer the same updates. The lock
 * is a file next to the directory, created exclusively, naming the process that holds it. A lock
 * left by a process that no longer exists (killed) is taken over.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, resolve } from "node:path";

export class DirectoryInUseError extends Error {}

interface Holder {
  pid: number;
  command: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const describe = () =>
  process.argv
    .slice(1)
    .map((a, i) => (i === 0 ? basename(a) : a))
    .join(" ");

/** Takes the lock of `dir`; returns the function that releases it. Throws DirectoryInUseError if another process holds it. */
export function lockDirectory(dir: string): () => void {
  const path = `${resolve(dir)}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx");
      const me: Holder = { pid: process.pid, command: describe(), since: new Date().toISOString() };
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return () => {
        try {
          if ((JSON.parse(readFileSync(path, "utf8")) as Holder).pid === process.pid) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let holder: Holder | undefined;
    let damaged = false;
    try {
      holder = JSON.parse(readFileSync(path, "utf8")) as Holder;
    } catch {
      // Being written this moment, or left empty by a process killed between creating and writing it.
      const stat = statSync(path, { throwIfNoEntry: false });
      damaged = stat !== undefined && Date.now() - stat.mtimeMs > 5_000;
    }
    if (holder && alive(holder.pid)) {
      throw new DirectoryInUseError(
        `The embedded database in ${dir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}). ` +
          "Stop that process first, or set DATABASE_URL to use PostgreSQL, which serves several processes.",
      );
    }
    if (holder || damaged) {
      try {
        unlinkSync(path); // left by a process that died
      } catch {
        /* someone else took it over first */
      }
    }
  }
  throw new DirectoryInUseError(`The embedded database in ${dir} is locked (${path}) and the lock cannot be taken.`);
}
