-- Statements imported from earlier harvests: their author need not be a bot user (the file's
-- "reported by" text), they carry the file's reference (importing again updates them), and
-- the date they were harvested, which is not the day they were loaded.
ALTER TABLE "outcomes" ALTER COLUMN "author_id" DROP NOT NULL;
ALTER TABLE "outcomes" ADD COLUMN "reported_by" TEXT;
ALTER TABLE "outcomes" ADD COLUMN "external_ref" TEXT;
ALTER TABLE "outcomes" ADD COLUMN "harvested_at" TIMESTAMP(3);
CREATE UNIQUE INDEX "outcomes_external_ref_key" ON "outcomes"("external_ref");
