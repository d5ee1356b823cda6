-- Pacer schema, version 4: one snack nudge per burst of runs.
-- A post-run fuel one-off that a later run of the same local day replaced is
-- cancelled with the id of the run that replaced it, so deleting that later run
-- (/undo, /delete) can bring the earlier run's nudge back.
ALTER TABLE nudge_oneoffs ADD COLUMN replaced_by INTEGER;   -- runs.id of the replacing run
CREATE INDEX nudge_oneoffs_run ON nudge_oneoffs(user_id, run_id) WHERE run_id IS NOT NULL;
