/**
 * A private PostgreSQL server for fault tests: created in a temporary directory, and stopped and
 * started by the test itself (the shared server of the machine is never touched).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";

export function postgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

export class PgCluster {
  private constructor(
    private readonly bin: string,
    readonly dir: string,
    readonly port: number,
  ) {}

  get url() {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** initdb + start; as root the server runs as the postgres user, as PostgreSQL requires. */
  static async create(): Promise<PgCluster> {
    const bin = postgresBin();
    if (!bin) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql; .ci/run does)");
    const dir = mkdtempSync(join(tmpdir(), "oh-fault-pg-"));
    chmodSync(dir, 0o777);
    const cluster = new PgCluster(bin, dir, await freePort());
    cluster.run("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"]);
    cluster.start();
    return cluster;
  }

  private run(tool: string, args: string[]) {
    const cmd = join(this.bin, tool);
    const asRoot = process.getuid?.() === 0;
    const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    execFileSync(asRoot ? "su" : "sh", asRoot ? ["postgres", "-s", "/bin/sh", "-c", quoted] : ["-c", quoted], { stdio: "pipe", timeout: 60_000 });
  }

  start() {
    this.run("pg_ctl", [
      "-D",
      join(this.dir, "data"),
      "-l",
      join(this.dir, "log"),
      "-w",
      "-o",
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  }

  /** Stops the server at once (open connections are cut), as a crash or restart would. */
  stop() {
    this.run("pg_ctl", ["-D", join(this.dir, "data"), "-m", "fast", "-w", "stop"]);
  }

  destroy() {
    try {
      this.stop();
    } catch {
      /* already stopped */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
