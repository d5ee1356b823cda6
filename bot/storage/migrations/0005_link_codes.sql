-- One-time codes that join a runner's accounts on different platforms (/link).
CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  TEXT    NOT NULL                 -- UTC ISO instant
);
