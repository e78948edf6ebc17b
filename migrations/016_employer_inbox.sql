-- The employer's shortlist and the counsellor's inbox actions (issue 7).

-- What the employer did with each candidate referred to them, through the
-- signed link of the offer (outreach.EmployerLinks): contacted,
-- interviewed, hired or not retained. Every change is kept, the latest one
-- counting, so that the counsellor sees the story; rows are never updated
-- nor deleted (the trigger refuses it). Only a referred contact gets one:
-- outreach.Service.SetEmployerStatus checks it in the statement that
-- inserts.
CREATE TABLE employer_statuses (
    id         bigserial PRIMARY KEY,
    contact_id bigint NOT NULL REFERENCES contacts (id),
    status     text NOT NULL CHECK (status IN ('contacted', 'interviewed', 'hired', 'not_retained')),
    set_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX employer_statuses_contact ON employer_statuses (contact_id, set_at, id);

-- A counsellor correcting how a reply was understood: the contact's reply
-- changes, and who changed it from what to what, when, and on which inbox
-- item, is kept here, append-only. Opting out is the job seeker's own
-- (STOP): it is neither set nor undone by a correction.
CREATE TABLE interest_corrections (
    id            bigserial PRIMARY KEY,
    inbox_item_id bigint NOT NULL REFERENCES inbox_items (id),
    contact_id    bigint NOT NULL REFERENCES contacts (id),
    from_interest text NOT NULL CHECK (from_interest IN ('', 'interested', 'declined', 'unclear')),
    to_interest   text NOT NULL CHECK (to_interest IN ('interested', 'declined', 'unclear')),
    counsellor_id bigint NOT NULL REFERENCES counsellors (id),
    corrected_at  timestamptz NOT NULL
);
CREATE INDEX interest_corrections_contact ON interest_corrections (contact_id, corrected_at, id);

CREATE FUNCTION history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER employer_statuses_append_only BEFORE UPDATE OR DELETE ON employer_statuses
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
CREATE TRIGGER interest_corrections_append_only BEFORE UPDATE OR DELETE ON interest_corrections
    FOR EACH ROW EXECUTE FUNCTION history_append_only();

-- The inbox shows a corrected interpretation as such ("corrigé par le
-- conseiller"): the latest correction made from the item.
ALTER TABLE inbox_items
    ADD COLUMN corrected_interest text CHECK (corrected_interest IN ('interested', 'declined', 'unclear')),
    ADD COLUMN corrected_by bigint REFERENCES counsellors (id),
    ADD COLUMN corrected_at timestamptz;

-- A counsellor's answer by SMS to a job seeker's reply, through its own
-- outbox like the pre-screening SMS (migration 013):
--   planned   stored, not yet handed to the queue
--   queued    in the queue (asynq task sms:answer:<id>)
--   sending   claimed by a worker, provider call in flight
--   sent      the provider took it (message_sid)
--   failed    refused by the provider, or kept failing
--   skipped   the phone opted out before it went
CREATE TABLE counsellor_messages (
    id            bigserial PRIMARY KEY,
    inbox_item_id bigint NOT NULL REFERENCES inbox_items (id),
    candidate_id  bigint NOT NULL REFERENCES candidates (id),
    counsellor_id bigint NOT NULL REFERENCES counsellors (id),
    phone         text NOT NULL,
    body          text NOT NULL CHECK (body <> ''),
    status        text NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'queued', 'sending', 'sent', 'failed', 'skipped')),
    message_sid   text UNIQUE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    claimed_at    timestamptz,
    sent_at       timestamptz
);
CREATE INDEX counsellor_messages_in_flight ON counsellor_messages (status, id)
    WHERE status IN ('planned', 'queued', 'sending');
CREATE INDEX counsellor_messages_candidate ON counsellor_messages (candidate_id, created_at);

-- A job seeker's thread (outreach.Service.Thread) reads their inbound SMS
-- by candidate; inbound_messages is insert-only.
CREATE INDEX inbound_messages_candidate ON inbound_messages (candidate_id, received_at) WHERE candidate_id IS NOT NULL;
