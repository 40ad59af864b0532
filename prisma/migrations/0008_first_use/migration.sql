-- AlterTable
ALTER TABLE "outcomes" ADD COLUMN     "prompt_message_id" INTEGER;

-- AlterTable
ALTER TABLE "thread_messages" ADD COLUMN     "file_kind" TEXT;

-- AlterTable
ALTER TABLE "digest_subscriptions" ADD COLUMN     "submit_notices" TEXT NOT NULL DEFAULT 'each';

-- Answers with a file were voice notes until now.
UPDATE "thread_messages" SET "file_kind" = 'voice' WHERE "file_id" IS NOT NULL;
