-- Personal data (issue 8): who saw a job seeker's data, how long their
-- messages are kept, and erasure on request.

-- Every page and export that shows job seekers' personal data writes one
-- row here (outreach.Access): who (a counsellor, the API token, the
-- employer of an offer through its link, or the system itself), what they
-- did (view, export, erase, retention), where (method and route pattern,
-- never the URL: links carry tokens), and the job seekers concerned, so
-- that "who saw X" is one GIN lookup. Erase and retention rows carry their
-- counts. Rows are never updated nor deleted: the trigger refuses it. An
-- erased job seeker's rows stay, under their internal id only, which then
-- names nobody.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor_kind    text NOT NULL CHECK (actor_kind IN ('counsellor', 'api', 'employer', 'system')),
    actor_id      bigint, -- the counsellor, or the offer of the employer's link
    action        text NOT NULL CHECK (action IN ('view', 'export', 'erase', 'retention')),
    what          text NOT NULL,
    candidate_ids bigint[] NOT NULL DEFAULT '{}',
    counts        jsonb NOT NULL DEFAULT '{}',
    request_id    text NOT NULL DEFAULT '',
    CHECK ((actor_id IS NOT NULL) = (actor_kind IN ('counsellor', 'employer')))
);
CREATE INDEX audit_log_candidates ON audit_log USING gin (candidate_ids);
CREATE INDEX audit_log_at ON audit_log USING brin (at);

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION history_append_only();

-- Erasure (outreach.Service.Erase) keeps a job seeker's row as a
-- tombstone, since their contacts stay for the offers' counts: no name,
-- phone, place, occupation or skill left, no consent, and an external id
-- made of the internal one. The stricter check it replaces held for every
-- existing row, hence NOT VALID (no scan of the table).
ALTER TABLE candidates ADD COLUMN erased_at timestamptz;
ALTER TABLE candidates DROP CONSTRAINT candidates_phone_check;
ALTER TABLE candidates ADD CONSTRAINT candidates_phone_check
    CHECK (phone ~ '^\+[1-9][0-9]{6,14}$' OR (erased_at IS NOT NULL AND phone = '')) NOT VALID;

-- A counsellor's answer still to send has a body; one settled may have
-- lost it to retention or erasure.
ALTER TABLE counsellor_messages DROP CONSTRAINT counsellor_messages_body_check;
ALTER TABLE counsellor_messages ADD CONSTRAINT counsellor_messages_body_check
    CHECK (body <> '' OR status IN ('sent', 'failed', 'skipped')) NOT VALID;

-- A counsellor's reason for a shortlist decision may say things about the
-- job seeker: erasure blanks it, and only erasure, flagged by the
-- transaction (SET LOCAL outreach.erasing = 'on'); every other change and
-- every deletion is still refused. employer_statuses and
-- interest_corrections hold no personal column: they stay untouched.
CREATE OR REPLACE FUNCTION shortlist_decisions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND current_setting('outreach.erasing', true) = 'on' AND NEW.reason = ''
        AND (NEW.id, NEW.contact_id, NEW.proposed, NEW.counsellor_id, NEW.decided_at)
            IS NOT DISTINCT FROM (OLD.id, OLD.contact_id, OLD.proposed, OLD.counsellor_id, OLD.decided_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'shortlist decisions are append-only';
END
$$;

-- Retention (outreach.Service.PurgeExpired): RETENTION_AFTER after an
-- offer's campaign closed, the phone numbers and texts of its contacts'
-- SMS are blanked and purged_at set, so each offer is purged once; the
-- index holds only the offers closed and not purged yet.
ALTER TABLE offers ADD COLUMN purged_at timestamptz;
CREATE INDEX offers_retention_due ON offers (closed_at) WHERE closed_at IS NOT NULL AND purged_at IS NULL;

-- SMS answering no contact (a job seeker writing first, an unknown
-- number) are purged by age; erasure finds those from a job seeker's
-- number that no job seeker was linked to. Both indexes hold only such
-- messages, rare next to the replies to offers.
CREATE INDEX inbound_messages_unlinked_due ON inbound_messages (received_at) WHERE contact_id IS NULL AND from_phone <> '';
CREATE INDEX inbound_messages_unlinked_phone ON inbound_messages (from_phone) WHERE candidate_id IS NULL;
