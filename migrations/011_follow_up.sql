-- Follow-up (issue 5). An offer's campaign starts when its first contacts
-- are committed (outreach_started_at) and closes CAMPAIGN_WINDOW later: the
-- outbox sweep sets closed_at. From then on its shortlist is final: replies
-- are still stored and shown, marked late, but change no interest.
ALTER TABLE offers ADD COLUMN outreach_started_at timestamptz, ADD COLUMN closed_at timestamptz;
UPDATE offers o SET outreach_started_at = k.first_created
FROM (SELECT offer_id, min(created_at) AS first_created FROM contacts GROUP BY offer_id) k
WHERE k.offer_id = o.id;
CREATE INDEX offers_open_campaigns ON offers (outreach_started_at) WHERE closed_at IS NULL;

-- A contact whose SMS went unanswered for FOLLOW_UP_AFTER gets at most one
-- reminder. Its states mirror the offer SMS's (migration 009), each change
-- a conditional update:
--   NULL      none yet (or follow-up off)
--   queued    handed to the queue (asynq task sms:remind:<id>)
--   sending   claimed by a worker with its body, provider call in flight
--   sent      the provider took it: reminder_sid and reminded_at stored
--   failed    refused by the provider, or still failing after the retries
--   skipped   a reply, an opt-out or the close came before the claim
ALTER TABLE contacts
    ADD COLUMN reminder_status text CHECK (reminder_status IN ('queued', 'sending', 'sent', 'failed', 'skipped')),
    ADD COLUMN reminder_body text,
    ADD COLUMN reminder_sid text UNIQUE,
    ADD COLUMN reminder_claimed_at timestamptz,
    ADD COLUMN reminded_at timestamptz;

-- Kept HOT (migration 010): the claims and delivery reports of the offer
-- SMS change status, send_claimed_at, delivered_at and error_code, and
-- replies change reply and replied_at; neither index below names any of
-- them. sent_at changes only with message_sid, which is indexed already,
-- and reminder_* only on the reminder's own path. Due reminders are read
-- by a range of sent_at (the campaign window up to FOLLOW_UP_AFTER ago),
-- so entries older than the window cost nothing to the sweep.
CREATE INDEX contacts_reminder_due ON contacts (sent_at) WHERE reminder_status IS NULL AND sent_at IS NOT NULL;
CREATE INDEX contacts_reminder_in_flight ON contacts (id) WHERE reminder_status IN ('queued', 'sending');

-- A reply received once its offer's campaign had closed.
ALTER TABLE inbox_items ADD COLUMN late boolean NOT NULL DEFAULT false;
