-- Run ids are shown to runners (/runs, /delete 12): never hand out a deleted run's id
-- again. SQLite reuses the highest rowid unless the key is AUTOINCREMENT, so the
-- table is rebuilt with one.
CREATE TABLE runs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    local_date  TEXT    NOT NULL,
    distance_m  REAL    NOT NULL CHECK (distance_m > 0),
    duration_s  INTEGER NOT NULL CHECK (duration_s > 0),
    note        TEXT    NOT NULL DEFAULT '',
    source_key  TEXT    UNIQUE,
    created_at  TEXT    NOT NULL
);
INSERT INTO runs_new (id, user_id, local_date, distance_m, duration_s, note, source_key, created_at)
    SELECT id, user_id, local_date, distance_m, duration_s, note, source_key, created_at FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_user_date ON runs(user_id, local_date);
-- Start counting after every id ever handed out: the highest run left, and the highest
-- run a fuel nudge was planned for (a deleted run's id must not come back).
DELETE FROM sqlite_sequence WHERE name = 'runs';
INSERT INTO sqlite_sequence(name, seq) VALUES ('runs', max(
    coalesce((SELECT max(id) FROM runs), 0),
    coalesce((SELECT max(run_id) FROM nudge_oneoffs), 0)));

-- Platform messages that changed something without a natural key of their own
-- (/undo, /delete): a platform delivering the same message twice must not undo twice.
CREATE TABLE handled_messages (
    source_key  TEXT PRIMARY KEY,             -- "telegram:<update id>", "discord:<interaction id>"
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reply       TEXT    NOT NULL,             -- what was answered the first time
    created_at  TEXT    NOT NULL
);
