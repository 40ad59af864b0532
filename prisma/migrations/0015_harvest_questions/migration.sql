-- The few questions a harvest round wants answered; coordinators tag statements to them, and
-- digests and exports group by them.
CREATE TABLE "harvest_questions" (
    "id" SERIAL NOT NULL,
    "round_id" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "harvest_questions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "harvest_questions_round_id_fkey" FOREIGN KEY ("round_id") REFERENCES "harvest_rounds"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE TABLE "outcome_questions" (
    "outcome_id" INTEGER NOT NULL,
    "question_id" INTEGER NOT NULL,
    CONSTRAINT "outcome_questions_pkey" PRIMARY KEY ("outcome_id", "question_id"),
    CONSTRAINT "outcome_questions_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
    CONSTRAINT "outcome_questions_question_id_fkey" FOREIGN KEY ("question_id") REFERENCES "harvest_questions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "outcome_questions_question_id_idx" ON "outcome_questions"("question_id");
