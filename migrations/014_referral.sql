-- Referral (issue 6). After the pre-screening, the counsellor validates the
-- shortlist: a qualified candidate is proposed to the employer by default,
-- the others are not (outreach.ShortlistContact). The counsellor may go
-- against the default, with a reason; every decision is kept, the latest
-- one counting, so that who overrode what, when and why stays on record.
-- Rows are never updated nor deleted: the trigger refuses it.
CREATE TABLE shortlist_decisions (
    id            bigserial PRIMARY KEY,
    contact_id    bigint NOT NULL REFERENCES contacts (id),
    proposed      boolean NOT NULL,
    reason        text NOT NULL DEFAULT '',
    counsellor_id bigint NOT NULL REFERENCES counsellors (id),
    decided_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX shortlist_decisions_contact ON shortlist_decisions (contact_id, decided_at, id);

CREATE FUNCTION shortlist_decisions_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'shortlist decisions are append-only';
END
$$;

CREATE TRIGGER shortlist_decisions_append_only BEFORE UPDATE OR DELETE ON shortlist_decisions
    FOR EACH ROW EXECUTE FUNCTION shortlist_decisions_append_only();

-- A proposed candidate is referred to the employer once: referred_at and
-- referred_by (the counsellor) are set by one conditional update, never
-- changed after. The time from the offer to the referral, and from the yes
-- to the end of the pre-screening, are measured against the pilot's
-- figures (outreach.Timings).
ALTER TABLE contacts
    ADD COLUMN referred_at timestamptz,
    ADD COLUMN referred_by bigint REFERENCES counsellors (id);

-- For the timings over a period. referred_at is written once and
-- screenings.started_at never: the other updates of both tables stay HOT
-- (migration 010).
CREATE INDEX contacts_referred ON contacts (referred_at) WHERE referred_at IS NOT NULL;
CREATE INDEX screenings_started ON screenings (started_at);
