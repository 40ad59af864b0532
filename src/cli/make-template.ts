/**
 * `npm run build`'s last step: the template a new embedded database starts from
 * (platform/db/template.ts): a data directory initialised and migrated here, so that the bot's
 * first start does neither. Made again when a migration or PGlite is newer than it; the bot
 * still applies any migration the template lacks, as on any directory.
 */
import { readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { openPglite, PGLITE_OPTIONS } from "../platform/db/client.js";
import { MIGRATIONS_DIR } from "../platform/db/migrate.js";
import { isTemplateCurrent, TEMPLATE_FILE } from "../platform/db/template.js";

const newest = Math.max(
  ...readdirSync(MIGRATIONS_DIR).map((m) => statSync(join(MIGRATIONS_DIR, m)).mtimeMs),
  statSync(createRequire(import.meta.url).resolve("@electric-sql/pglite")).mtimeMs,
);
if (isTemplateCurrent(newest)) console.log(`${TEMPLATE_FILE} is up to date`);
else {
  // initdb and the migrations run here, in the build: this process peaks at about 740 MB so that the bot does not.
  const lite = await PGlite.create("memory://", PGLITE_OPTIONS);
  const db = openPglite(lite);
  await db.migrate();
  const dump = await lite.dumpDataDir("gzip");
  await db.close();
  writeFileSync(TEMPLATE_FILE, Buffer.from(await dump.arrayBuffer()));
  console.log(`made ${TEMPLATE_FILE}`);
}
