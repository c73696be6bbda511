-- Calendars and reminders (issue 8). Keep in step with ../sqlite/0008_calendars_reminders.sql.

-- A unit's secret calendar URL: only the SHA-256 of the secret is kept; a new one replaces it.
CREATE TABLE calendar_feeds (
    unit_id     BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Where a unit's reminder digest goes.
CREATE TABLE unit_contacts (
    unit_id    BIGINT PRIMARY KEY REFERENCES units(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Each item reminded to a unit on a day, claimed before the mail is sent: the primary key makes
-- two servers running the job at once send it only once.
CREATE TABLE reminders_sent (
    unit_id BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    item    TEXT NOT NULL,
    day     DATE NOT NULL,
    sent_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (unit_id, item, day)
);
