-- Pre-screening (issue 6). An offer asks up to 5 closed questions after a
-- yes, each from a template (outreach.QuestionKind) with its one parameter
-- and the answer that qualifies. The distance to the town is each
-- candidate's: it is not stored here, only in a conversation's snapshot.
CREATE TABLE offer_questions (
    offer_id   bigint NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
    position   smallint NOT NULL CHECK (position BETWEEN 0 AND 4),
    kind       text NOT NULL,
    date       date,
    hours      text NOT NULL DEFAULT '',
    town       text NOT NULL DEFAULT '',
    salary     text NOT NULL DEFAULT '',
    licence    text NOT NULL DEFAULT '',
    free_text  text NOT NULL DEFAULT '',
    qualifying text NOT NULL CHECK (qualifying IN ('yes', 'no')),
    PRIMARY KEY (offer_id, position),
    -- Each kind has its parameter (ValidateQuestions checks the rest).
    CHECK (CASE kind
        WHEN 'available_from' THEN date IS NOT NULL
        WHEN 'accepts_hours' THEN hours <> ''
        WHEN 'can_travel' THEN town <> ''
        WHEN 'accepts_salary' THEN salary <> ''
        WHEN 'holds_licence' THEN licence <> ''
        WHEN 'free' THEN free_text <> ''
        ELSE false END)
);

-- One pre-screening conversation per contact (a candidate's yes to one
-- offer), with the questions as they were when it started. Its states
-- (outreach.ScreeningConfig.Next), each change a conditional update on
-- step, so that a replayed or late event changes nothing:
--   asking          question_index sent, waiting for OUI or NON
--   awaiting_reask  one polite re-ask after an unclear answer
--   qualified, not_qualified, incomplete, opted_out   final: ended_at set
-- Every transition but the one reminder (reminded) adds one to step.
-- last_asked_at is the last question, re-ask or reminder: an answer
-- without offer reference goes to the open conversation that asked last.
-- expires_at is fixed at the start; the sweep ends what is still open.
CREATE TABLE screenings (
    contact_id     bigint PRIMARY KEY REFERENCES contacts (id),
    phone          text NOT NULL,
    offer_ref      text NOT NULL,
    questions      jsonb NOT NULL CHECK (jsonb_array_length(questions) <= 5),
    status         text NOT NULL
        CHECK (status IN ('asking', 'awaiting_reask', 'qualified', 'not_qualified', 'incomplete', 'opted_out')),
    question_index integer NOT NULL CHECK (question_index >= 0),
    answers        text[] NOT NULL DEFAULT '{}' CHECK (answers <@ ARRAY['yes', 'no']),
    step           integer NOT NULL CHECK (step > 0),
    reminded       boolean NOT NULL DEFAULT false,
    handed_over    boolean NOT NULL DEFAULT false,
    started_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    last_asked_at  timestamptz NOT NULL,
    ended_at       timestamptz,
    expires_at     timestamptz NOT NULL,
    CHECK ((ended_at IS NULL) = (status IN ('asking', 'awaiting_reask')))
);
CREATE INDEX screenings_open_expiry ON screenings (expires_at) WHERE status IN ('asking', 'awaiting_reask');
CREATE INDEX screenings_open_phone ON screenings (phone, last_asked_at DESC) WHERE status IN ('asking', 'awaiting_reask');
