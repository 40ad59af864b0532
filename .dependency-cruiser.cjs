/**
 * The layout's rules (npm run lint:deps, in CI). Features follow the method — onboarding, harvest,
 * review, classification, substantiation, reporting, privacy — over shared/ and platform/; app/ and
 * cli/ wire them up. See "Project layout" in the README.
 */
const FEATURES = "^src/(onboarding|harvest|import|review|classification|substantiation|reporting|privacy|console)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      severity: "error",
      comment: "A module never depends on itself through others: the order of reading is the order of building.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "platform-imports-no-feature",
      severity: "error",
      comment: "platform/ (database, i18n, Telegram plumbing) knows nothing of the method: no feature, no wiring, no shared rules.",
      from: { path: "^src/platform/" },
      to: { path: ["^src/(onboarding|harvest|import|review|classification|substantiation|reporting|privacy|console|shared|app|cli)/"] },
    },
    {
      name: "shared-imports-no-feature",
      severity: "error",
      comment:
        "shared/ (scopes, people, menus, the bot's context) is below every feature. Only types may come from a feature: the context carries the open draft every update reads.",
      from: { path: "^src/shared/" },
      to: { path: [FEATURES, "^src/(app|cli)/"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "features-import-no-wiring",
      severity: "error",
      comment: "Features are wired up by app/ and cli/, never the other way round.",
      from: { path: FEATURES },
      to: { path: "^src/(app|cli)/" },
    },
    {
      name: "service-imports-no-grammy",
      severity: "error",
      comment:
        "A service is called by the chat, the console, the CLI and the importer: no grammY and no chat plumbing in it. It may queue notices to other people (notify, outbox): they are stored in the same transaction as the change, whichever interface made it.",
      from: { path: "(^|/)service\\.ts$" },
      to: {
        path: ["(^|/)node_modules/(grammy|@grammyjs)/", "^src/platform/telegram/", "(^|/)(feature|callbacks)\\.ts$", "^src/shared/context\\.ts$"],
        pathNot: ["^src/platform/telegram/(notify|outbox|html|split|storage)\\.ts$"],
      },
    },
    {
      name: "views-import-no-database",
      severity: "error",
      comment: "A view is a pure function of data and a translator: no database (the generated types are only types).",
      from: { path: "(^|/)views\\.ts$" },
      to: { path: ["^src/platform/db/", "(^|/)node_modules/(@prisma|pg|@electric-sql)/", "(^|/)service\\.ts$"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "views-import-no-generated-runtime",
      severity: "error",
      comment: "Prisma's generated client in a view: only its types.",
      from: { path: "(^|/)views\\.ts$" },
      to: { path: "^src/generated/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/generated/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js"] },
  },
};
