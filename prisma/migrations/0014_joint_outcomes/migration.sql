-- Joint outcomes: besides its lead organisation, a statement may have contributing ones. Their
-- coordinators see it and their own counts include it; programme totals count it once.
CREATE TABLE "outcome_organisations" (
    "outcome_id" INTEGER NOT NULL,
    "organisation_id" INTEGER NOT NULL,
    CONSTRAINT "outcome_organisations_pkey" PRIMARY KEY ("outcome_id", "organisation_id"),
    CONSTRAINT "outcome_organisations_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "outcome_organisations_organisation_id_fkey" FOREIGN KEY ("organisation_id") REFERENCES "organisations"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "outcome_organisations_organisation_id_idx" ON "outcome_organisations"("organisation_id");
