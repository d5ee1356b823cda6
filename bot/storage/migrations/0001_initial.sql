-- Pacer schema, version 1: runners, their platform identities, runs and habit check-ins.
-- Instants are UTC ISO-8601 strings ("2026-11-26T09:30:00+00:00"); local dates are
-- the runner's own calendar date ("2026-11-26"); local times are "HH:MM".

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    display_name    TEXT    NOT NULL DEFAULT '',
    timezone        TEXT    NOT NULL DEFAULT 'UTC',   -- IANA name, or a fixed offset "+02:00"
    units           TEXT    NOT NULL DEFAULT 'km' CHECK (units IN ('km', 'mi')),
    run_days        TEXT    NOT NULL DEFAULT '',      -- "mon,wed,sat"; empty = not set
    run_time        TEXT,                             -- "07:00"
    bedtime         TEXT,                             -- current usual bedtime "23:45"
    target_bedtime  TEXT,                             -- goal bedtime "22:45"
    wake_time       TEXT,                             -- "06:30"
    quiet_start     TEXT,                             -- quiet hours, local "22:30"
    quiet_end       TEXT,                             -- "07:00"
    nudge_platform  TEXT,                             -- preferred platform for nudges
    onboarding_step TEXT,                             -- pending /start question, NULL when none
    onboarded_at    TEXT,
    created_at      TEXT    NOT NULL
);

CREATE TABLE identities (
    platform          TEXT    NOT NULL,               -- 'console', 'telegram', 'discord'
    platform_user_id  TEXT    NOT NULL,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    display_name      TEXT    NOT NULL DEFAULT '',
    unreachable_since TEXT,                           -- set when DMs are refused
    unreachable_told  INTEGER NOT NULL DEFAULT 0,     -- told the runner on their next message
    last_seen_at      TEXT    NOT NULL,
    PRIMARY KEY (platform, platform_user_id)
);
CREATE INDEX identities_user ON identities(user_id);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    local_date  TEXT    NOT NULL,
    distance_m  REAL    NOT NULL CHECK (distance_m > 0),
    duration_s  INTEGER NOT NULL CHECK (duration_s > 0),
    note        TEXT    NOT NULL DEFAULT '',
    source_key  TEXT    UNIQUE,                       -- platform idempotency key
    created_at  TEXT    NOT NULL
);
CREATE INDEX runs_user_date ON runs(user_id, local_date);

CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    habit       TEXT    NOT NULL CHECK (habit IN ('sleep', 'mobility', 'strength', 'fuel')),
    local_date  TEXT    NOT NULL,
    kind        TEXT    NOT NULL DEFAULT '',          -- mobility: pre/post; strength: exercise
    hours       REAL,                                 -- sleep
    bedtime     TEXT,                                 -- sleep: when they went to bed
    seconds     INTEGER,                              -- plank holds
    sets        INTEGER,                              -- deadlift
    reps        INTEGER,
    load        REAL,
    load_unit   TEXT,
    note        TEXT    NOT NULL DEFAULT '',
    source_key  TEXT    UNIQUE,
    created_at  TEXT    NOT NULL
);
CREATE INDEX checkins_user_habit_date ON checkins(user_id, habit, local_date);
