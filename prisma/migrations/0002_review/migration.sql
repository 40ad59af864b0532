-- AlterEnum
ALTER TYPE "OutcomeStatus" ADD VALUE 'returned';

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "pending_input" JSONB,
ADD COLUMN     "programme_wide" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "invites" ADD COLUMN     "programme_wide" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "outcomes" ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "waiting_since" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "thread_messages" (
    "id" SERIAL NOT NULL,
    "outcome_id" INTEGER NOT NULL,
    "author_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT,
    "file_id" TEXT,
    "reply_to_id" INTEGER,
    "delivered" BOOLEAN,
    "answered_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "thread_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dimensions" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "multiple" BOOLEAN NOT NULL DEFAULT false,
    "position" INTEGER NOT NULL DEFAULT 0,
    "labels" JSONB NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "dimensions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dimension_options" (
    "id" SERIAL NOT NULL,
    "dimension_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "position" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "dimension_options_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "classifications" (
    "outcome_id" INTEGER NOT NULL,
    "option_id" INTEGER NOT NULL,
    "created_by_id" INTEGER,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "classifications_pkey" PRIMARY KEY ("outcome_id","option_id")
);

-- CreateIndex
CREATE INDEX "thread_messages_outcome_id_id_idx" ON "thread_messages"("outcome_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "dimensions_key_key" ON "dimensions"("key");

-- CreateIndex
CREATE UNIQUE INDEX "dimension_options_dimension_id_key_key" ON "dimension_options"("dimension_id", "key");

-- CreateIndex
CREATE INDEX "classifications_option_id_idx" ON "classifications"("option_id");

-- CreateIndex
CREATE INDEX "outcomes_status_waiting_since_idx" ON "outcomes"("status", "waiting_since");

-- AddForeignKey
ALTER TABLE "thread_messages" ADD CONSTRAINT "thread_messages_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "thread_messages" ADD CONSTRAINT "thread_messages_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dimension_options" ADD CONSTRAINT "dimension_options_dimension_id_fkey" FOREIGN KEY ("dimension_id") REFERENCES "dimensions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "classifications" ADD CONSTRAINT "classifications_outcome_id_fkey" FOREIGN KEY ("outcome_id") REFERENCES "outcomes"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "classifications" ADD CONSTRAINT "classifications_option_id_fkey" FOREIGN KEY ("option_id") REFERENCES "dimension_options"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- Statements already waiting keep their place in the review queue.
UPDATE "outcomes" SET "waiting_since" = "submitted_at" WHERE "status" = 'submitted';

-- The default classification dimensions, from the evaluation this programme ran last.
-- They are data: coordinators (/dimensions) and the CLI (npm run cli -- dimension ...) change them.
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('framework', true, 1, '{"en": "Contribution to the results framework", "km": "ការរួមចំណែកដល់ក្របខ័ណ្ឌលទ្ធផល"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'SO', 1, '{"en": "Specific objective (SO)", "km": "គោលបំណងជាក់លាក់ (SO)"}'::jsonb FROM "dimensions" WHERE "key" = 'framework';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'R1', 2, '{"en": "Result 1 (R1)", "km": "លទ្ធផលទី១ (R1)"}'::jsonb FROM "dimensions" WHERE "key" = 'framework';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'R2', 3, '{"en": "Result 2 (R2)", "km": "លទ្ធផលទី២ (R2)"}'::jsonb FROM "dimensions" WHERE "key" = 'framework';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'R3', 4, '{"en": "Result 3 (R3)", "km": "លទ្ធផលទី៣ (R3)"}'::jsonb FROM "dimensions" WHERE "key" = 'framework';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'OCD', 5, '{"en": "Organisational capacity development (OCD)", "km": "ការអភិវឌ្ឍសមត្ថភាពស្ថាប័ន (OCD)"}'::jsonb FROM "dimensions" WHERE "key" = 'framework';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('social_actor', false, 2, '{"en": "Social actor type", "km": "ប្រភេទតួអង្គសង្គម"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'workers', 1, '{"en": "Workers'' groups", "km": "ក្រុមកម្មករ"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'partner', 2, '{"en": "Partner organisations", "km": "អង្គការដៃគូ"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'government', 3, '{"en": "Government (national or sub-national)", "km": "រដ្ឋាភិបាល (ថ្នាក់ជាតិ ឬថ្នាក់ក្រោមជាតិ)"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'cso', 4, '{"en": "CSOs and networks", "km": "អង្គការសង្គមស៊ីវិល និងបណ្តាញ"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'grassroots', 5, '{"en": "Grassroots organisations", "km": "អង្គការមូលដ្ឋាន"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'company', 6, '{"en": "Companies and factories", "km": "ក្រុមហ៊ុន និងរោងចក្រ"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'public', 7, '{"en": "General public", "km": "សាធារណជនទូទៅ"}'::jsonb FROM "dimensions" WHERE "key" = 'social_actor';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('change_type', false, 3, '{"en": "Type of change", "km": "ប្រភេទនៃការផ្លាស់ប្តូរ"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'working_conditions', 1, '{"en": "Better working conditions", "km": "លក្ខខណ្ឌការងារប្រសើរឡើង"}'::jsonb FROM "dimensions" WHERE "key" = 'change_type';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'social_protection', 2, '{"en": "Access to social protection", "km": "ការទទួលបានកិច្ចគាំពារសង្គម"}'::jsonb FROM "dimensions" WHERE "key" = 'change_type';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'policy', 3, '{"en": "Policy or law", "km": "គោលនយោបាយ ឬច្បាប់"}'::jsonb FROM "dimensions" WHERE "key" = 'change_type';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'participation', 4, '{"en": "Participation", "km": "ការចូលរួម"}'::jsonb FROM "dimensions" WHERE "key" = 'change_type';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'capacity', 5, '{"en": "Capacity", "km": "សមត្ថភាព"}'::jsonb FROM "dimensions" WHERE "key" = 'change_type';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('expected', false, 4, '{"en": "Expected or unexpected", "km": "បានរំពឹងទុក ឬមិនបានរំពឹងទុក"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'expected', 1, '{"en": "Expected", "km": "បានរំពឹងទុក"}'::jsonb FROM "dimensions" WHERE "key" = 'expected';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'unexpected', 2, '{"en": "Unexpected", "km": "មិនបានរំពឹងទុក"}'::jsonb FROM "dimensions" WHERE "key" = 'expected';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('positive', false, 5, '{"en": "Positive or negative", "km": "វិជ្ជមាន ឬអវិជ្ជមាន"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'positive', 1, '{"en": "Positive", "km": "វិជ្ជមាន"}'::jsonb FROM "dimensions" WHERE "key" = 'positive';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'negative', 2, '{"en": "Negative", "km": "អវិជ្ជមាន"}'::jsonb FROM "dimensions" WHERE "key" = 'positive';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('contribution_importance', false, 6, '{"en": "Importance of the partner''s contribution", "km": "សារៈសំខាន់នៃការរួមចំណែករបស់ដៃគូ"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'essential', 1, '{"en": "Would not have happened without it", "km": "នឹងមិនកើតឡើងទេ បើគ្មានការរួមចំណែកនេះ"}'::jsonb FROM "dimensions" WHERE "key" = 'contribution_importance';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'combined', 2, '{"en": "In combination with other interventions", "km": "រួមផ្សំជាមួយអន្តរាគមន៍ផ្សេងទៀត"}'::jsonb FROM "dimensions" WHERE "key" = 'contribution_importance';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('significance', false, 7, '{"en": "Significance", "km": "សារៈសំខាន់"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'low', 1, '{"en": "Low", "km": "ទាប"}'::jsonb FROM "dimensions" WHERE "key" = 'significance';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'medium', 2, '{"en": "Medium", "km": "មធ្យម"}'::jsonb FROM "dimensions" WHERE "key" = 'significance';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'high', 3, '{"en": "High", "km": "ខ្ពស់"}'::jsonb FROM "dimensions" WHERE "key" = 'significance';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('gender', true, 8, '{"en": "Gender justice criteria", "km": "លក្ខណៈវិនិច្ឆ័យយុត្តិធម៌យេនឌ័រ"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'information', 1, '{"en": "Better information or capacities", "km": "ព័ត៌មាន ឬសមត្ថភាពប្រសើរឡើង"}'::jsonb FROM "dimensions" WHERE "key" = 'gender';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'leadership', 2, '{"en": "New roles or stronger leadership", "km": "តួនាទីថ្មី ឬភាពជាអ្នកដឹកនាំខ្លាំងជាងមុន"}'::jsonb FROM "dimensions" WHERE "key" = 'gender';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'financial', 3, '{"en": "Increased financial power", "km": "អំណាចហិរញ្ញវត្ថុកើនឡើង"}'::jsonb FROM "dimensions" WHERE "key" = 'gender';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'structural', 4, '{"en": "Structural change favourable to women", "km": "ការផ្លាស់ប្តូររចនាសម្ព័ន្ធដែលអំណោយផលដល់ស្ត្រី"}'::jsonb FROM "dimensions" WHERE "key" = 'gender';
INSERT INTO "dimensions" ("key", "multiple", "position", "labels") VALUES ('sustainability', true, 9, '{"en": "Sustainability", "km": "និរន្តរភាព"}'::jsonb);
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'technical', 1, '{"en": "Technical", "km": "បច្ចេកទេស"}'::jsonb FROM "dimensions" WHERE "key" = 'sustainability';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'financial', 2, '{"en": "Financial", "km": "ហិរញ្ញវត្ថុ"}'::jsonb FROM "dimensions" WHERE "key" = 'sustainability';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'social', 3, '{"en": "Social", "km": "សង្គម"}'::jsonb FROM "dimensions" WHERE "key" = 'sustainability';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'environmental', 4, '{"en": "Environmental", "km": "បរិស្ថាន"}'::jsonb FROM "dimensions" WHERE "key" = 'sustainability';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'local_institutional', 5, '{"en": "Institutional (local level)", "km": "ស្ថាប័ន (ថ្នាក់មូលដ្ឋាន)"}'::jsonb FROM "dimensions" WHERE "key" = 'sustainability';
INSERT INTO "dimension_options" ("dimension_id", "key", "position", "labels") SELECT "id", 'national_institutional', 6, '{"en": "Institutional (national level)", "km": "ស្ថាប័ន (ថ្នាក់ជាតិ)"}'::jsonb FROM "dimensions" WHERE "key" = 'sustainability';
