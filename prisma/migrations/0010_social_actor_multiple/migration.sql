-- An outcome often changes several kinds of social actor at once (an evaluation counts them all,
-- its percentages adding up to more than 100%): the default dimension takes several options.
-- Going from one to several keeps every value, so this is safe on a database in use.
UPDATE "dimensions" SET "multiple" = true WHERE "key" = 'social_actor';
