-- Pacer schema, version 2: nudges. The database is the source of truth for every
-- reminder: preferences per runner, one schedule row per runner and recurring kind
-- with an indexed next-due instant, one-off nudges (post-run fuel, snoozes), and a
-- delivery record per occurrence whose unique key stops any occurrence being sent twice.
-- Instants are UTC ISO-8601 strings; local dates "YYYY-MM-DD"; local times "HH:MM".

CREATE TABLE nudge_prefs (
    user_id           INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    wind_down_lead    INTEGER NOT NULL DEFAULT 30,   -- minutes before the planned bedtime
    pre_run_lead      INTEGER NOT NULL DEFAULT 10,   -- minutes before the usual run time
    fuel_delay        INTEGER NOT NULL DEFAULT 20,   -- minutes after a run is logged
    bedtime_step      INTEGER NOT NULL DEFAULT 15,   -- minutes per week
    plan_first_step   INTEGER NOT NULL DEFAULT 30,   -- minutes in the plan's first week
    plan_start        TEXT,                          -- local date the plan (re)started
    plan_from         TEXT,                          -- bedtime at plan_start "HH:MM"
    plan_source       TEXT,                          -- users.bedtime the plan was built from
    plan_target       TEXT,                          -- users.target_bedtime it was built for
    strength_days     TEXT    NOT NULL DEFAULT '',   -- "tue,fri"; empty = no strength nudges
    strength_time     TEXT,                          -- "18:30"
    race_date         TEXT,                          -- local date of the goal race
    race_name         TEXT    NOT NULL DEFAULT '',
    paused_until      TEXT,                          -- local date nudges resume; NULL = active
    updated_at        TEXT    NOT NULL
);

CREATE TABLE nudge_schedules (
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('wind_down', 'sleep_checkin',
                                 'pre_run_mobility', 'post_run_fuel', 'strength')),
                                                 -- post_run_fuel: only the enabled flag
    enabled       INTEGER NOT NULL DEFAULT 1,
    local_time    TEXT,                              -- wall time of the next occurrence
    days          TEXT    NOT NULL DEFAULT '',       -- anchor weekdays; empty = every day
    occurrence    TEXT,                              -- anchor local date of next_due_utc
    next_due_utc  TEXT,                              -- NULL: disabled or not set up
    skip_date     TEXT,                              -- "skip today": local date to skip
    updated_at    TEXT    NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE INDEX nudge_schedules_due ON nudge_schedules(next_due_utc)
    WHERE next_due_utc IS NOT NULL;

CREATE TABLE nudge_oneoffs (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL,
    occurrence  TEXT    NOT NULL,                    -- "run:42", "2026-11-26~z1"
    anchor      TEXT    NOT NULL,                    -- local date the nudge is about
    due_utc     TEXT    NOT NULL,
    run_id      INTEGER,                             -- post-run fuel: the run
    since_utc   TEXT,                                -- post-run fuel: when the run was logged
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'claimed', 'cancelled')),
    created_at  TEXT    NOT NULL,
    UNIQUE (user_id, kind, occurrence)
);
CREATE INDEX nudge_oneoffs_due ON nudge_oneoffs(due_utc) WHERE state = 'pending';

CREATE TABLE nudge_deliveries (
    id                INTEGER PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind              TEXT    NOT NULL,
    occurrence        TEXT    NOT NULL,
    anchor            TEXT    NOT NULL,
    due_utc           TEXT    NOT NULL,
    claimed_at        TEXT    NOT NULL,
    sent_at           TEXT,
    answered_at       TEXT,                          -- a button was tapped
    status            TEXT    NOT NULL
                      CHECK (status IN ('claimed', 'sent', 'skipped', 'failed', 'unreachable')),
    reason            TEXT    NOT NULL DEFAULT '',
    platform          TEXT,
    platform_user_id  TEXT,
    attempts          INTEGER NOT NULL DEFAULT 0,
    UNIQUE (user_id, kind, occurrence)
);
CREATE INDEX nudge_deliveries_claimed ON nudge_deliveries(claimed_at) WHERE status = 'claimed';
CREATE INDEX nudge_deliveries_user ON nudge_deliveries(user_id, kind, anchor);
