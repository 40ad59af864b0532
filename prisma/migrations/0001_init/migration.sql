-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('leader', 'coordinator', 'substantiator');

-- CreateEnum
CREATE TYPE "OutcomeStatus" AS ENUM ('draft', 'submitted', 'needs_clarification', 'accepted', 'rejected');

-- CreateTable
CREATE TABLE "organisations" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organisations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "display_name" TEXT NOT NULL,
    "username" TEXT,
    "language" TEXT,
    "consent_at" TIMESTAMP(3),
    "pending_invite_id" INTEGER,
    "active_outcome_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "organisation_id" INTEGER NOT NULL,
    "role" "Role" NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "invite_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invites" (
    "id" SERIAL NOT NULL,
    "code_hash" TEXT NOT NULL,
    "organisation_id" INTEGER NOT NULL,
    "role" "Role" NOT NULL,
    "max_uses" INTEGER NOT NULL,
    "uses" INTEGER NOT NULL DEFAULT 0,
    "expires_at" TIMESTAMP(3) NOT NULL,
    "created_by_id" INTEGER,
    "request_key" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invites_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outcomes" (
    "id" SERIAL NOT NULL,
    "organisation_id" INTEGER NOT NULL,
    "author_id" INTEGER NOT NULL,
    "status" "OutcomeStatus" NOT NULL DEFAULT 'draft',
    "language" TEXT NOT NULL,
    "step" TEXT,
    "description" TEXT,
    "actor_name" TEXT,
    "actor_type" TEXT,
    "date_text" TEXT,
    "date_kind" TEXT,
    "date_start" TEXT,
    "date_end" TEXT,
    "place" TEXT,
    "significance" TEXT,
    "contribution" TEXT,
    "people_affected" INTEGER,
    "women_affected" INTEGER,
    "expected" BOOLEAN,
    "positive" BOOLEAN,
    "coaching_handled" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "sources" TEXT,
    "review_reached" BOOLEAN NOT NULL DEFAULT false,
    "discarded_at" TIMESTAMP(3),
    "submitted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "outcomes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outcome_evidence" (
    "id" SERIAL NOT NULL,
    "outcome_id" INTEGER NOT NULL,
    "part" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "file_id" TEXT NOT NULL,
    "file_unique_id" TEXT NOT NULL,
    "file_name" TEXT,
    "caption" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outcome_evidence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outcome_events" (
    "id" BIGSERIAL NOT NULL,
    "outcome_id" INTEGER NOT NULL,
    "actor_id" INTEGER,
    "type" TEXT NOT NULL,
    "field" TEXT,
    "old_value" TEXT,
    "new_value" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "outcome_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "conversation_state" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "conversation_state_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "organisations_name_key" ON "organisations"("name");

-- CreateIndex
CREATE UNIQUE INDEX "users_telegram_id_key" ON "users"("telegram_id");

-- CreateIndex
CREATE UNIQUE INDEX "memberships_user_id_organisation_id_key" ON "memberships"("user_id", "organisation_id");

-- CreateIndex
CREATE UNIQUE INDEX "invites_code_hash_key" ON "invites"("code_hash");

-- CreateIndex
CREATE UNIQUE INDEX "invites_request_key_key" ON "invites"("request_key");

-- CreateIndex
CREATE INDEX "outcomes_author_id_status_idx" ON "outcomes"("author_id", "status");

-- CreateIndex
CREATE INDEX "outcomes_organisation_id_status_idx" ON "outcomes"("organisation_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "outcome_evidence_outcome_id_file_unique_id_part_key" ON "outcome_evidence"("outcome_id", "file_unique_id", "part");

-- CreateIndex
CREATE INDEX "outcome_events_outcome_id_id_idx" ON "outcome_events"("outcome_id", "id");

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invites" ADD CONSTRAINT "invites_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invites" ADD CONSTRAINT "invites_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outcomes" ADD CONSTRAINT "outcomes_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outcomes" ADD CONSTRAINT "outcomes_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outcome_evidence" ADD CONSTRAINT "outcome_evidence_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outcome_events" ADD CONSTRAINT "outcome_events_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "outcome_events" ADD CONSTRAINT "outcome_events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- The outcome event log is append-only: nothing is ever overwritten without a trace.
CREATE FUNCTION "outcome_events_append_only"() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'outcome_events is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "outcome_events_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "outcome_events"
  FOR EACH ROW EXECUTE FUNCTION "outcome_events_append_only"();
