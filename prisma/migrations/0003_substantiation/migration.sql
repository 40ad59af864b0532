-- AlterTable
ALTER TABLE "outcomes" ADD COLUMN     "in_doubt" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "substantiator_suggestions" (
    "id" SERIAL NOT NULL,
    "outcome_id" INTEGER NOT NULL,
    "suggested_by_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT,
    "relation" TEXT,
    "contact" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "substantiator_suggestions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "substantiations" (
    "id" SERIAL NOT NULL,
    "outcome_id" INTEGER NOT NULL,
    "selected_by_id" INTEGER,
    "reasons" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "substantiations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "substantiation_assignments" (
    "id" SERIAL NOT NULL,
    "substantiation_id" INTEGER NOT NULL,
    "outcome_id" INTEGER NOT NULL,
    "code_hash" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "created_by_id" INTEGER,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "user_id" INTEGER,
    "status" TEXT NOT NULL DEFAULT 'invited',
    "anonymous" BOOLEAN,
    "consent_at" TIMESTAMP(3),
    "decline_reason" TEXT,
    "refused_reason" TEXT,
    "reminders_sent" INTEGER NOT NULL DEFAULT 0,
    "last_reminder_at" TIMESTAMP(3),
    "opened_at" TIMESTAMP(3),
    "submitted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "substantiation_assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "substantiation_answers" (
    "id" SERIAL NOT NULL,
    "assignment_id" INTEGER NOT NULL,
    "part" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "comment" TEXT,
    "comment_file_id" TEXT,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "substantiation_answers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sample_proposals" (
    "id" SERIAL NOT NULL,
    "coordinator_id" INTEGER NOT NULL,
    "organisation_id" INTEGER,
    "outcome_ids" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "reasons" JSONB NOT NULL,
    "confirmed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sample_proposals_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "substantiator_suggestions_outcome_id_idx" ON "substantiator_suggestions"("outcome_id");

-- CreateIndex
CREATE UNIQUE INDEX "substantiations_outcome_id_key" ON "substantiations"("outcome_id");

-- CreateIndex
CREATE UNIQUE INDEX "substantiation_assignments_code_hash_key" ON "substantiation_assignments"("code_hash");

-- CreateIndex
CREATE INDEX "substantiation_assignments_outcome_id_idx" ON "substantiation_assignments"("outcome_id");

-- CreateIndex
CREATE INDEX "substantiation_assignments_user_id_status_idx" ON "substantiation_assignments"("user_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "substantiation_answers_assignment_id_part_key" ON "substantiation_answers"("assignment_id", "part");

-- AddForeignKey
ALTER TABLE "substantiator_suggestions" ADD CONSTRAINT "substantiator_suggestions_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "substantiations" ADD CONSTRAINT "substantiations_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "substantiation_assignments" ADD CONSTRAINT "substantiation_assignments_substantiation_id_fkey" FOREIGN KEY ("substantiation_id") REFERENCES "substantiations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "substantiation_assignments" ADD CONSTRAINT "substantiation_assignments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "substantiation_answers" ADD CONSTRAINT "substantiation_answers_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "substantiation_assignments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

