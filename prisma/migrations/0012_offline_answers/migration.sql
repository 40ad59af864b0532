-- Sources are often interviewed by phone: a coordinator records their answers on their behalf.
-- Such answers count in the results; the coordinator who recorded them is kept with them.
ALTER TABLE "substantiation_assignments" ADD COLUMN "recorded_by_id" INTEGER;
ALTER TABLE "substantiation_assignments" ADD CONSTRAINT "substantiation_assignments_recorded_by_id_fkey" FOREIGN KEY ("recorded_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
