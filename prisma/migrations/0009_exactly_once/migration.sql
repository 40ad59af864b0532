-- The durable inbox: every update Telegram delivers is stored before it is acknowledged, and its
-- effect and its "handled" mark commit in one transaction (replaces processed_updates' leases).
CREATE TABLE "inbox_updates" (
    "update_id" BIGINT NOT NULL,
    "chat_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "handled_at" TIMESTAMP(3),
    "error" TEXT,

    CONSTRAINT "inbox_updates_pkey" PRIMARY KEY ("update_id")
);
-- Only open updates are indexed for the worker's pick: handled ones (kept three days) cost nothing.
CREATE INDEX "inbox_updates_open_idx" ON "inbox_updates"("update_id") WHERE "handled_at" IS NULL;
CREATE INDEX "inbox_updates_open_chat_idx" ON "inbox_updates"("chat_key", "update_id") WHERE "handled_at" IS NULL;
CREATE INDEX "inbox_updates_received_at_idx" ON "inbox_updates"("received_at");

DROP TABLE "processed_updates";

-- A reply's follow-up once Telegram has sent it (e.g. record the message id of a question).
ALTER TABLE "outbox" ADD COLUMN "on_sent" TEXT;

-- Programme scope belongs to a coordinator membership and ends with it.
ALTER TABLE "memberships" ADD COLUMN "programme_wide" BOOLEAN NOT NULL DEFAULT false;
UPDATE "memberships" m SET "programme_wide" = true
  FROM "users" u WHERE u."id" = m."user_id" AND u."programme_wide" AND m."role" = 'coordinator' AND m."active";
ALTER TABLE "users" DROP COLUMN "programme_wide";

-- Who ended a membership, and when: an invite never reactivates it.
ALTER TABLE "memberships" ADD COLUMN "ended_at" TIMESTAMP(3);
ALTER TABLE "memberships" ADD COLUMN "ended_by_id" INTEGER;
UPDATE "memberships" SET "ended_at" = CURRENT_TIMESTAMP WHERE NOT "active";

-- Coordinators can revoke an invite link.
ALTER TABLE "invites" ADD COLUMN "revoked_at" TIMESTAMP(3);
