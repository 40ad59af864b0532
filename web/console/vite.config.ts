// The coordinators' console: built into dist/web/console, served by the bot under /console/.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("../../dist/web/console", import.meta.url)),
    emptyOutDir: true,
    target: "es2020",
    // Only Khmer and Latin glyphs are loaded (the font's other subsets are never asked for).
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
