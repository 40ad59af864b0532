import { fileURLToPath } from "node:url";

/**
 * Where the console's built page is: dist/web/console, from src/app (tests) as from dist/app (the
 * running bot). A module of its own: vitest's transform of import.meta fails in app/console.ts.
 */
export const PAGE_DIR = fileURLToPath(new URL("../../dist/web/console", import.meta.url));
