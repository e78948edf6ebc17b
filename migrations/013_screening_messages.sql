-- The SMS of the pre-screening conversations (issue 6), through their own
-- outbox, like the offer SMS: a transition plans its SMS in the same
-- transaction that stores the new state, then they are handed to the
-- queue, claimed by one worker, and sent. One SMS per (contact, step,
-- kind): a replayed transition plans nothing new.
--   planned   stored, not yet handed to the queue
--   queued    in the queue
--   sending   claimed by a worker, provider call in flight
--   sent      the provider took it (message_sid)
--   failed    refused by the provider, or kept failing
--   skipped   no longer due: the conversation moved on, or the phone opted out
CREATE TABLE screening_messages (
    id             bigserial PRIMARY KEY,
    contact_id     bigint NOT NULL REFERENCES screenings (contact_id),
    step           integer NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('question', 'reask', 'reminder', 'closing')),
    question_index integer NOT NULL,
    phone          text NOT NULL,
    body           text NOT NULL,
    status         text NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'queued', 'sending', 'sent', 'failed', 'skipped')),
    message_sid    text UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    claimed_at     timestamptz,
    sent_at        timestamptz,
    UNIQUE (contact_id, step, kind)
);
CREATE INDEX screening_messages_in_flight ON screening_messages (status, id)
    WHERE status IN ('planned', 'queued', 'sending');

-- An answer to a conversation is an inbox item like any reply, showing
-- where the conversation stood after it: its status and question.
ALTER TABLE inbox_items ADD COLUMN screening_status text, ADD COLUMN screening_question integer;
