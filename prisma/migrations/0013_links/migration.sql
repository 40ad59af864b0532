-- Links a coordinator makes between statements: the same change reported twice (a duplicate
-- from another source: counted once, both texts kept), or one change that led to another.
CREATE TABLE "outcome_links" (
    "id" SERIAL NOT NULL,
    "from_id" INTEGER NOT NULL,
    "to_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "outcome_links_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "outcome_links_from_id_fkey" FOREIGN KEY ("from_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "outcome_links_to_id_fkey" FOREIGN KEY ("to_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "outcome_links_kind_check" CHECK ("kind" IN ('same', 'led_to')),
    CONSTRAINT "outcome_links_not_itself" CHECK ("from_id" <> "to_id")
);
CREATE UNIQUE INDEX "outcome_links_from_id_to_id_key" ON "outcome_links"("from_id", "to_id");
CREATE INDEX "outcome_links_to_id_idx" ON "outcome_links"("to_id");
-- A statement is counted once with one other statement: at most one "same" link from it, even
-- when two coordinators mark it at the same moment.
CREATE UNIQUE INDEX "outcome_links_one_same" ON "outcome_links"("from_id") WHERE "kind" = 'same';
