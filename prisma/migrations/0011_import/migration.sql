-- Statements imported from earlier harvests: their author need not be a bot user (the file's
-- "reported by" text), they carry the file's reference (importing again updates them), and
-- the date they were harvested, which is not the day they were loaded.
ALTER TABLE "outcomes" ALTER COLUMN "author_id" DROP NOT NULL;
ALTER TABLE "outcomes" ADD COLUMN "reported_by" TEXT;
ALTER TABLE "outcomes" ADD COLUMN "external_ref" TEXT;
ALTER TABLE "outcomes" ADD COLUMN "harvested_at" TIMESTAMP(3);
CREATE UNIQUE INDEX "outcomes_external_ref_key" ON "outcomes"("external_ref");

-- Files sent to /import: read by a background worker (a download from Telegram never happens
-- inside an update's transaction), then written when the coordinator confirms the dry run.
CREATE TABLE "import_jobs" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "chat_id" BIGINT NOT NULL,
    "lang" TEXT NOT NULL,
    "admin" BOOLEAN NOT NULL DEFAULT false,
    "file_id" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'reading',
    "file" TEXT,
    "creates" INTEGER,
    "updates" INTEGER,
    "problems" INTEGER,
    "lease_until" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "import_jobs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "import_jobs_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "import_jobs_status_id_idx" ON "import_jobs"("status", "id");
