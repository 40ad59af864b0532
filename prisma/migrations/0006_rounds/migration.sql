-- AlterTable
ALTER TABLE "users" ADD COLUMN     "reminders_paused" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "harvest_rounds" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "starts_at" TIMESTAMP(3) NOT NULL,
    "ends_at" TIMESTAMP(3) NOT NULL,
    "organisation_ids" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "harvest_rounds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "round_reminders" (
    "round_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "last_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "round_reminders_pkey" PRIMARY KEY ("round_id","user_id")
);

